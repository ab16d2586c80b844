"""Parameter checks of the reference: enums, ranges, defaults, JSON-field shapes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vidflow.contract.params import MAX_SCENES
from vidflow.engine import validation as v
from vidflow.engine.service import StoryEngine
from vidflow.errors import BadRequest, NotFound, ValidationFailed


def _locs(err: ValidationFailed) -> list[list]:
    return [d["loc"] for d in err.details]


class TestAudioOption:
    def test_defaults_are_the_references(self) -> None:
        """No audio_option gives music and narration on, native audio off, Rachel."""
        p = v.Problems()
        assert v.audio_option(p, None) == {"has_bg_music": True, "has_narration": True,
                                           "native_audio": False, "narrator": "Rachel"}
        assert not p.items

    def test_native_audio_turns_narration_off(self) -> None:
        """native_audio true forces has_narration false whatever was asked."""
        p = v.Problems()
        audio = v.audio_option(p, '{"native_audio": true, "has_narration": true}')
        assert audio["has_narration"] is False and audio["native_audio"] is True

    def test_bad_narrator_and_unknown_key_are_located(self) -> None:
        """Each problem names its field inside audio_option."""
        p = v.Problems()
        v.audio_option(p, {"narrator": "Bob", "volume": 3})
        assert ["body", "audio_option", "narrator"] in [i["loc"] for i in p.items]
        assert ["body", "audio_option", "volume"] in [i["loc"] for i in p.items]

    def test_invalid_json_is_422(self) -> None:
        p = v.Problems()
        v.audio_option(p, "{not json")
        assert p.items[0]["type"] == "json_invalid"


class TestScalars:
    @given(st.sampled_from(["5", "10", 5, 10]))
    def test_scene_duration_accepts_the_enum(self, value: object) -> None:
        p = v.Problems()
        assert v.scene_duration(p, value) == int(str(value)) and not p.items

    @given(st.one_of(st.integers(), st.text(max_size=4)).filter(
        lambda x: str(x) not in ("5", "10")))
    def test_scene_duration_refuses_anything_else(self, value: object) -> None:
        p = v.Problems()
        v.scene_duration(p, value)
        assert p.items and p.items[0]["loc"] == ["body", "scene_duration"]

    @given(st.integers(min_value=-50, max_value=50))
    def test_int_range(self, n: int) -> None:
        """as_int keeps values in range and reports the others."""
        p = v.Problems()
        v.as_int(p, "duration", n, 1, 10)
        assert bool(p.items) == (not 1 <= n <= 10)

    def test_bool_is_not_an_integer(self) -> None:
        p = v.Problems()
        v.as_int(p, "loop", True, 1, 6)
        assert p.items[0]["type"] == "int_parsing"

    @given(st.text(max_size=30))
    def test_first_url_only_finds_http(self, text: str) -> None:
        url = v.first_url(text)
        assert url is None or url.lower().startswith(("http://", "https://"))


class TestStoryboardShape:
    def test_all_four_arrays_required(self) -> None:
        """A storyboard missing arrays names each missing one."""
        p = v.Problems()
        v.storyboard(p, {"scenes": [{"image_description": "x"}]})
        missing = [i["loc"][-1] for i in p.items]
        assert missing == ["characters", "environments", "objects"]

    def test_element_needs_a_name(self) -> None:
        p = v.Problems()
        v.elements(p, {"objects": [{"description": "no name"}]})
        assert p.items[0]["loc"] == ["body", "elements", "objects", 0, "name"]

    def test_element_url_must_be_http(self) -> None:
        p = v.Problems()
        v.elements(p, {"objects": [{"name": "Jar", "image_url": "file:///etc/passwd"}]})
        assert p.items[0]["loc"][-1] == "image_url"


class TestEngineRefuses:
    """The service raises typed errors carrying field locations, before creating anything."""

    @pytest.mark.parametrize(("field", "value"), [
        ("image_tool", "Midjourney"), ("video_tool", "Sora"), ("aspect_ratio", "21:9"),
        ("language", "Klingon"), ("scene_duration", "7"), ("scene_count", 0),
        ("scene_count", MAX_SCENES + 1), ("webhook_url", "ftp://x"),
    ])
    def test_field_errors(self, engine: StoryEngine, field: str, value: object) -> None:
        with pytest.raises(ValidationFailed) as info:
            engine.idea_to_video(idea="A cat", **{field: value})
        assert ["body", field] in _locs(info.value)
        assert info.value.status == 422
        assert not any(engine.store.media_root.iterdir())

    def test_several_problems_listed_at_once(self, engine: StoryEngine) -> None:
        with pytest.raises(ValidationFailed) as info:
            engine.idea_to_video(idea="A cat", aspect_ratio="2:1", language="Latin")
        assert {tuple(loc) for loc in _locs(info.value)} == {("body", "aspect_ratio"),
                                                              ("body", "language")}

    @pytest.mark.parametrize("idea", ["", "   ", None])
    def test_missing_idea_is_400(self, engine: StoryEngine, idea: object) -> None:
        with pytest.raises(BadRequest, match="idea"):
            engine.idea_to_video(idea=idea)  # type: ignore[arg-type]

    def test_url_mode_needs_a_url(self, engine: StoryEngine) -> None:
        with pytest.raises(ValidationFailed) as info:
            engine.url_to_video(idea="A video about our shop")
        assert _locs(info.value) == [["body", "idea"]]

    def test_images_mode_needs_images(self, engine: StoryEngine) -> None:
        with pytest.raises(BadRequest, match="image_urls or image_files"):
            engine.images_to_video(idea="Show them")

    def test_unreadable_image_file_is_422(self, engine: StoryEngine, tmp_path) -> None:
        bad = tmp_path / "bad.png"
        bad.write_bytes(b"not an image")
        with pytest.raises(ValidationFailed) as info:
            engine.images_to_video(image_files=[bad])
        assert _locs(info.value) == [["body", "image_files", 0]]

    def test_create_videos_ranges(self, engine: StoryEngine) -> None:
        story = engine.create_storyboard(idea="A dog in a park", scene_count=1)
        with pytest.raises(ValidationFailed) as info:
            engine.create_videos(story["id"], duration=11, loop=0, motion_type="Warp")
        assert {tuple(loc) for loc in _locs(info.value)} == {
            ("body", "duration"), ("body", "loop"), ("body", "motion_type")}

    def test_story_id_format_and_ownership(self, engine: StoryEngine) -> None:
        with pytest.raises(BadRequest, match="Invalid story ID"):
            engine.get_story("../../etc")
        story = engine.create_storyboard(idea="A dog in a park", scene_count=1)
        with pytest.raises(NotFound):
            engine.get_story(story["id"], account="someone-else")
        with pytest.raises(NotFound):
            engine.get_story("0b7c4bf6-0c0e-4a53-9d1e-1b2c3d4e5f60")

    def test_visibility_enum(self, engine: StoryEngine) -> None:
        story = engine.create_storyboard(idea="A dog in a park", scene_count=1)
        with pytest.raises(ValidationFailed) as info:
            engine.update_story(story["id"], visibility_status="3")
        assert _locs(info.value) == [["body", "visibility_status"]]
        updated = engine.update_story(story["id"], visibility_status="2", title="T",
                                      description="D")
        assert (updated["visibility_status"], updated["title"], updated["description"]) == (
            "2", "T", "D")
