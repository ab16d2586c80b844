"""On a real terminal apply asks first; "no" changes nothing. Live progress renders."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest
from lifecycle_helpers import SMALL_RENDER, VIDFLOW, lock_entries, write_spec

pytestmark = pytest.mark.slow


def _run_in_pty(args: list[str], answer: str | None, timeout: float = 120) -> tuple[int, str]:
    """Run vidflow with a pseudo-terminal as stdin/stdout; type `answer` at the prompt."""
    main, child = pty.openpty()
    env = {**os.environ, **SMALL_RENDER, "COLUMNS": "120"}
    env.pop("CI", None)
    proc = subprocess.Popen([str(VIDFLOW), *args], stdin=child, stdout=child, stderr=child,
                            env=env, close_fds=True)
    os.close(child)
    seen = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
                if answer is not None and b"[y/N]" in seen:
                    os.write(main, answer.encode() + b"\n")
                    answer = None
            elif proc.poll() is not None:
                break
        return proc.wait(timeout=30), seen.decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main)


def test_answering_no_changes_nothing(tmp_path: Path):
    write_spec(tmp_path, {"alpha": ("Alpha", "A fox in a sunny meadow.")})
    code, text = _run_in_pty(["apply", str(tmp_path)], answer="n")
    assert "Do you want to apply these changes?" in text
    assert code == 1 and "Apply cancelled." in text
    assert not (tmp_path / "out").exists()


def test_answering_yes_applies_with_live_progress(tmp_path: Path):
    write_spec(tmp_path, {"alpha": ("Alpha", "A fox in a sunny meadow.")})
    code, text = _run_in_pty(["apply", str(tmp_path)], answer="y")
    assert code == 0, text
    assert "story" in text and "progress" in text  # the live table's header
    assert lock_entries(tmp_path)["alpha"]["status"] == "success"
    assert (tmp_path / "out" / "alpha.mp4").stat().st_size > 0
