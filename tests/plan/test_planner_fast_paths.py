"""The planner's shortcuts give what the general code gives."""

from __future__ import annotations

import json
from dataclasses import fields

from hypothesis import given
from hypothesis import strategies as st
from plan_helpers import applied, project, story

from vidflow.plan.model import Change
from vidflow.plan.planner import make_plan, resolve_moves, row_json

ITEM = st.one_of(st.text(), st.none(), st.booleans(), st.integers(), st.floats(),
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@given(st.lists(ITEM, max_size=12))
def test_row_json_is_json_dumps(row: list) -> None:
    assert row_json(row) == json.dumps(row, sort_keys=True, default=str)


def test_changes_equal_constructed_ones() -> None:
    lock = applied(project(story("same"), story("edit"), story("new-idea", idea="snow")))
    plan = make_plan(project(story("same"), story("edit", title="T2"),
                             story("new-idea", idea="rain")), lock)
    assert {c.action.name for c in plan.changes} == {"NOOP", "UPDATE", "REPLACE"}
    for change in plan.changes:
        values = {f.name: getattr(change, f.name) for f in fields(Change)}
        assert change == Change(**values) and list(vars(change)) == list(values)


def test_no_moves_keep_every_entry_where_it_is() -> None:
    lock = applied(project(story("a"), story("b[tone=x]")))
    errors: list[str] = []
    assert resolve_moves(lock.entries, (), errors) == (dict(lock.entries), {})
    assert errors == []
