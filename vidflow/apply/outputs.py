"""Are the downloaded videos still what the lockfile recorded? The I/O done before planning.

`damaged_outputs` gives the addresses whose finished story's video is missing or altered,
for `make_plan(..., damaged=...)` to plan a download again (no new story, no credits).

Hashing every video on every plan would make `plan` slow, so a file already verified is
trusted while its size and mtime are those recorded when it was (git's index does the
same); a file whose size changed is damaged without reading it; anything else is hashed.
The record lives in `.vidflow/` (local data, git-ignored), never in the lockfile.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from pathlib import Path

from vidflow.hashing import sha256_file
from vidflow.state.lockfile import Lockfile
from vidflow.state.transitions import is_downloaded

VERIFIED_FILE = Path(".vidflow") / "verified-outputs.json"

Stamp = tuple[int, int, str]  # size, mtime_ns, sha256 of a file found intact


def damaged_outputs(root: Path, lock: Lockfile) -> frozenset[str]:
    """Lockfile addresses whose downloaded video is missing or no longer hashes to the
    recorded sha256 (only finished, downloaded stories are checked)."""
    root = Path(root)
    verified = _read_verified(root)
    intact: dict[str, Stamp] = {}
    damaged = set()
    for address, entry in lock.entries.items():
        if not is_downloaded(entry):
            continue
        assert entry.output is not None and entry.output_sha256 is not None
        stamp = _check(root / entry.output, entry.output_sha256, verified.get(entry.output))
        if stamp is None:
            damaged.add(address)
        else:
            intact[entry.output] = stamp
    if intact != verified:
        _write_verified(root, intact)
    return frozenset(damaged)


def _check(path: Path, sha256: str, seen: Stamp | None) -> Stamp | None:
    """The file's stamp if it holds the video with `sha256`, else None."""
    try:
        info = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    stamp = (info.st_size, info.st_mtime_ns, sha256)
    if seen == stamp:
        return stamp
    if seen is not None and seen[2] == sha256 and seen[0] != info.st_size:
        return None  # the verified file changed size: no need to read it
    return stamp if sha256_file(path) == sha256 else None


def _read_verified(root: Path) -> dict[str, Stamp]:
    try:
        data = json.loads((root / VERIFIED_FILE).read_text(encoding="utf-8"))
        return {str(k): (int(v[0]), int(v[1]), str(v[2])) for k, v in data.items()}
    except (OSError, ValueError, TypeError, IndexError, AttributeError):
        return {}  # no record (or a damaged one): everything is hashed once


def _write_verified(root: Path, stamps: dict[str, Stamp]) -> None:
    """Best effort: without the record the next plan only hashes again."""
    path = root / VERIFIED_FILE
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".verified.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({k: list(v) for k, v in sorted(stamps.items())}, out)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
