"""A pinned scene's `elements` name the storyboard's characters and objects; the engine
draws only the ones it has, so a mistyped name would be paid for and silently left out.
`validate` refuses it at its position, with the nearest name. `environment` is free text
(a place the storyboard does not define picks its backdrop by its words): never refused."""

from __future__ import annotations

SPEC = """\
version: 1
stories:
  board:
    mode: storyboard
    idea: A fox
    storyboard:
      characters: [{{name: Fox, description: a red fox}}]
      environments: [{{name: Meadow, description: green}}]
      objects: [{{name: Jar, description: a jar}}]
      scenes:
        - {{name: One, image_description: a fox, elements: {elements}, environment: {env}}}
        - {{name: Two, image_description: a jar}}
"""


def test_names_the_storyboard_has_are_valid(load) -> None:
    project = load(SPEC.format(elements="[Fox, Jar]", env="Meadow"))
    assert project.stories["board"].storyboard["scenes"][0]["elements"] == ["Fox", "Jar"]


def test_a_place_the_storyboard_does_not_define_is_a_valid_environment(load) -> None:
    project = load(SPEC.format(elements="[Fox]", env="Snowy Pass"))
    assert project.stories["board"].storyboard["scenes"][0]["environment"] == "Snowy Pass"


def test_a_mistyped_element_is_refused_where_it_is(problems) -> None:
    found = problems(SPEC.format(elements="[Fox, Jra, Meadow]", env="Meadow"))
    assert found == [
        "videos.yaml:11:65: stories.board.storyboard.scenes[0].elements[1]: no character or "
        "object named 'Jra' in the storyboard (it has 'Fox', 'Jar'); did you mean 'Jar'?",
        "videos.yaml:11:70: stories.board.storyboard.scenes[0].elements[2]: no character or "
        "object named 'Meadow' in the storyboard (it has 'Fox', 'Jar')",
    ]


def test_a_name_is_matched_exactly(problems) -> None:
    (found,) = problems(SPEC.format(elements="[fox]", env="Meadow"))
    assert "no character or object named 'fox'" in found and "did you mean 'Fox'?" in found
