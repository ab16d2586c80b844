"""Fixtures for spec tests: write a spec into a temp project and collect its problems."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from vidflow.errors import SpecError, SpecErrors
from vidflow.spec import Project, load_project


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temp project folder that is also the working directory, so messages name
    files as `videos.yaml`."""
    folder = tmp_path / "proj"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def write(project_dir: Path) -> Callable[..., Path]:
    def _write(text: str | bytes, name: str = "videos.yaml") -> Path:
        path = project_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def problems(write: Callable[..., Path]) -> Callable[..., list[str]]:
    """Every problem of a one-file spec, as printed: `file:line:col: field: message`."""

    def _problems(text: str | bytes, **kwargs: object) -> list[str]:
        write(text)
        try:
            load_project(Path("videos.yaml"), **kwargs)  # type: ignore[arg-type]
        except SpecErrors as exc:
            return [str(e) for e in exc.errors]
        except SpecError as exc:
            return [str(exc)]
        raise AssertionError("expected the spec to be invalid")

    return _problems


@pytest.fixture
def load(write: Callable[..., Path]) -> Callable[..., Project]:
    def _load(text: str, **kwargs: object) -> Project:
        write(text)
        return load_project(Path("videos.yaml"), **kwargs)  # type: ignore[arg-type]

    return _load
