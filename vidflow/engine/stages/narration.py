"""Narration with eSpeak NG, loaded through ctypes from the espeakng-loader wheel.

No system package and no subprocess: the library synthesizes into a callback that
collects 16-bit samples, which are written as a mono WAV. libespeak-ng keeps global state
and is not reentrant, so one module lock serializes every call into it.

The same callback receives eSpeak NG's own events: each word's `espeakEVENT_WORD` names its
place in the text and the sample where it is spoken, which is what captions are timed by
(`synthesize(..., words_out=...)`), never a guess from the text's length.
"""

from __future__ import annotations

import ctypes
import json
import logging
import re
import threading
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vidflow.contract.enums import NARRATORS
from vidflow.contract.params import DEFAULTS
from vidflow.contract.storyboard import AUDIO_DEFAULTS
from vidflow.errors import MediaError

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class Voice:
    variant: str  # eSpeak voice variant (voices/!v/<variant>)
    pitch: int  # 0..100, eSpeak default 50
    rate: int  # words per minute, eSpeak default 175
    range_: int = 50  # pitch range 0..100 (intonation)


# One distinct setting per narrator of the reference, in its order (variant, pitch and rate
# all vary).
VOICES: dict[str, Voice] = dict(zip(NARRATORS, (
    Voice("f1", 58, 165), Voice("f2", 64, 172), Voice("m1", 40, 160),
    Voice("f3", 55, 170), Voice("f4", 62, 160), Voice("m2", 48, 178),
    Voice("m3", 34, 155), Voice("m4", 45, 168), Voice("f5", 50, 165, 40),
    Voice("m5", 46, 180), Voice("f1", 68, 158, 65), Voice("f2", 56, 162, 60),
    Voice("f3", 66, 175, 45), Voice("m6", 44, 172), Voice("f4", 54, 180, 60),
    Voice("m7", 42, 165), Voice("m1", 52, 182, 60), Voice("m2", 36, 158, 40),
    Voice("m3", 42, 150, 45), Voice("f5", 70, 170, 60), Voice("m4", 30, 150, 35),
), strict=True))

LANGUAGES: dict[str, str] = {
    "english": "en", "spanish": "es", "french": "fr", "german": "de", "hindi": "hi",
    "japanese": "ja", "korean": "ko", "turkish": "tr", "arabic": "ar", "chinese": "cmn",
    "mandarin": "cmn", "italian": "it", "portuguese": "pt", "dutch": "nl", "russian": "ru",
    "polish": "pl", "swedish": "sv", "vietnamese": "vi", "indonesian": "id",
}

SILENCE_S = 0.5  # what empty narration becomes: a short pause, not an error

# espeak_AUDIO_OUTPUT / espeak_PARAMETER / flags, from speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000
_RATE, _VOLUME, _PITCH, _RANGE = 1, 2, 3, 4
_EE_OK = 0

# espeak_EVENT_TYPE values (speak_lib.h)
_EVENT_LIST_TERMINATED, _EVENT_WORD = 0, 1
SPEECH_FLOOR = 300  # |sample| above this is voice, not the pause eSpeak ends with

_lock = threading.Lock()


class _Event(ctypes.Structure):
    """espeak_EVENT (speak_lib.h); the union `id` is pointer-sized."""

    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint),
                ("text_position", ctypes.c_int),  # 1-based, in characters (espeakCHARS_UTF8)
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int),
                ("sample", ctypes.c_int), ("user_data", ctypes.c_void_p),
                ("id", ctypes.c_void_p)]


@dataclass(frozen=True)
class SpokenWord:
    """One word of a narration: its text and when it is spoken, in seconds of its WAV."""

    text: str
    start: float
    end: float
_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                  ctypes.c_void_p)


