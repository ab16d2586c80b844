"""`python -m vidflow.engine.demo` renders one idea to an MP4 and prints its path."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidflow.engine import demo
from vidflow.engine.stages.ffmpeg import probe


@pytest.mark.slow
def test_demo_makes_a_video(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out" / "demo.mp4"
    code = demo.main(["--data", str(tmp_path / "data"), "--out", str(out), "--scale", "0.25",
                      "--scene-count", "1"])
    assert code == 0
    assert f"Video: {out}" in capsys.readouterr().out
    info = probe(out)
    assert info.has_audio and (info.width, info.height) == (320, 180)
