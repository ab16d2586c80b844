"""The planner: a pure function (desired stories, lockfile, refreshed remote) → Plan.

No I/O. Per address, the first rule that applies decides (design.md's action table):

  1. in the lockfile, not in the specs      → DELETE (a plan error if prevent_destroy)
     (`vidflow destroy` plans with destroy=True: every locked story, reason DESTROY)
  2. in the specs, not in the lockfile      → CREATE
  3. refresh found it gone (404) or `fail`  → CREATE again (also a locked status `fail`)
  4. provider, mode or fingerprint changed  → REPLACE (fields say which forced it; a plan
                                              error if the spec sets prevent_destroy)
  5. pinned storyboard changed              → REGENERATE on the same story
  6. title/description/visibility (spec vs lockfile, or remote drift), output path or
     lifecycle changed                      → UPDATE in place
  7. left new/processing, or success but not downloaded → RESUME (poll, download)
  8. renamed through `moved`                → MOVE (no API call)
  9. otherwise                              → NOOP

`moved` blocks are applied to the lockfile's addresses first (chains followed), so a
renamed story is then compared as usual under its new address, with `moved_from` set. A
bare story name moves every variant of it (`promo[tone=fun]` → `winter-promo[tone=fun]`).
Addresses people type (`moved`, --target) are normalised: variant keys in any order.
Older story ids left in an entry's `deposed` list (an interrupted replace) each get a DELETE
change with `deposed` set.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from vidflow.api.models import StoryRecord
from vidflow.bulk import instance, paused_gc
from vidflow.plan.cost import estimate
from vidflow.plan.model import Action, Change, FieldChange, Plan, Reason
from vidflow.spec.model import Moved, Project, ProviderConfig, ResolvedStory
from vidflow.spec.overrides import (
    apply_overrides,
    board_changes,
    override_problems,
    reference_shape,
    scenes_touched,
)
from vidflow.spec.variants import normalize_address
from vidflow.state.intents import Intent, as_sent, request_digest
from vidflow.state.lockfile import (
    LockEntry,
    Lockfile,
    recorded_params,
    scrub_provider,
)
from vidflow.state.transitions import awaiting_download
from vidflow.suggest import did_you_mean

METADATA_FIELDS = ("title", "description", "visibility_status")
UNFINISHED = frozenset({"new", "processing"})
_NOT_REFRESHED = object()


def make_plan(project: Project, lock: Lockfile,
              remote: Mapping[str, StoryRecord | None] | None = None, *,
              targets: Sequence[str] = (), destroy: bool = False,
              damaged: Collection[str] = (), replace_addresses: Sequence[str] = (),
              quality: Mapping[str, Any] | None = None) -> Plan:
    """The changes that make the lockfile (and the stories it records) match `project`.

    `remote` is the refresh result keyed by *lockfile* address (before `moved` renames):
    a StoryRecord, or None for a story the API no longer has (404). Addresses absent from
    `remote` (or `remote` None) are planned from the lockfile alone. `targets` restricts
    the plan to exact addresses or bare story names (all variants of that story).
    `destroy` plans `vidflow destroy`: every locked story deleted, whatever the specs say.
    `damaged`: lockfile addresses whose downloaded video is missing or altered (found by
    `vidflow.apply.outputs.damaged_outputs`, the I/O kept out of here); a story otherwise
    left alone is RESUMEd to download it again (no new story, no credits).
    `replace_addresses` (`--replace`, Terraform's `-replace`): those stories are made
    again from the same inputs, the old one deleted once the new one succeeded.
    `quality`: the local engine's render quality now (vidflow.providers.factory.
    render_quality); a local video recorded at a lower one is regenerated at it.
    """
    with paused_gc():
        plan = _make_plan(project, lock, remote, targets, destroy, replace_addresses, quality)
    if damaged:
        plan = replace(plan, changes=tuple(_download_again(c, damaged) for c in plan.changes))
    return with_cost(plan, project.provider, lock)


def with_cost(plan: Plan, provider: ProviderConfig, lock: Lockfile) -> Plan:
    """The plan with its credits worked out (vidflow.plan.cost) for `provider`."""
    return replace(plan, cost=estimate(plan.pending, provider, lock.entries.values()))


def _download_again(change: Change, damaged: Collection[str]) -> Change:
    if change.deposed or (change.moved_from or change.address) not in damaged:
        return change
    reasons = (*change.reasons, Reason.OUTPUT_DAMAGED)
    if change.action in (Action.NOOP, Action.MOVE, Action.RESUME):
        return replace(change, action=Action.RESUME, reasons=reasons, resume=True)
    if change.action is Action.UPDATE:  # the executor finishes (downloads) it first
        return replace(change, reasons=reasons, resume=True)
    return change  # create/replace/regenerate make a new video; delete needs none


def _make_plan(project: Project, lock: Lockfile,
               remote: Mapping[str, StoryRecord | None] | None,
               targets: Sequence[str], destroy: bool = False,
               replace_addresses: Sequence[str] = (),
               quality: Mapping[str, Any] | None = None) -> Plan:
    errors: list[str] = []
    digest = spec_digest(project)
    if destroy:
        project = replace(project, stories={})
    entries, moved_from = resolve_moves(lock.entries, project.moved, errors)
    for new, old in sorted(moved_from.items()):
        if old in project.stories:
            errors.append(f"moved: {old!r} is moved to {new!r} but is still declared in the "
                          "specs; remove the old story, or the `moved` block")
    selected = _target_filter(targets, project.stories, entries, moved_from, errors)
    identity = scrub_provider(project.provider.identity)
    rerolled = _replace_filter(replace_addresses, project.stories, entries, errors)
    changes: list[Change] = []
    for address in sorted(project.stories.keys() | entries.keys() | lock.intents.keys()):
        if not selected(address):
            continue
        story = project.stories.get(address)
        entry = entries.get(address)
        source = moved_from.get(address)
        intent = lock.intents.get(address)
        if intent is not None:  # an unanswered paid call decides before anything else
            changes.append(_intent_change(address, intent, story, entry, identity))
            changes += _deposed_deletes(address, entry) if entry else []
            continue
        if entry is None:
            changes.append(Change(address, Action.CREATE, (Reason.NEW,), None, story))
            continue
        record = (remote.get(source or address, _NOT_REFRESHED)
                  if remote is not None else _NOT_REFRESHED)
        if story is None and not destroy and _named(address, project.removed):
            change = Change(address, Action.FORGET, (Reason.REMOVED,), entry, None,
                            moved_from=source)
        elif story is None:
            change = _gone(address, entry, record, source, errors, destroy)
        elif rerolled(address) and record is not None:
            change = _requested(address, story, entry, source, errors)
        else:
            change = _compare(address, story, entry, record, identity, source, errors,
                              quality)
        if change is not None:
            changes.append(change)
        if entry.deposed:
            changes += _deposed_deletes(address, entry)
    return Plan(
        changes=tuple(changes),
        lock_serial=lock.serial,
        lock_lineage=lock.lineage,
        spec_digest=digest,
        errors=tuple(errors),
        provider=project.provider,
    )


def _named(address: str, names: Collection[str]) -> bool:
    return address in names or story_name(address) in names


def _replace_filter(wanted: Sequence[str], stories: Mapping[str, ResolvedStory],
                    entries: Mapping[str, LockEntry], errors: list[str]
                    ) -> Callable[[str], bool]:
    """A predicate for --replace: an address the specs and the lockfile both have, or a
    story name (all its variants)."""
    names = {normalize_address(a) for a in wanted}
    if not names:  # no --replace: nothing to look up, no address matches
        return lambda address: False
    both = set(stories) & set(entries)
    known = both | {story_name(a) for a in both}
    for name in sorted(names - known):
        errors.append(f"--replace {name!r} matches no story both in the specs and the "
                      "lockfile" + did_you_mean(name, known))
    return lambda address: _named(address, names)


def _requested(address: str, story: ResolvedStory, entry: LockEntry, source: str | None,
               errors: list[str]) -> Change:
    if story.lifecycle.prevent_destroy:
        errors.append(f"{address}: --replace deletes story {entry.story_id}, but its "
                      "lifecycle.prevent_destroy is set; remove prevent_destroy first")
    reasons = (Reason.REQUESTED, *((Reason.MOVED,) if source else ()))
    return Change(address, Action.REPLACE, reasons, entry, story, moved_from=source,
                  metadata_changed=False)


def _intent_change(address: str, intent: Intent, story: ResolvedStory | None,
                   entry: LockEntry | None, identity: str) -> Change:
    """A paid call cut off before its answer: sent again with its key when the provider
    honours keys and the spec still asks the same; otherwise a person decides."""
    if (intent.replayable and intent.provider == identity and story is not None
            and request_digest(as_sent(intent.operation, story)) == intent.digest):
        return Change(address, Action.RESUME, (Reason.INTENT_REPLAYED,), entry, story,
                      replay=intent)
    return Change(address, Action.UNKNOWN, (Reason.INTENT_UNKNOWN,), entry, story)


def resolve_moves(entries: Mapping[str, LockEntry], moved: Iterable[Moved],
                  errors: list[str]) -> tuple[dict[str, LockEntry], dict[str, str]]:
    """The lockfile's entries under their addresses after `moved` renames.

    Returns (entries by new address, {new address: old address}). A `from` naming a story
    without its variant keys moves every locked variant of it, keys kept; an exact address
    wins over its story name. Chains (a → b, b → c) are followed whatever their order; a
    cycle, a source moved twice, or a rename onto an address the lockfile already has are
    plan errors (those entries stay where they are).
    """
    targets: dict[str, str] = {}
    for move in moved:
        source, dest = normalize_address(move.from_address), normalize_address(move.to_address)
        if source in targets and targets[source] != dest:
            errors.append(f"{_where(move)}moved: {source!r} is moved twice "
                          f"(to {targets[source]!r} and {dest!r}); "
                          "keep one `moved` block per source address")
            continue
        targets[source] = dest
    result = dict(entries)
    renamed: dict[str, str] = {}
    if not targets:  # nothing moves (the loop below would find no step for any address)
        return result, renamed
    for old in sorted(entries):
        if _step(old, targets) is None:
            _check_variant_move(old, targets, errors)
            continue
        new = _follow(old, targets)
        if new is None:
            errors.append(f"moved: the `moved` blocks from {old!r} form a cycle; "
                          "remove one of them")
            continue
        if new == old:
            continue
        if new in entries or new in renamed:
            errors.append(f"moved: cannot move {old!r} to {new!r}: the lockfile already has a "
                          f"story at {new!r}; remove the `moved` block or run "
                          f"`vidflow state rm '{new}'` first")
            continue
        result[new] = result.pop(old)
        renamed[new] = old
    return result, renamed


def _step(address: str, targets: Mapping[str, str]) -> str | None:
    """Where one `moved` block sends `address`: its own block, else its story name's."""
    if address in targets:
        return targets[address]
    name, bracket, keys = address.partition("[")
    dest = targets.get(name) if bracket else None
    if dest is None or "[" in dest:
        return None
    return f"{dest}[{keys}"


