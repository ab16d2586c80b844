"""One project's working state for a lifecycle command: the lock, the lockfile, the provider.

    with open_workspace(project, lock_timeout=...) as ws:   # plan, apply, destroy, ...
        remote = refresh_remote(ws.provider, ws.lock)        # provider made on first use
        ws.write(new_lock)                                   # atomically, serial bumped

The state lock is held for the whole block (a plan made while an apply runs would be stale
at once); the provider, made only if the command needs it, is closed on the way out
whatever happens. `open_lockfile` is the same without specs or provider (state, show,
output); with `lock_timeout=None` it reads without taking the lock (show and output only
look: the lockfile is replaced atomically, so a read sees the old file or the new one).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vidflow.spec.model import Project
from vidflow.state.lock import state_lock
from vidflow.state.lockfile import Lockfile, lockfile_path, read_lockfile, write_lockfile

if TYPE_CHECKING:  # show and output never make a provider: keep their imports light
    from vidflow.providers.base import Provider


@dataclass
class Workspace:
    root: Path
    lock_path: Path
    lock: Lockfile
    project: Project | None = None
    resume: bool = False  # local provider: restart renders an interrupted apply left
    _provider: Provider | None = field(default=None, repr=False)

    @property
    def provider(self) -> Provider:
        """The spec's provider, made on first use (closed when the workspace closes)."""
        if self._provider is None:
            if self.project is None:
                raise RuntimeError("a workspace opened without specs has no provider")
            from vidflow.providers.factory import make_provider

            self._provider = make_provider(self.project, resume=self.resume)
        return self._provider

    def write(self, lock: Lockfile) -> Lockfile:
        """Write `lock` atomically (serial bumped); it becomes the workspace's value."""
        self.lock = write_lockfile(self.lock_path, lock)
        return self.lock

    def close(self) -> None:
        provider, self._provider = self._provider, None
        if provider is not None:
            provider.close()


@contextlib.contextmanager
def open_workspace(project: Project, *, lock_timeout: float = 0.0,
                   resume: bool = False) -> Iterator[Workspace]:
    """The project's workspace, state lock held, lockfile read; the provider closed after."""
    with _opened(Path(project.root), lock_timeout) as (path, lock):
        workspace = Workspace(Path(project.root), path, lock, project=project, resume=resume)
        try:
            yield workspace
        finally:
            workspace.close()


@contextlib.contextmanager
def open_lockfile(root: str | os.PathLike[str], *,
                  lock_timeout: float | None = 0.0) -> Iterator[Workspace]:
    """The lockfile of the project at `root` (a folder), without specs or provider;
    `lock_timeout=None` reads it without the state lock."""
    with _opened(Path(root), lock_timeout) as (path, lock):
        yield Workspace(Path(root), path, lock)


@contextlib.contextmanager
def _opened(root: Path, lock_timeout: float | None) -> Iterator[tuple[Path, Lockfile]]:
    path = lockfile_path(root)
    if lock_timeout is None:
        yield path, read_lockfile(path)
        return
    with state_lock(path, lock_timeout):
        yield path, read_lockfile(path)


def display_path(root: Path, relative: str) -> str:
    """A lockfile output path as the user can open it from the current folder: relative
    when under it, absolute otherwise (no ../../ chains)."""
    full = (root / relative).resolve()
    rel = os.path.relpath(full)
    return str(full) if rel.startswith("..") else rel
