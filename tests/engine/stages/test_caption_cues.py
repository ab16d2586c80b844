"""From timed words to cues: one line each, never across scenes, never past the film."""

from __future__ import annotations

from vidflow.contract.captions import CAPTION_SIZES
from vidflow.contract.enums import ASPECT_RATIOS, RENDER_SIZES
from vidflow.engine.stages.captions import (
    SAFE_ZONES,
    font_px,
    line_fits,
    lines,
    place,
    srt,
    vtt,
)
from vidflow.engine.stages.narration import SpokenWord


def _words(text: str, start: float = 0.0, step: float = 0.3) -> list[SpokenWord]:
    return [SpokenWord(w, start + i * step, start + (i + 1) * step)
            for i, w in enumerate(text.split())]


def test_words_move_to_their_scene_start_and_stop_at_the_film_end() -> None:
    placed = place([(0.0, _words("one two")), (2.0, _words("three four five"))], total=2.7)
    assert [(w.text, w.start, w.end, w.scene) for w in placed] == [
        ("one", 0.0, 0.3, 0), ("two", 0.3, 0.6, 0),
        ("three", 2.0, 2.3, 1), ("four", 2.3, 2.6, 1), ("five", 2.6, 2.7, 1)]
    assert all(w.end <= 2.7 for w in place([(0.0, _words("a b c d e f g h"))], total=1.0))


def test_a_line_never_spans_two_scenes_or_two_sentences() -> None:
    placed = place([(0.0, _words("Snow falls. The fox")), (2.0, _words("runs on"))], total=9)
    texts = [c.text for c in lines(placed, fits=lambda t: True)]
    assert texts == ["Snow falls.", "The fox", "runs on"]


def test_every_line_fits_the_safe_zone_of_every_aspect_ratio() -> None:
    from PIL import ImageFont

    text = ("An extraordinarily adventurous young fox, unafraid of winter, bounds over "
            "the frozen meadow toward the river where the herons wait for the thaw")
    for aspect in ASPECT_RATIOS:
        size = RENDER_SIZES[aspect]
        for font_size in CAPTION_SIZES:
            fits = line_fits(size, aspect, font_size)
            cues = lines(place([(0.0, _words(text))], total=99), fits=fits)
            assert " ".join(c.text for c in cues) == text
            assert len(cues) > 1
            font = ImageFont.load_default(size=font_px(size, font_size))
            room = size[0] * (1 - 2 * SAFE_ZONES[aspect].sides)
            assert all(font.getlength(c.text) <= room for c in cues), (aspect, font_size)


def test_sidecar_times_are_floored_to_the_millisecond() -> None:
    cues = lines(place([(0.0, [SpokenWord("hi", 1.23456, 2.9999)])], total=9),
                 fits=lambda t: True)
    assert "00:00:01,234 --> 00:00:02,999\nhi" in srt(cues)
    assert vtt(cues).startswith("WEBVTT\n\n00:00:01.234 --> 00:00:02.999\nhi\n")


def test_a_long_sentence_is_split_into_lines_of_about_equal_length() -> None:
    fits = lambda text: len(text) <= 24  # noqa: E731
    cues = lines(place([(0.0, _words("A red fox wakes to the first snow."))], total=9),
                 fits=fits)
    assert [c.text for c in cues] == ["A red fox wakes to", "the first snow."]


def test_the_burned_in_line_draws_only_what_the_font_has() -> None:
    """Accents are folded for the burned-in font; the sidecars keep every character."""
    from vidflow.engine.stages.captions import Glyphs, ass

    cues = lines(place([(0.0, _words("El zorro ñandú — ¿qué? Привет"))], total=9),
                 fits=lambda t: True)
    glyphs = Glyphs()
    document = ass(cues, size=(720, 1280), aspect_ratio=ASPECT_RATIOS[-1],
                   options={"style": "plain"}, glyphs=glyphs)
    assert "El zorro nandu - ?que?" in document
    assert "ñ" not in document and "П" not in document
    assert glyphs.missing == set("Привет")
    assert [c.text for c in cues] == ["El zorro ñandú — ¿qué?", "Привет"]
    assert "\nEl zorro ñandú — ¿qué?\n" in srt(cues) and "\nПривет\n" in vtt(cues)
