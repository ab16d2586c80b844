"""Reading a project's lockfile without loading its specs (show, output)."""

from __future__ import annotations

from pathlib import Path

from vidflow.apply.workspace import display_path, open_lockfile
from vidflow.errors import VidflowError
from vidflow.spec.variants import normalize_address
from vidflow.state.lockfile import LockEntry, Lockfile, lockfile_path
from vidflow.suggest import did_you_mean

__all__ = ["display_path", "has_lockfile", "project_root", "read", "select", "split_args"]


def split_args(args: tuple[str, ...]) -> tuple[str | None, Path]:
    """[ADDR] [PATH]: one argument naming an existing file or folder is the PATH."""
    if len(args) > 2:
        raise VidflowError("too many arguments", hint="give at most ADDR and PATH")
    if len(args) == 2:
        return args[0], Path(args[1])
    if len(args) == 1 and Path(args[0]).exists() and "[" not in args[0]:
        return None, Path(args[0])
    return (args[0] if args else None), Path(".")


def project_root(path: Path) -> Path:
    return path if path.is_dir() else path.parent


def read(path: Path) -> tuple[Path, Lockfile]:
    """The project's lockfile, read without the state lock (show and output only look)."""
    root = project_root(path)
    lock_file = lockfile_path(root)
    if not lock_file.exists():
        raise VidflowError(f"{lock_file}: no lockfile yet",
                           hint=f"run `vidflow apply {root}` first")
    with open_lockfile(root, lock_timeout=None) as ws:
        return root, ws.lock


def has_lockfile(path: Path) -> bool:
    return lockfile_path(project_root(path)).exists()


def select(lock: Lockfile, address: str | None) -> dict[str, LockEntry]:
    """The entries an address names: itself, or every variant of a bare story name.
    Variant keys may be typed in any order (`p[tone=fun,aspect_ratio=9:16]`)."""
    if address is None:
        return {a: lock.entries[a] for a in lock}
    address = normalize_address(address)
    entry = lock.get(address)
    if entry is None:
        matches = {a: lock.entries[a] for a in lock if a.split("[", 1)[0] == address}
        if matches:
            return matches
        raise VidflowError(f"no story {address!r} in the lockfile"
                           + did_you_mean(address, lock.entries),
                           hint="`vidflow show` lists the addresses")
    return {address: entry}

