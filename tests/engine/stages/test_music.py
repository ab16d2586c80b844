"""Synthesized background music and ambience."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from vidflow.engine.stages.music import ambient_sound, background_music, style_for


def _read(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 2 and w.getsampwidth() == 2
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)
        return data.astype(np.float32) / 32768, w.getframerate()


@pytest.mark.parametrize("duration", [0.5, 1.0, 2.37])
def test_music_has_exactly_the_requested_length(tmp_path: Path, duration: float) -> None:
    out = tmp_path / "m.wav"
    background_music(duration, mood="fun", out=out)
    data, sr = _read(out)
    assert sr == 48000
    assert len(data) == round(duration * 48000)


def test_mood_sets_tempo_and_mode() -> None:
    assert style_for("A fun, upbeat promo").bpm > style_for("calm evening").bpm
    assert style_for("dramatic reveal").minor and not style_for("warm family").minor


def test_moods_sound_different_and_are_deterministic(tmp_path: Path) -> None:
    for name, mood in (("a", "fun"), ("b", "fun"), ("c", "dramatic")):
        background_music(2.0, mood=mood, out=tmp_path / f"{name}.wav")
    a, b, c = ((tmp_path / f"{n}.wav").read_bytes() for n in "abc")
    assert a == b and a != c
    data, _ = _read(tmp_path / "a.wav")
    assert np.sqrt((data ** 2).mean()) > 0.02  # audible
    assert not np.array_equal(data[:, 0], data[:, 1])  # really stereo


def _band_energy(data: np.ndarray, sr: int, lo: float, hi: float) -> float:
    spectrum = np.abs(np.fft.rfft(data[:, 0])) ** 2
    f = np.fft.rfftfreq(len(data), 1 / sr)
    return float(spectrum[(f >= lo) & (f < hi)].sum() / spectrum.sum())


def test_ambience_fits_the_environment(tmp_path: Path) -> None:
    """Birds put energy high in the spectrum; snow wind stays low; city hum at 60 Hz."""
    for env in ("sunny meadow", "snowy mountains", "city street"):
        ambient_sound(2.0, environment=env, out=tmp_path / f"{env}.wav")
    meadow, sr = _read(tmp_path / "sunny meadow.wav")
    snow, _ = _read(tmp_path / "snowy mountains.wav")
    city, _ = _read(tmp_path / "city street.wav")
    assert len(meadow) == 96000
    assert _band_energy(meadow, sr, 2500, 7000) > 5 * _band_energy(snow, sr, 2500, 7000)
    assert _band_energy(city, sr, 55, 65) > 5 * _band_energy(snow, sr, 55, 65)


def test_night_has_crickets(tmp_path: Path) -> None:
    ambient_sound(2.0, environment="starry night", out=tmp_path / "n.wav")
    ambient_sound(2.0, environment="snowy mountains", out=tmp_path / "s.wav")
    night, sr = _read(tmp_path / "n.wav")
    snow, _ = _read(tmp_path / "s.wav")
    assert _band_energy(night, sr, 4000, 5000) > 5 * _band_energy(snow, sr, 4000, 5000)
