"""Animation is content-addressed per scene and per crossfade: the film is each scene's
cut (its frames between the crossfades) and the crossfades, so changing one scene's image
re-makes that scene's cut and the two crossfades beside it, nothing else; joined by copy
they show what FFmpeg's xfade of the whole clips shows; and a scene's whole clip, which
the film does not use, is made only when someone asks for it."""

from __future__ import annotations

import logging
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from vidflow.engine.pipeline import Run, animate, make_deferred_clip
from vidflow.engine.stages.compose import compose_story
from vidflow.engine.stages.ffmpeg import probe

SIZE = (64, 36)
FPS = 10
MOVES = ("zoom_in", "pan_left", "zoom_out", "pan_right")
K = 3  # frames per crossfade: 0.3 s at 10 fps


def _image(path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0, 255, SIZE[0] * 2, dtype=np.float32)[None, :, None]
    pixels = (ramp * rng.uniform(0.3, 1.0, 3) + rng.uniform(0, 60, 3)).clip(0, 255)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.repeat(pixels, SIZE[1] * 2, axis=0).astype(np.uint8)).save(path)
    return path


def _images(story: Path) -> list[Path]:
    # where the engine draws them: the story's assets
    return [_image(story / "assets" / f"scene{i}.png", i) for i in range(4)]


def _animate(story: Path, images: list[Path]
             ) -> tuple[Run, list[Path], list[Path], dict[str, list[dict[str, str]]]]:
    run = Run(story_dir=story, size=SIZE, fps=FPS, preset="ultrafast", url_for=str,
              resolve=lambda url: None)
    board = {"scenes": [{"camera_movement": m} for m in MOVES]}
    pieces, fades = animate(run, board, images, [1.0] * 4, transition=0.3)
    return run, pieces, fades, board


def _film(pieces: list[Path], fades: list[Path]) -> list[Path]:
    return [p for n, piece in enumerate(pieces) for p in (piece, *fades[n:n + 1])]


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(float) for f in container.decode(video=0)]


def test_a_changed_scene_remakes_its_cut_and_the_two_crossfades_beside_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    story = tmp_path / "story"
    images = _images(story)
    run, pieces, fades, _ = _animate(story, images)
    assert sorted(n.split("-")[0] for n in run.assets.produced) == ["cut"] * 4 + ["fade"] * 3
    assert [probe(p, count_frames=True).frames for p in pieces] == [7, 4, 4, 7]
    assert all(probe(f, count_frames=True).frames == K for f in fades)

    images[2] = _image(story / "assets" / "scene2-new.png", 99)
    again, new_pieces, new_fades, _ = _animate(story, images)
    assert sorted(again.assets.produced) == sorted(
        [new_pieces[2].name, new_fades[1].name, new_fades[2].name])
    assert new_pieces[:2] + new_pieces[3:] == pieces[:2] + pieces[3:]
    assert new_fades[0] == fades[0] and new_pieces[2] != pieces[2]

    caplog.set_level(logging.DEBUG, logger="vidflow.engine.stages.compose")
    out = tmp_path / "story.mp4"
    compose_story(_film(new_pieces, new_fades), out, size=SIZE, fps=FPS, preset="ultrafast")
    assert "encoding" not in caplog.text
    assert probe(out, count_frames=True).frames == 4 * 10 - 3 * K


def test_the_film_of_cuts_and_crossfades_is_the_xfade_of_the_whole_clips(
        tmp_path: Path) -> None:
    story = tmp_path / "story"
    _, pieces, fades, board = _animate(story, _images(story))
    clips = [Path(s["video_url"]) for s in board["scenes"]]
    assert all(make_deferred_clip(c) for c in clips)
    film, reference = tmp_path / "film.mp4", tmp_path / "xfade.mp4"
    compose_story(_film(pieces, fades), film, size=SIZE, fps=FPS, preset="ultrafast")
    compose_story(clips, reference, size=SIZE, fps=FPS, transition=0.3, preset="ultrafast",
                  copy=False)
    ours, theirs = _frames(film), _frames(reference)
    assert len(ours) == len(theirs) == 4 * 10 - 3 * K
    assert max(np.abs(a - b).mean() for a, b in zip(ours, theirs, strict=True)) < 2
    # the check can fail: one frame off shows
    assert max(np.abs(a - b).mean() for a, b in zip(ours[1:], theirs, strict=False)) > 5


def test_a_scenes_whole_clip_is_made_only_when_asked_for_and_once(tmp_path: Path) -> None:
    story = tmp_path / "story"
    run, _, _, board = _animate(story, _images(story))
    clips = [Path(s["video_url"]) for s in board["scenes"]]
    assert not any(c.exists() for c in clips)
    assert not any(n.startswith("clip-") for n in run.assets.produced)
    assert make_deferred_clip(clips[1])
    info = probe(clips[1], count_frames=True)
    assert info.frames == 10 and (info.width, info.height) == SIZE
    made = clips[1].stat().st_mtime_ns
    assert make_deferred_clip(clips[1]) and clips[1].stat().st_mtime_ns == made
    assert not make_deferred_clip(story / "assets" / "clip-unknown.mp4")  # no recipe


def test_a_scene_drawn_outside_the_assets_gets_its_whole_clip_at_once(tmp_path: Path) -> None:
    """A recipe names an image of its own folder; a scene image elsewhere cannot be named,
    so its whole clip is made with the film instead of deferred."""
    images = [_image(tmp_path / "elsewhere" / f"scene{i}.png", i) for i in range(4)]
    run, _, _, board = _animate(tmp_path / "story", images)
    clips = [Path(s["video_url"]) for s in board["scenes"]]
    assert all(c.is_file() for c in clips)
    assert [probe(c, count_frames=True).frames for c in clips] == [10] * 4
    assert sorted(n.split("-")[0] for n in run.assets.produced).count("clip") == 4
