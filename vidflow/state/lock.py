"""The state lock: one vidflow at a time may change a project's lockfile.

`.vidflow/state.lock` in the project folder is an OS file lock (filelock), released when
the process exits even if it crashes, so a killed apply never leaves the project locked.
It lives under `.vidflow/` (local data, git-ignored) so it is never committed by accident.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from vidflow.errors import LockfileError

DEFAULT_LOCK_TIMEOUT = 0.0


def lock_path_for(lockfile: str | os.PathLike[str]) -> Path:
    """The lock guarding `lockfile`: <project>/vidflow.lock → <project>/.vidflow/state.lock."""
    return Path(lockfile).parent / ".vidflow" / "state.lock"


@contextmanager
def state_lock(path: str | os.PathLike[str], timeout: float = DEFAULT_LOCK_TIMEOUT
               ) -> Iterator[Path]:
    """Hold the lock on the lockfile at `path` (the lockfile's own path, not the lock's).

    Waits up to `timeout` seconds (0: try once) for another vidflow to finish, then raises
    LockfileError. Yields the lock file's path. Re-entrant within one process.
    """
    target = lock_path_for(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LockfileError(f"cannot create {target.parent} for the state lock: {exc}") from exc
    # One FileLock object per path in this process (is_singleton): nested use re-enters
    # instead of deadlocking on a second flock of the same file.
    lock = FileLock(str(target.resolve()), thread_local=False, is_singleton=True)
    try:
        lock.acquire(timeout=max(timeout, 0.0))
    except Timeout as exc:
        waited = f"waited {timeout:g}s" if timeout > 0 else "did not wait"
        raise LockfileError(
            f"another vidflow is running on this project ({target} is locked; {waited}); "
            "retry or pass --lock-timeout",
            hint="e.g. --lock-timeout 300") from exc
    try:
        yield target
    finally:
        lock.release()
