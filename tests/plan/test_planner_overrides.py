"""Storyboard overrides in the planner and the pure merge: a regenerate on the same story,
shown scene by scene, checked against the storyboard the lockfile recorded."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st
from plan_helpers import applied, project, story

from vidflow.plan.model import Action, Reason
from vidflow.plan.planner import make_plan
from vidflow.spec.overrides import (
    apply_overrides,
    board_changes,
    normalized,
    overrides_fingerprint,
    scenes_touched,
)

BOARD = {
    "characters": [{"name": "Fox", "description": "a fox"}],
    "environments": [{"name": "Meadow", "description": "green"}],
    "objects": [],
    "scenes": [{"name": f"s{i}", "narrator": f"line {i}", "image_description": f"view {i}",
                "elements": ["Fox"] if i == 2 else [], "environment": "Meadow" if i == 3
                else "x"} for i in range(1, 6)],
}


def overridden(address: str, overrides: dict | None):
    o = normalized(overrides)
    return replace(story(address), overrides=o, overrides_fingerprint=overrides_fingerprint(o))


def locked(address: str = "a", overrides: dict | None = None):
    """The lockfile after an apply whose engine wrote BOARD, `overrides` applied to it."""
    lock = applied(project(overridden(address, None)))
    o = normalized(overrides)
    entry = replace(lock.entries[address], storyboard=BOARD, overrides=o,
                    overrides_fingerprint=overrides_fingerprint(o))
    return lock.with_entry(address, entry)


def test_a_changed_narration_is_a_regenerate_shown_by_scene():
    lock = locked()
    plan = make_plan(project(overridden("a", {"scenes": {3: {"narrator": "snow"}}})), lock)
    [change] = plan.changes
    assert change.action is Action.REGENERATE and change.reasons == (Reason.OVERRIDES,)
    assert [(f.path, f.before, f.after) for f in change.fields] == [
        ("scenes[3].narrator", "line 3", "snow")]
    assert change.scenes == ((3,), 5)
    assert change.after.fingerprint == lock.entries["a"].fingerprint
    assert not plan.errors


def test_an_element_change_re_renders_the_scenes_showing_it():
    plan = make_plan(project(overridden("a", {"characters": {"Fox": {"description": "red"}},
                                              "environments": {"Meadow": {"description": "w"}}})),
                     locked())
    [change] = plan.changes
    assert {f.path for f in change.fields} == {"characters[Fox].description",
                                               "environments[Meadow].description"}
    assert change.scenes == ((2, 3), 5)


def test_overrides_naming_nothing_are_plan_errors():
    plan = make_plan(project(overridden("a", {"scenes": {6: {"narrator": "x"}},
                                              "objects": {"Jar": {"description": "y"}}})),
                     locked())
    assert any("overrides.scenes.6: the story has 5 scenes" in e for e in plan.errors)
    assert any("overrides.objects.Jar: no object named 'Jar'" in e for e in plan.errors)


def test_an_override_naming_an_element_the_storyboard_lacks_is_a_plan_error():
    """The engine draws only the characters and objects a storyboard has: a mistyped name
    would be paid for and left out. Only the elements the overrides set are checked, and
    an environment is free text (it picks the backdrop by its words)."""
    plan = make_plan(project(overridden("a", {"scenes": {
        2: {"elements": ["Fox", "Foxx"]}, 3: {"environment": "Snowy Pass"},
        4: {"narrator": "y"}, 5: {"elements": ["Meadow"]}}})), locked())
    assert len(plan.errors) == 2, plan.errors
    assert "overrides.scenes.2.elements.1: no character or object named 'Foxx' in the " \
           "storyboard (it has 'Fox'); did you mean 'Fox'?" in plan.errors[0]
    assert "overrides.scenes.5.elements.0: no character or object named 'Meadow'" \
           in plan.errors[1]


def test_the_same_overrides_again_are_no_change_and_none_recorded_none_wanted_too():
    same = {"scenes": {1: {"narrator": "x"}}}
    assert not make_plan(project(overridden("a", same)), locked(overrides=same)).has_changes
    assert not make_plan(project(overridden("a", None)), locked()).has_changes


def test_without_a_recorded_storyboard_the_plan_shows_fingerprints():
    lock = applied(project(overridden("a", None)))  # an older lockfile: no storyboard
    [change] = make_plan(project(overridden("a", {"scenes": {1: {"name": "x"}}})),
                         lock).changes
    assert change.action is Action.REGENERATE
    assert [f.path for f in change.fields] == ["overrides"]


def test_replace_requested_keeps_the_inputs():
    lock = locked()
    plan = make_plan(project(overridden("a", None)), lock, replace_addresses=["a"])
    [change] = plan.changes
    assert change.action is Action.REPLACE and change.reasons == (Reason.REQUESTED,)


def test_removed_forgets():
    lock = locked()
    proj = replace(project(), removed=("a",))
    [change] = make_plan(proj, lock).changes
    assert change.action is Action.FORGET and change.story_id == lock.entries["a"].story_id


_text = st.text(min_size=1, max_size=8)


@given(st.dictionaries(st.integers(1, 5), st.fixed_dictionaries({"narrator": _text}),
                       max_size=5))
def test_merge_changes_exactly_the_overridden_fields(scenes: dict[int, dict]):
    after = apply_overrides(BOARD, normalized({"scenes": scenes}))
    changed = {path for path, _, _ in board_changes(apply_overrides(BOARD, None), after)}
    want = {f"scenes[{n}].narrator" for n, v in scenes.items()
            if v["narrator"] != f"line {n}"}
    assert changed == want
    assert scenes_touched(after, sorted(changed)) == {int(p[7:p.index("]")]) for p in want}
    assert len(after["scenes"]) == 5 and after["characters"] == BOARD["characters"]