def _check_variant_move(address: str, targets: Mapping[str, str], errors: list[str]) -> None:
    name, bracket, _ = address.partition("[")
    if bracket and "[" in targets.get(name, ""):
        errors.append(f"moved: {name!r} has variants ({address!r} among them), so it cannot "
                      f"move to the one address {targets[name]!r}; move it to a story name, "
                      "or give each variant its own `moved` block")


def _follow(address: str, targets: Mapping[str, str]) -> str | None:
    seen = {address}
    while (step := _step(address, targets)) is not None:
        address = step
        if address in seen:
            return None
        seen.add(address)
    return address


def _where(move: Moved) -> str:
    return f"{move.location}: " if move.location else ""


def _target_filter(targets: Sequence[str], stories: Mapping[str, ResolvedStory],
                   entries: Mapping[str, LockEntry], moved_from: Mapping[str, str],
                   errors: list[str]) -> Callable[[str], bool]:
    """A predicate for --target: exact address, or a bare name matching all its variants."""
    if not targets:
        return lambda address: True
    wanted = {normalize_address(t) for t in targets}

    def selected(address: str) -> bool:
        names = {address, story_name(address)}
        old = moved_from.get(address)
        if old is not None:
            names |= {old, story_name(old)}
        return not wanted.isdisjoint(names)

    known = set(stories) | set(entries) | set(moved_from.values())
    known |= {story_name(a) for a in list(known)}
    for target in sorted(wanted - known):
        errors.append(f"--target {target!r} matches no story in the specs or the lockfile"
                      + did_you_mean(target, known))
    return selected


