"""Background music and ambient sound, synthesized with NumPy (no samples, no downloads).

Music: a four-chord progression in a key, tempo and brightness chosen from the mood words
(fun/upbeat → fast major and bright; calm → slow and soft; dramatic/cinematic → minor,
low and wide), played as a soft pad, an arpeggio and a bass, with fades, in stereo.
Ambience: filtered noise shaped in the frequency domain plus a few events (wind gusts for
snow, swells for the ocean, chirps for meadow and forest, hum for the city, crackle for
indoor fire), seeded from the inputs so the same story sounds the same.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np

from vidflow.engine.stages.looks import MusicStyle, look_named
from vidflow.engine.stages.narration import write_wav

_A4 = 440.0


# A mood's tempo, key and timbre are its look's (looks.py: one table for every stage).
Style = MusicStyle


# Progressions as scale degrees (0-based) of the chord roots.
_MAJOR_PROG = (0, 4, 5, 3)  # I-V-vi-IV
_MINOR_PROG = (0, 5, 2, 6)  # i-VI-III-VII
_MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
_MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)


def style_for(mood: str) -> Style:
    """The music of a mood name ("calm") or of the first tone word in any text."""
    return look_named(mood).music


def _seed(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:4], "big")


def _hz(midi: float) -> float:
    return _A4 * 2 ** ((midi - 69) / 12)


def _triad(style: Style, degree: int) -> list[int]:
    scale = _MINOR_SCALE if style.minor else _MAJOR_SCALE
    notes = []
    for step in (0, 2, 4):
        d = degree + step
        notes.append(style.root + scale[d % 7] + 12 * (d // 7))
    return notes


_TABLE = 4096


@functools.cache
def _wavetable(harmonics: int) -> np.ndarray:
    """One period of a soft, sawtooth-like tone: odd and even harmonics falling off."""
    t = np.arange(_TABLE) / _TABLE
    table = sum(np.sin(2 * np.pi * h * t) / h ** 1.5 for h in range(1, harmonics + 1))
    return np.asarray(table, np.float32)


def _tone(freq: float, n: int, sr: int, harmonics: int, t0: int = 0) -> np.ndarray:
    """`n` samples of a tone by wavetable lookup (one gather per sample, not one sin per
    harmonic); `t0` keeps phase continuous across chords."""
    phase = (np.arange(t0, t0 + n, dtype=np.float64) * (freq * _TABLE / sr)).astype(np.int64)
    return _wavetable(harmonics)[phase & (_TABLE - 1)]


def background_music(duration: float, *, mood: str, out: Path,
                     sample_rate: int = 48000) -> None:
    """A stereo WAV of exactly round(duration * sample_rate) frames fitting `mood`."""
    style = style_for(mood)
    sr = sample_rate
    total = max(1, round(duration * sr))
    left = np.zeros(total, np.float32)
    right = np.zeros(total, np.float32)
    beat = 60.0 / style.bpm
    bar = 4 * beat
    prog = _MINOR_PROG if style.minor else _MAJOR_PROG
    harmonics = 2 + int(style.brightness * 4)
    bars = int(np.ceil(total / (bar * sr)))
    for b in range(bars):  # a handful of chords: loops over notes, never over samples
        start = int(b * bar * sr)
        if start >= total:
            break
        n = min(int(bar * sr), total - start)
        chord = _triad(style, prog[b % len(prog)])
        pad = sum(_tone(_hz(m), n, sr, harmonics, start) for m in chord) / 3
        pad *= _envelope(n, sr, attack=0.3 * bar, release=0.3 * bar)
        bass = _tone(_hz(chord[0] - 12), n, sr, 2, start) * _envelope(n, sr, 0.02, 0.2)
        left[start:start + n] += 0.32 * pad + 0.28 * bass
        right[start:start + n] += 0.32 * pad + 0.28 * bass
        _arpeggio(left, right, chord, style, start, n, sr, beat)
    _fade_ends((left, right), min(total // 4, int(1.5 * sr)))
    _write_float(out, (left, right), sr, style.level)


def _arpeggio(left: np.ndarray, right: np.ndarray, chord: list[int], style: Style,
              start: int, n: int, sr: int, beat: float) -> None:
    step = beat / style.arp_density
    note_len = int(step * sr)
    pattern = [*chord, chord[0] + 12, chord[2], chord[1]]
    count = round(n / note_len) if note_len else 0
    harmonics = 1 + int(style.brightness * 5)
    for k in range(count):
        s = start + k * note_len
        m = pattern[k % len(pattern)] + 12
        length = min(note_len, len(left) - s)
        if length <= 0:
            break
        decay = np.exp(-np.arange(length, dtype=np.float32) / (0.5 * step * sr))
        pluck = _tone(_hz(m), length, sr, harmonics) * decay
        pan = 0.5 + 0.35 * np.sin(k * 0.9)  # notes drift across the stereo field
        gain = 0.18 * (0.5 + style.brightness)
        left[s:s + length] += gain * (1 - pan) * pluck
        right[s:s + length] += gain * pan * pluck


def _envelope(n: int, sr: int, attack: float, release: float) -> np.ndarray:
    env = np.ones(n, np.float32)
    a = min(n, int(attack * sr))
    r = min(n - a, int(release * sr))
    if a:
        env[:a] = np.linspace(0, 1, a)
    if r:
        env[n - r:] = np.linspace(1, 0, r)
    return env


def _fade_ends(channels: tuple[np.ndarray, np.ndarray], fade: int) -> None:
    """Fade in and out over `fade` samples, in place: for 20 s of stereo, fresh pages for
    temporaries cost more than the arithmetic."""
    if fade:
        ramp = np.linspace(0, 1, fade, dtype=np.float32)
        for channel in channels:
            channel[:fade] *= ramp
            channel[-fade:] *= ramp[::-1]


def _write_float(out: Path, channels: tuple[np.ndarray, np.ndarray], sr: int,
                 level: float) -> None:
    """The two channels scaled so the peak is `level` of full scale, as 16-bit stereo."""
    peak = max(float(np.max(np.abs(c))) for c in channels) or 1.0
    pcm = np.empty((len(channels[0]), 2), np.int16)
    for i, channel in enumerate(channels):
        channel *= np.float32(level * 32767 / peak)
        np.clip(channel, -32768, 32767, out=channel)
        pcm[:, i] = channel
    write_wav(out, pcm, sr, channels=2)


# --- ambience --------------------------------------------------------------------------

def _colored_noise(n: int, sr: int, rng: np.random.Generator, low: float, high: float,
                   slope: float = 1.0) -> np.ndarray:
    """Noise band-limited to [low, high] Hz with a 1/f**slope tilt, shaped by FFT."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / sr)
    shape = np.where((f >= low) & (f <= high), 1.0, 0.0) / np.maximum(f, 1.0) ** (slope / 2)
    shaped = np.fft.irfft(spectrum * shape, n)
    return shaped / (np.max(np.abs(shaped)) or 1.0)


