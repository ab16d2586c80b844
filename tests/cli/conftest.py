"""Fixtures shared by the end-to-end CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from lifecycle_helpers import SMALL_RENDER


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder; the local engine renders small and CI is unset."""
    for name, value in SMALL_RENDER.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CI", raising=False)
    folder = tmp_path / "videos"
    folder.mkdir()
    return folder
