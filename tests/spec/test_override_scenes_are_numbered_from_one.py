"""An override's scene key that is not a scene number (0, a name) is refused at the key,
in words: scenes are numbered from 1, as `vidflow storyboard --scenes` lists them."""

from __future__ import annotations

import pytest

SPEC = """\
version: 1
stories:
  a:
    idea: A fox
    scene_count: 3
    overrides:
      scenes:
        {key}: {{narrator: x}}
"""


@pytest.mark.parametrize("key", ["0", "first", "'01'"])
def test_a_key_that_is_no_scene_number_is_refused_in_words(problems, key: str) -> None:
    (found,) = problems(SPEC.format(key=key))
    shown = key.strip("'")
    assert found == (f"videos.yaml:8:9: stories.a.overrides.scenes.{shown}: the name "
                     f"'{shown}' is not a scene number: scenes are numbered from 1, as "
                     "`vidflow storyboard ADDR --scenes` lists them")


def test_scene_numbers_in_range_are_valid(load) -> None:
    assert load(SPEC.format(key="3")).stories["a"].overrides == {"scenes": {"3": {"narrator": "x"}}}
