"""Saved plans record their project and never hold a webhook URL."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from plan_helpers import empty_lock, project, story

from vidflow.plan.planfile import load_plan, plan_project, read_plan, save_plan
from vidflow.plan.planner import make_plan
from vidflow.state.lockfile import write_lockfile

HOOK = "https://hooks.example.com/x?token=s3cr3t"


def hooked(address: str, url: str = HOOK):
    s = story(address, webhook_url=url)
    return replace(s, webhook_url=url)


def test_webhook_urls_are_redacted_and_restored_from_the_specs(tmp_path: Path):
    proj = project(hooked("a"), story("b"))
    lock = write_lockfile(tmp_path / "vidflow.lock", empty_lock())
    plan = make_plan(proj, lock)
    assert "s3cr3t" not in plan.dumps()
    save_plan(tmp_path / "plan.json", plan)
    assert "s3cr3t" not in (tmp_path / "plan.json").read_text()
    loaded = load_plan(tmp_path / "plan.json", proj, lock)
    after = loaded.change_for("a").after
    assert after.webhook_url == HOOK and after.params["webhook_url"] == HOOK
    assert after == proj.stories["a"]
    assert loaded.change_for("b").after == proj.stories["b"]


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
