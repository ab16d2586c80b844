"""An installed vidflow (not the source tree) reads its lockfile, plan and spec schemas.

The schemas once lived outside the package and were found by a path relative to the source
tree, so every lockfile read failed from a wheel. This builds the package the way an install
does, puts it on a fresh path, and reads from a folder far from the repository.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from vidflow import schemas

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 120  # seconds per step; a build here takes a few

# Runs in the installed copy: writes and reads a lockfile, loads every shipped document.
PROBE = """
import json, sys
import vidflow
from vidflow import schemas
from vidflow.state.lockfile import LockEntry, Lockfile, read_lockfile, write_lockfile
entry = LockEntry(story_id="s1", provider="local", mode="idea", fingerprint="f",
                  storyboard_fingerprint=None, title="T", description="",
                  visibility_status="0", status="success", output="out/a.mp4")
write_lockfile("vidflow.lock", Lockfile(lineage="").with_entry("a", entry))
lock = read_lockfile("vidflow.lock")
print(json.dumps({
    "vidflow": vidflow.__file__,
    "story_id": lock.get("a").story_id,
    "serial": lock.serial,
    "titles": {name: schemas.read_json(name).get("title", "") for name in schemas.NAMES},
    "openapi": "paths" in schemas.read_json(schemas.OPENAPI),
}))
"""


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _source_copy(dest: Path) -> Path:
    """What a build reads: the package, pyproject.toml and the README it names."""
    dest.mkdir()
    shutil.copytree(REPO / "vidflow", dest / "vidflow",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, dest / name)
    return dest


def _can_build_wheels_offline() -> bool:
    # setuptools >= 70.1 has bdist_wheel built in; before that it needs the wheel package.
    return any(importlib.util.find_spec(m) is not None
               for m in ("setuptools.command.bdist_wheel", "wheel"))


def _install(src: Path, target: Path, tmp: Path) -> list[str]:
    """Install `src` into `target` without network; the names of the shipped files."""
    if _can_build_wheels_offline():
        dist = tmp / "dist"
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
              "--no-index", "-q", "-w", str(dist), str(src)], cwd=tmp)
        (wheel,) = dist.glob("vidflow_iac-*.whl")
        _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
              "--target", str(target), str(wheel)], cwd=tmp)
        return zipfile.ZipFile(wheel).namelist()
    # Without bdist_wheel (an old setuptools in a shared venv), run the build step a wheel
    # is made of: build_py selects the modules and package data exactly as bdist_wheel does.
    _run([sys.executable, "-c", "from setuptools import setup; setup()", "-q",
          "build_py", "--build-lib", str(target)], cwd=src)
    return [p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()]


def test_an_installed_copy_reads_a_lockfile_and_every_shipped_schema(tmp_path: Path) -> None:
    target = tmp_path / "site"
    shipped = _install(_source_copy(tmp_path / "src"), target, tmp_path)
    assert {f"vidflow/schemas/{name}" for name in schemas.NAMES} <= set(shipped)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    seen = json.loads(_run([sys.executable, "-c", PROBE], cwd=elsewhere, env=env))

    assert Path(seen["vidflow"]).is_relative_to(target)  # the installed copy, not the repo
    assert seen["story_id"] == "s1" and seen["serial"] == 1
    assert seen["titles"] == {name: schemas.read_json(name).get("title", "")
                              for name in schemas.NAMES}
    assert seen["openapi"] is True


SPEC = """\
version: 1
stories:
  hello:
    idea: A fox in the snow.
    scene_count: 1
    audio_option: {has_bg_music: false, has_narration: false}
"""


def test_an_installed_copy_validates_plans_and_applies_outside_the_repository(
        tmp_path: Path) -> None:
    """validate → plan → apply → plan (no-op), from a folder outside the repository, with
    nothing of the source tree on the path: what a wheel install gives a user."""
    target = tmp_path / "site"
    _install(_source_copy(tmp_path / "src"), target, tmp_path)
    project = tmp_path / "videos"
    project.mkdir()
    (project / "videos.yaml").write_text(SPEC)
    env = {**os.environ, "PYTHONPATH": str(target), "VIDFLOW_ENGINE_SCALE": "0.25",
           "VIDFLOW_ENGINE_FPS": "10", "CI": "true"}

    def vidflow(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "vidflow", *args], cwd=project, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT, check=False)

    assert vidflow("validate").returncode == 0
    planned = vidflow("plan", "--detailed-exitcode")
    assert planned.returncode == 2 and "+ hello" in planned.stdout
    applied = vidflow("apply", "--auto-approve")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert (project / "out" / "hello.mp4").stat().st_size > 0
    assert (project / "vidflow.lock").is_file()
    assert vidflow("plan", "--detailed-exitcode").returncode == 0
