"""The embedded engine honours idempotency keys: a paid request sent again with its key is
answered with the story the first one made and charged once; the same key with another
request is a 422; work a first attempt left half-done is finished without a new charge."""

from __future__ import annotations

import pytest

from vidflow.engine import pipeline
from vidflow.engine.service import StoryEngine
from vidflow.errors import ValidationFailed

QUIET = {"has_bg_music": False, "has_narration": False}


def _idea(engine: StoryEngine, key: str | None, idea: str = "A fox in the snow.") -> dict:
    return engine.idea_to_video(idea=idea, scene_count=1, audio_option=QUIET,
                                idempotency_key=key)


def _stories(engine: StoryEngine) -> int:
    return len(engine.store._execute("SELECT id FROM stories"))


def test_a_repeated_create_is_the_same_story_charged_once(engine: StoryEngine) -> None:
    before = engine.balance()
    first = _idea(engine, "k-1")
    spent = before - engine.balance()
    again = _idea(engine, "k-1")
    assert again["id"] == first["id"]
    assert before - engine.balance() == spent > 0
    assert _stories(engine) == 1


def test_without_a_key_each_create_is_a_new_story(engine: StoryEngine) -> None:
    assert _idea(engine, None)["id"] != _idea(engine, None)["id"]
    assert _stories(engine) == 2


def test_the_same_key_with_another_request_is_refused(engine: StoryEngine) -> None:
    _idea(engine, "k-2")
    before = engine.balance()
    with pytest.raises(ValidationFailed) as refused:
        _idea(engine, "k-2", idea="A cat on a roof.")
    assert refused.value.details[0]["loc"] == ["header", "Idempotency-Key"]
    assert engine.balance() == before and _stories(engine) == 1


def test_keys_belong_to_one_account(engine: StoryEngine) -> None:
    mine = engine.idea_to_video(account="a", idea="A fox.", audio_option=QUIET,
                                scene_count=1, idempotency_key="shared")
    theirs = engine.idea_to_video(account="b", idea="A fox.", audio_option=QUIET,
                                  scene_count=1, idempotency_key="shared")
    assert mine["id"] != theirs["id"]


@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "tab\tkey", "é"])
def test_malformed_keys_are_refused_before_anything(engine: StoryEngine, key: str) -> None:
    with pytest.raises(ValidationFailed):
        _idea(engine, key)
    assert _stories(engine) == 0


def test_a_refused_request_leaves_its_key_free(engine: StoryEngine) -> None:
    """402: nothing charged, nothing made; the same key may be used once there is credit."""
    poor = engine.idea_to_video(account="poor", idea="x", scene_count=1, audio_option=QUIET)
    engine.store._execute("UPDATE accounts SET balance = 0 WHERE account = 'poor'")
    from vidflow.errors import InsufficientCredit

    with pytest.raises(InsufficientCredit):
        engine.idea_to_video(account="poor", idea="A fox.", scene_count=1,
                             audio_option=QUIET, idempotency_key="k-3")
    assert engine.store.key_get("poor", "k-3") is None
    assert poor["id"]


def test_an_advanced_step_cut_off_half_way_finishes_without_a_new_charge(
        engine: StoryEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process died inside /scenes after the charge: the replay redoes the work on the
    same story and takes no second charge."""
    story = engine.create_storyboard(idea="A fox. A hare.", scene_count=2,
                                     audio_option=QUIET)
    real = pipeline.scene_images
    monkeypatch.setattr(pipeline, "scene_images", _dies)
    before = engine.balance()
    with pytest.raises(SystemExit):  # stands for the kill: no except clause runs
        engine.generate_scenes(story["id"], idempotency_key="k-4")
    charged = before - engine.balance()
    assert charged > 0
    monkeypatch.setattr(pipeline, "scene_images", real)
    done = engine.generate_scenes(story["id"], idempotency_key="k-4")
    assert before - engine.balance() == charged  # not charged again
    assert done["scenes"] and all(s.get("image_url") for s in done["scenes"])
    again = engine.generate_scenes(story["id"], idempotency_key="k-4")
    assert before - engine.balance() == charged and again["id"] == story["id"]


def _dies(*args: object, **kwargs: object) -> None:
    raise SystemExit("killed")


def test_a_create_cut_off_after_its_charge_makes_one_story(
        engine: StoryEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed between the charge and the story's row: the replay makes the story under
    the id it was charged for, and charges nothing more."""
    real = engine.store.create

    def dies(**kwargs: object) -> None:
        raise SystemExit("killed")

    monkeypatch.setattr(engine.store, "create", dies)
    before = engine.balance()
    with pytest.raises(SystemExit):
        _idea(engine, "k-5")
    charged = before - engine.balance()
    monkeypatch.setattr(engine.store, "create", real)
    story = _idea(engine, "k-5")
    assert before - engine.balance() == charged
    assert story["id"] == engine.store.key_get("local", "k-5").story_id
    assert _stories(engine) == 1
