"""What the executor does, one Step per address: a small closed set, independent of how
the planner words its reasons (reasons are for people; the executor never reads them)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from vidflow.plan.model import Action, Change, Plan
from vidflow.spec.model import ResolvedStory
from vidflow.state.intents import Intent


class Kind(StrEnum):
    CREATE = "create"  # new story, wait, download
    RESUME = "resume"  # a story an interrupted apply left processing: wait, download
    UPDATE = "update"  # metadata only: PUT
    REGENERATE = "regenerate"  # pinned storyboard changed: scenes + videos on the same story
    REPLACE = "replace"  # new story, wait, download, then delete the old one
    DELETE = "delete"  # DELETE the story
    MOVE = "move"  # rename the lockfile entry only, no API call
    FORGET = "forget"  # drop the lockfile entry only (`removed:`), no API call
    DECIDE = "decide"  # an unanswered paid call that cannot be replayed: a person decides

    @property
    def creates(self) -> bool:
        """Steps that spend credits on generation (402 stops these)."""
        return self in (Kind.CREATE, Kind.REPLACE, Kind.REGENERATE)


@dataclass(frozen=True)
class Step:
    address: str
    kind: Kind
    story: ResolvedStory | None = None  # the desired story (None for delete)
    story_id: str | None = None  # the existing story, when there is one
    moved_from: str | None = None  # lockfile entry to rename to `address` first
    update_metadata: bool = False  # also PUT title/description/visibility
    deposed: tuple[str, ...] = ()  # older stories at this address, deleted after success
    output_changed: bool = False  # UPDATE: the video moves to the spec's new output path
    old_output: str | None = None  # where the locked video is now (relative)
    old_sha256: str | None = None
    replay: Intent | None = None  # send the paid call again under this unanswered intent
    # REGENERATE of a generated story: the storyboard recorded before its overrides
    base_storyboard: dict[str, Any] | None = None



_REPLAYED = {"create": Kind.CREATE, "replace": Kind.REPLACE, "regenerate": Kind.REGENERATE}


def _replay_step(change: Change, deposed: tuple[str, ...]) -> Step:
    """The interrupted paid call again, with its intent's key: the provider answers with
    the story the first call made (no second charge), and the step goes on from there."""
    intent, story = change.replay, change.after
    assert intent is not None and story is not None
    kind = _REPLAYED[intent.operation]
    put = _needs_put_after_create(story) if kind is not Kind.REGENERATE else False
    return Step(change.address, kind, story, intent.story_id, change.moved_from, put,
                deposed, replay=intent)


def _needs_put_after_create(story: ResolvedStory) -> bool:
    """Create calls take a title only; description and visibility need a PUT after."""
    return bool(story.description) or story.visibility_status != "0"


def steps_from_plan(plan: Plan) -> list[Step]:
    """The executor's steps for a plan: one per address, deposed deletes folded in.

    A DELETE of a deposed story (left by an interrupted replace) runs after its address's
    own step succeeds, so it rides on that step; alone, it is a delete of that id only.
    """
    deposed: dict[str, list[str]] = {}
    for change in plan.pending:
        if change.deposed:
            deposed.setdefault(change.address, []).append(change.deposed)
    steps = []
    for change in plan.pending:
        if change.deposed:
            continue
        step = _step_for(change, tuple(deposed.pop(change.address, ())))
        steps.append(step)
    for address, ids in sorted(deposed.items()):
        steps.append(Step(address, Kind.DELETE, story_id=ids[-1], deposed=tuple(ids[:-1])))
    return steps


def _step_for(change: Change, deposed: tuple[str, ...]) -> Step:
    action, story = change.action, change.after
    before_id = change.before.story_id if change.before else None
    if change.replay is not None:
        return _replay_step(change, deposed)
    if action is Action.UNKNOWN:
        return Step(change.address, Kind.DECIDE, story, before_id)
    if action is Action.CREATE:
        assert story is not None
        return Step(change.address, Kind.CREATE, story, None, change.moved_from,
                    _needs_put_after_create(story),
                    deposed + ((before_id,) if before_id else ()))
    kind = {
        Action.UPDATE: Kind.UPDATE, Action.REPLACE: Kind.REPLACE,
        Action.REGENERATE: Kind.REGENERATE, Action.DELETE: Kind.DELETE,
        Action.MOVE: Kind.MOVE, Action.RESUME: Kind.RESUME, Action.FORGET: Kind.FORGET,
    }[action]
    put = change.metadata_changed
    if kind is Kind.UPDATE and change.resume:
        # Still running (or not downloaded yet): finish it first, the PUT rides along.
        kind = Kind.RESUME
    if kind is Kind.REPLACE and story is not None:
        put = put or _needs_put_after_create(story)
    before = change.before
    return Step(change.address, kind, story, before_id, change.moved_from, put, deposed,
                output_changed=change.output_moved,
                old_output=before.output if before else None,
                old_sha256=before.output_sha256 if before else None,
                base_storyboard=before.storyboard if before and kind is Kind.REGENERATE
                else None)
