"""Ken Burns animation: exact frames, smooth monotonic motion, loops."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vidflow.engine.stages.animate import View, affine, animate_scene, progress
from vidflow.engine.stages.ffmpeg import probe
from vidflow.errors import MediaError

from .conftest import FPS, SMALL


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.float32)
                for f in container.decode(video=0)]


@pytest.mark.parametrize("duration,fps,expected", [(1.5, 10, 15), (1.04, 12, 12),
                                                   (2.0, 15, 30)])
def test_exact_frame_count_and_format(tmp_path: Path, scene_png: Path, duration: float,
                                      fps: int, expected: int) -> None:
    out = tmp_path / "c.mp4"
    animate_scene(scene_png, out, duration=duration, camera_movement="zoom_in", size=SMALL,
                  fps=fps, preset="ultrafast")
    info = probe(out, count_frames=True)
    assert info.frames == expected
    assert (info.width, info.height) == SMALL
    assert (info.video_codec, info.pix_fmt) == ("h264", "yuv420p")
    assert not info.has_audio
    assert info.duration == pytest.approx(expected / fps, abs=0.05)


def test_pan_right_moves_steadily_without_jitter(tmp_path: Path, gradient_png: Path) -> None:
    """On a left-to-right red ramp, a right pan raises mean red every frame, eased."""
    out = tmp_path / "p.mp4"
    animate_scene(gradient_png, out, duration=2.0, camera_movement="pan_right", size=SMALL,
                  fps=FPS, preset="ultrafast")
    red = np.array([f[..., 0].mean() for f in _frames(out)])
    steps = np.diff(red)
    assert red[-1] - red[0] > 10
    assert (steps > -0.3).all()  # never backwards beyond codec noise: no jitter
    assert steps[len(steps) // 2] > 2 * max(steps[0], steps[-1])  # eased in and out


def test_zoom_in_narrows_the_view(tmp_path: Path, gradient_png: Path) -> None:
    out = tmp_path / "z.mp4"
    animate_scene(gradient_png, out, duration=1.5, camera_movement="zoom_in", size=SMALL,
                  fps=FPS, preset="ultrafast")
    spread = np.array([f[..., 0].std() for f in _frames(out)])
    assert (np.diff(spread) < 0.3).all()
    assert spread[0] / spread[-1] > 1.12


def test_loop_ping_pongs_the_motion(tmp_path: Path, gradient_png: Path) -> None:
    out = tmp_path / "l.mp4"
    animate_scene(gradient_png, out, duration=2.0, camera_movement="pan_left", size=SMALL,
                  fps=FPS, loop=2, preset="ultrafast")
    red = np.array([f[..., 0].mean() for f in _frames(out)])
    assert len(red) == 20
    turn = int(np.argmin(red))
    assert 7 <= turn <= 12
    assert abs(red[0] - red[-1]) < 1.5


def test_static_holds_still(tmp_path: Path, scene_png: Path) -> None:
    out = tmp_path / "s.mp4"
    animate_scene(scene_png, out, duration=1.0, camera_movement="static", size=SMALL,
                  fps=FPS, preset="ultrafast")
    animate_scene(scene_png, tmp_path / "z.mp4", duration=1.0, camera_movement="zoom_out",
                  size=SMALL, fps=FPS, preset="ultrafast")
    still = _frames(out)
    moving = _frames(tmp_path / "z.mp4")
    drift = max(np.abs(f - still[0]).mean() for f in still)  # codec noise only
    assert drift < 3.0
    assert np.abs(moving[-1] - moving[0]).mean() > 3 * drift


def test_unreadable_image_is_a_media_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_text("x")
    with pytest.raises(MediaError):
        animate_scene(bad, tmp_path / "o.mp4", duration=1, camera_movement="zoom_in",
                      size=SMALL, fps=FPS)
    assert not (tmp_path / "o.mp4").exists()


def test_identity_view_is_the_identity_matrix() -> None:
    m = affine(View(1.0), (320, 180), (320, 180))
    assert np.allclose(m, [[1, 0, 0], [0, 1, 0]])


@given(frames=st.integers(2, 400), loop=st.integers(1, 6), i=st.integers(0, 399))
def test_progress_stays_in_range_and_ends_where_the_loop_says(frames: int, loop: int,
                                                               i: int) -> None:
    p = progress(min(i, frames - 1), frames, loop)
    assert 0.0 <= p <= 1.0
    assert progress(0, frames, loop) == 0.0
    assert progress(frames - 1, frames, loop) == pytest.approx(1.0 if loop % 2 else 0.0)


def test_a_cancelled_encode_stops_and_leaves_no_file(tmp_path: Path, scene_png: Path) -> None:
    """A local render asks `check` every second of frames; a cancelled job's raise ends
    the encode at once, with neither the clip nor its partial file left behind."""
    calls: list[int] = []

    def check() -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("cancelled")

    out = tmp_path / "c.mp4"
    with pytest.raises(RuntimeError, match="cancelled"):
        animate_scene(scene_png, out, duration=5.0, camera_movement="zoom_in", size=SMALL,
                      fps=FPS, preset="ultrafast", check=check)
    assert len(calls) == 2  # stopped at the second check, not after 5 s of frames
    assert list(tmp_path.iterdir()) == []
