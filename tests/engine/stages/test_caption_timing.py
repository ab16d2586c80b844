"""Caption words are timed by eSpeak NG's own word events, not guessed from the text."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from vidflow.engine.stages.narration import (
    SPEECH_FLOOR,
    read_words,
    spoken_words,
    synthesize,
)


def _speak(tmp_path: Path, text: str, **kw: str) -> tuple[list, float, np.ndarray]:
    wav, words = tmp_path / "n.wav", tmp_path / "n.json"
    seconds = synthesize(text, out=wav, words_out=words, **kw)
    with wave.open(str(wav), "rb") as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    return read_words(words), seconds, samples


def test_words_and_their_order_are_the_narration_text(tmp_path: Path) -> None:
    text = "A small fox wakes in the snow-covered meadow, then runs to the frozen river."
    words, seconds, _ = _speak(tmp_path, text)
    assert [w.text for w in words] == text.split()
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    assert len(set(starts)) >= len(starts) - 3  # eSpeak says a few short words together
    assert all(w.start < w.end for w in words)
    assert 0 <= words[0].start < 0.3
    assert words[-1].end <= seconds


def test_the_last_word_ends_where_the_voice_stops_not_at_the_trailing_pause(
        tmp_path: Path) -> None:
    words, seconds, samples = _speak(tmp_path, "The river is cold.")
    voiced = np.nonzero(np.abs(samples.astype(np.int32)) > SPEECH_FLOOR)[0]
    assert words[-1].end == round((voiced[-1] + 1) / 22050, 4)
    assert words[-1].end < seconds - 0.05  # eSpeak's end pause is not a word


def test_a_pause_in_the_speech_shows_in_the_timing(tmp_path: Path) -> None:
    """Timed from the audio: the word after a full stop starts later than the same word
    after a plain space would, which no estimate from the text's length predicts."""
    plain, _, _ = _speak(tmp_path, "red fox blue river")
    paused, _, _ = _speak(tmp_path, "red fox. Blue river")
    gap_plain = plain[2].start - plain[1].start
    gap_paused = paused[2].start - paused[1].start
    assert gap_paused > gap_plain + 0.15


def test_other_languages_are_timed_too(tmp_path: Path) -> None:
    text = "El zorro corre hacia el río helado."
    words, seconds, _ = _speak(tmp_path, text, language="Spanish")
    assert [w.text for w in words] == text.split()
    assert words[-1].end <= seconds


def test_a_word_without_an_event_is_timed_with_the_word_before() -> None:
    """eSpeak says "in the" as one word event; a dash standing alone has none."""
    text = "in the snow — again"
    events = [(0, 2, 100), (7, 4, 400), (14, 5, 900)]  # (first char, length, sample)
    samples = np.full(2000, 1000, np.int16)
    words = spoken_words(text, events, samples, 1000)
    assert [(w.text, w.start, w.end) for w in words] == [
        ("in", 0.1, 0.4), ("the", 0.1, 0.4), ("snow", 0.4, 0.9), ("—", 0.4, 0.9),
        ("again", 0.9, 2.0)]


def test_empty_narration_has_no_words(tmp_path: Path) -> None:
    words, seconds, _ = _speak(tmp_path, "   ")
    assert words == [] and seconds > 0
