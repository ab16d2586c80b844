"""Animation is content-addressed per scene and per crossfade: changing one scene's image
re-makes that scene's clip and the two crossfades beside it, nothing else; crossfades
blended from the frames a clip kept are the same bytes as ones drawn again; and the
composition joins the per-pair crossfades to the clips by copy."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vidflow.engine.pipeline import Run, animate
from vidflow.engine.stages import animate as animate_stage
from vidflow.engine.stages.compose import compose_story
from vidflow.engine.stages.ffmpeg import probe

SIZE = (64, 36)
FPS = 10
MOVES = ("zoom_in", "pan_left", "zoom_out", "pan_right")


def _image(path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0, 255, SIZE[0] * 2, dtype=np.float32)[None, :, None]
    pixels = (ramp * rng.uniform(0.3, 1.0, 3) + rng.uniform(0, 60, 3)).clip(0, 255)
    Image.fromarray(np.repeat(pixels, SIZE[1] * 2, axis=0).astype(np.uint8)).save(path)
    return path


def _run(folder: Path) -> Run:
    return Run(story_dir=folder, size=SIZE, fps=FPS, preset="ultrafast", url_for=str,
               resolve=lambda url: None)


def _animate(folder: Path, images: list[Path]) -> tuple[Run, list[Path], list[Path]]:
    run = _run(folder)
    board = {"scenes": [{"camera_movement": m} for m in MOVES]}
    clips, fades = animate(run, board, images, [1.0] * 4, transition=0.3)
    return run, clips, fades


def test_a_changed_scene_remakes_its_clip_and_the_two_crossfades_beside_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    images = [_image(tmp_path / f"scene{i}.png", i) for i in range(4)]
    run, clips, fades = _animate(tmp_path / "story", images)
    assert len(fades) == 3 and len(set(fades)) == 3
    assert sorted(n.split("-")[0] for n in run.assets.produced) == ["clip"] * 4 + ["fade"] * 3
    assert all(probe(f, count_frames=True).frames == 3 for f in fades)

    images[2] = _image(tmp_path / "scene2-new.png", 99)
    again, new_clips, new_fades = _animate(tmp_path / "story", images)
    assert sorted(again.assets.produced) == sorted(
        [new_clips[2].name, new_fades[1].name, new_fades[2].name])
    assert new_clips[:2] + new_clips[3:] == clips[:2] + clips[3:]
    assert new_fades[0] == fades[0] and new_clips[2] != clips[2]

    caplog.set_level(logging.DEBUG, logger="vidflow.engine.stages.compose")
    out = tmp_path / "story.mp4"
    compose_story(new_clips, out, size=SIZE, fps=FPS, transition=0.3, preset="ultrafast",
                  fades=new_fades)
    assert "encoding" not in caplog.text and "do not fit" not in caplog.text
    assert probe(out, count_frames=True).frames == 4 * 10 - 3 * 3


def test_crossfades_from_kept_frames_are_the_bytes_of_ones_drawn_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[Path] = []
    render_frames = animate_stage.render_frames

    def counted(image: Path, **kwargs: object) -> object:
        drawn.append(image)
        return render_frames(image, **kwargs)

    monkeypatch.setattr(animate_stage, "render_frames", counted)
    images = [_image(tmp_path / f"scene{i}.png", i) for i in range(4)]
    _, clips, fades = _animate(tmp_path / "story", images)
    assert len(drawn) == 4  # each scene drawn once: the crossfades used the kept frames
    made = [f.read_bytes() for f in fades]
    for f in fades:
        f.unlink()
    run, again, redrawn = _animate(tmp_path / "story", images)  # clips from the cache
    assert again == clips and len(drawn) == 4 + 2 * 3
    assert sorted(run.assets.produced) == sorted(f.name for f in redrawn)
    assert [f.read_bytes() for f in redrawn] == made
