"""The `vidflow` process freezes what its bulk builds leave; in-process callers do not."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from support.cli import run

from vidflow import bulk

ROOT = Path(__file__).resolve().parents[2]
SPEC = "version: 1\nstories:\n  a: {idea: Snow}\n"


def test_in_process_commands_keep_the_plain_collector(tmp_path: Path) -> None:
    (tmp_path / "videos.yaml").write_text(SPEC)
    frozen = gc.get_freeze_count()
    assert run("validate", str(tmp_path)).code == 0
    assert run("plan", "--no-refresh", str(tmp_path)).code == 0
    assert not bulk._freeze and gc.get_freeze_count() == frozen and gc.isenabled()
    assert bulk._kept == []  # what the plan built is freed as usual


def test_the_command_line_process_freezes_its_bulk_builds(tmp_path: Path) -> None:
    (tmp_path / "videos.yaml").write_text(SPEC)
    # the installed command's own way in (vidflow.entry), read as it ends: its exit
    # handlers still run before the process goes
    code = ("import atexit, gc, sys\nfrom vidflow import bulk, entry\n"
            f"sys.argv = ['vidflow', 'plan', '--no-refresh', {str(tmp_path)!r}]\n"
            "atexit.register(lambda: print(gc.get_freeze_count() > 0, gc.isenabled(),"
            " len(bulk._kept)))\n"
            "entry.run()\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True).stdout
    assert out.splitlines()[-1].split() == ["True", "True", "2"]  # itself and the plan's
