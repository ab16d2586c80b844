"""The human rendering of a plan."""

from __future__ import annotations

from plan_helpers import applied, empty_lock, project, story
from rich.console import Console

from vidflow.plan.planner import make_plan
from vidflow.plan.render import NO_CHANGES, render_plan


def plain(markup: str) -> str:
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(markup, markup=True, soft_wrap=True)
    return console.export_text()


def test_each_change_has_its_symbol_address_and_reason():
    lock = applied(project(story("gone"), story("edit")))
    text = plain(render_plan(make_plan(project(story("p[tone=fun]"), story("edit", title="T2")),
                                       lock)))
    assert "  + p[tone=fun]" in text  # brackets in addresses survive rich markup
    assert "  ~ edit (story " in text
    assert "  - gone (story " in text
    assert "# new address in the specs" in text
    assert 'title: "Title" → "T2"' in text
    summary, cost = text.rstrip().splitlines()[-2:]
    assert summary == "Plan: 1 to create, 1 to update, 0 to replace, 1 to delete."
    assert cost.startswith("Estimated cost: ") and "exact" in cost


def test_a_plan_that_pays_for_nothing_says_so_without_a_price_basis():
    lock = applied(project(story("gone"), story("edit")))
    text = plain(render_plan(make_plan(project(story("edit", title="T2")), lock)))
    summary, cost = text.rstrip().splitlines()[-2:]
    assert summary == "Plan: 0 to create, 1 to update, 0 to replace, 1 to delete."
    assert cost == "Cost: nothing to pay (no change here is charged)"


def test_replace_marks_the_field_that_forces_it():
    lock = applied(project(story("a", idea="snow")))
    text = plain(render_plan(make_plan(project(story("a", idea="rain")), lock)))
    assert "-/+ a" in text
    assert 'params.idea: "snow" → "rain" # forces replacement' in text


def test_no_changes():
    proj = project(story("a"))
    assert plain(render_plan(make_plan(proj, applied(proj)))).strip() == NO_CHANGES


def test_errors_are_listed():
    lock = applied(project(story("keep", prevent_destroy=True)))
    text = plain(render_plan(make_plan(project(), lock)))
    assert "apply refuses it" in text and "prevent_destroy" in text
    assert NO_CHANGES not in text


def test_long_values_are_shortened():
    plan = make_plan(project(story("a", title="x" * 500)), applied(project(story("a"))))
    line = next(x for x in plain(render_plan(plan)).splitlines() if "title:" in x)
    assert len(line) < 200 and line.endswith("…")


def test_markup_in_user_text_is_not_interpreted():
    plan = make_plan(project(story("a", title="[red]boom[/red]")), empty_lock())
    lock = applied(project(story("a")))
    plan = make_plan(project(story("a", title="[red]boom[/red]")), lock)
    assert "[red]boom[/red]" in plain(render_plan(plan))


def test_create_again_names_the_story_it_replaces():
    lock = applied(project(story("a")))
    text = plain(render_plan(make_plan(project(story("a")), lock, {"a": None})))
    assert f"+ a (was story {lock.entries['a'].story_id})" in text
    assert "# story deleted outside vidflow (404 on refresh)" in text
