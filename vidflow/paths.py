"""The one rule for paths vidflow writes a video to, or reads a local file from.

A story's `output` comes from a spec, a lockfile or a saved plan, and every one of them
may be written by someone else (a pull request, a teammate, an edited plan.json). So the
same rule is checked wherever such a path is read, before anything is paid for, moved,
written or uploaded:

  * `output_problem(text)` — pure, on the text alone: relative, '/'-separated, no `~`,
    no drive letter, no `..` or `.` segment, not a folder, never one of the project's
    own files (`vidflow.lock`, `.vidflow/`, `.git/`), ending in `.mp4`;
  * `real_path_problem(root, text)` — on the disk: after resolving every symlink the
    path stays inside the project, does not name a folder or one of the project's files
    (its spec files, `--var-file`s, the lockfile, `.vidflow/`, `.git/`);
  * `checked_output` / `checked_input` — both, raising `UnsafePath`, returning the real
    absolute path to use (so a later write never goes through a symlink again).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from vidflow.errors import VidflowError

LOCKFILE_NAME = "vidflow.lock"
STATE_DIR = ".vidflow"  # local data: the engine, the state lock, verified outputs
VIDEO_SUFFIX = ".mp4"
# Folders a video must never go into, at any depth (a nested repo's hooks run code).
_RESERVED_DIRS = frozenset({STATE_DIR, ".git"})
_MAX_NAME = 255  # bytes per segment: the usual filesystem limit
_MAX_PATH = 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

_WHERE = "use a video path relative to the project folder, such as out/story.mp4"
_OUTSIDE = "must be a relative path inside the project (no leading '/', no '..')"


class UnsafePath(VidflowError):
    """A path from a spec, lockfile or saved plan that vidflow must not follow."""


# The common case, decided at once: plain segments that start with a letter, digit or '_'
# (so no '.', '..', '.git' or '.vidflow'), ending in .mp4 (so neither the lockfile nor a
# spec). Anything else takes the full checks below, which word the problem.
_PLAIN_OUTPUT = re.compile(r"(?:[A-Za-z0-9_][A-Za-z0-9_.=,+-]{0,254}/)*"
                           r"[A-Za-z0-9_][A-Za-z0-9_.=,+-]{0,250}\.mp4")


def output_problem(text: object) -> str | None:
    """Why `text` cannot be a video's output path (None: it can), from the text alone."""
    if type(text) is str and len(text) <= _MAX_PATH and _PLAIN_OUTPUT.fullmatch(text):
        return None
    return worded_output_problem(text)


def worded_output_problem(text: object) -> str | None:
    """output_problem without its fast path (tests check the two agree)."""
    problem = _relative_problem(text)
    if problem is not None:
        return problem
    assert isinstance(text, str)
    if text.endswith("/") or text == ".":
        return "names a folder; name the video file in it, such as out/story.mp4"
    segments = text.split("/")
    if text.lower() == LOCKFILE_NAME:
        return f"is the project's lockfile; {_WHERE}"
    if len(segments) == 1 and _is_spec_name(text):
        return f"is a spec file of the project; {_WHERE}"
    reserved = next((s for s in segments[:-1] if s.lower() in _RESERVED_DIRS), None)
    if reserved is not None:
        return f"is inside {reserved}/, which vidflow and git keep for themselves; {_WHERE}"
    if not text.lower().endswith(VIDEO_SUFFIX) or segments[-1].lower() == VIDEO_SUFFIX:
        return f"must name an .mp4 file (the video is an MP4); {_WHERE}"
    return None


def input_problem(text: object) -> str | None:
    """Why `text` cannot be a local input file's path (an image to upload), from the text."""
    return _relative_problem(text)


def _relative_problem(text: object) -> str | None:
    if not isinstance(text, str) or not text:
        return "must be a non-empty path"
    if _CONTROL.search(text):
        return "must not contain control characters"
    if text.startswith(("/", "\\")) or _DRIVE.match(text):
        return _OUTSIDE
    if text.startswith("~"):
        return "must be a relative path inside the project (no '~': it is not expanded)"
    if "\\" in text:
        return "must use '/' between folders (the lockfile is shared across systems)"
    if len(text.encode("utf-8", "surrogatepass")) > _MAX_PATH:
        return f"is longer than {_MAX_PATH} bytes"
    segments = text.split("/")
    if ":" in segments[0] or ".." in segments:
        return _OUTSIDE
    inner = segments[:-1] if text.endswith("/") else segments
    if text != "." and any(s in ("", ".") for s in inner):
        clean = "/".join(s for s in segments if s not in ("", "."))
        return f"must be written without '.' or empty segments (write {clean!r})"
    if any(len(s.encode("utf-8", "surrogatepass")) > _MAX_NAME for s in segments):
        return f"has a file or folder name longer than {_MAX_NAME} bytes"
    return None