class _Engine:
    """A freshly loaded, initialised library; use only while holding `_lock`.

    libespeak-ng keeps synthesis state in globals that espeak_Initialize does not reset
    (the same text spoken twice differs slightly), so each synthesis loads the library
    anew and unloads it after: a few milliseconds for byte-identical output.
    """

    def __init__(self) -> None:
        import espeakng_loader

        try:
            self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        except OSError as exc:
            raise MediaError(f"cannot load libespeak-ng: {exc}",
                             hint="reinstall espeakng-loader") from exc
        self.data_path = Path(espeakng_loader.get_data_path())
        lib = self.lib
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p,
                                          ctypes.c_int]
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_Terminate.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint,
                                     ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
                                     ctypes.c_void_p, ctypes.c_void_p]
        lib.espeak_Synth.restype = ctypes.c_int
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0,
                                     str(self.data_path).encode(), 0)
        if rate <= 0:
            raise MediaError(f"eSpeak NG failed to initialise with data at {self.data_path}")
        self.sample_rate = rate
        # Initialisation seeds the C library's rand() from the clock (eSpeak uses it for
        # voice jitter); a fixed seed makes the same text give the same samples.
        if hasattr(lib, "espeak_ng_SetRandSeed"):  # espeak-ng >= 1.52
            lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
            lib.espeak_ng_SetRandSeed(1)
        ctypes.CDLL(None).srand(1)
        self._chunks: list[np.ndarray] = []
        self._words: list[tuple[int, int, int]] = []  # (first char, length, sample)
        self.words: list[tuple[int, int, int]] = []
        self._callback = _SynthCallback(self._collect)  # kept alive: C holds the pointer
        lib.espeak_SetSynthCallback(self._callback)

    def close(self) -> None:
        import _ctypes

        self.lib.espeak_Terminate()
        _ctypes.dlclose(self.lib._handle)  # the next load starts from clean globals

    def _collect(self, wav: ctypes._Pointer, count: int, events: int) -> int:
        if events:
            listed = ctypes.cast(events, ctypes.POINTER(_Event))
            i = 0
            while listed[i].type != _EVENT_LIST_TERMINATED:
                event = listed[i]
                if event.type == _EVENT_WORD and event.length > 0:
                    self._words.append((event.text_position - 1, event.length, event.sample))
                i += 1
        if wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0  # 0 = keep going

    def speak(self, text: str, voice_name: str, voice: Voice) -> np.ndarray:
        """The samples of `text`; its word events are left in `self.words`."""
        lib = self.lib
        if lib.espeak_SetVoiceByName(voice_name.encode()) != _EE_OK:
            raise MediaError(f"eSpeak NG has no voice {voice_name!r}")
        lib.espeak_SetParameter(_RATE, voice.rate, 0)
        lib.espeak_SetParameter(_PITCH, voice.pitch, 0)
        lib.espeak_SetParameter(_RANGE, voice.range_, 0)
        lib.espeak_SetParameter(_VOLUME, 100, 0)
        self._chunks, self._words = [], []
        data = text.encode("utf-8") + b"\0"
        code = lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0,
                                _CHARS_UTF8 | _ENDPAUSE, None, None)
        if code != _EE_OK:
            raise MediaError(f"eSpeak NG could not synthesize (error {code})")
        chunks, self._chunks = self._chunks, []
        self.words = self._words
        return np.concatenate(chunks) if chunks else np.zeros(0, np.int16)


def language_code(language: str) -> str:
    """The eSpeak voice language for a story language name ("Spanish" → "es")."""
    key = language.strip().lower()
    return LANGUAGES.get(key, key if 2 <= len(key) <= 3 else "en")


def voice_for(narrator: str) -> Voice:
    """The voice setting of a narrator name (case-insensitive); unknown names → Rachel."""
    by_lower = {name.lower(): v for name, v in VOICES.items()}
    return by_lower.get(narrator.strip().lower(), VOICES[AUDIO_DEFAULTS["narrator"]])


