"""Reading a project's lockfile without loading its specs (show, output)."""

from __future__ import annotations

import os
from pathlib import Path

from vidflow.errors import VidflowError
from vidflow.spec.variants import normalize_address
from vidflow.state.lockfile import LockEntry, Lockfile, lockfile_path, read_lockfile
from vidflow.suggest import did_you_mean


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
    root = project_root(path)
    lock_file = lockfile_path(root)
    if not lock_file.exists():
        raise VidflowError(f"{lock_file}: no lockfile yet",
                           hint=f"run `vidflow apply {root}` first")
    return root, read_lockfile(lock_file)


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


def display_path(root: Path, relative: str) -> str:
    """A lockfile output path as the user can open it from the current folder: relative
    when under it, absolute otherwise (no ../../ chains)."""
    full = (root / relative).resolve()
    rel = os.path.relpath(full)
    return str(full) if rel.startswith("..") else rel