def story_name(address: str) -> str:
    """The story's name without its variant key: "promo[tone=fun]" → "promo"."""
    return address.split("[", 1)[0]


def _gone(address: str, entry: LockEntry, record: object, source: str | None,
          errors: list[str], destroy: bool = False) -> Change | None:
    if entry.prevent_destroy:
        why = "destroy was requested" if destroy else "gone from the specs"
        errors.append(
            f"{address}: {why} but its lifecycle.prevent_destroy is set, so it "
            f"will not be deleted (story {entry.story_id}); "
            + ("" if destroy else "put it back in the specs, or ")
            + "set prevent_destroy: false and apply, or forget it without deleting with "
            f"`vidflow state rm '{source or address}'`")
        return None
    reasons = [Reason.DESTROY if destroy else Reason.GONE]
    if record is None:
        reasons.append(Reason.REMOTE_DELETED)
    if source:
        reasons.append(Reason.MOVED)
    return Change(address, Action.DELETE, tuple(reasons), entry, None, moved_from=source)


def _compare(address: str, story: ResolvedStory, entry: LockEntry, record: object,
             identity: str, source: str | None, errors: list[str],
             quality: Mapping[str, Any] | None = None) -> Change:
    moved = (Reason.MOVED,) if source else ()

    def change(action: Action, reasons: Iterable[Reason],
               fields: Iterable[FieldChange] = (), *, resume: bool = False,
               after: ResolvedStory | None = None,
               scenes: tuple[tuple[int, ...], int] | None = None) -> Change:
        fields = tuple(fields)
        # Change(address, action, ...) with every field in field order (one per stored
        # story, so without the frozen dataclass's __init__: vidflow.bulk.instance)
        return instance(Change, {
            "address": address, "action": action, "reasons": (*reasons, *moved),
            "before": entry, "after": story, "fields": fields, "moved_from": source,
            "deposed": None, "resume": resume,
            "metadata_changed": bool(fields) and any(f.path in METADATA_FIELDS
                                                     for f in fields),
            "output_moved": bool(fields) and any(f.path == "output" for f in fields),
            "replay": None, "scenes": scenes})

    if record is None:
        return change(Action.CREATE, [Reason.REMOTE_DELETED])
    status = record.status if isinstance(record, StoryRecord) else entry.status
    if status == "fail":
        return change(Action.CREATE, [Reason.REMOTE_FAILED])

    forcing, force_reasons = _replacement_fields(story, entry, identity)
    soft, soft_reasons = _in_place_fields(story, entry, record)
    if forcing:
        if story.lifecycle.prevent_destroy:
            errors.append(_protected_replace(address, entry, forcing))
        return change(Action.REPLACE, force_reasons, forcing + soft)
    if story.storyboard_fingerprint != entry.storyboard_fingerprint:
        if entry.storyboard is not None and story.storyboard is not None:
            new_board = reference_shape(story.storyboard)
            board, scenes = _scene_fields(entry.storyboard, new_board)
            if board:
                return change(Action.REGENERATE, [Reason.STORYBOARD, *soft_reasons],
                              [*board, *soft], scenes=scenes)
        board = [FieldChange("storyboard", _short(entry.storyboard_fingerprint),
                             _short(story.storyboard_fingerprint))]
        return change(Action.REGENERATE, [Reason.STORYBOARD, *soft_reasons], [*board, *soft])
    if story.overrides_fingerprint != entry.overrides_fingerprint:
        return _overridden(story, entry, errors, soft, soft_reasons, change)
    resume = _resume_reasons(entry, status)
    drafted = _draft_fields(entry, quality, identity) if not resume else []
    if drafted:
        return change(Action.REGENERATE, [Reason.DRAFT, *soft_reasons], [*drafted, *soft])
    if soft:  # a story still running (or not downloaded) is finished first
        return change(Action.UPDATE, soft_reasons + resume, soft, resume=bool(resume))
    if resume:
        return change(Action.RESUME, resume, resume=True)
    if source:
        return change(Action.MOVE, [])
    return change(Action.NOOP, [])


