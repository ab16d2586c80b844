"""The gallery in a real headless Chromium: the grid, a playing video, A/B in sync."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.browser import served
from support.gallery import FOX_VARIANTS

from vidflow.gallery import story_slug

pytestmark = pytest.mark.slow
AB_TOLERANCE = 0.25  # seconds: the page corrects drift past 0.1 s; allow one correction


@pytest.fixture(scope="module")
def page_at(site: Path, chromium: Any) -> Any:
    with served(site) as base:
        page = chromium.new_page()
        yield base, page
        page.close()


def test_grid_shows_every_variant(page_at: Any, tmp_path: Path) -> None:
    """One card per address (four fox variants in a 2x2 matrix, owl, hare), posters loaded."""
    base, page = page_at
    page.goto(base)
    shown = page.eval_on_selector_all(".card[data-address]",
                                      "cards => cards.map(c => c.dataset.address)")
    assert sorted(shown) == sorted([*FOX_VARIANTS, "owl", "hare"])
    fox = page.locator("#story-fox table.matrix")
    assert fox.locator("td .card[data-address]").count() == 4
    assert fox.locator("th[scope=row]").count() == 2  # rows: aspect_ratio
    assert fox.locator("th[scope=col]").count() == 2  # columns: tone
    loaded = page.eval_on_selector_all(
        "img.poster", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
    assert loaded and all(loaded)
    page.screenshot(path=str(tmp_path / "grid.png"), full_page=True)
    assert (tmp_path / "grid.png").stat().st_size > 0


def test_a_video_plays(page_at: Any, tmp_path: Path) -> None:
    """The story page's H.264 video plays in Debian's Chromium: currentTime advances."""
    base, page = page_at
    page.goto(f"{base}stories/{story_slug(FOX_VARIANTS[0])}/index.html")
    assert page.evaluate("document.querySelector('video.player')"
                         ".canPlayType('video/mp4; codecs=\"avc1.42E01E\"')") != ""
    page.evaluate("document.querySelector('video.player').play()")
    page.wait_for_function("document.querySelector('video.player').currentTime > 0.5")
    assert page.evaluate("document.querySelector('video.player').error") is None
    page.screenshot(path=str(tmp_path / "story.png"), full_page=True)


def test_ab_playback_stays_in_sync(page_at: Any, tmp_path: Path) -> None:
    """All four variants play together and stay within the tolerance, also after a seek."""
    base, page = page_at
    page.goto(f"{base}compare/fox.html")
    assert page.locator("video.ab-video").count() == 4
    page.wait_for_function("[...document.querySelectorAll('video.ab-video')]"
                           ".every(v => v.readyState >= 2)")
    page.evaluate("window.vidflowAB.playAll()")
    page.wait_for_function("window.vidflowAB.leader.currentTime > 1.0")
    assert _spread(page) < AB_TOLERANCE
    page.evaluate("window.vidflowAB.leader.currentTime = 3.0")
    page.wait_for_function("window.vidflowAB.leader.currentTime > 3.3")
    page.wait_for_timeout(200)
    assert _spread(page) < AB_TOLERANCE
    times = page.evaluate("[...document.querySelectorAll('video.ab-video')]"
                          ".map(v => v.currentTime)")
    assert min(times) > 3.0  # the followers went along with the seek
    page.evaluate("window.vidflowAB.leader.pause()")
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)


def _spread(page: Any) -> float:
    times = page.evaluate("[...document.querySelectorAll('video.ab-video')]"
                          ".map(v => v.currentTime)")
    return max(times) - min(times)
