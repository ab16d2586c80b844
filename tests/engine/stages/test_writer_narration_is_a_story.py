"""The rule-based writer's narration is a story: one line per scene, complete sentences,
the idea told in order with its subject kept and its product named, the same every time."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vidflow.contract.enums import LANGUAGES
from vidflow.engine.stages.story import FRAMES, complete, find_product, has_verb
from vidflow.engine.stages.storyboard import write_storyboard

WORDS = str.split("a an the fox rabbit two friends skier lantern Lumo SkinRevive share race glide "
         "shines lights in on at sunny snowy meadow slopes night camping breakfast cozy "
         "cabin and then for our ad video calm dramatic fun : , ; . ! ?")
english_ideas = st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join)


def _lines(idea: str, count: int, language: str = "English") -> list[str]:
    board = write_storyboard(idea, scene_count=count, language=language)
    return [s["narrator"] for s in board["scenes"]]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(idea=english_ideas | st.text(max_size=120), count=st.integers(1, 8))
def test_every_english_line_is_a_complete_sentence_with_a_verb(idea: str, count: int) -> None:
    lines = _lines(idea, count)
    assert len(lines) == count
    for line in lines:
        assert complete(line), line
        assert has_verb(line), line


@settings(max_examples=60, deadline=None, derandomize=True)
@given(idea=english_ideas | st.text(max_size=120), count=st.integers(1, 8),
       language=st.sampled_from(LANGUAGES))
def test_any_language_gives_one_complete_line_per_scene_the_same_every_time(
        idea: str, count: int, language: str) -> None:
    lines = _lines(idea, count, language)
    assert len(lines) == count
    assert all(complete(line) for line in lines), lines
    assert lines == _lines(idea, count, language)


def test_the_idea_is_told_in_order_with_its_subject_kept() -> None:
    """Beginning (the setting and who), middle (what they do), end: all about the fox and
    the rabbit, never the idea cut at its words."""
    lines = _lines("A fox and a rabbit share breakfast in a sunny meadow", 3)
    assert "sunny meadow" in lines[0] and "a fox and a rabbit" in lines[0]
    assert lines[1] == "The fox and the rabbit share breakfast."
    assert all("fox and a rabbit" in line or "fox and the rabbit" in line.lower()
               for line in lines)
    assert not any(line in ("A fox.", "A rabbit share breakfast in a sunny meadow.")
                   for line in lines)


def test_later_sentences_follow_in_their_order() -> None:
    idea = ("Two friends race down snowy slopes. They stop at a cozy cabin. They drink cocoa "
            "by the fire.")
    lines = _lines(idea, 3)
    assert lines == ["Two friends race down snowy slopes.", "They stop at a cozy cabin.",
                     "They drink cocoa by the fire."]


def test_the_product_the_idea_names_is_named_and_ends_the_story() -> None:
    lines = _lines("An ad for Lumo, a solar lantern that lights up camping nights", 4)
    assert all("Lumo" in line for line in (lines[0], lines[-1]))
    assert "Lumo lights up camping nights." in lines


def test_a_product_named_only_once_is_named_by_the_last_line_when_no_line_did() -> None:
    idea = ("Create a video for SkinRevive. Two girls camp in the snow. They laugh in the "
            "tent. They pose for photos. They wave goodbye.")
    lines = _lines(idea, 2)
    assert any("SkinRevive" in line for line in lines)


def test_products_are_recognised_the_ways_ideas_name_them() -> None:
    assert find_product("An ad for Lumo, a solar lantern").name == "Lumo"
    assert find_product("An ad for Lumo, a solar lantern").description == "a solar lantern"
    assert find_product("A winter story with SkinRevive Moisturiser").name == \
        "SkinRevive Moisturiser"
    assert find_product('A spot about "Glow Tea" at dawn').name == "Glow Tea"
    assert find_product("Our ocean kayak is light.").name == "our ocean kayak"
    assert find_product("A fox and a rabbit share breakfast") is None
    assert find_product("A gift for Christmas morning") is None


def test_spanish_french_and_german_have_their_own_frames() -> None:
    for language, code in (("Spanish", "es"), ("French", "fr"), ("German", "de")):
        lines = _lines("Un zorro juega", 3, language)
        assert lines[0] in FRAMES[code].intro and lines[2] in FRAMES[code].outro
        assert lines[1] == "Un zorro juega."


def test_one_scene_tells_the_whole_idea_as_one_sentence() -> None:
    assert _lines("An ad for Lumo, a solar lantern that lights up camping nights", 1) == [
        "Lumo, a solar lantern, lights up camping nights."]


def test_a_long_list_of_shots_is_cut_at_a_clause_within_the_lines_budget() -> None:
    idea = ("Cinematic smoothie promo: fresh berries, bananas, and oranges falling onto a "
            "rustic wooden table in slow-motion, a glass blender mixing fruits, smoothie "
            "pouring into a glass with condensation, cinematic lighting, warm glow")
    lines = _lines(idea, 3)
    assert all(len(line.split()) <= 22 for line in lines)
    assert any(line.startswith("We see fresh berries, bananas, and oranges falling")
               for line in lines)
    assert not any("promo" in line for line in lines)  # a heading, not narration
