"""Prices, the balance, refusals before anything is created, and the per-account limit."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vidflow.contract import prices
from vidflow.engine.service import StoryEngine
from vidflow.errors import InsufficientCredit, TooManyRequests

AUDIO = {"has_bg_music": True, "has_narration": True, "native_audio": False}


@given(scenes=st.integers(1, 20), seconds=st.sampled_from([5, 10]), transition=st.booleans())
def test_more_scenes_cost_more(scenes: int, seconds: int, transition: bool) -> None:
    """The automatic price grows with scenes and with seconds per scene."""
    price = prices.automatic_price(scenes=scenes, seconds=seconds, transition=transition,
                                    audio=AUDIO)
    assert price < prices.automatic_price(scenes=scenes + 1, seconds=seconds,
                                           transition=transition, audio=AUDIO)
    assert price < prices.automatic_price(scenes=scenes, seconds=seconds * 2,
                                           transition=transition, audio=AUDIO)


def test_price_table_example() -> None:
    """3 scenes x 5 s, music + narration, transitions: the documented sum."""
    assert prices.automatic_price(scenes=3, seconds=5, transition=True, audio=AUDIO) == (
        2 + 3 * (2 + 3) + 3 * 1 + 15 + 2 + 2)


def test_used_credits_recorded_and_balance_falls(engine: StoryEngine) -> None:
    before = engine.balance()
    story = engine.create_storyboard(idea="A robot in a city", scene_count=2)
    assert story["used_credits"] == prices.STORYBOARD
    assert engine.balance() == before - prices.STORYBOARD


def test_refused_before_creating_anything(make_engine: Callable[..., StoryEngine]) -> None:
    """A request the balance cannot cover is 402 and leaves no story and no files."""
    engine = make_engine(credits=5)
    with pytest.raises(InsufficientCredit, match="Insufficient credit") as info:
        engine.idea_to_video(idea="A robot in a city", scene_count=3)
    assert info.value.status == 402
    assert engine.balance() == 5
    assert list(engine.store.media_root.iterdir()) == []
    with sqlite3.connect(engine.store.db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM stories").fetchone()[0] == 0


def test_balance_persists_across_restarts(make_engine: Callable[..., StoryEngine],
                                          tmp_path) -> None:
    first = make_engine(tmp_path / "d", credits=50)
    first.create_storyboard(idea="A robot in a city", scene_count=1)
    first.close()
    again = make_engine(tmp_path / "d", credits=50)
    assert again.balance() == 50 - prices.STORYBOARD


def test_too_many_requests_per_account(make_engine: Callable[..., StoryEngine]) -> None:
    """With max_concurrent=1 a second running job is 429 with retry_after; others may run."""
    engine = make_engine(max_concurrent=1, workers=1)
    first = engine.idea_to_video(idea="A robot in a city", scene_count=1,
                                 audio_option={"has_bg_music": False, "has_narration": False})
    with pytest.raises(TooManyRequests) as info:
        engine.idea_to_video(idea="Another robot", scene_count=1)
    assert info.value.status == 429 and info.value.retry_after and info.value.retry_after > 0
    other = engine.idea_to_video(account="other", idea="A cat", scene_count=1,
                                 audio_option={"has_bg_music": False, "has_narration": False})
    engine.wait(first["id"], timeout=120)
    engine.wait(other["id"], account="other", timeout=120)
    # The slot is free again once the first job has finished.
    third = engine.idea_to_video(idea="Third robot", scene_count=1,
                                 audio_option={"has_bg_music": False, "has_narration": False})
    assert third["status"] in ("new", "processing")
    engine.wait(third["id"], timeout=120)
