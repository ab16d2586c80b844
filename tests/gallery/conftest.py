"""One small applied project for the gallery tests: a 2x2 variant matrix, one story left
unapplied, one hostile title. Made once per session (about 5 s of real renders)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.browser import browser
from support.cli import SMALL_RENDER, project, run
from support.gallery import LATER, SPEC


@pytest.fixture(scope="session")
def applied_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """fox's four variants and owl applied (draft quality); hare in the specs only."""
    saved = {k: os.environ.get(k) for k in (*SMALL_RENDER, "CI")}
    os.environ.update(SMALL_RENDER)
    os.environ.pop("CI", None)
    try:
        root = project(tmp_path_factory.mktemp("gallery") / "videos", SPEC)
        result = run("apply", "--auto-approve", str(root))
        assert result.code == 0, result.err
        (root / "videos.yaml").write_text(SPEC + LATER, encoding="utf-8")
        yield root
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def site(applied_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The static gallery of the project, as `vidflow gallery --out` writes it."""
    out = tmp_path_factory.mktemp("site") / "gallery"
    saved = os.environ.get("VIDFLOW_ENGINE_SCALE"), os.environ.get("VIDFLOW_ENGINE_FPS")
    os.environ.update(SMALL_RENDER)  # the drafts are in sync at draft quality
    try:
        result = run("gallery", "--out", str(out), str(applied_project))
    finally:
        for key, value in zip(SMALL_RENDER, saved, strict=True):
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's headless Chromium, shared by the browser tests (a page each)."""
    with browser() as context:
        yield context
