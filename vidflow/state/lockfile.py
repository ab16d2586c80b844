"""The lockfile (`vidflow.lock`): what vidflow made, so it can plan without the network.

One JSON document, keys sorted, two-space indent, newline at the end, one entry per address,
so a git diff is one hunk per story:

    {"entries": {"<address>": {...LockEntry...}}, "lineage": "<uuid>", "serial": 7, "version": 1}

Values are immutable in practice: `Lockfile.with_entry` / `without` / `renamed` return new
Lockfile values (the entries dict is copied, entries themselves are shared), so a plan made
from one value is never changed under it. `write_lockfile` returns the value it wrote (its
serial incremented, its lineage set): keep using that one.

What never goes in: an API key (the provider is recorded as its identity, a base URL with
credentials, query and fragment scrubbed) and an absolute path (an entry whose `output` or
any `params` file path is absolute is refused).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vidflow import faults, schemas
from vidflow.bulk import instance, paused_gc
from vidflow.errors import LockfileError
from vidflow.paths import LOCKFILE_NAME, output_problem
from vidflow.scrub import scrub_url
from vidflow.spec.canonical import NOT_GENERATION
from vidflow.spec.model import ResolvedStory
from vidflow.state import safe_json
from vidflow.state.fastschema import UnsupportedSchema, compile_schema
from vidflow.state.intents import Intent

FORMAT_VERSION = 1
# Read through importlib.resources: a path relative to the source tree breaks in a wheel.
SCHEMA_PATH = schemas.resource(schemas.LOCKFILE)


@dataclass(frozen=True)
class LockEntry:
    """One story vidflow made (or imported), recorded under its address.

    `fingerprint` / `storyboard_fingerprint` are the spec's at the time the story was made;
    `params` is the canonical generation input they hash, kept so a plan can show old and new
    values of the field that forces a replacement. `prevent_destroy` is the spec's lifecycle
    flag, kept so that removing the story from the specs cannot delete it silently.
    `deposed` lists older story ids at this address waiting for deletion: a replace creates
    the new story first and deletes the old one only once the new one succeeded.

    Frozen: change one with `dataclasses.replace`. Writes reuse the checked text of entries
    they already wrote (by identity), so never mutate `params` or `deposed` in place either.
    """

    story_id: str
    provider: str  # ProviderConfig.identity: "local" or "http:<base url>"
    mode: str
    fingerprint: str
    storyboard_fingerprint: str | None
    title: str
    description: str
    visibility_status: str
    status: str  # new | processing | success | fail (the Story API's values)
    video_url: str | None = None
    output: str | None = None  # relative posix path of the downloaded video
    output_sha256: str | None = None
    used_credits: int = 0
    message: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    params: dict[str, Any] | None = None
    prevent_destroy: bool = False
    deposed: list[str] = field(default_factory=list)
    # The storyboard the story was generated from, in the reference's shape, before any
    # override (vidflow.spec.overrides): a plan checks overrides against it and shows
    # them scene by scene without asking the provider. None: not known (older lockfiles).
    storyboard: dict[str, Any] | None = None
    overrides: dict[str, Any] | None = None  # the overrides applied to it
    overrides_fingerprint: str | None = None
    # the local engine's render quality the video was made at ({"scale", "fps"}): a plan
    # at a higher one regenerates it (drafts become finals). None: another provider.
    render: dict[str, Any] | None = None
    # files downloaded beside the video (caption sidecars), by suffix: {".srt": sha256};
    # each is at the output's path with that suffix instead of ".mp4". None: none.
    files: dict[str, str] | None = None

    @classmethod
    def from_story(cls, story: ResolvedStory, *, story_id: str, provider: str,
                   status: str = "processing", **extra: Any) -> LockEntry:
        """The entry recording `story` as just created (status `processing` by default)."""
        return cls(
            story_id=story_id,
            provider=scrub_provider(provider),
            mode=story.mode,
            fingerprint=story.fingerprint,
            storyboard_fingerprint=story.storyboard_fingerprint,
            title=story.title,
            description=story.description,
            visibility_status=story.visibility_status,
            status=status,
            output=story.output or None,
            params=recorded_params(story.params),
            prevent_destroy=story.lifecycle.prevent_destroy,
            overrides=story.overrides,
            overrides_fingerprint=story.overrides_fingerprint,
            **extra,
        )

    def to_json(self) -> dict[str, Any]:
        """A plain dict (shallow: `params` is shared, not copied; 10,000 entries are cheap)."""
        data = {f.name: getattr(self, f.name) for f in _ENTRY_FIELDS}
        data["deposed"] = list(self.deposed)
        for name in _OPTIONAL:  # absent when unset: older lockfiles stay byte-identical
            if data[name] is None:
                del data[name]
        if self.video_url:  # a signed media URL's token stays out of every file
            data["video_url"] = scrub_url(self.video_url)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LockEntry:
        if cls is LockEntry and _adoptable(data):  # a copy in field order: the caller's dict
            return instance(LockEntry, {name: data[name] if name in data else _default(f, d)
                                        for name, f, d in _DEFAULTS})
        if data.keys() <= _ENTRY_NAMES and type(data.get("deposed", [])) is list:
            return cls(**data)
        return cls(**{k: v for k, v in data.items() if k in _ENTRY_NAMES},
                   deposed=list(data.get("deposed") or []))


def _adopted(data: dict[str, Any]) -> LockEntry:
    """LockEntry.from_json(data) for a dict just parsed here, which nothing else holds:
    the dict itself becomes the entry's attributes, instead of being copied into a new
    one."""
    return _adopt(data) if _adoptable(data) else LockEntry.from_json(data)


def _adoptable(data: Mapping[str, Any]) -> bool:
    """Known fields only, every required one, `deposed` a list: what the schema passed."""
    keys = data.keys()
    return keys <= _ENTRY_NAMES and keys >= _REQUIRED and type(data.get("deposed", [])) is list


def _adopt(values: dict[str, Any]) -> LockEntry:
    """LockEntry(**values) with `values` itself as its attributes (the fields it lacks set
    to their defaults), without the frozen dataclass's __init__ (vidflow.bulk.instance):
    one object.__setattr__ per field took ~60 ms for 10,000 entries."""
    if len(values) != len(_DEFAULTS):
        for name, factory, default in _DEFAULTS:
            if name not in values:
                values[name] = _default(factory, default)
    return instance(LockEntry, values)


def _default(factory: Callable[[], Any] | None, default: Any) -> Any:
    return factory() if factory is not None else default


_ENTRY_FIELDS = fields(LockEntry)
_ENTRY_NAMES = frozenset(f.name for f in _ENTRY_FIELDS)
_REQUIRED = frozenset(f.name for f in _ENTRY_FIELDS
                      if f.default is MISSING and f.default_factory is MISSING)
# (name, default factory or None, default) of every field (required ones are always given)
_DEFAULTS = tuple((f.name, None if f.default_factory is MISSING else f.default_factory,
                   f.default) for f in _ENTRY_FIELDS)
_OPTIONAL = ("storyboard", "overrides", "overrides_fingerprint", "render", "files")


def recorded_params(params: dict[str, Any]) -> dict[str, Any]:
    """The params the lockfile keeps: generation inputs only.

    `webhook_url` is sent with the create call but is not a generation input, and a webhook
    URL often embeds a token: it stays out of the committed lockfile.
    """
    return {k: v for k, v in params.items() if k not in NOT_GENERATION}


def _new_lineage() -> str:
    return str(uuid.uuid4())


@dataclass
class Lockfile:
    """All entries, plus `serial` (bumped by every write) and `lineage` (which history).

    A saved plan records both and is refused once either moved on. `lineage` is "" for a
    project with no lockfile yet; the first write gives it a uuid.
    """

    version: int = FORMAT_VERSION
    serial: int = 0
    lineage: str = field(default_factory=_new_lineage)
    entries: dict[str, LockEntry] = field(default_factory=dict)
    intents: dict[str, Intent] = field(default_factory=dict)  # vidflow.state.intents

    def __contains__(self, address: object) -> bool:
        return address in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.entries))

    def get(self, address: str) -> LockEntry | None:
        return self.entries.get(address)

    def with_entry(self, address: str, entry: LockEntry) -> Lockfile:
        """A new Lockfile with `address` set to `entry` (added or replaced)."""
        return replace(self, entries={**self.entries, address: entry})

    def without(self, address: str) -> Lockfile:
        """A new Lockfile without `address` (no error if it was not there)."""
        entries = dict(self.entries)
        entries.pop(address, None)
        return replace(self, entries=entries)

    def with_intent(self, address: str, intent: Intent) -> Lockfile:
        """A new Lockfile recording that a paid call for `address` is about to be sent."""
        return replace(self, intents={**self.intents, address: intent})

    def without_intent(self, address: str) -> Lockfile:
        """A new Lockfile with no intent at `address` (itself if there was none)."""
        if address not in self.intents:
            return self
        intents = dict(self.intents)
        del intents[address]
        return replace(self, intents=intents)

    def renamed(self, old: str, new: str) -> Lockfile:
        """A new Lockfile with the entry at `old` moved to `new` (no API call involved)."""
        if old not in self.entries:
            raise LockfileError(f"no entry {old!r} in the lockfile",
                                hint="run `vidflow state list` to see the addresses")
        if new in self.entries:
            raise LockfileError(f"the lockfile already has an entry {new!r}",
                                hint=f"remove it first with `vidflow state rm '{new}'`")
        entries = {(new if a == old else a): e for a, e in self.entries.items()}
        intents = {(new if a == old else a): i for a, i in self.intents.items()}
        return replace(self, entries=entries, intents=intents)

    def to_json(self) -> dict[str, Any]:
        doc = {
            "version": self.version,
            "serial": self.serial,
            "lineage": self.lineage,
            "entries": {a: e.to_json() for a, e in self.entries.items()},
        }
        if self.intents:  # absent when empty: lockfiles without one stay byte-identical
            doc["intents"] = {a: i.to_json() for a, i in sorted(self.intents.items())}
        return doc


def lockfile_path(root: str | os.PathLike[str]) -> Path:
    """Where the lockfile of the project at `root` lives."""
    return Path(root) / LOCKFILE_NAME


@lru_cache(maxsize=64)
def scrub_provider(identity: str) -> str:
    """A provider identity fit for the lockfile: "local", or "http:" + a bare base URL.

    Credentials in the URL (user:key@, by vidflow.scrub, the scrubber of every file), its
    query and fragment are dropped, and so is a trailing slash: the identity tells
    providers apart, it must never carry a secret.
    """
    kind, sep, url = identity.partition(":")
    if not sep or not url:
        return identity
    parts = urlsplit(scrub_url(url))
    if not parts.scheme or not parts.netloc:
        return identity
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    clean = urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))
    return f"{kind}:{clean}"


_ABSOLUTE = re.compile(r"^([/\\\\~]|[A-Za-z]:)")


def _is_absolute(path: str) -> bool:
    """Absolute on any OS (/x, \\\\server, C:\\x, C:x) or home-relative (~/x)."""
    return bool(_ABSOLUTE.match(path))


def _absolute_paths(value: Any, where: str) -> Iterator[str]:
    """Field paths inside `value` holding a local file path that is absolute."""
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{where}.{key}"
            if key == "path" and isinstance(item, str) and _is_absolute(item):
                yield inner
            else:
                yield from _absolute_paths(item, inner)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _absolute_paths(item, f"{where}[{i}]")


def check_entry(address: str, entry: LockEntry) -> None:
    """Refuse what must never be written: absolute paths and keys in the provider."""
    problem = output_problem(entry.output) if entry.output else None
    if problem is not None and not _is_absolute(entry.output or ""):
        raise LockfileError(f"{address}: output {entry.output!r} {problem}",
                            hint="set `output` in the spec to a path such as out/story.mp4")
    if entry.output and _is_absolute(entry.output):
        raise LockfileError(
            f"{address}: output {entry.output!r} is an absolute path; the lockfile is "
            "committed and shared, so it only records paths relative to the project folder",
            hint="set `output` in the spec to a relative path such as out/story.mp4")
    for bad in _absolute_paths(entry.params, "params"):
        raise LockfileError(f"{address}: {bad} is an absolute path; the lockfile only records "
                            "paths relative to the project folder")
    if scrub_provider(entry.provider) != entry.provider:
        raise LockfileError(f"{address}: provider identity carries credentials or a query; "
                            "only the base URL may be recorded")


@cache
def _schema() -> dict[str, Any]:
    try:
        return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # a broken install, not a user error
        raise LockfileError(f"cannot read the lockfile schema {SCHEMA_PATH}: {exc}") from exc


@cache
def _checker() -> Callable[[Any], list[str]]:
    """The schema compiled for speed; jsonschema if it ever uses a keyword we lack."""
    schema = _schema()
    try:
        return compile_schema(schema)
    except UnsupportedSchema:
        from jsonschema import Draft202012Validator

        validator = Draft202012Validator(schema)
        return lambda doc: [_describe(e) for e in validator.iter_errors(doc)]


@cache
def _entry_checker() -> Callable[[Any], list[str]]:
    """The schema of one entry ($defs.entry), compiled the same way."""
    schema = _schema()
    sub = {**schema["$defs"]["entry"], "$defs": schema["$defs"]}
    try:
        return compile_schema(sub)
    except UnsupportedSchema:
        from jsonschema import Draft202012Validator

        validator = Draft202012Validator(sub)
        return lambda doc: [_describe(e) for e in validator.iter_errors(doc)]


def schema_problems(doc: Any) -> list[str]:
    """Every violation of the lockfile schema in `doc`, as "field.path: message"."""
    return _checker()(doc)


def _describe(err: Any) -> str:
    path = ".".join(str(p) for p in err.absolute_path)
    return f"{path}: {err.message}" if path else err.message


def read_lockfile(path: str | os.PathLike[str]) -> Lockfile:
    """The lockfile at `path`; an empty one (serial 0, lineage "") if there is none yet.

    Corrupt JSON, a schema violation or a newer format version raise LockfileError naming
    the file and what is wrong; the file is left as it is.
    """
    path = Path(path)
    try:
        text = safe_json.read_text(path)
    except FileNotFoundError:
        return Lockfile(lineage="")
    except (OSError, ValueError) as exc:  # unreadable, not UTF-8, too large
        raise LockfileError(f"{path}: cannot read the lockfile: {exc}") from exc
    with paused_gc():
        return _parse(path, text)


def _parse(path: Path, text: str) -> Lockfile:
    try:
        doc = safe_json.loads(text, check_depth=False)
        safe_json.check_nesting(_free_parts(doc))
    except ValueError as exc:
        raise LockfileError(
            f"{path}: the lockfile is not valid JSON ({exc}); vidflow will not overwrite it",
            hint="restore it from git (git checkout -- vidflow.lock) or fix it by hand") from exc
    version = doc.get("version") if isinstance(doc, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise LockfileError(
            f"{path}: the lockfile has format version {version}, written by a newer vidflow; "
            f"this one reads version {FORMAT_VERSION} and will not overwrite it",
            hint="upgrade vidflow")
    problems = schema_problems(doc)
    if problems:
        listed = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise LockfileError(
            f"{path}: the lockfile does not match its schema; vidflow will not overwrite it:"
            f"\n  {listed}{more}",
            hint="restore it from git or fix the fields named above")
    lock = Lockfile(
        version=doc["version"],
        serial=doc["serial"],
        lineage=doc["lineage"],
        entries={a: _adopted(e) for a, e in doc["entries"].items()},
        intents={a: Intent.from_json(i) for a, i in doc.get("intents", {}).items()},
    )
    check_output_paths(path, lock)
    return lock


def check_output_paths(path: Path, lock: Lockfile) -> None:
    """Refuse a lockfile naming a video vidflow must not touch (`../victim.txt`, the spec,
    `.git/hooks/...`): apply moves and rewrites the file at an entry's `output`, and the
    lockfile comes from git, where anyone with a pull request can write it."""
    problems = [f"entries.{address}.output: {entry.output!r} {problem}"
                for address, entry in lock.entries.items()
                if entry.output is not None
                and (problem := output_problem(entry.output)) is not None]
    if problems:
        listed = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise LockfileError(
            f"{path}: the lockfile names a video path vidflow will not use; nothing was "
            f"touched:\n  {listed}{more}",
            hint="restore it from git or fix the entries named above (`vidflow state rm` "
                 "cannot read it either)")


def _free_parts(doc: Any) -> list[Any]:
    """What may nest deeply in a lockfile: walking only this (not every entry's fixed
    fields, which the schema types) keeps reading 10,000 entries fast."""
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), dict):
        return [doc]
    rest = [value for key, value in doc.items() if key != "entries"]
    return rest + [e.get("params") if isinstance(e, dict) else e
                   for e in doc["entries"].values()]


def dumps_lockfile(lock: Lockfile) -> str:
    """The lockfile's exact text: sorted keys, two-space indent, newline at the end."""
    return json.dumps(lock.to_json(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_lockfile(path: str | os.PathLike[str], lock: Lockfile) -> Lockfile:
    """Write `lock` atomically with its serial incremented; return the value written.

    Every entry is checked (no absolute path, no credentials) and the document validated
    against the lockfile schema (vidflow/schemas/) before anything touches the disk. The text
    goes to a temporary file in the same folder, is fsynced, then renamed over the old file,
    and the folder is fsynced: a crash at any point leaves either the old file or the new one.
    Call it under `state_lock` (vidflow.state.lock).
    """
    path = Path(path)
    new = replace(lock, version=FORMAT_VERSION, serial=lock.serial + 1,
                  lineage=lock.lineage or _new_lineage())
    head = {"version": new.version, "serial": new.serial, "lineage": new.lineage,
            "entries": {}}
    if new.intents:
        head["intents"] = {a: i.to_json() for a, i in new.intents.items()}
    problems = schema_problems(head)
    texts = []
    for address in sorted(new.entries):
        text, found = _entry_text(address, new.entries[address])
        texts.append((address, text))
        problems += found
    if problems:
        raise LockfileError(f"{path}: refusing to write an invalid lockfile: "
                            + "; ".join(problems[:5]))
    atomic_write_text(path, _assemble(new, texts))
    faults.reached("lockfile-written")
    return new


# The checked, serialized text of entries already written, by identity: the executor writes
# the lockfile after every state change, and re-serializing and re-checking 10,000
# unchanged entries each time took seconds. LockEntry is frozen; the entry is kept alive
# here so its id cannot be reused while cached.
_TEXTS: dict[int, tuple[LockEntry, str]] = {}
_TEXTS_MAX = 100_000


def _entry_text(address: str, entry: LockEntry) -> tuple[str, list[str]]:
    """The entry's text inside the document (indented for its depth), and its problems."""
    hit = _TEXTS.get(id(entry))
    if hit is not None and hit[0] is entry:
        return hit[1], []
    check_entry(address, entry)
    data = entry.to_json()
    problems = [f"entries.{address}.{p}" if not p.startswith("(") else f"entries.{address}: {p}"
                for p in _entry_checker()(data)]
    text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False)
    text = text.replace("\n", "\n    ")
    if not problems:
        if len(_TEXTS) >= _TEXTS_MAX:
            _TEXTS.clear()
        _TEXTS[id(entry)] = (entry, text)
    return text, problems


def _assemble(lock: Lockfile, texts: list[tuple[str, str]]) -> str:
    """Exactly `dumps_lockfile(lock)`, from the entries' cached texts."""
    if texts:
        body = ",\n".join(f"    {json.dumps(a, ensure_ascii=False)}: {t}" for a, t in texts)
        entries = "{\n" + body + "\n  }"
    else:
        entries = "{}"
    lineage = json.dumps(lock.lineage, ensure_ascii=False)
    intents = ""
    if lock.intents:
        text = json.dumps({a: i.to_json() for a, i in lock.intents.items()}, sort_keys=True,
                          indent=2, ensure_ascii=False).replace("\n", "\n  ")
        intents = f'  "intents": {text},\n'
    return (f'{{\n  "entries": {entries},\n{intents}  "lineage": {lineage},\n'
            f'  "serial": {lock.serial},\n  "version": {lock.version}\n}}\n')


def atomic_write_text(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically, keeping the file's permissions.

    mkstemp creates 0600 files; a lockfile committed to git and read by teammates or CI
    must keep the mode it had (or, new, the usual 0666 & ~umask).
    """
    folder = path.parent if str(path.parent) else Path(".")
    mode = _file_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(folder)


def _file_mode(path: Path) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask, read without changing it where Linux allows (os.umask(x) sets it,
    briefly, for every thread: a file another thread creates then gets the wrong mode)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some platforms cannot open a directory; the rename is still atomic
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
