"""The executor decides from a Change's action and explicit flags, never from its reasons
(reasons are for people, as Terraform's ActionReason)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plan_helpers import applied, project, story
from test_planner_properties import interrupted, projects, remote_for

from vidflow.apply.steps import Kind, steps_from_plan
from vidflow.errors import PlanError
from vidflow.plan.model import Action, Change, FieldChange, Plan, Reason
from vidflow.plan.planner import make_plan


def _without_reasons(plan: Plan, reasons: tuple[Reason, ...] = ()) -> Plan:
    """The plan with every change's reasons replaced (and its fields dropped)."""
    return replace(plan, changes=tuple(replace(c, reasons=reasons, fields=())
                                       for c in plan.changes))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=projects(), after=projects(), data=st.data())
def test_steps_do_not_change_when_reasons_are_removed_or_reworded(before, after, data):
    lock = data.draw(interrupted(applied(before)))
    damaged = data.draw(st.sets(st.sampled_from(sorted(lock.entries) or ["x"])))
    plan = make_plan(after, lock, data.draw(remote_for(lock)), damaged=damaged)
    steps = steps_from_plan(plan)
    assert steps_from_plan(_without_reasons(plan)) == steps
    assert steps_from_plan(_without_reasons(plan, (Reason.NEW, Reason.RESUMED))) == steps


def _update(**flags: bool) -> Change:
    before = applied(project(story("promo"))).entries["promo"]
    return Change("promo", Action.UPDATE, (), before, story("promo", title="New"), **flags)


def test_an_update_with_no_reasons_follows_its_flags():
    (step,) = steps_from_plan(_plan(_update()))
    assert (step.kind, step.update_metadata, step.output_changed) == (Kind.UPDATE, False,
                                                                      False)
    (step,) = steps_from_plan(_plan(_update(metadata_changed=True, output_moved=True)))
    assert (step.kind, step.update_metadata, step.output_changed) == (Kind.UPDATE, True, True)
    (step,) = steps_from_plan(_plan(_update(resume=True, metadata_changed=True)))
    assert (step.kind, step.update_metadata) == (Kind.RESUME, True)


def test_reasons_alone_no_longer_turn_an_update_into_a_resume():
    change = replace(_update(), reasons=(Reason.RESUMED, Reason.OUTPUT_DAMAGED),
                     fields=(FieldChange("title", "Title", "New"),))
    (step,) = steps_from_plan(_plan(change))
    assert (step.kind, step.update_metadata) == (Kind.UPDATE, False)


def test_saved_plans_round_trip_the_flags():
    plan = _plan(_update(resume=True, output_moved=True))
    (change,) = Plan.from_json(plan.to_json()).changes
    assert (change.resume, change.metadata_changed, change.output_moved) == (True, False, True)


def test_a_plan_saved_without_the_flags_is_refused_with_the_fix():
    doc = _plan(_update()).to_json()
    del doc["changes"][0]["resume"]
    with pytest.raises(PlanError, match="older vidflow") as info:
        Plan.from_json(doc)
    assert info.value.hint == "run vidflow plan again"


def _plan(change: Change) -> Plan:
    return Plan(changes=(change,), lock_serial=1, lock_lineage="x", spec_digest="d")
