"""load_project: spec files → validated, templated, expanded, fingerprinted stories.

Each step reports every problem it finds (as SpecError at file:line:col) instead of
stopping at the first, so `vidflow validate` lists them all in one go. A story whose raw
form breaks the schema is not resolved further (its later errors would only be noise).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidflow.bulk import paused_gc
from vidflow.contract.params import EXTENSIONS
from vidflow.errors import Location, SpecError, SpecErrors
from vidflow.paths import ProjectPaths
from vidflow.scrub import scrub_url
from vidflow.spec import templating
from vidflow.spec.budgets import MAX_VARIANTS, MAX_VARIANTS_PER_STORY
from vidflow.spec.loader import Document, PathKey, format_path, load_file, spec_files
from vidflow.spec.model import MODES, Moved, Project, ProviderConfig, ResolvedStory
from vidflow.spec.resolve import FileHasher, build_story
from vidflow.spec.rules import DEFAULT_OUTPUT, Problem, applies, check_story
from vidflow.spec.schema import IDENTIFIER_PATTERN
from vidflow.spec.validation import check_rendered, schema_errors
from vidflow.spec.variants import (
    Variant,
    address_slug,
    default_output,
    expand,
    normalize_address,
    variant_address,
)
from vidflow.spec.variants import count as variant_count


@dataclass
class _Problems:
    """Collects errors, once each: 10,000 variants sharing one mistake give one line."""

    errors: dict[tuple[str, str, str], SpecError] = field(default_factory=dict)
    _variants: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)

    def add(self, message: str, location: Location | None, path: PathKey | str,
            variant: str = "") -> None:
        where = path if isinstance(path, str) else format_path(path)
        key = (str(location), where, message)
        if key not in self.errors:
            self.errors[key] = SpecError(message, location=location, field=where)
        if variant:
            self._variants.setdefault(key, []).append(variant)

    def all(self) -> list[SpecError]:
        """The errors, each naming the variant it was found in (and how many more)."""
        out = []
        for key, err in self.errors.items():
            seen = self._variants.get(key)
            if seen:
                more = f" and {len(seen) - 1} more" if len(seen) > 1 else ""
                err = SpecError(f"{err.message} (in {seen[0]}{more})", location=err.location,
                                field=err.field)
            out.append(err)
        return out

    def extend(self, errors: Sequence[SpecError]) -> None:
        for err in errors:
            self.add(err.message, err.location, err.field)

    def __bool__(self) -> bool:
        return bool(self.errors)


def load_project(path: str | Path, *, vars: Mapping[str, str] | None = None,
                 var_files: Sequence[Path] = ()) -> Project:
    """The project at `path` (a spec file or a folder of them); raises SpecErrors."""
    with paused_gc():
        return _load_project(path, vars, var_files)


def _load_project(path: str | Path, vars: Mapping[str, str] | None,
                  var_files: Sequence[Path]) -> Project:
    problems = _Problems()
    templating.start_load()
    given = Path(path)
    root, files = spec_files(given)
    # a var file kept beside the specs holds variables, not stories
    var_paths = {Path(f).resolve() for f in var_files}
    files = [f for f in files if f.resolve() not in var_paths]
    docs: list[Document] = []
    bad: dict[str, list[PathKey]] = {}
    for file in files:
        display = (given if given.is_file() else given / file.name).as_posix()
        try:
            doc = load_file(file, display)
        except SpecErrors as exc:
            problems.extend(exc.errors)
            continue
        except SpecError as exc:
            problems.extend([exc])
            continue
        found = schema_errors(doc)
        problems.extend([err for _, err in found])
        bad[doc.file] = [path for path, _ in found]
        docs.append(doc)
    provider = _provider(docs, problems)
    variables = _variables(docs, vars or {}, var_files, problems)
    hasher = FileHasher(root)
    disk = ProjectPaths(root, reserved=[*files, *var_files])
    stories: dict[str, ResolvedStory] = {}
    planned = 0  # variants of the stories so far, counted before any is built
    for doc in docs:
        for name, raw in _story_blocks(doc):
            if _has_error(bad[doc.file], ("defaults",)) or \
                    _has_error(bad[doc.file], ("stories", name)):
                # Not resolvable, but the mode rules still say what else is wrong.
                _check_unrendered(name, raw, doc, bad[doc.file], problems)
                continue
            most = variant_count(raw.get("variants"))
            if most <= MAX_VARIANTS_PER_STORY:
                planned += most
                if planned > MAX_VARIANTS:
                    where = ("stories", name, "variants") if raw.get("variants") else \
                        ("stories", name)
                    problems.add(f"the project's stories make up to {planned:,} variants by "
                                 f"here; a project may have at most {MAX_VARIANTS:,}",
                                 doc.key_where(where), where)
                    continue
            resolved = list(_resolve_story(name, raw, doc, _defaults(doc), variables, hasher,
                                           problems, disk))
            _check_extensions(provider, doc, name, raw, resolved, problems)
            for story in resolved:
                _add_unique(stories, story, problems)
    _check_outputs(stories, problems)
    blocks = tuple(name for doc in docs for name, _ in _story_blocks(doc))
    places: list[_Place] = []
    moved = _moved(docs, problems, places)
    _check_moves(list(zip(moved, places, strict=True)), stories, blocks,
                 resolved=not problems, problems=problems)
    removed = _removed(docs, stories, blocks, problems)
    if problems:
        raise SpecErrors(problems.all())
    return Project(
        root=str(root.resolve()),
        provider=provider,
        stories=dict(sorted(stories.items())),
        moved=moved,
        removed=removed,
        files=tuple(f.name for f in files),
        blocks=blocks,
    )


def _story_blocks(doc: Document) -> list[tuple[str, dict[str, Any]]]:
    """(name, block) of each story that is a mapping; other shapes are schema errors."""
    block = doc.data.get("stories") if isinstance(doc.data, dict) else None
    if not isinstance(block, dict):
        return []
    return [(name, raw) for name, raw in block.items() if isinstance(raw, dict)]


def _defaults(doc: Document) -> dict[str, Any]:
    found = doc.data.get("defaults") if isinstance(doc.data, dict) else None
    return found if isinstance(found, dict) else {}


def _has_error(paths: list[PathKey], prefix: tuple[str, ...]) -> bool:
    """A schema error at or below `prefix` (or at the root: nothing there is usable)."""
    return any(p[: len(prefix)] == prefix or not p for p in paths)


# --- project-wide settings -------------------------------------------------------------

def _provider(docs: list[Document], problems: _Problems) -> ProviderConfig:
    found = [(doc, doc.data["provider"]) for doc in docs
             if isinstance(doc.data, dict) and isinstance(doc.data.get("provider"), dict)]
    if not found:
        return ProviderConfig()
    first_doc, spec = found[0]
    for doc, _ in found[1:]:
        problems.add(f"provider is already declared at {first_doc.key_where(('provider',))}; "
                     "declare it once per project", doc.key_where(("provider",)), ("provider",))
    kind = spec.get("type", "local")
    if kind == "local" and "base_url" in spec:
        problems.add("base_url needs `type: http`", first_doc.key_where(("provider", "base_url")),
                     ("provider", "base_url"))
    if kind == "http" and "data_dir" in spec:
        problems.add("data_dir is for the local engine; remove it or use `type: local`",
                     first_doc.key_where(("provider", "data_dir")), ("provider", "data_dir"))
    if kind == "local" and "prices" in spec:
        problems.add("prices is for the http provider: the local engine charges its own "
                     "table, which the plan shows exactly; remove it or use `type: http`",
                     first_doc.key_where(("provider", "prices")), ("provider", "prices"))
    prices = spec.get("prices")
    max_credits = spec.get("max_credits")
    extensions = spec.get("extensions") or []
    if kind == "local" and extensions:
        problems.add("the local engine has every vidflow extension; remove `extensions`",
                     first_doc.key_where(("provider", "extensions")), ("provider", "extensions"))
    return ProviderConfig(type=kind, base_url=spec.get("base_url"),
                          api_key_env=spec.get("api_key_env", "VIMMERSE_API_KEY"),
                          data_dir=spec.get("data_dir"),
                          prices=dict(prices) if isinstance(prices, dict) else None,
                          max_credits=max_credits if isinstance(max_credits, int) else None,
                          extensions=tuple(str(e) for e in extensions))


def _check_extensions(provider: ProviderConfig, doc: Document, name: str,
                      raw: dict[str, Any], stories: Sequence[ResolvedStory],
                      problems: _Problems) -> None:
    """A story using a vidflow extension (captions) the provider does not have."""
    for ext in sorted(EXTENSIONS):
        if provider.has_extension(ext) or not any(ext in s.params for s in stories):
            continue
        path = ("stories", name, ext) if ext in raw else ("defaults", ext)
        problems.add(f"{ext} is a vidflow extension, not available on the hosted Story API "
                     f"(provider {scrub_url(provider.base_url or '')}); use provider "
                     f"{{type: local}} or a `vidflow serve`, and declare it with "
                     f"`extensions: [{ext}]` in the provider block if its URL is not "
                     "loopback", doc.key_where(path), path)


def _variables(docs: list[Document], cli_vars: Mapping[str, str], var_files: Sequence[Path],
               problems: _Problems) -> dict[str, Any]:
    """Spec `vars` (merged across files) < each --var-file in order < each --var."""
    merged: dict[str, Any] = {}
    seen: dict[str, Location] = {}
    for doc in docs:
        block = doc.data.get("vars") if isinstance(doc.data, dict) else None
        for name, value in (block or {}).items() if isinstance(block, dict) else ():
            here = doc.key_where(("vars", name))
            if name in seen:
                problems.add(f"variable {name!r} is also defined at {seen[name]}; define it once",
                             here, ("vars", name))
            elif name in templating.RESERVED:
                problems.add(f"{name!r} is a reserved template name; rename the variable",
                             here, ("vars", name))
            seen[name] = here
            merged[name] = value
    for file in var_files:
        merged.update(_var_file(Path(file), problems))
    for name, value in cli_vars.items():
        if not re.match(IDENTIFIER_PATTERN, name) or name in templating.RESERVED:
            problems.add(f"{name!r} is not a usable variable name (letters, digits and _; "
                         "not vars, variant, address or address_slug)", None, "--var")
        merged[name] = value
    return merged


def _var_file(file: Path, problems: _Problems) -> dict[str, Any]:
    try:
        doc = load_file(file, file.as_posix())
    except SpecErrors as exc:
        problems.extend(exc.errors)
        return {}
    except SpecError as exc:
        problems.extend([exc])
        return {}
    except OSError as exc:
        problems.add(f"cannot read --var-file: {exc.strerror}", None, file.as_posix())
        return {}
    if not isinstance(doc.data, dict):
        problems.add("a --var-file must be a mapping of name: value", doc.where(()), "")
        return {}
    return doc.data


@dataclass(frozen=True)
class _Place:
    """Where one `moved` entry is written, to point at its `from` or `to`."""

    doc: Document
    index: int

    def at(self, key: str = "") -> tuple[Location, PathKey]:
        path: PathKey = ("moved", self.index, key) if key else ("moved", self.index)
        return self.doc.where(path), path


def _moved(docs: list[Document], problems: _Problems,
           places: list[_Place] | None = None) -> tuple[Moved, ...]:
    """The `moved` entries (and, into `places`, where each one is written)."""
    out = []
    for doc in docs:
        entries = doc.data.get("moved") if isinstance(doc.data, dict) else None
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict) or not isinstance(entry.get("from"), str) \
                    or not isinstance(entry.get("to"), str):
                continue  # the schema said so already
            loc = doc.where(("moved", i))
            if entry["from"] == entry["to"]:
                problems.add("from and to are the same address", loc, ("moved", i))
                continue
            out.append(Moved(normalize_address(entry["from"]), normalize_address(entry["to"]),
                             loc))
            if places is not None:
                places.append(_Place(doc, i))
    return tuple(out)


def _removed(docs: list[Document], stories: Mapping[str, ResolvedStory],
             blocks: Sequence[str], problems: _Problems) -> tuple[str, ...]:
    """The `removed` entries' addresses; one still declared is an error (it would be
    managed and forgotten at once)."""
    out = []
    for doc in docs:
        entries = doc.data.get("removed") if isinstance(doc.data, dict) else None
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict) or not isinstance(entry.get("from"), str):
                continue  # the schema said so already
            address = normalize_address(entry["from"])
            if address in stories or address in blocks:
                problems.add(f"{address!r} is in `removed` but is still declared; remove "
                             "the story, or this `removed` entry",
                             doc.where(("removed", i, "from")), ("removed", i, "from"))
                continue
            out.append(address)
    return tuple(sorted(set(out)))


def _check_moves(moved: Sequence[tuple[Moved, _Place]], stories: Mapping[str, ResolvedStory],
                 blocks: Sequence[str], *, resolved: bool, problems: _Problems) -> None:
    """What the planner would refuse, found without the lockfile: a source moved twice, a
    cycle, a source still declared; and a target no story declares (a typo there would
    delete the moved story's video instead of keeping it)."""
    targets: dict[str, Moved] = {}
    where: dict[str, _Place] = {}
    for move, place in moved:
        first = targets.get(move.from_address)
        if first is not None and first.to_address != move.to_address:
            problems.add(f"{move.from_address!r} is moved twice (to {first.to_address!r} at "
                         f"{first.location} and to {move.to_address!r}); keep one `moved` "
                         "entry per source address", *place.at("from"))
            continue
        targets.setdefault(move.from_address, move)
        where.setdefault(move.from_address, place)
    declared = set(stories) | set(blocks)
    in_cycle: set[str] = set()
    for source, move in targets.items():
        place = where[source]
        if source in in_cycle:
            continue
        if _chain(source, targets) is None:
            members = _cycle_members(source, targets)
            in_cycle.update(members)
            problems.add(f"the `moved` entries {' -> '.join(members + members[:1])} form a "
                         "cycle; remove one of them", *place.at())
            continue
        if source in declared:
            problems.add(f"{source!r} is moved to {move.to_address!r} but is still declared; "
                         "remove the old story, or this `moved` entry", *place.at("from"))
        target = move.to_address
        if target not in targets and not _declares(target, stories, blocks, resolved):
            problems.add(f"moved to {target!r}, which no story declares; "
                         f"{_address_hint(target, declared)}", *place.at("to"))


def _chain(source: str, targets: Mapping[str, Moved]) -> str | None:
    """Where `source` ends up after following the moves (None: a cycle)."""
    seen = {source}
    while source in targets:
        source = targets[source].to_address
        if source in seen:
            return None
        seen.add(source)
    return source


def _cycle_members(source: str, targets: Mapping[str, Moved]) -> list[str]:
    path = [source]
    while (nxt := targets[path[-1]].to_address) not in path:
        path.append(nxt)
    return path[path.index(nxt):]


def _declares(target: str, stories: Mapping[str, ResolvedStory], blocks: Sequence[str],
              resolved: bool) -> bool:
    """A declared address or story name. Before every story resolved, only the story name
    part can be checked (a broken story has no addresses yet)."""
    if target in stories or target in blocks:
        return True
    name = target.partition("[")[0]
    return not resolved and name in blocks


def _address_hint(target: str, declared: set[str]) -> str:
    close = difflib.get_close_matches(target, sorted(declared), n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return "`to` must be a story address (see `vidflow render`) or a story name"


def _add_unique(stories: dict[str, ResolvedStory], story: ResolvedStory,
                problems: _Problems) -> None:
    first = stories.get(story.address)
    if first is None:
        stories[story.address] = story
        return
    problems.add(f"address {story.address!r} is also declared at {first.location}; "
                 "each story needs its own address", story.location, story.address)


def _check_outputs(stories: dict[str, ResolvedStory], problems: _Problems) -> None:
    owners: dict[str, ResolvedStory] = {}
    for story in stories.values():
        other = owners.setdefault(story.output, story)
        if other is not story:
            problems.add(f"output {story.output!r} is also the output of {other.address}; "
                         "give each story its own output", story.location, story.address)


# --- one story block → its resolved variants -------------------------------------------

@dataclass
class _Leaf:
    path: PathKey  # inside the story
    source: PathKey  # inside the document (for file:line:col)
    compiled: templating.Compiled | None  # None: template failed to compile
    # whether variants may share this template's result (see _reusable)
    reuse: bool = True


def _resolve_story(name: str, raw: dict[str, Any], doc: Document, defaults: dict[str, Any],
                   variables: dict[str, Any], hasher: FileHasher,
                   problems: _Problems, disk: ProjectPaths | None = None,
                   ) -> list[ResolvedStory]:
    story_path = ("stories", name)
    merged, origin = _merge(raw, defaults, story_path)
    variants, variant_problems = expand(raw.get("variants"))
    for problem in variant_problems:
        where = (*story_path, "variants", *problem.path)
        problems.add(problem.message, doc.where(where), where)
    leaves = _leaves(merged, origin, story_path, doc, problems)
    _reusable(leaves, variants)
    location = doc.key_where(story_path)
    root_location = _from_root(location)  # frozen: one value for every variant
    override_locations = _override_keys(raw, doc, story_path)
    # rendered text (or the problem) by template and the values it reads
    results: dict[Any, str | templating.TemplateProblem] = {}
    dropped: dict[str, frozenset[str]] = {}  # by mode: the defaults it does not take
    shared = templating.make_context({**variables, "vars": variables})
    out = []
    for variant in variants:
        address = variant_address(name, variant.identity)
        suffix = address if variant.identity else ""
        story = _render(merged, leaves, variant, address, variables, doc, problems, suffix,
                        results, shared)
        if story is None:
            continue
        story = _own_fields(story, origin, story_path, dropped)
        found = check_story(story)
        if disk is not None and not any(path == ("output",) for path, _, _ in found):
            # on the disk: a symlinked out/ leading elsewhere, a folder, a spec file
            problem = disk.problem(story["output"]) if isinstance(story["output"], str) else None
            if problem:
                found.append((("output",), problem, False))
        resolved = build_story(address, story, output=story["output"], files=hasher,
                               location=location, variant=variant.values, problems=found,
                               root_location=root_location,
                               override_locations=override_locations)
        _place(found, origin, story_path, doc, problems, suffix)
        out.append(resolved)
    return out


def _override_keys(raw: dict[str, Any], doc: Document, story_path: PathKey
                   ) -> dict[str, Location]:
    """Where the story's own overrides are written, by "overrides.<kind>.<key>" (the plan
    names a scene or element the storyboard lacks at its key)."""
    groups = raw.get("overrides")
    if not isinstance(groups, dict):
        return {}
    return {f"overrides.{kind}.{key}": doc.key_where((*story_path, "overrides", kind, key))
            for kind, items in groups.items() if isinstance(items, dict) for key in items}


def _reusable(leaves: list[_Leaf], variants: list[Variant]) -> None:
    """Mark the templates whose result no two variants can share: those reading every key
    of every variant's address (`{{ variant.tone }} {{ variant.angle }}` over a tone x
    angle matrix) have a key of their own in each variant, so keeping their 10,000
    results to reuse would only cost time and memory."""
    keys = {key for variant in variants for key in variant.identity}
    for leaf in leaves:
        attrs = leaf.compiled.variant_attrs if leaf.compiled is not None else None
        leaf.reuse = attrs is None or not keys <= set(attrs)


def _own_fields(story: dict[str, Any], origin: dict[PathKey, PathKey],
                story_path: PathKey, dropped: dict[str, frozenset[str]] | None = None,
                ) -> dict[str, Any]:
    """The story without defaults its mode does not take. `dropped` remembers them by
    mode across the variants of one story block (their fields are the same)."""
    mode = story.get("mode", "idea")
    names = dropped.get(mode) if dropped is not None and isinstance(mode, str) else None
    if names is None:
        names = frozenset(k for k in story if origin.get((k,), story_path)[0] == "defaults"
                          and not applies(mode, k))
        if dropped is not None and isinstance(mode, str):
            dropped[mode] = names
    if not names:
        return story
    return {k: v for k, v in story.items() if k not in names}


def _place(found: list[Problem], origin: dict[PathKey, PathKey], story_path: PathKey,
           doc: Document, problems: _Problems, suffix: str = "") -> None:
    """Rule problems (story-relative paths) at the file:line:col they were written at."""
    for path, message, at_key in found:
        src = _source(origin, path, story_path)
        problems.add(message, doc.key_where(src) if at_key else doc.where(src), src, suffix)


def _from_root(location: Location) -> Location:
    """The same position with the file named relative to the project root (every spec
    file sits in the root folder)."""
    # os.path, not pathlib: this runs once per variant, and 10,000 Path objects cost 0.2 s
    return Location(os.path.basename(location.file), location.line, location.col)


def _check_unrendered(name: str, raw: dict[str, Any], doc: Document, bad: list[PathKey],
                      problems: _Problems) -> None:
    """What can still be checked on a story the schema refused, so one run lists every
    problem: template syntax, the variants (when their block is well formed) and the mode
    rules on fields present."""
    story_path = ("stories", name)
    merged, origin = _merge(raw, _defaults(doc), story_path)
    _leaves(merged, origin, story_path, doc, problems)  # reports syntax errors
    if not _has_error(bad, (*story_path, "variants")):
        for problem in expand(raw.get("variants"))[1]:
            where = (*story_path, "variants", *problem.path)
            problems.add(problem.message, doc.where(where), where)
    if merged.get("mode", "idea") not in MODES:
        return  # a template or a typo: the rules depend on the mode
    _place(check_story(_own_fields(merged, origin, story_path), rendered=False), origin,
           story_path, doc, problems)


def _merge(raw: dict[str, Any], defaults: dict[str, Any], story_path: PathKey,
           ) -> tuple[dict[str, Any], dict[PathKey, PathKey]]:
    """defaults + story (mappings audio_option/lifecycle merged one level), and where each
    top-level field (or sub-field) came from."""
    merged: dict[str, Any] = {}
    origin: dict[PathKey, PathKey] = {}
    for key, value in defaults.items():
        merged[key] = value
        origin[(key,)] = ("defaults", key)
    for key, value in raw.items():
        if key == "variants":
            continue
        if key in ("audio_option", "lifecycle") and isinstance(merged.get(key), dict) \
                and isinstance(value, dict):
            for sub in value:
                origin[(key, sub)] = (*story_path, key, sub)
            for sub in merged[key]:
                origin.setdefault((key, sub), ("defaults", key, sub))
            merged[key] = {**merged[key], **value}
            origin[(key,)] = (*story_path, key)
            continue
        merged[key] = value
        origin[(key,)] = (*story_path, key)
    if "output" not in merged:
        merged["output"] = DEFAULT_OUTPUT
    return merged, origin


def _source(origin: dict[PathKey, PathKey], path: PathKey, story_path: PathKey) -> PathKey:
    """Where a story-relative path is written in the document."""
    if not path:
        return story_path
    base = origin.get(tuple(path[:2])) if len(path) >= 2 else None
    if base is not None:
        return (*base, *path[2:])
    base = origin.get(tuple(path[:1]))
    return (*base, *path[1:]) if base is not None else (*story_path, *path)


def _leaves(merged: dict[str, Any], origin: dict[PathKey, PathKey], story_path: PathKey,
            doc: Document, problems: _Problems) -> list[_Leaf]:
    """The template strings of a story, compiled once for all its variants."""
    leaves = []
    for path, value in _string_leaves(merged, ()):
        if not templating.is_template(value):
            continue
        source = _source(origin, path, story_path)
        try:
            compiled = templating.compile_template(value)
        except templating.TemplateProblem as exc:
            loc = doc.where(source)
            problems.add(exc.message, _line_in(loc, exc.line), source)
            compiled = None
        leaves.append(_Leaf(path, source, compiled))
    return leaves


def _string_leaves(value: Any, path: PathKey) -> list[tuple[PathKey, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _string_leaves(v, (*path, k))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _string_leaves(v, (*path, i))]
    return []


def _line_in(loc: Location, line: int) -> Location:
    """A template's own line N as a file position (block scalars start one line below)."""
    return loc if line <= 1 else Location(loc.file, loc.line + line, 1)


def _render(merged: dict[str, Any], leaves: list[_Leaf], variant: Variant, address: str,
            variables: dict[str, Any], doc: Document, problems: _Problems,
            suffix: str, results: dict[Any, str | templating.TemplateProblem],
            shared: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """One variant's story: templates rendered, copying only the containers they touch.
    `shared`: make_context({**variables, "vars": variables}), the part of the template
    context every variant has (merged once per story block, not once per variant)."""
    slug = address_slug(address)
    context: dict[str, Any] | None = None  # built on the first render that needs it
    story = dict(merged)
    copied: set[int] = set()
    ok = True
    for leaf in leaves:
        if leaf.compiled is None:
            ok = False
            continue
        source = leaf.source
        if leaf.path == ("output",) and leaf.compiled.source == DEFAULT_OUTPUT:
            _set_in(story, leaf.path, default_output(address, slug), copied)  # common, fast
            continue
        key = leaf.compiled.result_key(variant.values, address, slug) if leaf.reuse else None
        text = results.get(key) if key is not None else None
        try:
            if isinstance(text, templating.TemplateProblem):
                raise text  # a failed render fails alike in every variant: not run again
            if text is None:
                if context is None:
                    if shared is None:
                        shared = templating.make_context({**variables, "vars": variables})
                    # make_context({**variables, "vars": variables, "variant": ...})
                    context = {**shared, "variant": variant.values, "address": address,
                               "address_slug": slug}
                try:
                    text = templating.render(leaf.compiled, context)
                except templating.TemplateProblem as exc:
                    if key is not None:
                        results[key] = exc
                    raise
                if key is not None:
                    results[key] = text
        except templating.TemplateProblem as exc:
            problems.add(exc.message, _line_in(doc.where(source), exc.line), source, suffix)
            ok = False
            continue
        value, problem = check_rendered(leaf.path, text)
        if problem:
            problems.add(problem, doc.where(source), source, suffix)
            ok = False
        if len(leaf.path) == 1:
            story[leaf.path[0]] = value  # a top-level field: no container to copy
        else:
            _set_in(story, leaf.path, value, copied)
    return story if ok else None


def _set_in(root: dict[str, Any], path: PathKey, value: Any, copied: set[int]) -> None:
    node: Any = root
    for part in path[:-1]:
        child = node[part]
        if id(child) not in copied:
            child = dict(child) if isinstance(child, dict) else list(child)
            copied.add(id(child))
            node[part] = child
        node = child
    node[path[-1]] = value