def synthesize(text: str, *, narrator: str = AUDIO_DEFAULTS["narrator"],
               language: str = DEFAULTS["language"],
               out: Path, words_out: Path | None = None) -> float:
    """Speak `text` into a 16-bit mono WAV at `out`; returns its duration in seconds.
    `words_out`: also write the words and their times, as eSpeak NG reported them (JSON,
    read back with `read_words`)."""
    voice = voice_for(narrator)
    text = " ".join((text or "").split())
    events: list[tuple[int, int, int]] = []
    with _lock:
        engine = _Engine()
        try:
            rate = engine.sample_rate
            samples = np.zeros(0, np.int16)
            if text:
                samples = _speak(engine, text, language, voice)
                events = engine.words
        finally:
            engine.close()
    if samples.size == 0:
        samples = np.zeros(int(SILENCE_S * rate), np.int16)
    write_wav(out, samples.astype(np.int16), rate, channels=1)
    if words_out is not None:
        words = spoken_words(text, events, samples, rate)
        Path(words_out).write_text(json.dumps(
            [[w.text, w.start, w.end] for w in words], ensure_ascii=False), encoding="utf-8")
    return samples.size / rate


def spoken_words(text: str, events: list[tuple[int, int, int]], samples: np.ndarray,
                 rate: int) -> list[SpokenWord]:
    """The text's whitespace-separated words, each timed by the first word event that falls
    inside it ("snow-covered" is one caption word however eSpeak splits it). eSpeak says
    some short words together with the one before ("in the" is one event): such a word
    starts with it. A word ends where a later word begins; the last where the voice
    stops (the trailing pause is not speech)."""
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
    starts: list[float | None] = [None] * len(tokens)
    k = 0
    for first, _length, sample in sorted(events, key=lambda e: e[0]):
        while k < len(tokens) and tokens[k][1] <= first:
            k += 1
        if k < len(tokens) and tokens[k][0] <= first and starts[k] is None:
            starts[k] = sample / rate
    voiced = np.nonzero(np.abs(samples.astype(np.int32)) > SPEECH_FLOOR)[0]
    speech_end = (int(voiced[-1]) + 1) / rate if voiced.size else samples.size / rate
    timed: list[float] = []
    for start in starts:
        before = timed[-1] if timed else 0.0
        timed.append(before if start is None else max(before, start))
    words = []
    for i, (_a, _b, word) in enumerate(tokens):
        end = next((t for t in timed[i + 1:] if t > timed[i]), max(speech_end, timed[i]))
        words.append(SpokenWord(word, round(timed[i], 4), round(end, 4)))
    return words


def read_words(path: Path) -> list[SpokenWord]:
    """The words `synthesize(..., words_out=path)` wrote."""
    return [SpokenWord(str(t), float(a), float(b))
            for t, a, b in json.loads(Path(path).read_text(encoding="utf-8"))]


def _speak(engine: _Engine, text: str, language: str, voice: Voice) -> np.ndarray:
    code = language_code(language)
    key = language.strip().lower()
    if key not in LANGUAGES and code != key:
        log.warning("unknown narration language %r; narrating in English", language)
    try:
        return engine.speak(text, f"{code}+{voice.variant}", voice)
    except MediaError:
        # a language the data lacks: say it in English rather than fail the story
        log.warning("no eSpeak NG voice for language %r (%s); narrating in English",
                    language, code)
        return engine.speak(text, f"en+{voice.variant}", voice)


def write_wav(out: Path, samples: np.ndarray, sample_rate: int, *, channels: int) -> None:
    """Write int16 samples (frames × channels, or mono 1-D) as a PCM WAV, atomically."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with wave.open(str(tmp), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(np.ascontiguousarray(samples, dtype="<i2").tobytes())
    tmp.replace(out)


def wav_duration(path: Path) -> float:
    """Seconds, from the header, to the microsecond as FFmpeg reports them (so the scene
    lengths, and the assets named by them, are what probing gave), without loading PyAV."""
    with wave.open(str(path), "rb") as wav:
        return round(wav.getnframes() / wav.getframerate(), 6)
