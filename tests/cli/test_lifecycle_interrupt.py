"""Killing a real `vidflow apply` midway, then re-running it, pays for nothing twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from lifecycle_helpers import (
    SMALL_RENDER,
    VIDFLOW,
    engine_story_ids,
    lock_entries,
    probe,
    vidflow,
    write_spec,
)

pytestmark = pytest.mark.slow
STORIES = {"alpha": ("Alpha", "A fox in a sunny meadow."),
           "beta": ("Beta", "A small boat on the ocean at night.")}


def _wait_for_processing(root: Path, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Until the lockfile records a story still processing (its id saved, not finished)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "apply finished before it could be interrupted"
        try:
            entries = json.loads((root / "vidflow.lock").read_text())["entries"]
        except (FileNotFoundError, ValueError):
            entries = {}
        if any(e["status"] in ("new", "processing") for e in entries.values()):
            return
        time.sleep(0.02)
    pytest.fail("no story reached `processing` in the lockfile")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_interrupted_apply_resumes_without_creating_twice(tmp_path: Path, sig: int,
                                                          monkeypatch: pytest.MonkeyPatch):
    """The story id saved at create time is polled again on the next run, never re-made."""
    for name, value in SMALL_RENDER.items():
        monkeypatch.setenv(name, value)
    root = tmp_path / "videos"
    root.mkdir()
    write_spec(root, STORIES)
    env = {**os.environ, **SMALL_RENDER}
    env.pop("CI", None)
    log = (tmp_path / "apply.log").open("w")
    proc = subprocess.Popen([str(VIDFLOW), "apply", "--auto-approve", "--parallelism", "1",
                             str(root)], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            env=env)
    try:
        _wait_for_processing(root, proc)
        proc.send_signal(sig)
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    text = (tmp_path / "apply.log").read_text()
    if sig == signal.SIGINT:
        assert code == 130, text
        assert "resumes them" in text
    else:
        assert code == -signal.SIGKILL

    before = lock_entries(root)  # still valid JSON: written atomically
    created_before = engine_story_ids(root)
    assert {e["story_id"] for e in before.values()} == created_before
    unfinished = [a for a, e in before.items() if e["status"] in ("new", "processing")]
    assert unfinished, "the interrupted story must stay recorded as processing"

    rerun = vidflow("apply", "--auto-approve", str(root))
    assert rerun.code == 0, rerun.out + rerun.err
    for address in unfinished:
        assert f"<= {address}" in rerun.out  # resumed, not created

    after = lock_entries(root)
    for address, entry in before.items():
        assert after[address]["story_id"] == entry["story_id"]
    assert engine_story_ids(root) == {e["story_id"] for e in after.values()}
    assert len(engine_story_ids(root)) == len(STORIES)
    for address in STORIES:
        assert after[address]["status"] == "success"
        assert probe(root / "out" / f"{address}.mp4")[0] == "h264"
