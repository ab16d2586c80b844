"""The committed examples are real, valid specs, and stay cheap to render."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidflow.spec import load_project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = ["quickstart", "product-promo", "images-story", "fix-one-scene", "captioned-short"]


@pytest.mark.parametrize("name", NAMES)
def test_example_is_valid_and_points_editors_at_the_schema(name: str) -> None:
    spec = EXAMPLES / name / "videos.yaml"
    first = spec.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../vidflow/schemas/vidflow.schema.json"
    assert (spec.parent / "../../vidflow/schemas/vidflow.schema.json").resolve().is_file()
    assert load_project(spec.parent).stories


def test_quickstart_is_cheap() -> None:
    """make demo and the end-to-end tests render it for real."""
    (story,) = load_project(EXAMPLES / "quickstart").stories.values()
    assert story.mode == "idea"
    assert story.params["scene_count"] == 2
    assert story.params["scene_duration"] == "5"
    assert story.params["aspect_ratio"] in ("16:9", "9:16")
    assert story.params["audio_option"]["has_narration"] is True
    assert len(story.params["idea"]) < 120


def test_product_promo_has_elements_vars_and_a_trimmed_matrix() -> None:
    project = load_project(EXAMPLES / "product-promo", vars={"brand": "Acme"})
    assert sorted(project.stories) == [
        "winter-promo[aspect_ratio=16:9,tone=cinematic]",
        "winter-promo[aspect_ratio=1:1,tone=cozy]",
        "winter-promo[aspect_ratio=9:16,tone=cinematic]",
        "winter-promo[aspect_ratio=9:16,tone=fun]",
    ]
    story = project.stories["winter-promo[aspect_ratio=9:16,tone=fun]"]
    jar = story.params["elements"]["objects"][0]
    assert jar["name"] == "Acme jar"
    assert jar["image"]["path"] == "assets/jar.png" and len(jar["image"]["sha256"]) == 64


def test_images_story_uses_three_committed_images() -> None:
    (story,) = load_project(EXAMPLES / "images-story").stories.values()
    assert [f["path"] for f in story.params["image_files"]] == [
        "images/01-dawn.png", "images/02-forest.png", "images/03-lake.png"]


def test_committed_images_are_small() -> None:
    images = list(EXAMPLES.glob("*/assets/*.png")) + list(EXAMPLES.glob("*/images/*.png"))
    assert len(images) == 4
    assert all(p.stat().st_size < 20_000 for p in images)


def test_fix_one_scene_overrides_one_narration_of_a_generated_story() -> None:
    (story,) = load_project(EXAMPLES / "fix-one-scene").stories.values()
    assert story.mode == "idea" and story.overrides_fingerprint
    assert set(story.overrides) == {"scenes"} and set(story.overrides["scenes"]) == {"2"}


def test_captioned_short_is_a_vertical_narrated_story_with_word_captions() -> None:
    (story,) = load_project(EXAMPLES / "captioned-short").stories.values()
    assert story.mode == "idea" and story.output == "out/fox-short.mp4"
    assert story.params["aspect_ratio"] == "9:16"
    assert story.params["audio_option"]["has_narration"] is True  # captions need words
    assert story.params["captions"] == {"style": "word", "position": "bottom",
                                        "size": "medium"}
    assert story.params["scene_count"] <= 3  # cheap to render
