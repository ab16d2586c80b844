"""Captions burned into the picture: in the caption band, inside 9:16's safe zone (above
the bottom band that short-video apps cover), with the package's own font: the test runs
with a fontconfig that knows no font at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from support.captions import parse_cues

from vidflow.contract.enums import ASPECT_RATIOS, RENDER_SIZES
from vidflow.engine.service import EngineConfig, StoryEngine
from vidflow.engine.stages.captions import SAFE_ZONES, font_px

from .conftest import SMALL

IDEA = "A red fox wakes in a snowy meadow. The fox runs to the frozen river at dawn."
VERTICAL = next(a for a in ASPECT_RATIOS if RENDER_SIZES[a][1] > RENDER_SIZES[a][0] * 1.5)
SCALE = 0.5  # 360x640: the letters are a dozen pixels tall


@pytest.fixture(scope="module")
def no_system_fonts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """fontconfig with no font directory: only the font vidflow brings can be used."""
    conf = tmp_path_factory.mktemp("fontconfig") / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n')
    saved = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(conf)
    yield
    if saved is None:
        os.environ.pop("FONTCONFIG_FILE", None)
    else:
        os.environ["FONTCONFIG_FILE"] = saved


@pytest.fixture(scope="module")
def films(tmp_path_factory: pytest.TempPathFactory, no_system_fonts: None
          ) -> Iterator[tuple[StoryEngine, dict[str, dict[str, Any]]]]:
    engine = StoryEngine(EngineConfig(data_dir=tmp_path_factory.mktemp("burned"),
                                      **{**SMALL, "scale": SCALE}))
    made = {}
    try:
        for name, extra in (("word", {"captions": {"style": "word"}}), ("none", {})):
            story = engine.idea_to_video(idea=IDEA, scene_count=2, aspect_ratio=VERTICAL,
                                         audio_option={"has_bg_music": False}, **extra)
            made[name] = engine.wait(story["id"], timeout=180)
            assert made[name]["status"] == "success", made[name].get("message")
        yield engine, made
    finally:
        engine.close()


def _frames(path: Path) -> tuple[list[np.ndarray], float]:
    with av.open(str(path)) as container:
        fps = float(container.streams.video[0].average_rate)
        return [f.to_ndarray(format="rgb24").astype(np.float32)
                for f in container.decode(video=0)], fps


def _row_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean absolute difference of each row of two frames (0..255)."""
    return np.abs(a - b).mean(axis=(1, 2))


def test_the_caption_band_differs_and_the_rest_of_the_frame_does_not(films) -> None:
    engine, made = films
    captioned, fps = _frames(engine.media_path(made["word"]["video_url"]))
    plain, _ = _frames(engine.media_path(made["none"]["video_url"]))
    assert len(captioned) == len(plain)
    height, width = captioned[0].shape[:2]
    zone = SAFE_ZONES[VERTICAL]
    em = font_px((width, height), "medium")
    baseline = round(height * (1 - zone.bottom))
    band = slice(baseline - 2 * em, baseline + 2)
    cues = parse_cues(engine.media_path(made["word"]["captions_vtt_url"]))
    for start, end, text in cues[:3]:
        k = min(len(captioned) - 1, round((start + end) / 2 * fps))
        rows = _row_difference(captioned[k], plain[k])
        # the letters' rows differ (a short word covers little of the width: the
        # most-changed row is what counts), far more than re-encoding changes a row
        assert rows[band].max() > 12, (text, rows[band].max())
        # the bottom UI band of short-video apps stays clear, and so does the rest: no
        # row there changes more than re-encoding does (measured: at most about 2)
        assert rows[baseline + 4:].max() < 5, (text, rows[baseline + 4:].max())
        assert rows[: baseline - 3 * em].max() < 5, (text, rows[: baseline - 3 * em].max())
        # and nothing outside the side margins
        columns = np.abs(captioned[k] - plain[k])[band].mean(axis=(0, 2))
        side = round(width * zone.sides) - 2
        assert columns[:side].max() < 5 and columns[-side:].max() < 5, text


def test_word_style_highlights_the_word_being_spoken(films) -> None:
    """Two moments of one cue: the same words, a different one in the highlight colour."""
    engine, made = films
    captioned, fps = _frames(engine.media_path(made["word"]["video_url"]))
    plain, _ = _frames(engine.media_path(made["none"]["video_url"]))
    height, width = captioned[0].shape[:2]
    baseline = round(height * (1 - SAFE_ZONES[VERTICAL].bottom))
    em = font_px((width, height), "medium")
    band = slice(baseline - 2 * em, baseline + 2)
    start, end, _ = parse_cues(engine.media_path(made["word"]["captions_srt_url"]))[0]
    moments = [round((start + 0.05) * fps), min(len(captioned) - 1, round((end - 0.1) * fps))]

    def amber(img: np.ndarray) -> np.ndarray:
        r, g, b = img[..., 0], img[..., 1], img[..., 2]
        return (r > 180) & (g > 120) & (b < 110) & (r - b > 100)

    def highlighted_columns(k: int) -> np.ndarray:
        """Columns amber in the captioned frame and not in the same frame without."""
        drawn = amber(captioned[k][band]) & ~amber(plain[k][band])
        return np.nonzero(drawn.any(axis=0))[0]

    first, last = (highlighted_columns(k) for k in moments)
    assert first.size and last.size, "the spoken word is drawn in amber"
    assert first.mean() < last.mean() - em  # the highlight moved right along the line
