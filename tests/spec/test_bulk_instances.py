"""Stories and lockfile entries made without their dataclass __init__ are the same values."""

from __future__ import annotations

import pickle
from dataclasses import fields, replace
from pathlib import Path

import pytest

from vidflow.bulk import instance
from vidflow.spec.model import ResolvedStory
from vidflow.spec.project import load_project
from vidflow.state.lockfile import LockEntry

SPEC = """\
version: 1
stories:
  promo:
    idea: "A {{ variant.tone }} promo"
    title: "{{ variant.tone }}"
    lifecycle: {prevent_destroy: true}
    variants: {matrix: {tone: [fun, calm]}}
  plain: {idea: "Snow", visibility: public, deadline: 90s}
"""


@pytest.mark.parametrize("cls", [ResolvedStory, LockEntry])
def test_the_classes_fit_the_shortcut(cls: type) -> None:
    assert not hasattr(cls, "__post_init__") and "__slots__" not in vars(cls)


def test_loaded_stories_equal_constructed_ones(tmp_path: Path) -> None:
    (tmp_path / "videos.yaml").write_text(SPEC)
    stories = load_project(tmp_path).stories
    assert len(stories) == 3
    for story in stories.values():
        values = {f.name: getattr(story, f.name) for f in fields(ResolvedStory)}
        made = ResolvedStory(**values)
        assert story == made and list(vars(story)) == list(vars(made))
        assert pickle.loads(pickle.dumps(story)) == story
        assert replace(story, title="x").title == "x"
    assert stories["promo[tone=fun]"].lifecycle.prevent_destroy
    assert not stories["plain"].lifecycle.prevent_destroy


def test_instance_is_frozen_like_the_constructor() -> None:
    story = instance(ResolvedStory, {f.name: None for f in fields(ResolvedStory)})
    with pytest.raises(AttributeError):
        story.title = "x"  # type: ignore[misc]
