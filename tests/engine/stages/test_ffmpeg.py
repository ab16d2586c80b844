"""The FFmpeg runner and the PyAV probe."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidflow.engine.stages.ffmpeg import RawVideoEncoder, probe, run_ffmpeg
from vidflow.errors import MediaError


def test_failure_raises_media_error_with_the_log_tail(tmp_path: Path) -> None:
    """A failing FFmpeg names the job and carries FFmpeg's own complaint."""
    with pytest.raises(MediaError) as err:
        run_ffmpeg(["-i", tmp_path / "missing.mp4", tmp_path / "out.mp4"], what="test job")
    assert "test job" in str(err.value)
    assert "missing.mp4" in str(err.value)


def test_probe_reports_streams_of_a_real_file(tmp_path: Path) -> None:
    """probe reads duration, size, fps, pix_fmt, codecs and frame count."""
    out = tmp_path / "t.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=64x48:r=10:d=1.5",
                "-f", "lavfi", "-i", "sine=f=440:d=1.5",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", out])
    info = probe(out)
    assert (info.width, info.height, info.fps) == (64, 48, 10.0)
    assert info.frames == 15
    assert info.pix_fmt == "yuv420p"
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert info.duration == pytest.approx(1.5, abs=0.1)
    assert probe(out, count_frames=True).frames == 15


def test_probe_of_a_non_media_file_is_a_media_error(tmp_path: Path) -> None:
    bogus = tmp_path / "x.mp4"
    bogus.write_text("not a video")
    with pytest.raises(MediaError, match=r"x\.mp4"):
        probe(bogus)


def test_encoder_that_cannot_start_reports_ffmpeg_output(tmp_path: Path) -> None:
    """A bad output path makes FFmpeg exit; the writer turns that into MediaError."""
    with pytest.raises(MediaError), RawVideoEncoder(
            tmp_path / "no" / "such" / "dir" / "o.mp4", width=16, height=16, fps=10,
            frames=2) as enc:
        for _ in range(200):
            enc.write(bytes(16 * 16 * 3 // 2))
