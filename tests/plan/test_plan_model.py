"""The plan's vocabulary: symbols, summaries, JSON for CI bots."""

from __future__ import annotations

import json

from plan_helpers import applied, empty_lock, project, story

from vidflow.errors import Location
from vidflow.plan.model import Action, Plan, Reason, story_from_json, story_to_json
from vidflow.plan.planner import make_plan


def test_every_action_has_the_terraform_symbol():
    assert {a.key: a.symbol for a in Action} == {
        "no-op": " ", "create": "+", "update": "~", "replace": "-/+", "regenerate": "*",
        "delete": "-", "move": "->", "resume": "<=", "unknown": "?",
        "forget": "-/"}  # a `removed:` block: the entry goes, the story stays


def test_every_reason_has_a_sentence_and_a_unique_key():
    assert all(r.sentence for r in Reason)
    assert len({r.key for r in Reason}) == len(Reason)


def test_summary_lists_the_four_counts_then_extras_when_nonzero():
    lock = applied(project(story("gone"), story("edit"), story("title"), story("old")))
    proj = project(story("new"), story("edit", idea="other"), story("title", title="X"),
                   story("renamed", output="out/old.mp4"), moved=(("old", "renamed"),))
    plan = make_plan(proj, lock)
    assert plan.summary() == ("Plan: 1 to create, 1 to update, 1 to replace, 1 to delete, "
                              "1 to move.")


def test_json_document_lists_every_action_with_what_apply_needs():
    lock = applied(project(story("a"), story("b")))
    plan = make_plan(project(story("a", title="New"), story("c")), lock)
    doc = json.loads(plan.dumps())
    assert doc["summary"] == "Plan: 1 to create, 1 to update, 0 to replace, 1 to delete."
    assert doc["has_changes"] is True
    assert doc["counts"]["create"] == 1 and doc["counts"]["no-op"] == 0
    by_address = {c["address"]: c for c in doc["changes"]}
    assert by_address["a"]["action"] == "update" and by_address["a"]["symbol"] == "~"
    assert by_address["a"]["fields"] == [
        {"path": "title", "before": "Title", "after": "New", "forces_replacement": False}]
    assert by_address["a"]["story_id"] == lock.entries["a"].story_id
    assert by_address["c"]["after"]["params"]["idea"] == "a winter walk"
    assert by_address["b"]["reasons"] == ["gone"]
    assert doc["lock_serial"] == lock.serial and doc["spec_digest"] == plan.spec_digest


def test_dumps_is_stable_text():
    plan = make_plan(project(story("b"), story("a")), empty_lock())
    assert plan.dumps() == make_plan(project(story("a"), story("b")), empty_lock()).dumps()
    assert plan.dumps().endswith("}\n")


def test_story_json_round_trip_keeps_location_and_lifecycle():
    s = story("a", prevent_destroy=True)
    s = type(s)(**{**s.__dict__, "location": Location("videos.yaml", 3, 5)})
    back = story_from_json(json.loads(json.dumps(story_to_json(s))))
    assert back == s


def test_plan_from_json_refuses_other_format_versions():
    import pytest

    from vidflow.errors import PlanError

    doc = make_plan(project(story("a")), empty_lock()).to_json()
    doc["format_version"] = 99
    with pytest.raises(PlanError, match="run vidflow plan again"):
        Plan.from_json(doc)


def test_plan_json_matches_its_committed_schema():
    from jsonschema import Draft202012Validator

    from vidflow import schemas

    schema = schemas.read_json(schemas.PLAN)
    validator = Draft202012Validator(schema)
    lock = applied(project(story("gone"), story("edit"), story("same"), story("old")))
    proj = project(story("new"), story("edit", idea="x"), story("same"),
                   story("renamed", output="out/old.mp4"), moved=(("old", "renamed"),))
    doc = json.loads(make_plan(proj, lock).dumps())
    assert list(validator.iter_errors(doc)) == []
    assert {c["action"] for c in doc["changes"]} == {"create", "replace", "no-op", "move",
                                                      "delete"}
    # the schema's enums are the code's, so neither can drift
    change = schema["$defs"]["change"]["properties"]
    assert change["reasons"]["items"]["enum"] == [r.key for r in Reason]
    assert change["action"]["enum"] == [a.key for a in Action]
