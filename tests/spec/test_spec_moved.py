"""`moved` blocks: validate refuses what the planner would, without needing the lockfile."""

from __future__ import annotations

from vidflow.errors import Location
from vidflow.plan.planner import resolve_moves
from vidflow.spec.model import Moved

HEAD = "version: 1\nstories:\n  c: {idea: x}\n  w:\n    idea: y\n" \
       "    variants: {matrix: {tone: [fun]}}\nmoved:\n"


def test_a_source_moved_twice(problems) -> None:
    assert problems(HEAD + "  - {from: a, to: c}\n  - {from: a, to: w}\n") == [
        "videos.yaml:9:12: moved[1].from: 'a' is moved twice (to 'c' at videos.yaml:8:5 and "
        "to 'w'); keep one `moved` entry per source address"]


def test_a_repeated_identical_move_is_harmless(load) -> None:
    """The planner accepts the same move written twice; so does validate."""
    assert len(load(HEAD + "  - {from: a, to: c}\n  - {from: a, to: c}\n").moved) == 2


def test_a_cycle(problems) -> None:
    assert problems(HEAD + "  - {from: a, to: b}\n  - {from: b, to: a}\n") == [
        "videos.yaml:8:5: moved[0]: the `moved` entries a -> b -> a form a cycle; remove one of "
        "them"]


def test_a_chain_ending_at_a_declared_story_is_fine(load) -> None:
    """a → b, later b → c: both kept, as the planner follows chains."""
    moved = load(HEAD + "  - {from: b, to: c}\n  - {from: a, to: b}\n").moved
    assert [(m.from_address, m.to_address) for m in moved] == [("b", "c"), ("a", "b")]


def test_target_must_be_declared(problems) -> None:
    assert problems(HEAD + "  - {from: a, to: cc}\n") == [
        "videos.yaml:8:19: moved[0].to: moved to 'cc', which no story declares; did you mean 'c'?"]
    assert problems(HEAD + "  - {from: a, to: 'w[tone=sad]'}\n") == [
        "videos.yaml:8:19: moved[0].to: moved to 'w[tone=sad]', which no story declares; "
        "did you mean 'w[tone=fun]'?"]


def test_target_may_be_an_address_or_a_story_name(load) -> None:
    project = load(HEAD + "  - {from: a, to: 'w[tone=fun]'}\n  - {from: b, to: w}\n")
    assert [m.to_address for m in project.moved] == ["w[tone=fun]", "w"]


def test_source_still_declared(problems) -> None:
    assert problems(HEAD + "  - {from: c, to: w}\n") == [
        "videos.yaml:8:12: moved[0].from: 'c' is moved to 'w' but is still declared; remove "
        "the old story, or this `moved` entry"]


def test_what_validate_accepts_the_planner_accepts(load) -> None:
    """Every move list validate lets through resolves without planner errors."""
    project = load(HEAD + "  - {from: b, to: c}\n  - {from: a, to: b}\n"
                          "  - {from: a, to: b}\n")
    entries = {"a": object()}
    errors: list[str] = []
    resolved, renamed = resolve_moves(entries, project.moved, errors)  # type: ignore[arg-type]
    assert errors == [] and renamed == {"c": "a"} and set(resolved) == {"c"}
    errors = []
    twice = (Moved("a", "b", Location("f", 1, 1)), Moved("a", "c", Location("f", 2, 1)))
    resolve_moves(entries, twice, errors)  # type: ignore[arg-type]
    assert errors  # the planner does refuse what test_a_source_moved_twice refuses
