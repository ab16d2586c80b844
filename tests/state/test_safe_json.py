"""Lockfiles and saved plans are input: too large, too deep or absurd JSON is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidflow.errors import LockfileError, PlanError
from vidflow.plan.planfile import read_plan
from vidflow.spec.budgets import MAX_JSON_DEPTH
from vidflow.state import safe_json
from vidflow.state.lockfile import read_lockfile


def test_file_over_the_limit_is_refused_from_its_size(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text("[" + "0," * 1000 + "0]", encoding="utf-8")
    with pytest.raises(safe_json.JsonProblem, match="the file is 2,003 bytes; vidflow reads "
                       "at most 1,000"):
        safe_json.read_text(path, limit=1000)
    assert safe_json.read_text(path, limit=5000).startswith("[0,")


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 900, 100_000])
def test_nesting_beyond_the_limit_is_a_json_problem(depth: int) -> None:
    with pytest.raises(safe_json.JsonProblem, match=f"nested deeper than {MAX_JSON_DEPTH}"):
        safe_json.loads("[" * depth + "]" * depth)


def test_nesting_at_the_limit_parses() -> None:
    depth = MAX_JSON_DEPTH
    assert safe_json.loads('{"a": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}")


def test_deep_lockfile_is_a_corrupt_lockfile_error(tmp_path: Path) -> None:
    path = tmp_path / "vidflow.lock"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(LockfileError, match="vidflow.lock: the lockfile is not valid JSON "
                       r"\(nested deeper than 64 levels\)"):
        read_lockfile(path)


def test_huge_integer_in_a_lockfile_is_a_corrupt_lockfile_error(tmp_path: Path) -> None:
    path = tmp_path / "vidflow.lock"
    path.write_text('{"version": 1, "serial": ' + "9" * 5000 + ', "lineage": "", '
                    '"entries": {}}', encoding="utf-8")
    with pytest.raises(LockfileError, match=r"not valid JSON.*4300 digits"):
        read_lockfile(path)


def test_oversized_lockfile_is_refused_before_reading(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "vidflow.lock"
    path.write_text('{"version": 1, "serial": 0, "lineage": "", "entries": {}}',
                    encoding="utf-8")
    monkeypatch.setattr(safe_json.read_text, "__defaults__", (10,))
    with pytest.raises(LockfileError, match="cannot read the lockfile: the file is 57 bytes; "
                       "vidflow reads at most 10"):
        read_lockfile(path)


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000,
                                  '{"x": ' + "[" * 500 + "]" * 500 + "}",
                                  '{"serial": ' + "9" * 5000 + "}"])
def test_hostile_plan_file_is_a_plan_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError, match=r"plan\.json: not a vidflow plan file"):
        read_plan(path)