def _overridden(story: ResolvedStory, entry: LockEntry, errors: list[str],
                soft: list[FieldChange], soft_reasons: list[Reason],
                change: Callable[..., Change]) -> Change:
    """Overrides changed: a regenerate on the same story with the recorded storyboard, the
    overrides applied (by the executor, from the entry: the plan's story stays the spec's,
    so a saved plan matches the specs). Without a recorded storyboard (an older lockfile)
    apply reads the story's own from the provider; the plan shows the fingerprints."""
    base = entry.storyboard
    reasons = [Reason.OVERRIDES, *soft_reasons]
    if base is None:
        if story.overrides is None:
            errors.append(f"{_at(story)}overrides were removed, but the lockfile has no "
                          "record of the storyboard before them; run `vidflow apply "
                          f"--replace '{story.address}'` for a fresh story")
        fields = [FieldChange("overrides", _short(entry.overrides_fingerprint),
                              _short(story.overrides_fingerprint))]
        return change(Action.REGENERATE, reasons, [*fields, *soft])
    for path, message in override_problems(base, story.overrides):
        errors.append(f"{_at_override(story, path)}{path}: {message}")
    after = apply_overrides(base, story.overrides)
    fields, scenes = _scene_fields(apply_overrides(base, entry.overrides), after)
    return change(Action.REGENERATE, reasons, [*fields, *soft], scenes=scenes)


