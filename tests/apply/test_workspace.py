"""The lifecycle commands' one workspace: lock held, lockfile read, provider closed."""

from __future__ import annotations

import ast
import multiprocessing
from pathlib import Path

import pytest

from vidflow.apply import workspace as ws_module
from vidflow.apply.workspace import open_lockfile, open_workspace
from vidflow.errors import LockfileError
from vidflow.spec.model import Project, ProviderConfig
from vidflow.state.lockfile import lockfile_path, read_lockfile

PACKAGE = Path(ws_module.__file__).resolve().parents[1]


class Closing:
    identity = "local"

    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def _project(root: Path) -> Project:
    return Project(root=str(root), provider=ProviderConfig(), stories={})


def test_the_provider_is_made_on_first_use_and_closed_even_on_error(tmp_path, monkeypatch):
    made: list[Closing] = []

    def make_provider(project, *, resume=False):
        made.append(Closing())
        return made[-1]

    monkeypatch.setattr("vidflow.providers.factory.make_provider", make_provider)
    with open_workspace(_project(tmp_path)) as ws:
        assert made == []  # nothing asked for it yet
    with pytest.raises(ValueError), open_workspace(_project(tmp_path)) as ws:
        assert ws.provider is ws.provider
        raise ValueError("a command failed")
    assert [p.closed for p in made] == [1]


def test_the_state_lock_is_held_for_the_whole_block(tmp_path):
    with open_workspace(_project(tmp_path)) as ws:
        assert ws.lock.serial == 0
        ws.write(ws.lock)
    assert read_lockfile(lockfile_path(tmp_path)).serial == 1
    # The lock is re-entrant within one process: another process must find it taken.
    pool = multiprocessing.get_context("spawn").Pool(1)
    with pool, open_workspace(_project(tmp_path)), pytest.raises(LockfileError, match="another"):
        raise pool.apply(_try_open, (str(tmp_path),))


def _try_open(root: str) -> Exception:
    try:
        with open_lockfile(root, lock_timeout=0):
            return AssertionError("opened a locked workspace")
    except LockfileError as exc:
        return exc


def test_a_read_only_view_takes_no_lock(tmp_path):
    with open_lockfile(tmp_path, lock_timeout=None) as ws:
        assert (ws.lock.entries, ws.lock.lineage) == ({}, "")
    assert not (tmp_path / ".vidflow").exists()


def test_apply_does_not_import_the_commands():
    """vidflow.commands wires vidflow.apply; the reverse would be an import cycle."""
    for path in sorted((PACKAGE / "apply").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not [n for n in names if n.startswith("vidflow.commands")], path.name
