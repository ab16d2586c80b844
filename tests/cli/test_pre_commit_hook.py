"""The repository's `.pre-commit-hooks.yaml` runs `vidflow validate` the way pre-commit
would: its entry, with `args`, from the specs repository's root, on a YAML change."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import yaml
from lifecycle_helpers import ROOT, VIDFLOW

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


def _run_hook(repo: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    (hook,) = [h for h in HOOKS if h["id"] == "vidflow-validate"]
    command, *entry_args = shlex.split(hook["entry"])
    assert command == "vidflow" and hook["pass_filenames"] is False
    return subprocess.run([str(VIDFLOW), *entry_args, *args], cwd=repo, capture_output=True,
                          text=True, timeout=60)


def test_hook_is_triggered_by_yaml_files_only() -> None:
    (hook,) = HOOKS
    files = re.compile(hook["files"])
    assert files.search("videos/videos.yaml") and files.search("a.yml")
    assert not files.search("README.md")


def test_hook_passes_valid_specs_and_fails_broken_ones(tmp_path: Path) -> None:
    specs = tmp_path / "videos"
    specs.mkdir()
    (specs / "videos.yaml").write_text("version: 1\nstories:\n  promo: {idea: A fox}\n")
    assert _run_hook(tmp_path, ["videos"]).returncode == 0
    (specs / "videos.yaml").write_text("version: 1\nstories:\n  promo: {idea: A fox, "
                                       "scene_count: many}\n")
    broken = _run_hook(tmp_path, ["videos"])
    assert broken.returncode == 1
    assert "videos/videos.yaml:3:" in broken.stderr and "scene_count" in broken.stderr