def _draft_fields(entry: LockEntry, quality: Mapping[str, Any] | None, identity: str
                  ) -> list[FieldChange]:
    """A local video rendered below the quality the engine renders at now (a draft, with
    VIDFLOW_ENGINE_SCALE/FPS) is regenerated at it; a better one than asked stays."""
    made = entry.render
    if not quality or not made or entry.provider != identity:
        return []
    if all(quality.get(k, 0) <= made.get(k, 0) for k in quality):
        return []
    return [FieldChange(f"render.{k}", made.get(k), quality[k]) for k in sorted(quality)
            if made.get(k) != quality[k]]


def _scene_fields(before: dict[str, Any], after: dict[str, Any]
                  ) -> tuple[list[FieldChange], tuple[tuple[int, ...], int]]:
    fields = [FieldChange(path, old, new) for path, old, new in board_changes(before, after)]
    touched = scenes_touched(after, [f.path for f in fields])
    return fields, (tuple(sorted(touched)), len(after.get("scenes") or []))


def _at(story: ResolvedStory) -> str:
    return f"{story.location}: {story.address}: " if story.location else f"{story.address}: "


def _at_override(story: ResolvedStory, path: str) -> str:
    """At the override's own key ("overrides.scenes.3.elements.0" → scene 3's), else at
    the story (an override from `defaults:`)."""
    where = story.override_locations.get(".".join(path.split(".")[:3]))
    return f"{where}: {story.address}: " if where else _at(story)


def _protected_replace(address: str, entry: LockEntry, forcing: Sequence[FieldChange]) -> str:
    """A replace deletes the old story: prevent_destroy refuses it, as Terraform does."""
    paths = [f.path for f in forcing]
    shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
    return (f"{address}: lifecycle.prevent_destroy is set, but changing {shown} forces "
            f"replacing it (a new story is made and story {entry.story_id} deleted); revert "
            "that change, or remove prevent_destroy first (set it to false) and plan again")


def _resume_reasons(entry: LockEntry, status: str) -> list[Reason]:
    if status in UNFINISHED:
        return [Reason.RESUMED]
    if awaiting_download(entry, status):
        return [Reason.NOT_DOWNLOADED]
    return []


def _replacement_fields(story: ResolvedStory, entry: LockEntry, identity: str
                        ) -> tuple[list[FieldChange], list[Reason]]:
    fields: list[FieldChange] = []
    reasons: list[Reason] = []
    if entry.provider != identity:
        fields.append(FieldChange("provider", entry.provider, identity, True))
        reasons.append(Reason.PROVIDER)
    if entry.mode != story.mode:
        fields.append(FieldChange("mode", entry.mode, story.mode, True))
        reasons.append(Reason.MODE)
    if entry.fingerprint != story.fingerprint:
        reasons.append(Reason.FINGERPRINT)
        diffs = (list(diff_values("params", entry.params, recorded_params(story.params), True))
                 if entry.params is not None else [])
        # An entry without params (imported, or params equal under a new canonical form)
        # still shows what forced the replacement.
        fields += diffs or [FieldChange("fingerprint", _short(entry.fingerprint),
                                        _short(story.fingerprint), True)]
    return fields, reasons


