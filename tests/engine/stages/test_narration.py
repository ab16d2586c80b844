"""eSpeak NG narration through ctypes."""

from __future__ import annotations

import hashlib
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from vidflow.contract.enums import NARRATORS
from vidflow.engine.stages.narration import (
    SILENCE_S,
    VOICES,
    language_code,
    synthesize,
    wav_duration,
)

# As the reference lists them (audio_option.narrator).
REFERENCE_NARRATORS = [
    "Rachel", "Aria", "Roger", "Sarah", "Laura", "Charlie", "George", "Callum", "River",
    "Liam", "Charlotte", "Alice", "Matilda", "Will", "Jessica", "Eric", "Chris", "Brian",
    "Daniel", "Lily", "Bill",
]


def _samples(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        return np.frombuffer(w.readframes(w.getnframes()), "<i2")


def test_every_reference_narrator_has_its_own_voice_setting() -> None:
    assert list(NARRATORS) == REFERENCE_NARRATORS
    settings = {(v.variant, v.pitch, v.rate, v.range_) for v in VOICES.values()}
    assert len(settings) == len(NARRATORS)


def test_each_narrator_sounds_different(tmp_path: Path) -> None:
    """The same line in 21 voices gives 21 different recordings, all with speech."""
    digests = set()
    for name in NARRATORS:
        out = tmp_path / f"{name}.wav"
        seconds = synthesize("Hello from the meadow.", narrator=name, out=out)
        assert seconds == pytest.approx(wav_duration(out))
        assert 0.5 < seconds < 5
        assert np.abs(_samples(out)).max() > 1000  # not silence
        digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
    assert len(digests) == len(NARRATORS)


def test_wav_duration_is_what_probing_reports(tmp_path: Path) -> None:
    """Scene lengths come from the WAV header instead of PyAV now: to the microsecond the
    same numbers, so clips already made (named by their seconds) are still found."""
    from vidflow.engine.stages.ffmpeg import probe

    for i, line in enumerate(["Hi.", "A fox runs through the snow at dawn.",
                              "Outside, the first snow settles on the pines, softly."]):
        out = tmp_path / f"{i}.wav"
        synthesize(line, narrator="Aria", out=out)
        assert wav_duration(out) == probe(out).duration


def test_language_switches_the_voice(tmp_path: Path) -> None:
    """The same letters read as Spanish and as English are different audio."""
    en = tmp_path / "en.wav"
    es = tmp_path / "es.wav"
    synthesize("casa grande", language="English", out=en)
    synthesize("casa grande", language="Spanish", out=es)
    assert en.read_bytes() != es.read_bytes()


@pytest.mark.parametrize("language,code", [("English", "en"), ("Spanish", "es"),
                                           ("French", "fr"), ("German", "de"),
                                           ("Hindi", "hi"), ("Japanese", "ja"),
                                           ("Korean", "ko"), ("Turkish", "tr"),
                                           ("Arabic", "ar"), ("Chinese", "cmn")])
def test_story_languages_map_to_installed_voices(tmp_path: Path, language: str,
                                                 code: str) -> None:
    import espeakng_loader

    assert language_code(language) == code
    assert (Path(espeakng_loader.get_data_path()) / f"{code}_dict").is_file()
    assert synthesize("1 2 3", language=language, out=tmp_path / "x.wav") > 0.3


def test_empty_text_is_a_short_silence(tmp_path: Path) -> None:
    out = tmp_path / "e.wav"
    assert synthesize("   ", out=out) == pytest.approx(SILENCE_S)
    assert not _samples(out).any()


def test_unknown_narrator_falls_back_to_rachel(tmp_path: Path) -> None:
    synthesize("Hi there.", narrator="Nobody", out=tmp_path / "a.wav")
    synthesize("Hi there.", narrator="rachel", out=tmp_path / "b.wav")
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()


def test_threads_do_not_mix_their_audio(tmp_path: Path) -> None:
    """libespeak is not reentrant: concurrent calls still each get their own speech."""
    expected = {}
    for name in ("Roger", "Lily"):
        synthesize(f"{name} speaks alone here.", narrator=name, out=tmp_path / f"{name}.wav")
        expected[name] = (tmp_path / f"{name}.wav").read_bytes()

    def speak(name: str, k: int) -> None:
        synthesize(f"{name} speaks alone here.", narrator=name,
                   out=tmp_path / f"{name}-{k}.wav")

    threads = [threading.Thread(target=speak, args=(n, k)) for k in range(3)
               for n in ("Roger", "Lily")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(3):
        for name in ("Roger", "Lily"):
            assert (tmp_path / f"{name}-{k}.wav").read_bytes() == expected[name]


def test_unknown_language_is_narrated_in_english_with_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    synthesize("Good morning.", language="Klingon", out=tmp_path / "k.wav")
    synthesize("Good morning.", language="English", out=tmp_path / "e.wav")
    assert (tmp_path / "k.wav").read_bytes() == (tmp_path / "e.wav").read_bytes()
    assert "Klingon" in caplog.text
