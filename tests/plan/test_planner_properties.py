"""Properties of the planner over generated projects, lockfiles and refresh results."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plan_helpers import applied, empty_lock, project, story

from vidflow.api.models import StoryRecord
from vidflow.apply.simulate import simulate_apply
from vidflow.plan.model import Action, Plan
from vidflow.plan.planner import make_plan, story_name
from vidflow.spec.model import Project
from vidflow.state.lockfile import Lockfile

NAMES = ["promo", "teaser", "launch"]
VARIANTS = ["", "[tone=fun]", "[tone=sad]"]

addresses = st.sampled_from([n + v for n in NAMES for v in VARIANTS])


@st.composite
def stories(draw, address):
    mode = draw(st.sampled_from(["idea", "storyboard"]))
    board = {"scenes": draw(st.sampled_from([["one"], ["two"]]))} if mode == "storyboard" else None
    return story(
        address,
        draw(st.sampled_from(["snow", "rain", "sun"])),
        mode=mode,
        storyboard=board,
        title=draw(st.sampled_from(["A", "B"])),
        visibility=draw(st.sampled_from(["0", "2"])),
        output=draw(st.sampled_from(["", f"out/{address}.mp4"])),
        scene_count=draw(st.integers(1, 3)),
    )


@st.composite
def projects(draw):
    chosen = draw(st.lists(addresses, unique=True, max_size=6))
    return project(*[draw(stories(a)) for a in chosen])


@st.composite
def remote_for(draw, lock: Lockfile):
    """A refresh result: some entries gone, failed, still processing, or drifted."""
    remote: dict[str, StoryRecord | None] = {}
    for address in draw(st.lists(st.sampled_from(sorted(lock.entries) or ["x"]), unique=True)):
        entry = lock.entries.get(address)
        if entry is None:
            continue
        kind = draw(st.sampled_from(["gone", "fail", "processing", "success", "drift"]))
        if kind == "gone":
            remote[address] = None
        else:
            status = "success" if kind == "drift" else kind
            title = "drifted" if kind == "drift" else entry.title
            remote[address] = StoryRecord(id=entry.story_id, status=status, title=title,
                                          description=entry.description,
                                          visibility_status=entry.visibility_status)
    return remote


@st.composite
def interrupted(draw, lock: Lockfile):
    """The lockfile an interrupted apply may leave: unfinished, undownloaded, deposed."""
    entries = dict(lock.entries)
    for address in draw(st.lists(st.sampled_from(sorted(entries) or ["x"]), unique=True)):
        if address not in entries:
            continue
        kind = draw(st.sampled_from(["new", "processing", "fail", "undownloaded", "deposed"]))
        entry = entries[address]
        if kind == "undownloaded":
            entries[address] = replace(entry, output_sha256=None)
        elif kind == "deposed":
            entries[address] = replace(entry, deposed=["older-story"])
        else:
            # As the executor leaves it (transitions.started): a story whose create or
            # regenerate call returned has no downloaded video until it finishes.
            entries[address] = replace(entry, status=kind, output_sha256=None)
    return replace(lock, entries=entries)


def shuffled(proj: Project, lock: Lockfile, seed: int) -> tuple[Project, Lockfile]:
    rng = random.Random(seed)
    items = list(proj.stories.items())
    rng.shuffle(items)
    entries = list(lock.entries.items())
    rng.shuffle(entries)
    return replace(proj, stories=dict(items)), replace(lock, entries=dict(entries))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=projects(), after=projects(), data=st.data())
def test_applying_a_plan_then_planning_again_changes_nothing(before, after, data):
    """Whatever the lockfile and refresh say, a successful apply converges in one step."""
    lock = data.draw(interrupted(applied(before)))
    remote = data.draw(remote_for(lock))
    plan = make_plan(after, lock, remote)
    assert not plan.errors
    next_lock = simulate_apply(plan, lock)
    again = make_plan(after, next_lock)
    assert not again.has_changes, [c for c in again.pending]
    assert sorted(next_lock.entries) == sorted(after.stories)
    assert not any(e.deposed for e in next_lock.entries.values())


@settings(max_examples=100, deadline=None)
@given(before=projects(), after=projects(), seed=st.integers(0, 2**32))
def test_plans_do_not_depend_on_file_or_key_order(before, after, seed):
    lock = applied(before)
    plan = make_plan(after, lock)
    other = make_plan(*shuffled(after, lock, seed))
    assert other.to_json() == plan.to_json()


@settings(max_examples=100, deadline=None)
@given(proj=projects(), data=st.data())
def test_a_rename_through_moved_never_creates_or_deletes(proj, data):
    """Exact addresses, or bare story names moving every variant of the story."""
    lock = applied(proj)
    exact = {a: "renamed-" + a for a in data.draw(
        st.lists(st.sampled_from(sorted(proj.stories) or ["x"]), unique=True))
        if a in proj.stories and "[" in a}
    names = set(data.draw(st.lists(st.sampled_from(NAMES), unique=True))) - {
        story_name(a) for a in exact}
    renames = {a: "moved-" + a for a in proj.stories if story_name(a) in names} | exact
    moved_stories = [replace(s, address=renames.get(s.address, s.address))
                     for s in proj.stories.values()]
    blocks = tuple(exact.items()) + tuple((n, "moved-" + n) for n in sorted(names))
    renamed = project(*moved_stories, moved=blocks)
    plan = make_plan(renamed, lock)
    assert not plan.errors
    kinds = {c.action for c in plan.changes}
    assert Action.CREATE not in kinds and Action.DELETE not in kinds
    assert {c.address: c.moved_from for c in plan.changes if c.moved_from} == {
        new: old for old, new in renames.items()}
    assert all(c.action is Action.MOVE for c in plan.changes if c.moved_from)


@settings(max_examples=100, deadline=None)
@given(before=projects(), after=projects(), data=st.data())
def test_plan_json_round_trips(before, after, data):
    lock = applied(before)
    plan = make_plan(after, lock, data.draw(remote_for(lock)))
    assert Plan.from_json(plan.to_json()).to_json() == plan.to_json()


@settings(deadline=None)
@given(proj=projects())
def test_first_plan_creates_every_story(proj):
    plan = make_plan(proj, empty_lock())
    assert [c.address for c in plan.changes] == sorted(proj.stories)
    assert all(c.action is Action.CREATE for c in plan.changes)
