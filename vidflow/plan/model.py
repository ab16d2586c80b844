"""The plan's vocabulary (after Terraform's internal/plans): actions, reasons, changes.

A `Plan` is a value: one `Change` per address (no-ops included, so `show`/JSON can list
every story), plus the lockfile serial/lineage and a digest of the resolved specs it was
made from, so a saved plan is refused once either moved on.

How the executor reads a Change: the action and three explicit flags the planner sets
decide; `reasons` (and `fields`) are for people and never read by the executor, as
Terraform's ActionReason (a test rewords them and checks the steps do not change):

  resume            poll the story to the end and download its video before anything else
                    (it is still running, or its video is not, or no longer, on disk).
  metadata_changed  title, description or visibility differ: PUT them.
  output_moved      the spec's output path changed: move the video (or fetch it again).

  NOOP        nothing.
  CREATE      create `after`; `before` is a stale entry (story 404 or `fail`) or None.
  UPDATE      the story stays. PUT the metadata if `metadata_changed`; if `output_moved`,
              move the video to the new path; `lifecycle.prevent_destroy` is recorded only.
              Then write the entry from `after`.
  REGENERATE  same story id: POST scenes/videos with `after.storyboard` (mode storyboard).
  REPLACE     create `after` as a new story, record it at once with the old id appended to
              `deposed`, and delete the old story (`before.story_id`, on `before.provider`)
              only after the new one succeeded.
  DELETE      delete `before.story_id` and drop the entry. If `deposed` is set, this is an
              older story left at `address` by an interrupted replace: delete that id,
              remove it from the entry's `deposed` list, after the address's own change (if
              any) succeeded; the entry itself stays.
  MOVE        rename the entry `moved_from` → `address`; no API call. (`moved_from` may
              also be set on UPDATE/REGENERATE/REPLACE/RESUME/DELETE: rename first.)
  FORGET      drop the entry (a `removed:` block); no API call, the story and video stay.
  RESUME      a story left `new`/`processing` by an interrupted apply, or `success` but not
              yet downloaded: no create; poll `before.story_id` until done, then download.

An UPDATE may meet a story still running or not downloaded (`resume` set): it is
finished first, the PUT riding along. After any change that leaves
a story, the video is downloaded to `after.output` if it is not there yet.
`simulate_apply` (vidflow.apply.simulate) runs the real executor over an in-memory Story
API: planning again after it yields no changes (a tested property).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from enum import Enum
from typing import TYPE_CHECKING, Any

from vidflow.errors import Location, PlanError
from vidflow.scrub import scrub_urls_in
from vidflow.spec.model import Lifecycle, ProviderConfig, ResolvedStory
from vidflow.state.intents import Intent
from vidflow.state.lockfile import LockEntry

if TYPE_CHECKING:
    from vidflow.plan.cost import Cost

PLAN_FORMAT_VERSION = 1
# what a saved plan keeps of a story: not where its overrides are written (compare=False)
_STORY_FIELDS = tuple(f for f in fields(ResolvedStory) if f.compare)
# Fields holding a Location (where a story is declared): text in JSON.
_LOCATION_FIELDS = frozenset(f.name for f in _STORY_FIELDS if "Location" in str(f.type))
# A webhook URL often embeds a token: plan documents only say whether one is set. It is not
# a generation input, so apply takes it from the specs (`with_live_webhooks`); the saved
# plan's spec digest guarantees it is the one that was planned.
REDACTED = "(set)"


def _member_by_key(enum: Any, key: str, what: str) -> Any:
    """The member of an Action/Reason enum whose `.key` a saved plan names."""
    for member in enum:
        if member.key == key:
            return member
    raise PlanError(f"unknown plan {what} {key!r}")


class Action(Enum):
    """What happens to one address; each with a symbol and a verb for summaries."""

    NOOP = ("no-op", " ", "leave")
    CREATE = ("create", "+", "create")
    UPDATE = ("update", "~", "update")
    REPLACE = ("replace", "-/+", "replace")
    REGENERATE = ("regenerate", "*", "regenerate")
    DELETE = ("delete", "-", "delete")
    MOVE = ("move", "->", "move")
    RESUME = ("resume", "<=", "resume")
    # a paid call cut off before its answer, which the provider cannot replay: a person
    # decides (import the story, or forget the intent and pay again)
    UNKNOWN = ("unknown", "?", "decide on")
    # a `removed:` block: the lockfile forgets the story; it and its video stay
    FORGET = ("forget", "-/", "forget")

    def __init__(self, key: str, symbol: str, verb: str) -> None:
        self.key = key
        self.symbol = symbol
        self.verb = verb

    @classmethod
    def from_key(cls, key: str) -> Action:
        return _member_by_key(cls, key, "action")


class Reason(Enum):
    """Why an action was chosen, as a sentence for the reader of the plan."""

    NEW = ("new", "new address in the specs")
    GONE = ("gone", "gone from the specs")
    FINGERPRINT = ("fingerprint", "generation inputs changed")
    METADATA = ("metadata", "title, description or visibility changed")
    REMOTE_DRIFT = ("remote-drift", "title, description or visibility changed outside vidflow")
    STORYBOARD = ("storyboard", "pinned storyboard changed")
    MODE = ("mode", "mode changed")
    PROVIDER = ("provider", "provider changed")
    REMOTE_DELETED = ("remote-deleted", "story deleted outside vidflow (404 on refresh)")
    REMOTE_FAILED = ("remote-failed", "story failed; it is created again")
    MOVED = ("moved", "renamed through a `moved` block")
    RESUMED = ("resumed", "left processing by an interrupted apply: poll it, no new create")
    NOT_DOWNLOADED = ("not-downloaded", "finished but its video was not downloaded yet")
    OUTPUT = ("output", "output path changed")
    LIFECYCLE = ("lifecycle", "lifecycle changed")
    DEPOSED = ("deposed", "older story left by an interrupted replace")
    DESTROY = ("destroy", "destroy requested")
    OUTPUT_DAMAGED = ("output-damaged",
                      "the downloaded video is missing or changed: download it again")
    INTENT_REPLAYED = ("intent-replayed",
                       "interrupted in flight: sent again with its idempotency key, which "
                       "the provider honours (the same story, no second charge)")
    INTENT_UNKNOWN = ("intent-unknown",
                      "interrupted in flight: the story may exist and may have been paid")
    OVERRIDES = ("overrides", "storyboard overrides changed")
    REQUESTED = ("requested", "replacement requested (--replace)")
    DRAFT = ("draft", "rendered as a draft")
    REMOVED = ("removed", "in a `removed` block: vidflow forgets it; the story and its "
                          "video stay")

    def __init__(self, key: str, sentence: str) -> None:
        self.key = key
        self.sentence = sentence

    @classmethod
    def from_key(cls, key: str) -> Reason:
        return _member_by_key(cls, key, "reason")


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: `path` like "title" or "params.audio_option.narrator"."""

    path: str
    before: Any
    after: Any
    forces_replacement: bool = False


