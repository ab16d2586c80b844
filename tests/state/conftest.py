"""Helpers shared by the `vidflow state` tests: a locked project folder and a CLI runner."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import pytest

from vidflow.cli import main
from vidflow.state.lockfile import LockEntry, Lockfile, write_lockfile

ENTRY = LockEntry(story_id="id", provider="local", mode="idea", fingerprint="f",
                  storyboard_fingerprint=None, title="T", description="",
                  visibility_status="0", status="success", output="out/x.mp4")


@pytest.fixture
def locked_folder(tmp_path: Path) -> Callable[[Iterable[str]], Path]:
    """Makes tmp_path a project whose vidflow.lock holds one successful story per address."""

    def make(addresses: Iterable[str]) -> Path:
        lock = Lockfile(lineage="")
        for address in addresses:
            lock = lock.with_entry(address, replace(ENTRY, story_id=f"id-{address}"))
        write_lockfile(tmp_path / "vidflow.lock", lock)
        return tmp_path

    return make


@pytest.fixture
def run_state(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """`vidflow state ARGS` through the real entry point: (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as info:
            main(["state", *args])
        out, err = capsys.readouterr()
        return int(info.value.code or 0), out, err

    return run