def _in_place_fields(story: ResolvedStory, entry: LockEntry, record: object
                     ) -> tuple[list[FieldChange], list[Reason]]:
    fields: list[FieldChange] = []
    reasons: list[Reason] = []
    remote = _remote_metadata(record) if isinstance(record, StoryRecord) else {}
    for name in METADATA_FIELDS:
        want = getattr(story, name)
        locked = getattr(entry, name)
        if locked != want:
            fields.append(FieldChange(name, remote.get(name, locked), want))
            if Reason.METADATA not in reasons:
                reasons.append(Reason.METADATA)
        elif name in remote and remote[name] != want:
            fields.append(FieldChange(name, remote[name], want))
            if Reason.REMOTE_DRIFT not in reasons:
                reasons.append(Reason.REMOTE_DRIFT)
    # An empty output means "the executor's default path": whatever it recorded stands.
    if story.output and story.output != entry.output:
        fields.append(FieldChange("output", entry.output, story.output))
        reasons.append(Reason.OUTPUT)
    if story.lifecycle.prevent_destroy != entry.prevent_destroy:
        fields.append(FieldChange("lifecycle.prevent_destroy", entry.prevent_destroy,
                                  story.lifecycle.prevent_destroy))
        reasons.append(Reason.LIFECYCLE)
    return fields, reasons


def _remote_metadata(record: StoryRecord) -> dict[str, str]:
    """The metadata the server reported; fields it did not send are not drift."""
    values = {name: getattr(record, name) for name in METADATA_FIELDS}
    if not record.raw:
        return values
    return {name: value for name, value in values.items() if name in record.raw}


def diff_values(path: str, before: Any, after: Any, forces: bool) -> Iterable[FieldChange]:
    """Field-level differences, recursing into mappings ("params.audio_option.narrator")
    and lists ("params.image_files[2].sha256"; an item only on one side is null on the other).
    """
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(before.keys() | after.keys(), key=str):
            yield from diff_values(f"{path}.{key}", before.get(key), after.get(key), forces)
        return
    if isinstance(before, list | tuple) and isinstance(after, list | tuple):
        for index in range(max(len(before), len(after))):
            old = before[index] if index < len(before) else None
            new = after[index] if index < len(after) else None
            yield from diff_values(f"{path}[{index}]", old, new, forces)
        return
    yield FieldChange(path, before, after, forces)


def _short(digest: str | None) -> str | None:
    return f"sha256:{digest[:12]}" if digest else None


def _deposed_deletes(address: str, entry: LockEntry) -> list[Change]:
    return [Change(address, Action.DELETE, (Reason.DEPOSED,), entry, None, deposed=story_id)
            for story_id in entry.deposed]


def spec_digest(project: Project) -> str:
    """A digest of everything the plan depends on in the specs (sha256, hex).

    Built from each story's fingerprints (which hash its generation inputs) and the fields
    planned outside them, plus `moved` and the provider identity: cheap for 10,000 stories.
    A story without a fingerprint contributes its full params instead.
    """
    digest = hashlib.sha256()
    digest.update(project.provider.identity.encode())
    for move in project.moved:
        digest.update(f"\0moved\0{move.from_address}\0{move.to_address}".encode())
    stories = project.stories
    rows = []
    for address in sorted(stories):
        story = stories[address]
        row: list[Any] = [address, story.mode, story.fingerprint, story.storyboard_fingerprint,
                          story.title, story.description, story.visibility_status,
                          story.output, story.lifecycle.prevent_destroy,
                          getattr(story, "webhook_url", None)]
        if story.overrides_fingerprint:  # absent otherwise: digests of older plans hold
            row.append(story.overrides_fingerprint)
        if not story.fingerprint:
            row.append(story.params)
        rows.append(row_json(row))
    # each row "\0"-prefixed, hashed in one update (the same bytes as one update each)
    digest.update("".join(f"\0{row}" for row in rows).encode())
    return digest.hexdigest()


def row_json(row: list[Any]) -> str:
    """json.dumps(row, sort_keys=True, default=str): a row of strings, booleans and None
    (every story with a fingerprint) is spelled here, as json does, without the encoder's
    set-up on each of 10,000 calls; any other row goes through json."""
    parts = []
    for item in row:
        kind = type(item)
        if kind is str:
            parts.append(_quote(item))
        elif item is None:
            parts.append("null")
        elif kind is bool:
            parts.append("true" if item else "false")
        else:
            return _ROW(row)
    return "[" + ", ".join(parts) + "]"


_ROW = json.JSONEncoder(sort_keys=True, default=str).encode
_quote = json.encoder.encode_basestring_ascii  # what json.dumps spells a str with
