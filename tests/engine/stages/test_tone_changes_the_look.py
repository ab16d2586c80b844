"""Tone words change what the story looks, moves and sounds like, measurably; snowy slopes
are white; a product the idea names is drawn in its scenes.

Each story goes through the real stages at a tiny size: the rule-based writer, the scene
images, the animation (decoded back with PyAV) and the music (read back from its WAV).
"""

from __future__ import annotations

import itertools
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from vidflow.engine.stages.animate import animate_scene
from vidflow.engine.stages.images import render_scene, slot_boxes
from vidflow.engine.stages.looks import mood_of
from vidflow.engine.stages.music import background_music
from vidflow.engine.stages.storyboard import write_storyboard

from .conftest import FPS, SMALL

IDEA = "A {tone} fox and a rabbit share breakfast in a sunny meadow"


def _pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), np.float32)


def _motion(clip: Path) -> float:
    """Mean absolute difference between consecutive frames, 0-255."""
    with av.open(str(clip)) as container:
        frames = [f.to_ndarray(format="rgb24").astype(np.float32)
                  for f in container.decode(video=0)]
    return float(np.mean([np.abs(a - b).mean() for a, b in itertools.pairwise(frames)]))


def _centroid(path: Path) -> float:
    """The music's spectral centroid in Hz: how bright and high it sounds."""
    with wave.open(str(path)) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), np.int16).reshape(-1, 2).mean(1)
        rate = w.getframerate()
    spectrum = np.abs(np.fft.rfft(x))
    return float((spectrum * np.fft.rfftfreq(len(x), 1 / rate)).sum() / spectrum.sum())


@pytest.fixture(scope="module")
def stories(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, float]]:
    """Per tone: the scenes' mean colour and luminance, the clips' motion, the music's
    centroid."""
    folder = tmp_path_factory.mktemp("tones")
    out = {}
    for tone in ("calm", "dramatic", "fun"):
        idea = IDEA.format(tone=tone)
        board = write_storyboard(idea, scene_count=3)
        colours, motion = [], []
        for i, scene in enumerate(board["scenes"]):
            png, clip = folder / f"{tone}-{i}.png", folder / f"{tone}-{i}.mp4"
            render_scene(scene, board, SMALL, png)
            colours.append(_pixels(png).reshape(-1, 3).mean(0))
            animate_scene(png, clip, duration=1.0, camera_movement=scene["camera_movement"],
                          size=SMALL, fps=FPS, preset="ultrafast")
            motion.append(_motion(clip))
        music = folder / f"{tone}.wav"
        background_music(6.0, mood=mood_of(idea), out=music, sample_rate=22050)
        colour = np.mean(colours, axis=0)
        out[tone] = {"colour": colour, "luma": float(colour @ [0.299, 0.587, 0.114]),
                     "motion": float(np.mean(motion)), "centroid": _centroid(music)}
    return out


def test_calm_and_dramatic_differ_in_mean_colour(stories) -> None:
    calm, dramatic = stories["calm"], stories["dramatic"]
    assert np.linalg.norm(calm["colour"] - dramatic["colour"]) > 30
    assert dramatic["luma"] < calm["luma"] - 20  # a dramatic story is darker


def test_dramatic_moves_more_than_calm(stories) -> None:
    assert stories["dramatic"]["motion"] > 1.5 * stories["calm"]["motion"]
    assert stories["fun"]["motion"] > 1.5 * stories["calm"]["motion"]


def test_the_tones_music_differs(stories) -> None:
    calm, dramatic, fun = (stories[t]["centroid"] for t in ("calm", "dramatic", "fun"))
    assert abs(calm - dramatic) > 0.1 * calm  # dramatic: minor, low and darker
    assert fun > 1.5 * calm  # fun: fast, bright


def test_snowy_slopes_are_white(tmp_path: Path) -> None:
    board = write_storyboard("A skier glides down snowy slopes", scene_count=2)
    assert {s["environment"] for s in board["scenes"]} == {"Snowy Mountains"}
    for i, scene in enumerate(board["scenes"]):
        render_scene(scene, board, SMALL, tmp_path / f"{i}.png")
        lower = _pixels(tmp_path / f"{i}.png")[SMALL[1] * 2 // 3:]
        mean = lower.reshape(-1, 3).mean(0)
        assert mean.min() > 200, mean  # near-white on average
        assert mean.max() - mean.min() < 35, mean  # white, not a colour


def test_a_product_the_idea_names_is_an_object_drawn_in_its_scene(tmp_path: Path) -> None:
    board = write_storyboard("An ad for Lumo, a solar lantern that lights up camping nights",
                             scene_count=3)
    assert [o["name"] for o in board["objects"]] == ["Lumo"]
    assert "solar lantern" in board["objects"][0]["description"]
    last = board["scenes"][-1]
    assert "Lumo" in last["elements"] and "Lumo" in last["narrator"]
    render_scene(last, board, SMALL, tmp_path / "with.png")
    without = {**last, "elements": [e for e in last["elements"] if e != "Lumo"]}
    render_scene(without, board, SMALL, tmp_path / "without.png")
    left, top, right, bottom = slot_boxes(len(last["elements"]), SMALL)[
        last["elements"].index("Lumo")]
    diff = np.abs(_pixels(tmp_path / "with.png") - _pixels(tmp_path / "without.png"))
    third = (right - left) // 3  # a prop stands in the middle of its slot
    changed = (diff[top:bottom, left + third:right - third].max(axis=2) > 40).mean()
    assert changed > 0.06  # the lantern (and its label) stand there
    assert (diff.max(axis=2) > 40)[:top].mean() < 0.01  # the sky above is the same sky