def _slow(n: int, sr: int, rng: np.random.Generator, rate: float) -> np.ndarray:
    """A smooth random modulation between 0 and 1, changing about `rate` times a second."""
    points = max(2, int(n / sr * rate) + 2)
    knots = rng.uniform(0, 1, points)
    return np.interp(np.linspace(0, points - 1, n), np.arange(points), knots)


def _wind(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    return _colored_noise(n, sr, rng, 80, 1200, 1.5) * (0.3 + 0.7 * _slow(n, sr, rng, 0.4))


def _waves(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / sr
    swell = (0.5 + 0.5 * np.sin(2 * np.pi * t / 7.0 + rng.uniform(0, 6))) ** 2
    return _colored_noise(n, sr, rng, 60, 6000, 1.0) * (0.15 + 0.85 * swell)


def _birds(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    out = 0.25 * _wind(n, sr, rng)
    chirps = max(1, int(n / sr * 1.2))
    for _ in range(chirps):  # one vectorized sweep per chirp
        length = int(rng.uniform(0.06, 0.18) * sr)
        s = int(rng.integers(0, max(1, n - length)))
        t = np.arange(length) / sr
        f0, f1 = rng.uniform(2500, 4500), rng.uniform(3000, 6000)
        phase = 2 * np.pi * (f0 * t + (f1 - f0) * t ** 2 / (2 * t[-1] if len(t) else 1))
        out[s:s + length] += 0.4 * np.sin(phase) * np.sin(np.pi * t / (t[-1] or 1)) ** 2
    return out


def _city(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / sr
    hum = 0.2 * np.sin(2 * np.pi * 60 * t) + 0.1 * np.sin(2 * np.pi * 120 * t)
    traffic = _colored_noise(n, sr, rng, 40, 2500, 1.8) * (0.4 + 0.6 * _slow(n, sr, rng, 0.3))
    return hum + traffic


def _fire(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    rumble = 0.5 * _colored_noise(n, sr, rng, 30, 400, 1.5)
    pops = np.zeros(n)
    idx = rng.integers(0, n, max(1, int(n / sr * 12)))
    pops[idx] = rng.uniform(-1, 1, len(idx))
    crackle = np.convolve(pops, np.exp(-np.arange(int(0.004 * sr)) / (0.0008 * sr)), "same")
    return rumble + 0.8 * crackle


def _crickets(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Night: a soft breeze and crickets (a ~4.5 kHz tone pulsed in short trills)."""
    t = np.arange(n) / sr
    carrier = np.sin(2 * np.pi * rng.uniform(4200, 4800) * t)
    pulses = (np.sin(2 * np.pi * 30 * t) > 0.3).astype(np.float64)  # 30 chirps a second
    trills = _slow(n, sr, rng, 1.5) > 0.55  # trills come and go
    return 0.4 * _wind(n, sr, rng) + 0.25 * carrier * pulses * trills


def _room(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    return 0.3 * _colored_noise(n, sr, rng, 50, 3000, 2.0)


_AMBIENCE = {"snow": _wind, "desert": _wind, "ocean": _waves, "meadow": _birds,
             "forest": _birds, "city": _city, "night": _crickets, "indoor": _fire,
             "studio": _room, "default": _wind}


def ambience_kind(environment: str) -> str:
    """Which ambience fits an environment name/description (storyboard env kinds)."""
    from vidflow.engine.stages.storyboard import env_kind_of

    return env_kind_of(environment).kind


def ambient_sound(duration: float, *, environment: str, out: Path,
                  sample_rate: int = 48000) -> None:
    """A stereo WAV of ambience fitting `environment`, exactly the requested duration."""
    sr = sample_rate
    total = max(1, round(duration * sr))
    kind = ambience_kind(environment)
    rng = np.random.default_rng(_seed("ambient", environment, total, sr))
    make = _AMBIENCE.get(kind, _wind)
    left, right = make(total, sr, rng), make(total, sr, rng)  # decorrelated: a wide field
    _fade_ends((left, right), min(total // 4, int(0.5 * sr)))
    _write_float(out, (left, right), sr, 0.35)
