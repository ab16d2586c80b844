"""Stage fixtures: tiny real media (quarter-size frames, 10 fps, 1-2 s clips)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from vidflow.engine.stages.canvas import aspect_size
from vidflow.engine.stages.images import render_scene
from vidflow.engine.stages.storyboard import write_storyboard

SMALL = aspect_size("16:9", scale=0.25)  # 320x180
FPS = 10


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stage-media")


@pytest.fixture(scope="session")
def board() -> dict:
    return write_storyboard("A skier glides down snowy slopes. She rests in a cozy cabin.",
                            scene_count=2)


@pytest.fixture(scope="session")
def scene_png(media_dir: Path, board: dict) -> Path:
    out = media_dir / "scene0.png"
    render_scene(board["scenes"][0], board, SMALL, out)
    return out


@pytest.fixture(scope="session")
def gradient_png(media_dir: Path) -> Path:
    """A picture whose every column differs, so motion is measurable."""
    import numpy as np

    w, h = SMALL
    x = np.linspace(0, 255, w, dtype=np.float32)[None, :, None]
    y = np.linspace(0, 255, h, dtype=np.float32)[:, None, None]
    arr = np.concatenate([np.broadcast_to(x, (h, w, 1)), np.broadcast_to(y, (h, w, 1)),
                          np.full((h, w, 1), 128, np.float32)], axis=2)
    out = media_dir / "gradient.png"
    Image.fromarray(arr.astype(np.uint8), "RGB").save(out)
    return out
