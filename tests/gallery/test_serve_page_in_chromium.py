"""`vidflow serve` at `/`: the key's stories, the key kept out of URLs and logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from support.browser import wait_until

from vidflow.api.client import StoryClient
from vidflow.testing import story_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server() -> Any:
    other = "vf_other_key_for_the_page_test"
    with story_server(api_keys=[other]) as (base, key, _engine):
        client = StoryClient(base, api_key=key)
        made = client.idea_to_video(idea="An otter <b>by</b> the river", title="Otter",
                                    scene_count=1, scene_duration="5",
                                    audio_option='{"has_bg_music": false, '
                                                 '"has_narration": false}')
        story = client.wait(made.id)
        yield base, key, other, story


def test_the_page_shows_the_keys_stories_and_plays_them(server: Any, chromium: Any,
                                                        tmp_path: Path) -> None:
    """Typed key → the story's card (title as text, status, credits) and a playing video;
    another key sees none of them."""
    base, key, other, _story = server
    page = chromium.new_page()
    try:
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(base + "/")
        page.fill("input[name=key]", key)
        page.click("#key-form button[type=submit]")
        page.wait_for_selector(".card[data-id]")
        assert page.locator(".card[data-id]").count() == 1
        card = page.locator(".card[data-id]").first
        assert card.locator(".address").inner_text() == "Otter"
        assert card.locator("dd.status").inner_text() == "success"
        assert int(card.locator("dd.credits").inner_text()) > 0
        page.evaluate("document.querySelector('.card video').play()")
        wait_until(page, "document.querySelector('.card video').currentTime > 0.5")
        page.screenshot(path=str(tmp_path / "serve.png"), full_page=True)
        assert all(key not in url for url in requested)  # never in a URL (logs, history)

        page.click("#key-forget")
        page.fill("input[name=key]", other)
        page.click("#key-form button[type=submit]")
        wait_until(page, "document.getElementById('served-status').textContent"
                         ".startsWith('0 stories')")
        assert page.locator(".card[data-id]").count() == 0
    finally:
        page.close()


def test_the_story_list_needs_a_key_and_the_page_is_locked_down(server: Any) -> None:
    """No key, 401; the page forbids inline and foreign scripts."""
    base, key, _other, _story = server
    assert requests.get(f"{base}/gallery/stories", timeout=5).status_code == 401
    answer = requests.get(f"{base}/gallery/stories", headers={"X-Api-Key": key}, timeout=5)
    assert answer.status_code == 200 and len(answer.json()["data"]) == 1
    page = requests.get(f"{base}/", timeout=5)
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in page.text  # the only script is the same-origin file
    assert requests.get(f"{base}/gallery/assets/../app.py", timeout=5).status_code == 404
