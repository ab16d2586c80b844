"""The intent log: what a paid call was about to do, written before it is sent.

Before every paid POST (a create, a replace's create, a regenerate's scenes and videos)
the executor records an `Intent` in the lockfile, atomically; the answer (the story id)
is recorded in the same write that clears it. So a kill at any instant leaves either no
intent, or an intent whose answer is recorded, or an intent without an answer: "unknown,
may have been paid". With a provider that honours idempotency keys the next apply sends
the same request again with the same key and gets the very same story back; without one
the plan asks a person (`vidflow import`, or `vidflow state forget-intent`).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from vidflow.spec.canonical import canonical_json, sha256_text
from vidflow.spec.model import ResolvedStory

OPERATIONS = ("create", "replace", "regenerate")
CREATE, REPLACE, REGENERATE = OPERATIONS


@dataclass(frozen=True)
class Intent:
    operation: str  # one of OPERATIONS
    key: str  # the Idempotency-Key of its paid POSTs (sub-steps add "/<step>")
    digest: str  # what was asked (request_digest): a replay must ask the same
    at: str  # when it was written (UTC, ISO 8601)
    provider: str  # the provider's identity (as the lockfile records it)
    replayable: bool  # the provider announced that it honours idempotency keys
    story_id: str | None = None  # regenerate: its story; replace: the story it replaces

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Intent:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def request_digest(story: ResolvedStory) -> str:
    """What a paid call for `story` asks for: the generation inputs and the title."""
    return sha256_text(canonical_json({"fingerprint": story.fingerprint,
                                       "storyboard": story.storyboard_fingerprint,
                                       "overrides": story.overrides_fingerprint,
                                       "mode": story.mode, "title": story.title}))


def without_overrides(story: ResolvedStory) -> ResolvedStory:
    """The story as the engine generates it, before its overrides (a create sends no
    storyboard; a planned one for a regenerate is dropped too)."""
    if not story.overrides:
        return story
    return replace(story, overrides=None, overrides_fingerprint=None,
                   storyboard=None if story.mode != "storyboard" else story.storyboard)


def as_sent(operation: str, story: ResolvedStory) -> ResolvedStory:
    """What a paid call of `operation` asks for `story`: a create (a replace's too) makes
    the story as the engine generates it, its overrides following as a regenerate of
    their own; a regenerate sends them. An intent's digest is of this."""
    return without_overrides(story) if operation in (CREATE, REPLACE) else story


def new_intent(operation: str, story: ResolvedStory, *, provider: str, replayable: bool,
               story_id: str | None = None) -> Intent:
    assert operation in OPERATIONS
    return Intent(operation=operation, key=uuid.uuid4().hex, digest=request_digest(story),
                  at=datetime.now(UTC).isoformat(timespec="seconds"), provider=provider,
                  replayable=replayable, story_id=story_id)


def undecided_message(address: str) -> str:
    """What a person is asked when an unanswered paid call cannot be replayed."""
    return (f"a paid call for {address} was cut off before its answer, and this provider "
            "cannot be asked whether it made the story: it may exist and may have been "
            f"paid. If you find it: `vidflow import '{address}' STORY_ID`; to create it "
            f"again (paying again if it was made): `vidflow state forget-intent '{address}'`")
