"""The example CI workflow stays in step with the CLI it calls."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml
from lifecycle_helpers import ROOT, vidflow

WORKFLOW = ROOT / "examples" / "ci" / "vidflow.yml"


def _vidflow_calls(workflow: dict) -> list[list[str]]:
    calls = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for line in str(step.get("run", "")).splitlines():
                match = re.search(r"\bvidflow (\w+)([^>|&]*)", line)
                if match and not line.strip().startswith("#"):
                    calls.append([match.group(1), *shlex.split(match.group(2))])
    return calls


def test_workflow_plans_on_pull_requests_and_applies_on_main():
    """Plan with --detailed-exitcode on PRs; apply --auto-approve on main; lock committed."""
    workflow = yaml.safe_load(Path(WORKFLOW).read_text())
    jobs = workflow["jobs"]
    assert "pull_request" in workflow[True]  # PyYAML reads the `on:` key as True
    plan_runs = " ".join(str(s.get("run", "")) for s in jobs["plan"]["steps"])
    apply_runs = " ".join(str(s.get("run", "")) for s in jobs["apply"]["steps"])
    assert "--detailed-exitcode" in plan_runs and 'case "$code" in 0|2)' in plan_runs
    assert "--auto-approve" in apply_runs and "vidflow.lock" in apply_runs
    assert "git push" in apply_runs


def test_every_flag_the_workflow_uses_exists():
    """Each `vidflow <cmd> --flag` in the workflow is accepted by that command's help."""
    calls = _vidflow_calls(yaml.safe_load(Path(WORKFLOW).read_text()))
    assert {c[0] for c in calls} == {"plan", "apply"}
    for name, *args in calls:
        help_text = vidflow(name, "--help").out
        for flag in (a for a in args if a.startswith("--")):
            assert flag in help_text, f"vidflow {name} has no {flag}"
