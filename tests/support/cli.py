"""Run the real `vidflow` entry point in process, and make small applied projects."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

SMALL_RENDER = {"VIDFLOW_ENGINE_SCALE": "0.25", "VIDFLOW_ENGINE_FPS": "10"}


@dataclass
class Result:
    code: int
    out: str
    err: str


def run(*args: str) -> Result:
    """`vidflow ARGS` through vidflow.cli.main (exit codes included)."""
    from vidflow.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return Result(code, out.getvalue(), err.getvalue())


def small_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cheapest real renders, and no CI (apply asks nothing with --auto-approve)."""
    for name, value in SMALL_RENDER.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CI", raising=False)


def project(root: Path, spec: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "videos.yaml").write_text(spec, encoding="utf-8")
    return root
