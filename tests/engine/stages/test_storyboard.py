"""The rule-based storyboard writer."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from vidflow.engine.stages.looks import split_speed
from vidflow.engine.stages.story import FRAMES
from vidflow.engine.stages.storyboard import (
    CAMERA_MOVEMENTS,
    validate_storyboard,
    write_storyboard,
)

IDEA = ("A fun winter commercial for SkinRevive. A skier glides down snowy slopes at dawn. "
        "She rests in a cozy cabin and applies the cream. The jar shines at night.")
JAR = {"name": "SkinRevive jar", "description": "a white jar", "image": "assets/jar.png",
       "image_url": "https://example.com/jar.png"}


@settings(max_examples=40, deadline=None)
@given(idea=st.text(max_size=200), count=st.integers(1, 10),
       language=st.sampled_from(["English", "Spanish", "Japanese"]))
def test_any_idea_gives_a_valid_board_with_the_asked_scene_count(idea: str, count: int,
                                                                 language: str) -> None:
    """Whatever the text, the board is valid and has exactly scene_count scenes."""
    board = write_storyboard(idea, scene_count=count, language=language)
    validate_storyboard(board, count)
    assert len(board["scenes"]) == count
    names = {e["name"] for e in board["environments"]}
    for scene in board["scenes"]:
        assert split_speed(scene["camera_movement"])[0] in CAMERA_MOVEMENTS
        assert scene["environment"] in names


def test_same_inputs_same_board() -> None:
    a = write_storyboard(IDEA, scene_count=4, elements={"objects": [JAR]})
    b = write_storyboard(IDEA, scene_count=4, elements={"objects": [JAR]})
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_beats_follow_the_idea_in_order_and_stay_short() -> None:
    board = write_storyboard(IDEA, scene_count=4)
    lines = [s["narrator"] for s in board["scenes"]]
    assert lines[1].startswith("A skier glides")
    assert "cabin" in lines[2] and "night" in lines[3]
    assert all(len(line.split()) <= 22 for line in lines)


def test_environments_are_detected_by_keyword_per_scene() -> None:
    board = write_storyboard(IDEA, scene_count=4)
    envs = [s["environment"] for s in board["scenes"]]
    assert envs[1] == "Snowy Mountains"
    assert envs[2] == "Cozy Interior"
    assert envs[3] == "Starry Night"


def test_user_elements_are_kept_verbatim_and_placed_where_mentioned() -> None:
    """The user's jar keeps its image fields and shows where a beat names it + the end."""
    board = write_storyboard("A skier on snowy slopes. She opens her SkinRevive jar. "
                             "She smiles by the fire.", scene_count=3,
                             elements={"objects": [JAR]})
    assert board["objects"][0] == JAR
    shown = [s["elements"] for s in board["scenes"]]
    assert "SkinRevive jar" not in shown[0]
    assert "SkinRevive jar" in shown[1]
    assert "SkinRevive jar" in shown[2]  # hero shot


def test_unmentioned_user_character_is_in_every_scene() -> None:
    hero = {"name": "Mira", "description": "a hiker in a red coat"}
    board = write_storyboard("Mountains at dawn. A long trail. The summit.", scene_count=3,
                             elements={"characters": [hero]})
    assert all("Mira" in s["elements"] for s in board["scenes"])


def test_image_count_fixes_the_scene_count() -> None:
    board = write_storyboard("Showcase these landscapes", scene_count=3, image_count=5)
    assert len(board["scenes"]) == 5
    assert board["scenes"][4]["image_description"].startswith("The user's image 5")


def test_other_languages_keep_the_users_words_inside_their_own_frames() -> None:
    """Narration is the user's Spanish text, not a translation, with the writer's own
    opening and closing lines in Spanish."""
    idea = "Un perro juega en la playa con su familia"
    board = write_storyboard(idea, scene_count=3, language="Spanish")
    lines = [s["narrator"] for s in board["scenes"]]
    assert lines[1] == idea + "."
    spanish = FRAMES["es"]
    assert lines[0] in spanish.intro and lines[2] in spanish.outro
    assert board["scenes"][0]["environment"] == "Ocean Shore"


def test_a_language_without_frames_gets_english_ones_around_the_users_words() -> None:
    idea = "雪の山でスキーを楽しむ家族の物語"
    board = write_storyboard(idea, scene_count=3, language="Japanese")
    lines = [s["narrator"] for s in board["scenes"]]
    assert lines[1] == idea + "。"
    assert lines[0] in FRAMES["en"].intro and lines[2] in FRAMES["en"].outro


def test_page_text_adds_beats_in_url_mode() -> None:
    board = write_storyboard("https://example.com/product", scene_count=2,
                             page_text="Our ocean kayak is light. It floats on every wave.")
    assert any("kayak" in s["narrator"] for s in board["scenes"])


def test_urls_and_decimals_are_not_sentence_breaks_nor_narrated() -> None:
    board = write_storyboard("Visit https://shop.example.com/p?id=3 for our 2.5 liter "
                             "bottle. It keeps drinks cold.", scene_count=2)
    lines = [s["narrator"] for s in board["scenes"]]
    assert "2.5 liter bottle" in lines[0]
    assert "http" not in " ".join(lines)
    assert lines[1] == "It keeps drinks cold."
