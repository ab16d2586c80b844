"""Every paid call is written down before it is sent and ended with its answer: an answer
lost in flight is replayed with the same idempotency key (the same story, no second
charge) where the provider honours keys, and otherwise waits for a person's decision."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apply_fakes import FakeProvider, story

from vidflow.apply.executor import Executor
from vidflow.apply.recorder import LockRecorder
from vidflow.apply.steps import Kind, steps_from_plan
from vidflow.errors import ApiConnectionError, InsufficientCredit, ServerError
from vidflow.plan.model import Action, Reason
from vidflow.plan.planner import make_plan
from vidflow.spec.model import Project, ProviderConfig
from vidflow.state.lockfile import lockfile_path, read_lockfile


def _project(root: Path, *stories) -> Project:
    return Project(root=str(root), provider=ProviderConfig(),
                   stories={s.address: s for s in stories})


def _apply(root: Path, provider, *stories):
    project = _project(root, *stories)
    lock = read_lockfile(lockfile_path(root))
    plan = make_plan(project, lock)
    recorder = LockRecorder(lockfile_path(root), lock, provider.identity)
    result = Executor(provider, recorder, root, parallelism=1).run(steps_from_plan(plan))
    return plan, result, read_lockfile(lockfile_path(root))


class LosesAnswers(FakeProvider):
    """Makes the story, then the answer never arrives (a timeout, a killed connection)."""

    def __init__(self, lose: int = 1, *, error: Exception | None = None, **kw) -> None:
        super().__init__(**kw)
        self.lose = lose
        self.error = error or _lost()
        self.keys_seen: list[str | None] = []
        self.intents_seen: list[dict] = []

    def create(self, story, *, idempotency_key=None):
        self.keys_seen.append(idempotency_key)
        doc = json.loads(Path(self.root, "vidflow.lock").read_text())
        self.intents_seen.append(doc.get("intents", {}))
        record = super().create(story, idempotency_key=idempotency_key)
        if self.lose > 0:
            self.lose -= 1
            raise self.error
        return record


def _lost() -> ApiConnectionError:
    return ApiConnectionError("POST /story/idea-2-video: timed out waiting for the response")


def test_the_intent_is_in_the_lockfile_before_the_call_and_gone_with_its_answer(
        tmp_path: Path) -> None:
    provider = LosesAnswers(lose=0)
    provider.root = tmp_path
    _, result, lock = _apply(tmp_path, provider, story("a"))
    assert result.ok
    (seen,) = provider.intents_seen
    assert seen["a"]["operation"] == "create" and seen["a"]["key"] == provider.keys_seen[0]
    assert lock.intents == {} and lock.entries["a"].story_id == "s1"


def test_a_lost_answer_is_replayed_with_its_key_for_one_story(tmp_path: Path) -> None:
    provider = LosesAnswers(lose=1)
    provider.root = tmp_path
    _, first, lock = _apply(tmp_path, provider, story("a"))
    assert not first.ok and "a" in lock.intents and "a" not in lock.entries

    plan, second, lock = _apply(tmp_path, provider, story("a"))
    (change,) = plan.pending
    assert change.action is Action.RESUME and change.reasons == (Reason.INTENT_REPLAYED,)
    assert change.replay is not None and steps_from_plan(plan)[0].kind is Kind.CREATE
    assert second.ok
    assert provider.keys_seen[0] == provider.keys_seen[1]  # the same key, sent again
    assert len(provider.stories) == 1  # one story made, one paid for
    assert lock.intents == {} and lock.entries["a"].story_id == "s1"
    assert make_plan(_project(tmp_path, story("a")), lock).pending == ()


class Silent(LosesAnswers):
    honours_idempotency_keys = False  # e.g. the hosted API: it never said it keeps keys


def test_without_keys_the_plan_asks_a_person_and_apply_sends_nothing(tmp_path: Path) -> None:
    provider = Silent(lose=1)
    provider.root = tmp_path
    _apply(tmp_path, provider, story("a"))
    plan, result, lock = _apply(tmp_path, provider, story("a"))
    (change,) = plan.pending
    assert change.action is Action.UNKNOWN and change.action.symbol == "?"
    assert change.reasons == (Reason.INTENT_UNKNOWN,)
    assert plan.has_changes  # --detailed-exitcode: 2, a change that needs a person
    (outcome,) = result.results
    assert outcome.outcome == "undecided" and not result.ok
    assert "vidflow import 'a' STORY_ID" in outcome.message
    assert "vidflow state forget-intent 'a'" in outcome.message
    assert len(provider.keys_seen) == 1  # nothing sent again
    assert "a" in lock.intents


@pytest.mark.parametrize("error", [InsufficientCredit("no credit"),
                                   ApiConnectionError("refused")])
def test_a_call_refused_before_any_work_ends_its_intent(tmp_path: Path, error) -> None:
    if isinstance(error, ApiConnectionError):
        error.sent = False  # the connection was refused: provably never sent

    class Refuses(FakeProvider):
        def create(self, story, *, idempotency_key=None):
            raise error

    _, result, lock = _apply(tmp_path, Refuses(), story("a"))
    assert not result.ok and lock.intents == {}
    assert make_plan(_project(tmp_path, story("a")), lock).pending[0].action is Action.CREATE


@pytest.mark.parametrize("error", [ServerError("500"), _lost()])
def test_a_call_that_may_have_been_acted_on_keeps_its_intent(tmp_path: Path, error) -> None:
    provider = LosesAnswers(lose=1, error=error)
    provider.root = tmp_path
    _, _, lock = _apply(tmp_path, provider, story("a"))
    assert "a" in lock.intents


def test_an_intent_for_a_spec_that_changed_since_asks_a_person(tmp_path: Path) -> None:
    """Replaying the key with another request would be refused (422): the first call may
    still have made a story, so a person decides."""
    provider = LosesAnswers(lose=1)
    provider.root = tmp_path
    _apply(tmp_path, provider, story("a"))
    plan, _, _ = _apply(tmp_path, provider, story("a", idea="another idea"))
    assert plan.pending[0].action is Action.UNKNOWN


def test_a_replace_and_a_regenerate_are_logged_too(tmp_path: Path) -> None:
    provider = LosesAnswers(lose=0)
    provider.root = tmp_path
    _apply(tmp_path, provider, story("a"))
    provider.lose = 1
    _, _, lock = _apply(tmp_path, provider, story("a", idea="a new idea"))
    intent = lock.intents["a"]
    assert intent.operation == "replace" and intent.story_id == "s1"
    plan, result, lock = _apply(tmp_path, provider, story("a", idea="a new idea"))
    assert plan.pending[0].replay == intent and result.ok
    assert lock.entries["a"].story_id == "s2" and lock.intents == {}