@dataclass(frozen=True)
class Change:
    address: str
    action: Action
    reasons: tuple[Reason, ...]
    before: LockEntry | None
    after: ResolvedStory | None
    fields: tuple[FieldChange, ...] = ()
    moved_from: str | None = None
    deposed: str | None = None  # DELETE of this older story id at `address`
    # What the executor acts on (see the module docstring); the planner sets them.
    resume: bool = False
    metadata_changed: bool = False
    output_moved: bool = False
    replay: Intent | None = None  # the unanswered paid call to send again with its key
    # a storyboard regenerate: (scenes re-rendered, numbered from 1; scenes in the story)
    scenes: tuple[tuple[int, ...], int] | None = None

    @property
    def story_id(self) -> str | None:
        """The story this change acts on (None for a create, even a create-again)."""
        if self.deposed:
            return self.deposed
        if self.action is Action.CREATE or self.before is None:
            return None
        return self.before.story_id

    def to_json(self) -> dict[str, Any]:
        """The change as JSON; a no-op carries its `before` but no `after` (nothing to apply)."""
        noop = self.action is Action.NOOP
        return {
            "address": self.address,
            "action": self.action.key,
            "symbol": self.action.symbol,
            "reasons": [r.key for r in self.reasons],
            "reason_text": [r.sentence for r in self.reasons],
            "fields": [
                {"path": f.path, "before": f.before, "after": f.after,
                 "forces_replacement": f.forces_replacement}
                for f in self.fields
            ],
            "moved_from": self.moved_from,
            "deposed": self.deposed,
            "resume": self.resume,
            "metadata_changed": self.metadata_changed,
            "output_moved": self.output_moved,
            "replay": self.replay.to_json() if self.replay else None,
            "scenes": ({"rerendered": list(self.scenes[0]), "count": self.scenes[1]}
                       if self.scenes else None),
            "story_id": self.story_id,
            "before": self.before.to_json() if self.before else None,
            "after": story_to_json(self.after) if self.after and not noop else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        missing = [key for key in _FLAGS if key not in data]
        if missing:
            # Plans saved before the flags existed said it only in their reasons, which
            # the executor no longer reads: such a plan is made again, not guessed at.
            raise PlanError(f"the plan was saved by an older vidflow (no {missing[0]!r} in "
                            f"the change for {data.get('address')!r})",
                            hint="run vidflow plan again")
        return cls(
            address=data["address"],
            action=Action.from_key(data["action"]),
            reasons=tuple(Reason.from_key(k) for k in data.get("reasons", ())),
            before=LockEntry.from_json(data["before"]) if data.get("before") else None,
            after=story_from_json(data["after"]) if data.get("after") else None,
            fields=tuple(FieldChange(f["path"], f["before"], f["after"],
                                     bool(f["forces_replacement"]))
                         for f in data.get("fields", ())),
            moved_from=data.get("moved_from"),
            deposed=data.get("deposed"),
            replay=Intent.from_json(data["replay"]) if data.get("replay") else None,
            scenes=((tuple(data["scenes"]["rerendered"]), int(data["scenes"]["count"]))
                    if data.get("scenes") else None),
            **{key: _flag(data, key) for key in _FLAGS},
        )


_FLAGS = ("resume", "metadata_changed", "output_moved")


def _flag(data: dict[str, Any], key: str) -> bool:
    value = data[key]
    if not isinstance(value, bool):
        raise PlanError(f"{key!r} of the change for {data.get('address')!r} is not true or "
                        "false", hint="run vidflow plan again")
    return value


# The summary line's fixed part (Terraform's order), then the extra counts when non-zero.
_SUMMARY_FIXED = (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE)
_SUMMARY_EXTRA = (Action.REGENERATE, Action.MOVE, Action.RESUME, Action.UNKNOWN,
                  Action.FORGET)


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    lock_serial: int
    lock_lineage: str
    spec_digest: str
    errors: tuple[str, ...] = ()
    provider: ProviderConfig | None = None
    # Saved plans: the project folder (or spec file) it was made for, relative to the plan
    # file's folder, posix; `vidflow apply plan.json` loads the specs from there.
    project: str | None = None
    # credits per change and in total (vidflow.plan.cost.estimate; made with the plan)
    cost: Cost | None = None

    @property
    def has_changes(self) -> bool:
        return any(c.action is not Action.NOOP for c in self.changes)

    @property
    def pending(self) -> tuple[Change, ...]:
        """The changes that do something (no-ops left out)."""
        return tuple(c for c in self.changes if c.action is not Action.NOOP)

    def counts(self) -> Counter[Action]:
        return Counter(c.action for c in self.changes)

    def change_for(self, address: str) -> Change | None:
        """The address's own change (not a deposed-story delete)."""
        for change in self.changes:
            if change.address == address and change.deposed is None:
                return change
        return None

    def summary(self) -> str:
        """"Plan: 2 to create, 1 to update, 1 to replace, 0 to delete." (+ extras if any)."""
        counts = self.counts()
        parts = [f"{counts[a]} to {a.verb}" for a in _SUMMARY_FIXED]
        parts += [f"{counts[a]} to {a.verb}" for a in _SUMMARY_EXTRA if counts[a]]
        return "Plan: " + ", ".join(parts) + "."

    def to_json(self) -> dict[str, Any]:
        """A stable document: every change, counts, and what a later apply needs."""
        counts = self.counts()
        return scrub_urls_in({
            "format_version": PLAN_FORMAT_VERSION,
            "lock_serial": self.lock_serial,
            "lock_lineage": self.lock_lineage,
            "spec_digest": self.spec_digest,
            "project": self.project,
            "provider": asdict(self.provider) if self.provider else None,
            "has_changes": self.has_changes,
            "errors": list(self.errors),
            "summary": self.summary(),
            "counts": {a.key: counts[a] for a in Action},
            "cost": self.cost.to_json() if self.cost else None,
            "changes": [self._change_json(c) for c in self.changes],
        })  # plans are posted as PR comments and saved: no URL credential in either

    def _change_json(self, change: Change) -> dict[str, Any]:
        data = change.to_json()
        if self.cost is not None:
            data["credits"] = self.cost.of(change)
        return data

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        if not isinstance(data, dict):
            raise PlanError("a plan file holds a JSON object", hint="run vidflow plan again")
        version = data.get("format_version")
        if version != PLAN_FORMAT_VERSION:
            raise PlanError(f"plan format version {version!r} is not {PLAN_FORMAT_VERSION}",
                            hint="run vidflow plan again")
        from vidflow.plan.cost import Cost

        provider = data.get("provider")
        return cls(
            changes=tuple(Change.from_json(c) for c in data["changes"]),
            lock_serial=int(data["lock_serial"]),
            lock_lineage=str(data["lock_lineage"]),
            spec_digest=str(data["spec_digest"]),
            errors=tuple(data.get("errors", ())),
            provider=ProviderConfig(**provider) if provider else None,
            project=data.get("project"),
            cost=Cost.from_json(data["cost"]) if data.get("cost") else None,
        )


def story_to_json(story: ResolvedStory) -> dict[str, Any]:
    """A resolved story's full form (everything a later apply needs but the webhook URL,
    redacted); shallow, no copies but of params holding a webhook URL."""
    data = {f.name: getattr(story, f.name) for f in _STORY_FIELDS}
    data["lifecycle"] = {"prevent_destroy": story.lifecycle.prevent_destroy}
    for name in _LOCATION_FIELDS:
        data[name] = str(data[name]) if data[name] else None
    if data.get("webhook_url"):
        data["webhook_url"] = REDACTED
    if story.params.get("webhook_url"):
        data["params"] = {**story.params, "webhook_url": REDACTED}
    return data


def story_from_json(data: dict[str, Any]) -> ResolvedStory:
    values = {k: v for k, v in data.items() if k in _STORY_NAMES}
    values["lifecycle"] = Lifecycle(**(values.get("lifecycle") or {}))
    for name in _LOCATION_FIELDS & values.keys():
        values[name] = _location(values[name])
    return ResolvedStory(**values)


_STORY_NAMES = frozenset(f.name for f in _STORY_FIELDS)


def with_live_webhooks(plan: Plan, stories: Mapping[str, ResolvedStory]) -> Plan:
    """The plan with each redacted webhook URL taken back from the specs' story."""
    changes = []
    for change in plan.changes:
        after = change.after
        if after is not None and (after.webhook_url or after.params.get("webhook_url")):
            live = stories.get(change.address)
            url = live.webhook_url if live else None
            params = {k: v for k, v in after.params.items() if k != "webhook_url"}
            if live is not None and live.params.get("webhook_url"):
                params["webhook_url"] = live.params["webhook_url"]
            change = replace(change, after=replace(after, webhook_url=url, params=params))
        changes.append(change)
    return replace(plan, changes=tuple(changes))


def _location(text: str | None) -> Location | None:
    if not text:
        return None
    file, _, rest = text.rpartition(":")
    file, _, line = file.rpartition(":")
    try:
        return Location(file, int(line), int(rest))
    except ValueError:
        return None
