"""`--json` on plan, apply, destroy and refresh: one JSON object per line in Terraform's
shapes, in the order things happen, each valid against the shipped schema; `validate
--json` is Terraform's validate document; the whole plan stays one document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from lifecycle_helpers import vidflow, write_spec

from vidflow import __version__, schemas

VALIDATOR = Draft202012Validator(schemas.read_json(schemas.UI_EVENTS))


def _events(text: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    for line in lines:
        VALIDATOR.validate(line)
    return lines


def _types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def test_plan_streams_version_changes_and_summary(root: Path) -> None:
    write_spec(root, {"alpha": ("A", "A fox."), "beta": ("B", "A cat.")})
    result = vidflow("plan", "--json", str(root))
    assert result.code == 0, result.err
    events = _events(result.out)
    assert _types(events) == ["version", "planned_change", "planned_change", "change_summary"]
    assert events[0]["vidflow"] == __version__ and events[0]["ui"] == "1.0"
    assert [e["change"]["resource"]["addr"] for e in events[1:3]] == ["alpha", "beta"]
    assert {e["change"]["action"] for e in events[1:3]} == {"create"}
    changes = dict(events[-1]["changes"])
    assert changes.pop("credits") == sum(e["change"]["credits"] for e in events[1:3]) > 0
    assert changes.pop("cost_basis") == "engine"
    assert changes == {"add": 2, "change": 0, "remove": 0, "move": 0, "operation": "plan"}


def test_a_whole_apply_streams_in_order_and_validates(root: Path) -> None:
    write_spec(root, {"alpha": ("A", "A fox in the snow.")})
    result = vidflow("apply", "--json", "--auto-approve", str(root))
    assert result.code == 0, result.err
    events = _events(result.out)
    types = _types(events)
    assert types[:3] == ["version", "planned_change", "change_summary"]
    assert types[3] == "apply_start" and "apply_progress" in types
    assert types[-3:] == ["apply_complete", "outputs", "change_summary"]
    progress = [e["hook"]["percentage"] for e in events if e["type"] == "apply_progress"]
    assert progress == sorted(progress) and progress[-1] == 100
    assert events[-2]["outputs"]["alpha"]["value"] == "out/alpha.mp4"
    assert events[-1]["changes"]["add"] == 1 and events[-1]["changes"]["operation"] == "apply"
    stamps = [e["@timestamp"] for e in events]
    assert stamps == sorted(stamps)

    again = _events(vidflow("plan", "--json", str(root)).out)
    assert _types(again) == ["version", "change_summary"]  # nothing to do

    refreshed = vidflow("refresh", "--json", str(root))
    assert refreshed.code == 0
    assert _types(_events(refreshed.out))[:3] == ["version", "refresh_start",
                                                  "refresh_complete"]

    destroyed = vidflow("destroy", "--json", "--auto-approve", str(root))
    assert destroyed.code == 0, destroyed.err
    events = _events(destroyed.out)
    assert events[1]["change"]["action"] == "delete"
    assert events[-1]["changes"]["remove"] == 1
    assert events[-1]["changes"]["operation"] == "destroy"


def test_apply_json_without_auto_approve_is_refused_before_anything(root: Path) -> None:
    write_spec(root, {"alpha": ("A", "A fox.")})
    result = vidflow("apply", "--json", str(root))
    assert result.code == 1 and "--auto-approve" in result.err
    assert not (root / "vidflow.lock").exists()


def test_a_spec_error_is_a_located_diagnostic(root: Path) -> None:
    (root / "videos.yaml").write_text("version: 1\nstories:\n  a: {idea: A fox, "
                                      "scene_count: many}\n")
    result = vidflow("plan", "--json", str(root))
    assert result.code == 1
    events = _events(result.out)
    assert _types(events) == ["version", "diagnostic"]
    diagnostic = events[1]["diagnostic"]
    assert diagnostic["severity"] == "error" and "scene_count" in diagnostic["summary"]
    assert diagnostic["range"]["filename"].endswith("videos.yaml")
    assert diagnostic["range"]["start"]["line"] == 3


def test_validate_json_is_terraforms_document(root: Path) -> None:
    (root / "videos.yaml").write_text("version: 1\nstories:\n  a: {idea: A fox, "
                                      "aspect_ratio: 16:9}\n")
    result = vidflow("validate", "--json", str(root))
    assert result.code == 1
    doc = json.loads(result.out)
    assert doc["valid"] is False and doc["error_count"] == 1 and doc["warning_count"] == 0
    (found,) = doc["diagnostics"]
    assert found["range"]["start"] == {"line": 3, "column": found["range"]["start"]["column"]}
    assert "quote it" in found["summary"]
    write_spec(root, {"a": ("A", "A fox.")})
    ok = json.loads(vidflow("validate", "--json", str(root)).out)
    assert ok == {"format_version": "1.0", "valid": True, "error_count": 0,
                  "warning_count": 0, "diagnostics": []}


def test_the_whole_plan_stays_one_document(root: Path) -> None:
    write_spec(root, {"alpha": ("A", "A fox."), "beta": ("B", "A cat.")})
    saved = root / "plan.json"
    assert vidflow("plan", "--out", str(saved), str(root)).code == 0
    result = vidflow("show", str(saved), "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert [c["action"] for c in doc["changes"]] == ["create", "create"]
    assert doc == json.loads(saved.read_text())
    human = vidflow("show", str(saved))
    assert "+ alpha" in human.out and "Plan: 2 to create" in human.out
