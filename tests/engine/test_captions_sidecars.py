"""The engine's caption sidecars: SRT and WebVTT that follow the narration, scene after
scene, on the final film's timeline (crossfades included), never past its end."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from support.captions import parse_cues, words_of

from vidflow.contract.captions import CAPTION_URL_FIELDS
from vidflow.engine.service import EngineConfig, StoryEngine
from vidflow.engine.stages.ffmpeg import probe

from .conftest import SMALL

IDEA = "A red fox wakes in a snowy meadow. The fox runs to the frozen river at dawn."


def _story(engine: StoryEngine, **params: Any) -> dict[str, Any]:
    story = engine.idea_to_video(idea=IDEA, scene_count=2, **params)
    done = engine.wait(story["id"], timeout=180)
    assert done["status"] == "success", done.get("message")
    return done


def _files(engine: StoryEngine, story: dict[str, Any]) -> dict[str, Path]:
    return {suffix: engine.media_path(story[field])
            for suffix, field in CAPTION_URL_FIELDS.items()}


Films = tuple[StoryEngine, dict[str, dict[str, Any]]]


@pytest.fixture(scope="module")
def films(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Films]:
    """One engine, three films of the same storyboard: crossfaded with captions, cut with
    captions, and crossfaded without (shared by the tests: each film takes a second)."""
    engine = StoryEngine(EngineConfig(data_dir=tmp_path_factory.mktemp("captions"), **SMALL))
    try:
        yield engine, {
            "faded": _story(engine, is_transition=True, captions=True),
            "cut": _story(engine, is_transition=False, captions=True),
            "plain": _story(engine, is_transition=True),
        }
    finally:
        engine.close()


def test_cues_follow_the_narration_in_order_and_stay_in_the_film(
        films: Films) -> None:
    engine, made = films
    story = made["faded"]
    narration = [s["narration"] for s in story["scenes"]]
    assert all(narration) and len(narration) == 2
    end = probe(engine.media_path(story["video_url"])).duration
    for suffix, path in _files(engine, story).items():
        cues = parse_cues(path)
        assert cues, suffix
        spoken = [w for _, _, text in cues for w in words_of(text)]
        assert spoken == words_of(" ".join(narration)), suffix
        for start, stop, _ in cues:
            assert 0 <= start < stop <= end + 1e-3, (suffix, start, stop, end)
        starts = [c[0] for c in cues]
        assert starts == sorted(starts)
        assert all(a[1] <= b[0] + 1e-3 for a, b in pairwise(cues))


def _scene_two_start(cues: list[tuple[float, float, str]], first_scene: str) -> float:
    """When the first cue of scene 2 starts (cues never span two scenes)."""
    count = 0
    for start, _, text in cues:
        if count == len(words_of(first_scene)):
            return start
        count += len(words_of(text))
    raise AssertionError("no cue starts scene 2")


def test_the_second_scene_captions_start_where_its_scene_does_after_the_crossfade(
        films: Films) -> None:
    """Scene 2 starts at scene 1's length less the crossfade (which the film's probed
    length gives away); its narration, and so its first cue, starts there."""
    engine, made = films
    first = made["faded"]["scenes"][0]["narration"]
    for name, faded in (("faded", True), ("cut", False)):
        story = made[name]
        assert story["scenes"][0]["narration"] == first  # the same storyboard
        lengths = [s["duration"] for s in story["scenes"]]
        overlap = sum(lengths) - probe(engine.media_path(story["video_url"])).duration
        if faded:
            assert 0.05 < overlap <= 0.5 + 1e-3, overlap
        else:
            assert overlap == pytest.approx(0, abs=1e-3)
        scene_two = lengths[0] - overlap
        cues = parse_cues(_files(engine, story)[".srt"])
        assert _scene_two_start(cues, first) == pytest.approx(scene_two, abs=0.1), name
        assert cues[0][0] < 0.2  # scene 1's narration starts with the film


def test_the_story_names_its_sidecars_only_when_it_has_captions(
        films: Films) -> None:
    engine, made = films
    assert made["faded"]["captions"] == {"style": "plain", "position": "bottom",
                                          "size": "medium"}
    plain = made["plain"]
    assert "captions" not in plain
    assert not set(CAPTION_URL_FIELDS.values()) & set(plain)
    folder = engine.media_path(plain["video_url"]).parent
    assert not list(folder.glob("captions.*"))


def test_a_wrong_caption_option_is_refused_naming_the_field(engine: StoryEngine) -> None:
    from vidflow.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        engine.idea_to_video(idea=IDEA, scene_count=2, captions='{"style": "karaoke"}')
    assert "captions.style" in str(refused.value) or "captions" in str(refused.value)
    assert "karaoke" in str(refused.value)


def test_a_captioned_story_speaks_each_line_once(
        make_engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The narration WAV and the words the captions are timed by come from one synthesis."""
    from vidflow.engine.stages import narration

    spoken: list[tuple[str, bool]] = []
    synthesize = narration.synthesize

    def counted(text: str, **kwargs: Any) -> float:
        spoken.append((text, kwargs.get("words_out") is not None))
        return synthesize(text, **kwargs)

    monkeypatch.setattr(narration, "synthesize", counted)
    engine = make_engine()
    story = _story(engine, is_transition=True, captions=True)
    lines = [s["narration"] for s in story["scenes"]]
    assert sorted(text for text, _ in spoken) == sorted(lines)
    assert all(timed for _, timed in spoken)
    cues = parse_cues(_files(engine, story)[".srt"])
    assert [w for _, _, text in cues for w in words_of(text)] == words_of(" ".join(lines))
