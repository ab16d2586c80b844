"""Are the downloaded videos still what the lockfile recorded? The I/O done before planning.

`damaged_outputs` gives the addresses whose finished story's video is missing or altered,
for `make_plan(..., damaged=...)` to plan a download again (no new story, no credits).

Hashing every video on every plan would make `plan` slow, so a file already verified is
trusted while its size and mtime are those recorded when it was (git's index does the
same); a file whose size changed is damaged without reading it; anything else is hashed.
The record lives in `.vidflow/` (local data, git-ignored), never in the lockfile.

Every path here comes from the lockfile or a plan, which other people write: each one is
checked with vidflow.paths (inside the project once symlinks are resolved, never a
project file) before it is read, moved or written, and refused with UnsafePath otherwise.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

from vidflow.hashing import sha256_file
from vidflow.paths import (
    VIDEO_SUFFIX,
    ProjectPaths,
    UnsafePath,
    checked_input,
    checked_output,
    checked_side_file,
)
from vidflow.plan.model import Plan
from vidflow.state.lockfile import LOCKFILE_NAME, Lockfile
from vidflow.state.records import read_record, write_record
from vidflow.state.transitions import is_downloaded, output_path

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
        # only read here (a folder there is a damaged video), but never outside the project
        path = checked_input(root, entry.output,
                             source=f"{LOCKFILE_NAME}: entries.{address}.output")
        stamp = _check(path, entry.output_sha256, verified.get(entry.output))
        if stamp is None:
            damaged.add(address)
            continue
        intact[entry.output] = stamp
        for suffix, digest in (entry.files or {}).items():
            beside = file_beside(root, entry.output, suffix, address=address)
            rel = entry.output[: -len(VIDEO_SUFFIX)] + suffix
            found = _check(beside, digest, verified.get(rel))
            if found is None:
                damaged.add(address)
            else:
                intact[rel] = found
    if intact != verified:
        _write_verified(root, intact)
    return frozenset(damaged)


_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


def file_beside(root: Path, output: str, suffix: str, *, address: str) -> Path:
    """Where a file recorded beside the video (a caption sidecar) is: the output's path
    with `suffix` instead of .mp4, under the rule of the posters beside it (a symlink
    planted there cannot lead a read, move or removal outside the project)."""
    if not _SUFFIX.match(suffix):
        raise UnsafePath(f"{LOCKFILE_NAME}: entries.{address}.files: {suffix!r} is not a "
                         "file suffix such as .srt")
    return checked_side_file(root, output, suffix,
                             source=f"{LOCKFILE_NAME}: entries.{address}.output")


def video_target(root: Path, output: str, *, address: str,
                 paths: ProjectPaths | None = None) -> Path:
    """Where to write (or move) the video of `address`: the real path of `output`, checked
    again right before the write (the disk may have changed since the plan)."""
    return checked_output(root, output, source=f"{address}: output", paths=paths)


def locked_video(root: Path, output: str | None, *, address: str) -> Path | None:
    """The real path of a video the lockfile (or a plan's `before`) says is at `output`, or
    None when that path is not one vidflow may touch: it is then left alone, never moved."""
    if not output:
        return None
    try:
        return checked_output(root, output, source=f"{address}: output")
    except UnsafePath:
        return None


def check_plan_outputs(root: Path, plan: Plan) -> None:
    """Every output a plan's changes would write, checked before anything is paid for."""
    problems = []
    paths = ProjectPaths(root)  # each folder resolved once, not once per story
    for change in plan.pending:
        if change.after is None:
            continue
        try:
            video_target(root, output_path(change.after), address=change.address, paths=paths)
        except UnsafePath as exc:
            problems.append(exc.message)
    if problems:
        raise UnsafePath("the plan cannot be applied: " + "\n  ".join(problems),
                         hint="fix `output` in the spec and run vidflow plan again")


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
    data = read_record(root / VERIFIED_FILE)
    try:
        return {str(k): (int(v[0]), int(v[1]), str(v[2])) for k, v in data.items()}
    except (ValueError, TypeError, IndexError, AttributeError):
        return {}  # no record (or a damaged one): everything is hashed once


def _write_verified(root: Path, stamps: dict[str, Stamp]) -> None:
    """Best effort: without the record the next plan only hashes again."""
    write_record(root / VERIFIED_FILE, {k: list(v) for k, v in sorted(stamps.items())})
