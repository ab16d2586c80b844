"""The story's message says in which language the rule-based writer's own lines are: the
story's language where the writer has frames for it, English where it has none."""

from __future__ import annotations

from vidflow.contract.enums import LANGUAGES
from vidflow.contract.params import OPERATIONS
from vidflow.engine import notes
from vidflow.engine.stages.story import has_frames

OP = OPERATIONS["idea_to_video"]


def test_a_language_with_frames_is_named_as_the_lines_language() -> None:
    (note,) = notes.language(OP, "Spanish", rule_based=True)
    assert note.startswith("language=Spanish: the narration voice speaks Spanish")
    assert notes.WITH_FRAMES.format(language="Spanish") in note


def test_a_language_without_frames_says_the_lines_are_english() -> None:
    (note,) = notes.language(OP, "Japanese", rule_based=True)
    assert notes.WITHOUT_FRAMES.format(language="Japanese") in note


def test_every_contract_language_is_one_or_the_other_and_the_default_says_nothing() -> None:
    assert {lang for lang in LANGUAGES if has_frames(lang)} == {
        "English", "French", "German", "Spanish"}
    assert notes.language(OP, OP.default("language"), rule_based=True) == []
    assert notes.language(OP, "Japanese", rule_based=False) == []
