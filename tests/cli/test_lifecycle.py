"""plan → apply → edit → plan → apply, end to end with the local engine (small renders)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lifecycle_helpers import (
    engine_story_ids,
    lock_entries,
    probe,
    vidflow,
    write_spec,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def project(root: Path) -> Path:
    write_spec(root, {"alpha": ("Alpha", "A fox in a sunny meadow."),
                      "beta": ("Beta", "A small boat on the ocean at night.")})
    return root


def test_the_whole_lifecycle(project: Path):
    """Each edit gets the cheapest action that makes reality match, and nothing more."""
    root = str(project)

    # plan on a new project: two creates, exit 2 with --detailed-exitcode
    planned = vidflow("plan", "--detailed-exitcode", root)
    assert planned.code == 2, planned.err
    assert "+ alpha" in planned.out and "+ beta" in planned.out
    assert "Plan: 2 to create, 0 to update, 0 to replace, 0 to delete." in planned.out

    # apply: real H.264 MP4s and a lockfile with both stories
    applied = vidflow("apply", "--auto-approve", root)
    assert applied.code == 0, applied.out + applied.err
    entries = lock_entries(project)
    assert {a: e["status"] for a, e in entries.items()} == {"alpha": "success",
                                                            "beta": "success"}
    for address in ("alpha", "beta"):
        codec, duration = probe(project / "out" / f"{address}.mp4")
        assert codec == "h264" and duration > 0
        assert entries[address]["output"] == f"out/{address}.mp4"
        assert len(entries[address]["output_sha256"]) == 64
    ids = {a: e["story_id"] for a, e in entries.items()}
    assert engine_story_ids(project) == set(ids.values())

    # plan again: nothing to do, exit 0
    again = vidflow("plan", "--detailed-exitcode", root)
    assert again.code == 0 and "No changes" in again.out

    # a title edit: update in place, same story, no new story in the engine
    write_spec(project, {"alpha": ("Alpha, renamed", "A fox in a sunny meadow."),
                         "beta": ("Beta", "A small boat on the ocean at night.")})
    planned = vidflow("plan", root)
    assert "~ alpha" in planned.out and "Plan: 0 to create, 1 to update" in planned.out
    assert vidflow("apply", "--auto-approve", root).code == 0
    entries = lock_entries(project)
    assert entries["alpha"]["story_id"] == ids["alpha"]
    assert entries["alpha"]["title"] == "Alpha, renamed"
    assert engine_story_ids(project) == set(ids.values())

    # an idea edit: replace; the new story exists, the old one is deleted after
    write_spec(project, {"alpha": ("Alpha, renamed", "A fox in a sunny meadow."),
                         "beta": ("Beta", "A lighthouse on a cliff above the ocean.")})
    planned = vidflow("plan", root)
    assert "-/+ beta" in planned.out and "1 to replace" in planned.out
    assert "params.idea" in planned.out
    assert vidflow("apply", "--auto-approve", root).code == 0
    new_beta = lock_entries(project)["beta"]["story_id"]
    assert new_beta != ids["beta"]
    assert engine_story_ids(project) == {ids["alpha"], new_beta}

    # a rename through `moved`: same story id, no API call that creates anything
    write_spec(project, {"gamma": ("Alpha, renamed", "A fox in a sunny meadow."),
                         "beta": ("Beta", "A lighthouse on a cliff above the ocean.")},
               moved="  - {from: alpha, to: gamma}\n")
    planned = vidflow("plan", "--detailed-exitcode", root)
    assert planned.code == 2 and "gamma" in planned.out and "0 to create" in planned.out
    assert vidflow("apply", "--auto-approve", root).code == 0
    entries = lock_entries(project)
    assert entries["gamma"]["story_id"] == ids["alpha"] and "alpha" not in entries
    # the default output follows the address: the file is moved, not fetched again
    assert entries["gamma"]["output"] == "out/gamma.mp4"
    assert not (project / "out" / "alpha.mp4").exists()
    assert probe(project / "out" / "gamma.mp4")[0] == "h264"
    assert engine_story_ids(project) == {ids["alpha"], new_beta}

    # a story removed from the specs: deleted from the engine and the lockfile
    write_spec(project, {"gamma": ("Alpha, renamed", "A fox in a sunny meadow.")},
               moved="  - {from: alpha, to: gamma}\n")
    planned = vidflow("plan", root)
    assert "- beta" in planned.out and "1 to delete" in planned.out
    assert vidflow("apply", "--auto-approve", root).code == 0
    assert set(lock_entries(project)) == {"gamma"}
    assert engine_story_ids(project) == {ids["alpha"]}

    # show and output read the lockfile
    shown = vidflow("show", root)
    assert "gamma" in shown.out and ids["alpha"] in shown.out and "success" in shown.out
    listed = vidflow("output", root)
    assert listed.out.strip().endswith("out/gamma.mp4")

    # destroy: everything goes
    assert vidflow("destroy", "--auto-approve", root).code == 0
    assert lock_entries(project) == {}
    assert engine_story_ids(project) == set()


def test_apply_refuses_without_approval_when_not_a_terminal(project: Path):
    """No TTY and no --auto-approve: a clear refusal, nothing created."""
    result = vidflow("apply", str(project))
    assert result.code == 1
    assert "refusing to apply without confirmation" in result.err
    assert "--auto-approve" in result.err
    assert not (project / ".vidflow" / "engine" / "engine.sqlite3").exists() or \
        engine_story_ids(project) == set()


def test_ci_variable_refuses_even_on_a_terminal(project: Path, monkeypatch):
    """CI set: apply demands --auto-approve."""
    monkeypatch.setenv("CI", "true")
    result = vidflow("apply", str(project))
    assert result.code == 1 and "CI is set" in result.err


def test_saved_plan_is_refused_once_the_specs_change(project: Path, tmp_path: Path):
    """`apply plan.json` after a spec edit: refused as stale, nothing created."""
    plan_file = tmp_path / "plan.json"
    assert vidflow("plan", "--out", str(plan_file), str(project)).code == 0
    write_spec(project, {"alpha": ("Alpha", "Something else entirely.")})
    result = vidflow("apply", str(plan_file), "--project", str(project))
    assert result.code == 1 and "stale" in result.err and "vidflow plan" in result.err


def test_a_saved_plan_is_one_document(project: Path):
    """`show PLAN.json --json` prints the saved plan: one JSON document of every action
    (`plan --json` streams events instead: tests/cli/test_json_ui.py)."""
    import json

    assert vidflow("plan", "--out", str(project / "plan.json"), str(project)).code == 0
    result = vidflow("show", str(project / "plan.json"), "--json")
    doc = json.loads(result.out)
    assert [c["action"] for c in doc["changes"]] == ["create", "create"]
    assert doc["has_changes"] is True


def test_bad_var_is_a_usage_error(project: Path):
    """Like validate and render, a --var without `=` is a usage error: exit 2, one line."""
    result = vidflow("plan", "--var", "novalue", str(project))
    assert result.code == 2 and result.err.count("Error:") == 1 and "KEY=VALUE" in result.err


def test_every_lifecycle_command_has_an_example():
    for name in ("plan", "apply", "destroy", "refresh", "show", "import", "output"):
        result = vidflow(name, "--help")
        assert result.code == 0 and "Example:" in result.out, name


def test_a_second_vidflow_on_the_project_fails_clearly(project: Path):
    """While another process holds the state lock, apply and plan refuse with one line."""
    import multiprocessing

    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock,
                                     args=(project / "vidflow.lock", ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        for command in ("apply", "plan"):
            result = vidflow(command, "--auto-approve" if command == "apply" else "--refresh",
                             "--lock-timeout", "0.2", str(project))
            assert result.code == 1, result.out
            assert "another vidflow is running" in result.err
    finally:
        release.set()
        holder.join(30)


def _hold_lock(path: Path, ready, release) -> None:
    from vidflow.state.lock import state_lock

    with state_lock(path):
        ready.set()
        release.wait(60)
