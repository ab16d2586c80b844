"""Saved plans: applied later only if neither the specs nor the lockfile moved on."""

from __future__ import annotations

import pytest
from plan_helpers import applied, empty_lock, project, story

from vidflow.errors import PlanError
from vidflow.plan.planfile import load_plan, read_plan, save_plan
from vidflow.plan.planner import make_plan
from vidflow.state.lockfile import read_lockfile, write_lockfile


@pytest.fixture
def saved(tmp_path):
    lock = write_lockfile(tmp_path / "vidflow.lock", applied(project(story("a"))))
    proj = project(story("a", title="New"), story("b"))
    plan = make_plan(proj, lock)
    save_plan(tmp_path / "plan.json", plan)
    return tmp_path, proj, plan


def test_saved_plan_loads_back_equal(saved):
    folder, proj, plan = saved
    loaded = load_plan(folder / "plan.json", proj, read_lockfile(folder / "vidflow.lock"))
    assert loaded.to_json() == plan.to_json()
    assert loaded.change_for("b").after == proj.stories["b"]


def test_refused_when_the_lockfile_changed(saved):
    folder, proj, _ = saved
    lock = write_lockfile(folder / "vidflow.lock", read_lockfile(folder / "vidflow.lock"))
    with pytest.raises(PlanError, match=r"lockfile changed.*run vidflow plan again"):
        load_plan(folder / "plan.json", proj, lock)


def test_refused_when_the_specs_changed(saved):
    folder, _, _ = saved
    other = project(story("a", title="Newer"), story("b"))
    with pytest.raises(PlanError, match=r"specs changed.*run vidflow plan again"):
        load_plan(folder / "plan.json", other, read_lockfile(folder / "vidflow.lock"))


def test_refused_for_another_lockfile(saved):
    folder, proj, _ = saved
    lock = read_lockfile(folder / "vidflow.lock")
    other = type(lock)(serial=lock.serial, entries=lock.entries)  # fresh lineage
    with pytest.raises(PlanError, match="another lockfile"):
        load_plan(folder / "plan.json", proj, other)


def test_plan_made_before_the_first_lockfile_still_applies(tmp_path):
    """No lockfile yet: serial 0, lineage "" on both sides."""
    proj = project(story("a"))
    save_plan(tmp_path / "plan.json", make_plan(proj, read_lockfile(tmp_path / "vidflow.lock")))
    load_plan(tmp_path / "plan.json", proj, read_lockfile(tmp_path / "vidflow.lock"))


def test_a_plan_with_errors_is_not_saved(tmp_path):
    plan = make_plan(project(story("a")), empty_lock(), targets=["nope"])
    with pytest.raises(PlanError, match="nope"):
        save_plan(tmp_path / "plan.json", plan)
    assert not (tmp_path / "plan.json").exists()


@pytest.mark.parametrize("text", ["", "{", "[]", '{"format_version": 1}'])
def test_garbage_is_a_clear_error(tmp_path, text):
    (tmp_path / "plan.json").write_text(text)
    with pytest.raises(PlanError, match=r"plan.json.*run vidflow plan again"):
        read_plan(tmp_path / "plan.json")


def test_missing_file(tmp_path):
    with pytest.raises(PlanError, match="no such plan file"):
        read_plan(tmp_path / "nope.json")
