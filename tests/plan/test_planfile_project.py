"""Saved plans record their project folder relative to the plan file."""

from __future__ import annotations

from pathlib import Path

from plan_helpers import empty_lock, project, story

from vidflow.plan.planfile import plan_project, read_plan, save_plan
from vidflow.plan.planner import make_plan


def test_the_project_is_recorded_relative_to_the_plan_file(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs").mkdir()
    (tmp_path / "plans" / "ci").mkdir(parents=True)
    plan = make_plan(project(story("a")), empty_lock())
    save_plan("plans/ci/p.json", plan, "specs")
    saved = read_plan("plans/ci/p.json")
    assert saved.project == "../../specs"
    assert plan_project("plans/ci/p.json", saved).resolve() == (tmp_path / "specs").resolve()


def test_a_plan_without_a_recorded_project_means_the_current_folder(tmp_path: Path):
    save_plan(tmp_path / "p.json", make_plan(project(story("a")), empty_lock()))
    saved = read_plan(tmp_path / "p.json")
    assert saved.project is None and plan_project(tmp_path / "p.json", saved) == Path(".")
