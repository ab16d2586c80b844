"""The JSON Schema: committed file in sync, the reference's enums and ranges, mapped errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from vidflow import schemas
from vidflow.contract.enums import (
    ASPECT_RATIOS,
    IMAGE_TOOLS,
    LANGUAGES,
    MOTION_TYPES,
    NARRATORS,
    VIDEO_TOOLS,
)
from vidflow.spec.schema import build_schema, schema_text

REFERENCE = Path("/work/shared/reference/story-api.txt")


def test_committed_schema_is_the_generated_one() -> None:
    """Editors read vidflow/schemas/vidflow.schema.json; it must say what vidflow checks."""
    assert schemas.resource(schemas.SPEC).read_text() == schema_text(), (
        "run: vidflow schema > vidflow/schemas/vidflow.schema.json")


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(build_schema())
    assert json.loads(schema_text())["$schema"].endswith("2020-12/schema")


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference not on this machine")
@pytest.mark.parametrize("values", [IMAGE_TOOLS, VIDEO_TOOLS, ASPECT_RATIOS, LANGUAGES,
                                    MOTION_TYPES])
def test_enums_are_the_references_letter_for_letter(values: tuple[str, ...]) -> None:
    """Each enum appears in the reference as one `Enum:` line, in the same order."""
    line = "Enum: " + " ".join(f'"{v}"' for v in values)
    assert line in REFERENCE.read_text()


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference not on this machine")
def test_narrators_are_the_references() -> None:
    assert "Available voices: " + ", ".join(NARRATORS) in REFERENCE.read_text()


STORY = "version: 1\nstories:\n  a:\n    idea: x\n"


class TestErrors:
    def test_enum_violation(self, problems) -> None:
        assert problems(STORY + '    aspect_ratio: "2:1"\n') == [
            "videos.yaml:5:19: stories.a.aspect_ratio: '2:1' is not one of: "
            "16:9, 4:3, 1:1, 3:4, 9:16"]

    def test_nested_enum_violation(self, problems) -> None:
        assert problems(STORY + "    audio_option: {narrator: Bob}\n") == [
            "videos.yaml:5:30: stories.a.audio_option.narrator: 'Bob' is not one of: "
            + ", ".join(NARRATORS)]

    @pytest.mark.parametrize(("field", "value", "message"), [
        ("duration", 11, "11 is greater than the maximum of 10"),
        ("duration", 0, "0 is less than the minimum of 1"),
        ("loop", 7, "7 is greater than the maximum of 6"),
        ("loop", 0, "0 is less than the minimum of 1"),
    ])
    def test_out_of_range(self, problems, field: str, value: int, message: str) -> None:
        """The storyboard mode rule (no pinned storyboard) is reported alongside."""
        text = (f"version: 1\nstories:\n  a:\n    mode: storyboard\n    idea: x\n"
                f"    {field}: {value}\n")
        col = len(f"    {field}: ") + 1
        assert problems(text) == [
            "videos.yaml:3:3: stories.a: storyboard mode needs a pinned `storyboard:` "
            "(characters, environments, objects, scenes)",
            f"videos.yaml:6:{col}: stories.a.{field}: {message}"]

    def test_scene_duration_takes_the_references_four_spellings(self, load) -> None:
        for value in ('"5"', '"10"', "5", "10"):
            project = load(STORY + f"    scene_duration: {value}\n")
            assert project.stories["a"].params["scene_duration"] == value.strip('"')

    def test_unknown_field_suggests_the_right_one(self, problems) -> None:
        assert problems(STORY + "    scene_cont: 2\n") == [
            "videos.yaml:5:5: stories.a.scene_cont: unknown field 'scene_cont'; "
            "did you mean 'scene_count'?"]

    def test_bad_address(self, problems) -> None:
        assert problems("version: 1\nstories:\n  Promo: {idea: x}\n") == [
            "videos.yaml:3:3: stories.Promo: the name 'Promo' must be a lowercase slug: "
            "letters a-z, digits, '-' or '_', starting with a letter or digit"]

    def test_version_is_required_and_checked(self, problems) -> None:
        assert problems("stories: {}\n") == [
            "videos.yaml:1:1: version: required field is missing"]
        assert problems("version: 2\n") == [
            "videos.yaml:1:10: version: unsupported version 2; this vidflow reads version 1"]

    def test_http_provider_needs_base_url(self, problems) -> None:
        assert problems("version: 1\nprovider: {type: http}\n") == [
            "videos.yaml:2:1: provider.base_url: required field is missing"]

    def test_url_fields_must_be_http(self, problems) -> None:
        assert problems(STORY + "    webhook_url: ftp://x.org/h\n") == [
            "videos.yaml:5:18: stories.a.webhook_url: must be an http:// or https:// URL"]

    def test_every_problem_is_listed(self, problems) -> None:
        text = STORY + '    aspect_ratio: "2:1"\n    language: Klingon\n    loop: 9\n'
        # loop twice: out of range, and not a parameter of idea mode
        assert len(problems(text)) == 4
