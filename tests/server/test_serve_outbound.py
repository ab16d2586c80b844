"""`vidflow serve` (a real uvicorn server) refuses URLs that lead to private addresses: the
loopback listener behind them never sees a connection, and the client reads one generic
message, the same for an open and a closed port. Uploads live for one request only, and
fetched images meet the same pixel cap as uploads."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from outbound_support import (
    LOOPBACK_SPELLINGS,
    SECRET,
    closed_port,
    listening,
    pixel_bomb,
    png,
)
from server_support import Live

from vidflow.engine.outbound import REFUSED
from vidflow.testing import story_server

NO_AUDIO = json.dumps({"has_narration": False, "has_bg_music": False})


@pytest.fixture(scope="module")
def closed() -> Iterator[Live]:
    """A server as an operator starts it: no network opened."""
    with story_server() as (base_url, key, engine):
        yield Live(base_url, key, engine)



@pytest.mark.parametrize("spelling", LOOPBACK_SPELLINGS)
def test_every_spelling_is_refused_and_never_connects(closed: Live, spelling: str) -> None:
    with listening() as victim:
        bodies = []
        for url in (victim.url(spelling, "/admin"), f"http://{spelling}:{closed_port()}/"):
            resp = closed.post("/story", data={"idea": "A fox", "image_urls": [url]})
            assert resp.status_code == 400, resp.text
            bodies.append(resp.json())
        assert bodies == [{"detail": REFUSED}] * 2  # open port, closed port: one answer
        assert victim.accepts == 0


def test_no_url_field_reaches_a_private_address(closed: Live) -> None:
    """url-2-video's page, images' URLs, an element's image_url, concat inputs, webhooks."""
    with listening() as victim:
        page = closed.post("/story/url-2-video", data={
            "idea": f"A promo for {victim.url('localhost', '/internal')}", "scene_count": "1",
            "audio_option": NO_AUDIO, "webhook_url": victim.url("127.1", "/hook")})
        images = closed.post("/story/images-2-video", data={
            "image_urls": [victim.url("0x7f000001", "/a.png")], "audio_option": NO_AUDIO})
        assert page.status_code == images.status_code == 200, (page.text, images.text)
        board = closed.post("/story", data={"idea": "A fox", "scene_count": "1", "elements":
                                            json.dumps({"characters": [{
                                                "name": "Fox", "description": "red",
                                                "image_url": victim.url("2130706433")}]})})
        assert board.status_code == 200, board.text
        story_id = board.json()["data"]["id"]
        elements = closed.post(f"/story/{story_id}/elements")
        assert (elements.status_code, elements.json()) == (400, {"detail": REFUSED})
        concat = closed.post(f"/story/{story_id}/concat", data={
            "concat_video_urls": [victim.url("[::ffff:127.0.0.1]", "/v.mp4")],
            "audio_urls": [victim.url("0.0.0.0", "/a.wav")]})
        assert concat.status_code == 200, concat.text
        page_story = closed.finished(page.json()["data"]["id"])
        assert page_story["status"] == "success"
        assert any(REFUSED in note for note in page_story["storyboard"]["notes"])
        assert SECRET not in json.dumps(page_story)
        for story in (closed.finished(images.json()["data"]["id"]), closed.finished(story_id)):
            assert story["status"] == "fail" and story["message"].endswith(REFUSED)
        time.sleep(0.3)  # the webhook of the finished url story would be on its way
        assert victim.accepts == 0


def test_the_opening_admits_only_its_network_and_rechecks_redirects(live: Live) -> None:
    """`live` opens 127.0.0.1/32 (as --allow-network 127.0.0.1/32 would): 127.0.0.2 stays
    closed, directly and as the target of a redirect from the opened host."""
    with listening("127.0.0.2") as victim, listening(
            "127.0.0.1", location=victim.url(path="/admin")) as bouncer, listening(
            "127.0.0.1", body=png(), content_type="image/png") as images:
        for url in (victim.url(), bouncer.url()):
            resp = live.post("/story", data={"idea": "A fox", "image_urls": [url]})
            assert (resp.status_code, resp.json()) == (400, {"detail": REFUSED})
        ok = live.post("/story", data={"idea": "A fox", "image_urls": [images.url()]})
        assert ok.status_code == 200, ok.text
        assert (victim.accepts, bouncer.accepts, images.accepts) == (0, 1, 1)


def test_a_fetched_image_meets_the_upload_pixel_cap(live: Live) -> None:
    bomb = pixel_bomb()
    with listening(body=bomb, content_type="image/png") as host:
        fetched = live.post("/story", data={"idea": "A fox", "image_urls": [host.url()]})
    uploaded = live.post("/story", data={"idea": "A fox"},
                         files=[("image_files", ("b.png", bomb, "image/png"))])
    cap = "is too large (12000x12000; at most 40000000 pixels)"
    assert fetched.status_code == 400 and fetched.json()["detail"].endswith(cap)
    assert uploaded.status_code == 422 and uploaded.json()["detail"][0]["msg"] == cap


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_refused_uploads_leave_no_file(live: Live) -> None:
    uploads = Path(live.engine.config.data_dir) / "uploads"
    many = [("image_files", (f"{i}.png", png(), "image/png")) for i in range(21)]
    too_many = live.post("/story/images-2-video", files=many)
    assert too_many.status_code == 422, too_many.text
    unknown = live.post("/story", data={"idea": "A fox", "story_id": "0" * 32},
                        files=many[:2])
    assert unknown.status_code in (400, 404, 422), unknown.text
    assert _files_under(uploads) == []


def test_delete_removes_the_story_uploads_and_media(live: Live) -> None:
    uploads = Path(live.engine.config.data_dir) / "uploads"
    resp = live.post("/story", data={"idea": "A fox", "scene_count": "1"},
                     files=[("image_files", ("a.png", png(), "image/png"))])
    assert resp.status_code == 200, resp.text
    story_id = resp.json()["data"]["id"]
    story_dir = live.engine.store.story_dir(story_id)
    assert _files_under(story_dir / "uploads") and _files_under(uploads) == []
    media = [live.engine.store.url_for(p) for p in _files_under(story_dir)]
    gone = requests.delete(live.url(f"/story/{story_id}"), headers=live.headers(), timeout=30)
    assert gone.status_code == 200, gone.text
    assert not story_dir.exists()
    for path in media:
        assert requests.get(live.url(path), timeout=10).status_code == 404
