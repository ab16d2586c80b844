"""Saved plans never hold a webhook URL (it carries tokens); loading one restores it from
the specs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from plan_helpers import empty_lock, project, story

from vidflow.plan.planfile import load_plan, save_plan
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