def real_path_problem(root: str | os.PathLike[str], text: str, *,
                      reserved: Iterable[str | os.PathLike[str]] = (),
                      output: bool = True) -> str | None:
    """Why `text` (already passing `output_problem`/`input_problem`) cannot be used under
    the project at `root` once every symlink is resolved (None: it can).

    `reserved`: more of the project's own files (spec files, var files) a video must not
    replace; the lockfile, `.vidflow/`, `.git/` and the spec files beside it always are.
    """
    return ProjectPaths(root, reserved).problem(text, output=output)


_SLOW = object()  # ProjectPaths: the fast check cannot decide this path
_ABSENT, _LINK, _DIR, _FILE = object(), object(), object(), object()  # a folder's entries


class ProjectPaths:
    """`real_path_problem` for many paths of one project, resolving each folder once (a
    spec with 10,000 variants writes them all to out/). For one load only: the disk may
    change later, so apply checks again with a fresh one right before writing."""

    def __init__(self, root: str | os.PathLike[str],
                 reserved: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.root = Path(root)
        self.base = Path(os.path.realpath(root))
        self.reserved = frozenset(Path(os.path.realpath(f)) for f in reserved)
        self._reserved_text = frozenset(str(f) for f in self.reserved)
        self._folders: dict[str, Path] = {}
        # folder text -> (its real path, inside the project, under a reserved folder,
        # the project folder itself): what every file in that folder shares
        self._facts: dict[str, tuple[str, bool, bool, bool]] = {}
        self._listings: dict[str, dict[str, object]] = {}

    def real(self, text: str) -> Path:
        """Where `text` really leads, every symlink resolved."""
        folder, _, name = text.rpartition("/")
        real_folder = self._folders.get(folder)
        if real_folder is None:
            real_folder = Path(os.path.realpath(self.root / folder))
            self._folders[folder] = real_folder
        candidate = real_folder / name
        return Path(os.path.realpath(candidate)) if candidate.is_symlink() else candidate

    def problem(self, text: str, *, output: bool = True) -> str | None:
        fast = self._plain_file_problem(text, output)
        return self._problem(text, output) if fast is _SLOW else fast

    def _plain_file_problem(self, text: str, output: bool) -> str | object | None:
        """`problem` in one lstat for a path that is no symlink in a folder already seen
        (10,000 variants' outputs in out/); _SLOW when the general check must decide."""
        folder, _, name = text.rpartition("/")
        if name in ("", ".", ".."):
            return _SLOW
        try:
            facts = self._facts.get(folder)
            if facts is None:
                facts = self._facts[folder] = self._folder_facts(folder)
            real_folder, inside, reserved_dir, at_base = facts
            if not inside:
                return _SLOW
            candidate = os.path.join(real_folder, name)
            kind = self._listing(real_folder).get(name, _ABSENT)
        except (OSError, ValueError):
            return _SLOW
        if kind is _LINK:
            return _SLOW
        if output:
            if kind is _DIR:
                return "names a folder; name the video file in it, such as out/story.mp4"
            if reserved_dir or candidate in self._reserved_text or (at_base and (
                    name.lower() == LOCKFILE_NAME or _is_spec_name(name))):
                return f"is one of the project's own files; {_WHERE}"
        return None

    def _listing(self, real_folder: str) -> dict[str, object]:
        """Each entry of a folder: a link, a folder or a file; one scandir per folder
        instead of one lstat per variant's output."""
        listing = self._listings.get(real_folder)
        if listing is None:
            listing = {}
            try:
                with os.scandir(real_folder) as entries:
                    for entry in entries:
                        listing[entry.name] = (_LINK if entry.is_symlink() else
                                               _DIR if entry.is_dir(follow_symlinks=False)
                                               else _FILE)
            except FileNotFoundError:
                pass
            self._listings[real_folder] = listing
        return listing

    def _folder_facts(self, folder: str) -> tuple[str, bool, bool, bool]:
        real = os.path.realpath(self.root / folder)
        base = str(self.base)
        if real == base:
            return real, True, False, True
        if not real.startswith(base.rstrip(os.sep) + os.sep):
            return real, False, False, False
        parts = real[len(base.rstrip(os.sep)) + 1:].split(os.sep)
        return real, True, any(p.lower() in _RESERVED_DIRS for p in parts), False

    def _problem(self, text: str, output: bool) -> str | None:
        try:
            real = self.real(text)
        except (OSError, ValueError) as exc:  # a symlink loop, an unreadable folder
            return f"cannot be resolved ({exc})"
        if not real.is_relative_to(self.base):
            leads = _first_link(self.root, text)
            via = f" through the symlink {leads}" if leads else ""
            return f"leads outside the project folder{via}; {_WHERE}"
        if output:
            if real.is_dir():
                return "names a folder; name the video file in it, such as out/story.mp4"
            if self._is_reserved(real):
                return f"is one of the project's own files; {_WHERE}"
        return None

    def _is_reserved(self, real: Path) -> bool:
        inside = real.relative_to(self.base).parts
        if any(p.lower() in _RESERVED_DIRS for p in inside[:-1]):
            return True
        if len(inside) == 1 and (inside[0].lower() == LOCKFILE_NAME
                                 or _is_spec_name(inside[0])):
            return True
        return real in self.reserved


def _is_spec_name(name: str) -> bool:
    # imported here: the spec package imports this module while it loads
    from vidflow.spec.loader import SPEC_SUFFIXES

    return Path(name).suffix.lower() in SPEC_SUFFIXES


def _first_link(root: Path, text: str) -> str | None:
    """The first segment of `text` under `root` that is a symlink (for the message)."""
    here = root
    parts = text.split("/")
    for i, part in enumerate(parts):
        here = here / part
        if here.is_symlink():
            return "/".join(parts[: i + 1])
    return None


def checked_output(root: str | os.PathLike[str], text: object, *, source: str,
                   reserved: Iterable[str | os.PathLike[str]] = (),
                   paths: ProjectPaths | None = None) -> Path:
    """The real absolute path to write the video at `text` to; UnsafePath (naming `source`:
    the file and field it came from) if the rule refuses it. `paths`: a ProjectPaths of
    `root` to share between many checks (each folder resolved once)."""
    problem = output_problem(text)
    return _checked(root, text, problem, str(text) if problem is None else "", source=source,
                    paths=paths or ProjectPaths(root, reserved))


def checked_input(root: str | os.PathLike[str], text: object, *, source: str) -> Path:
    """The real absolute path of the local file at `text` (an image to upload); UnsafePath
    if it is not a relative path that stays inside the project."""
    problem = input_problem(text)
    return _checked(root, text, problem, str(text) if problem is None else "", source=source,
                    paths=ProjectPaths(root), output=False)


def checked_side_file(root: str | os.PathLike[str], output: object, suffix: str, *,
                      source: str) -> Path:
    """The real absolute path of a file written beside the video at `output` (its poster,
    its storyboard strip): `out/a.mp4` → `out/a<suffix>`. The video path must pass the
    output rule, and the side file the same real-path rule (inside the project, not a
    folder, not a project file), so a symlink planted at `out/a.poster.jpg` cannot lead
    a write outside."""
    problem = output_problem(output)
    side = str(output)[: -len(VIDEO_SUFFIX)] + suffix if problem is None else ""
    return _checked(root, output, problem, side, source=source, paths=ProjectPaths(root))


def _checked(root: str | os.PathLike[str], shown: object, problem: str | None, target: str,
             *, source: str, paths: ProjectPaths, output: bool = True) -> Path:
    """`target`'s real path, once the text rule found no `problem` in `shown` and the
    real-path rule none in `target`; else UnsafePath naming `source` and `shown`."""
    if problem is None:
        problem = paths.problem(target, output=output)
    if problem is not None:
        raise UnsafePath(f"{source}: {shown!r} {problem}")
    return Path(os.path.realpath(Path(root) / target))
