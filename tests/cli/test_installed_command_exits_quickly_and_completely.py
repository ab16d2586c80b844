"""The installed command (`vidflow`, `python -m vidflow`) ends the process without the
interpreter's teardown: everything it prints still arrives, its exit code is the
command's, exit handlers still run, and a thread still working is waited for."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from vidflow.entry import _status

ROOT = Path(__file__).resolve().parents[2]


def _vidflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CI", None)
    return subprocess.run([sys.executable, "-m", "vidflow", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_long_plan_arrives_whole_through_a_pipe(tmp_path: Path) -> None:
    """Hundreds of KB of plan through a pipe: nothing is cut off by the quick exit."""
    tones = ", ".join(f"t{i}" for i in range(40))
    angles = ", ".join(f"a{i}" for i in range(25))
    (tmp_path / "videos.yaml").write_text(textwrap.dedent(f"""\
        version: 1
        provider: {{type: local}}
        stories:
          promo:
            idea: "A {{{{ variant.tone }}}} ad, camera {{{{ variant.angle }}}}."
            variants:
              matrix: {{tone: [{tones}], angle: [{angles}]}}
        """), encoding="utf-8")
    done = _vidflow("plan", "--no-refresh", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) > 80_000  # far more than a pipe holds (64 KB)
    assert done.stdout.count("+ promo[") == 1000
    assert "Plan: 1000 to create" in done.stdout.splitlines()[-2]


def test_a_refused_spec_keeps_its_exit_code_and_message(tmp_path: Path) -> None:
    (tmp_path / "videos.yaml").write_text("version: 1\nstories:\n  a: {mode: idea}\n",
                                          encoding="utf-8")
    done = _vidflow("validate", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 1
    assert "videos.yaml" in done.stderr and "idea" in done.stderr


def test_usage_errors_keep_click_s_exit_code(tmp_path: Path) -> None:
    done = _vidflow("plan", "--no-such-option", cwd=tmp_path)
    assert done.returncode == 2
    assert "No such option" in done.stderr


def _script(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    """A process that runs `body` as its vidflow command, through vidflow.entry.run."""
    script = tmp_path / "probe.py"
    script.write_text(textwrap.dedent("""\
        import sys, threading, time, atexit
        from pathlib import Path
        import vidflow.entry as entry
        OUT = Path(sys.argv[1])

        def main():
        """) + textwrap.indent(textwrap.dedent(body), "    ") + textwrap.dedent("""\

        entry.main = main
        entry.run()
        """), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(script), str(tmp_path / "out.txt")],
                          env=env, capture_output=True, text=True, timeout=60)


def test_exit_handlers_run(tmp_path: Path) -> None:
    done = _script(tmp_path, """\
        atexit.register(lambda: OUT.write_text("handled"))
        sys.exit(4)
        """)
    assert done.returncode == 4
    assert (tmp_path / "out.txt").read_text() == "handled"


def test_a_thread_still_working_is_waited_for(tmp_path: Path) -> None:
    done = _script(tmp_path, """\
        def late():
            time.sleep(0.5)
            OUT.write_text("finished")
        threading.Thread(target=late).start()
        sys.exit(0)
        """)
    assert done.returncode == 0
    assert (tmp_path / "out.txt").read_text() == "finished"


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (2, 2), (130, 130),
                                              ("text", 1)])
def test_exit_codes_are_sys_exit_s(code: object, status: int) -> None:
    assert _status(code) == status
