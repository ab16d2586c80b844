"""Output paths: the executor's fallback and the spec's default name the same file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from vidflow.spec.project import load_project
from vidflow.state.transitions import output_path

SPEC = """\
version: 1
stories:
  winter-promo:
    idea: snow
    variants:
      matrix:
        tone: [Fun, calm]
"""


def test_default_output_matches_the_spec_default(tmp_path: Path) -> None:
    (tmp_path / "videos.yaml").write_text(SPEC, encoding="utf-8")
    project = load_project(tmp_path)
    assert len(project.stories) == 2
    for story in project.stories.values():
        # The spec's resolved default and the executor's fallback name the same file.
        assert story.output.startswith("out/")
        assert output_path(dataclasses.replace(story, output="")) == story.output
        assert output_path(story) == story.output


def test_output_fallback_never_yields_an_empty_name() -> None:
    from apply_fakes import story

    assert output_path(story("[]", output="")) == "out/story.mp4"
