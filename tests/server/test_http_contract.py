"""Status codes, auth, parsing and media as the reference states them, over real HTTP."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from server_support import OTHER_KEY, Live, image_bytes

from vidflow.errors import TooManyRequests
from vidflow.server.app import ServerSettings, create_app
from vidflow.server.auth import KeyRing, account_id
from vidflow.server.runner import bind, uvicorn_server
from vidflow.testing import story_server

IDEA = {"idea": "A red kite over the sea", "scene_count": 1,
        "audio_option": json.dumps({"has_bg_music": False, "has_narration": False})}
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def storyboard(live: Live) -> dict:
    """A storyboard-only story (advanced step 1): cheap, and enough for most checks."""
    resp = live.post("/story", data={"idea": "A lighthouse keeper and his cat",
                                     "scene_count": 2})
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]


class TestAuth:
    def test_missing_key_is_401(self, live: Live) -> None:
        resp = requests.post(live.url("/story/idea-2-video"), data=IDEA, timeout=10)
        assert resp.status_code == 401
        assert resp.json() == {"detail": "Missing X-Api-Key header"}

    def test_wrong_key_is_401_and_not_echoed(self, live: Live) -> None:
        resp = live.get(f"/story/{UNKNOWN_ID}", key="not-a-real-key-987")
        assert resp.status_code == 401
        assert "not-a-real-key-987" not in resp.text

    def test_story_is_visible_only_to_its_account(self, live: Live, storyboard: dict) -> None:
        path = f"/story/{storyboard['id']}"
        assert live.get(path).status_code == 200
        other = {"X-Api-Key": OTHER_KEY}
        assert live.get(path, key=OTHER_KEY).status_code == 404
        assert requests.put(live.url(path), headers=other, data={"title": "x"},
                            timeout=10).status_code == 404
        assert requests.delete(live.url(path), headers=other, timeout=10).status_code == 404
        assert live.post(path + "/scenes", key=OTHER_KEY).status_code == 404
        assert live.get(path).json()["data"]["title"] != "x"

    def test_media_needs_no_key(self, live: Live, storyboard: dict) -> None:
        scenes = live.post(f"/story/{storyboard['id']}/elements").json()["data"]
        url = scenes["storyboard"]["environments"][0]["image_url"]
        assert url.startswith(live.base_url + "/media/")
        resp = requests.get(url, timeout=10)
        assert resp.status_code == 200
        assert resp.headers["content-type"] == "image/png"
        assert resp.content.startswith(b"\x89PNG")


class TestResponses:
    def test_story_object_fields(self, live: Live, storyboard: dict) -> None:
        data = live.get(f"/story/{storyboard['id']}").json()["data"]
        for name in ("id", "status", "progress_percentage", "video_url", "storyboard",
                     "scenes", "used_credits", "created_at", "updated_at", "title", "message"):
            assert name in data
        assert data["status"] in ("new", "processing", "success", "fail")

    def test_update_then_delete(self, live: Live) -> None:
        story = live.post("/story", data={"idea": "A tiny robot gardener"}).json()["data"]
        path = live.url(f"/story/{story['id']}")
        resp = requests.put(path, headers=live.headers(), timeout=10,
                            data={"title": "Robo", "description": "d", "visibility_status": "2"})
        assert resp.status_code == 200
        data = resp.json()["data"]
        assert (data["title"], data["description"], data["visibility_status"]) == \
            ("Robo", "d", "2")
        bad = requests.put(path, headers=live.headers(), data={"visibility_status": "3"},
                           timeout=10)
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["loc"] == ["body", "visibility_status"]
        deleted = requests.delete(path, headers=live.headers(), timeout=10)
        assert deleted.status_code == 200 and deleted.json()["data"]["id"] == story["id"]
        assert live.get(f"/story/{story['id']}").status_code == 404


class TestParsing:
    def test_missing_idea_is_400_naming_it(self, live: Live) -> None:
        resp = live.post("/story/idea-2-video", data={"scene_count": 2})
        assert resp.status_code == 400
        assert resp.json()["detail"] == "Missing required parameter: idea"

    def test_blank_idea_is_400(self, live: Live) -> None:
        resp = live.post("/story/idea-2-video", data={"idea": "   "})
        assert resp.status_code == 400

    def test_invalid_story_id_is_400(self, live: Live) -> None:
        assert live.get("/story/not-a-uuid").status_code == 400

    @pytest.mark.parametrize(("field", "value", "loc"), [
        ("audio_option", "{not json", ["body", "audio_option"]),
        ("audio_option", json.dumps({"narrator": "Bob"}), ["body", "audio_option", "narrator"]),
        ("audio_option", json.dumps({"volume": 11}), ["body", "audio_option", "volume"]),
        ("elements", json.dumps({"objects": [{"description": "no name"}]}),
         ["body", "elements", "objects", 0, "name"]),
        ("elements", json.dumps(["not", "an", "object"]), ["body", "elements"]),
        ("aspect_ratio", "2:1", ["body", "aspect_ratio"]),
        ("scene_duration", "7", ["body", "scene_duration"]),
        ("scene_count", "0", ["body", "scene_count"]),
        ("scene_count", "three", ["body", "scene_count"]),
        ("is_transition", "perhaps", ["body", "is_transition"]),
        ("language", "Klingon", ["body", "language"]),
    ])
    def test_bad_value_is_422_naming_the_field(self, live: Live, field: str, value: str,
                                               loc: list) -> None:
        resp = live.post("/story/idea-2-video", data={**IDEA, field: value})
        assert resp.status_code == 422, resp.text
        assert loc in [item["loc"] for item in resp.json()["detail"]]

    def test_bad_storyboard_json_is_422(self, live: Live, storyboard: dict) -> None:
        resp = live.post(f"/story/{storyboard['id']}/scenes",
                         data={"storyboard": json.dumps({"scenes": []})})
        assert resp.status_code == 422
        locs = [tuple(i["loc"]) for i in resp.json()["detail"]]
        assert ("body", "storyboard", "characters") in locs

    def test_videos_ranges(self, live: Live, storyboard: dict) -> None:
        path = f"/story/{storyboard['id']}/videos"
        for field, value in (("duration", "11"), ("loop", "0"), ("motion_type", "Warp")):
            resp = live.post(path, data={field: value})
            assert resp.status_code == 422
            assert resp.json()["detail"][0]["loc"] == ["body", field]

    def test_booleans_and_numbers_as_form_text(self, live: Live) -> None:
        resp = live.post("/story", data={"idea": "Two owls at dusk", "scene_count": "2",
                                         "audio_option": json.dumps({"native_audio": True})})
        assert resp.status_code == 200
        assert len(resp.json()["data"]["storyboard"]["scenes"]) == 2

    def test_image_urls_only_http(self, live: Live) -> None:
        resp = live.post("/story/images-2-video", data={"image_urls": ["file:///etc/passwd"]})
        assert resp.status_code == 422
        assert resp.json()["detail"][0]["loc"][:2] == ["body", "image_urls"]

    def test_images_mode_needs_images(self, live: Live) -> None:
        assert live.post("/story/images-2-video", data={"idea": "x"}).status_code == 400

    def test_a_single_valued_field_sent_twice_is_422(self, live: Live) -> None:
        """The last copy must not win silently: the first may be the invalid one."""
        before = live.engine.balance(account_id(live.key))
        data = [("idea", "A fox"), ("audio_option", "[[1]]"), ("audio_option", "{}")]
        resp = live.post("/story/idea-2-video", data=data)
        assert resp.status_code == 422
        assert resp.json()["detail"][0]["loc"] == ["body", "audio_option"]
        assert live.engine.balance(account_id(live.key)) == before  # nothing was charged

    def test_an_empty_value_the_contract_refuses_is_422(self, live: Live) -> None:
        """FastAPI would read webhook_url= as "not sent"; the contract says it is invalid."""
        resp = live.post("/story/idea-2-video", data={"idea": "A fox", "webhook_url": ""})
        assert resp.status_code == 422
        assert resp.json()["detail"][0]["loc"] == ["body", "webhook_url"]

    def test_an_empty_title_is_still_fine(self, live: Live) -> None:
        resp = live.post("/story", data={"idea": "Two owls", "scene_count": "1", "title": ""})
        assert resp.status_code == 200

    def test_array_fields_may_repeat(self, live: Live) -> None:
        data = [("image_urls", "file:///a"), ("image_urls", "file:///b")]
        resp = live.post("/story/images-2-video", data=data)
        assert resp.json()["detail"][0]["loc"][:2] == ["body", "image_urls"]  # judged, not refused

    def test_a_repeated_field_without_a_key_is_still_401(self, live: Live) -> None:
        resp = requests.post(live.url("/story/idea-2-video"),
                             data=[("idea", "a"), ("idea", "b")], timeout=10)
        assert resp.status_code == 401


class TestUploads:
    def test_non_image_upload_is_422_naming_it(self, live: Live) -> None:
        files = [("image_files", ("a.png", image_bytes(), "image/png")),
                 ("image_files", ("b.png", b"#!/bin/sh\necho pwned\n", "image/png"))]
        resp = live.post("/story/images-2-video", files=files, data={"idea": "x"})
        assert resp.status_code == 422
        assert resp.json()["detail"][0]["loc"] == ["body", "image_files", 1]

    def test_uploads_get_server_chosen_names(self, live: Live) -> None:
        """The request's temporary file is gone after it; the story keeps a copy under a name
        the server chose (its content digest), inside its own folder."""
        folder = Path(live.engine.config.data_dir) / "uploads"
        files = [("image_files", ("../../../../tmp/evil.png", image_bytes(), "image/png"))]
        resp = live.post("/story", files=files, data={"idea": "A product on a table"})
        assert resp.status_code == 200, resp.text
        assert not [p for p in folder.rglob("*") if p.is_file()]
        kept = list((live.engine.store.story_dir(resp.json()["data"]["id"]) / "uploads"
                     ).iterdir())
        assert len(kept) == 1
        assert kept[0].name.startswith("file-") and kept[0].suffix == ".png"
        assert len(kept[0].stem) == len("file-") + 32
        assert not Path("/tmp/evil.png").exists()


class TestMedia:
    @pytest.mark.parametrize("raw_path", [
        "/media/../../etc/passwd", "/media/%2e%2e/%2e%2e/etc/passwd", "/media/..%2f..%2fx",
        "/media/", "/media/%00", "/media/nope/final.mp4"])
    def test_outside_or_missing_is_404(self, live: Live, raw_path: str) -> None:
        netloc = urlsplit(live.base_url).netloc
        conn = http.client.HTTPConnection(netloc, timeout=10)
        conn.request("GET", raw_path)  # sent as is: no client-side normalisation
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        assert resp.status == 404, body
        assert b"root:" not in body


def test_402_when_credits_run_out(tmp_path: Path) -> None:
    with story_server(tmp_path, credits=3) as (base, key, _engine):
        resp = requests.post(f"{base}/story/idea-2-video", headers={"X-Api-Key": key},
                             data=IDEA, timeout=30)
    assert resp.status_code == 402
    assert "credit" in resp.json()["detail"].lower()


def test_429_with_retry_after_at_the_concurrency_limit(tmp_path: Path) -> None:
    with story_server(tmp_path, max_concurrent=1) as (base, key, engine):
        headers = {"X-Api-Key": key}
        first = requests.post(f"{base}/story/idea-2-video", headers=headers, data=IDEA,
                              timeout=30)
        second = requests.post(f"{base}/story/idea-2-video", headers=headers, data=IDEA,
                               timeout=30)
        assert first.status_code == 200
        assert second.status_code == 429, second.text
        assert int(second.headers["Retry-After"]) >= 1
        engine.wait(first.json()["data"]["id"], account=_account(key), timeout=60)


def _account(key: str) -> str:
    from vidflow.server.auth import account_id

    return account_id(key)


class BrokenEngine:
    """Stands in for an engine with a bug: every call raises something unexpected."""

    def __getattr__(self, name: str):
        def fail(*args, **kwargs):
            if name == "get_story":
                raise TooManyRequests("slow down", retry_after=2.4)
            raise RuntimeError("secret internal state: /srv/db password=hunter2")
        return fail


@pytest.fixture
def broken_server(tmp_path: Path) -> Iterator[str]:
    settings = ServerSettings(uploads_dir=tmp_path, max_body_bytes=64 * 1024)
    app = create_app(BrokenEngine(), KeyRing.of(["k"]), settings)  # type: ignore[arg-type]
    sock = bind("127.0.0.1", 0)
    server = uvicorn_server(app, log_level="critical")
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_500_carries_no_trace(broken_server: str) -> None:
    resp = requests.post(f"{broken_server}/story/idea-2-video", headers={"X-Api-Key": "k"},
                         data=IDEA, timeout=10)
    assert resp.status_code == 500
    assert resp.json() == {"detail": "Internal Server Error"}
    assert "hunter2" not in resp.text and "Traceback" not in resp.text


def test_retry_after_is_whole_seconds_rounded_up(broken_server: str) -> None:
    resp = requests.get(f"{broken_server}/story/{UNKNOWN_ID}", headers={"X-Api-Key": "k"},
                        timeout=10)
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "3"


def test_oversized_body_is_413(broken_server: str) -> None:
    big = [("image_files", ("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100_000, "image/png"))]
    resp = requests.post(f"{broken_server}/story/images-2-video", headers={"X-Api-Key": "k"},
                         files=big, timeout=10)
    assert resp.status_code == 413
    assert "too large" in resp.json()["detail"]


def test_oversized_chunked_body_is_413(broken_server: str) -> None:
    """No Content-Length to check up front: the stream is counted as it arrives."""
    boundary = "vidflowboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image_files\"; "
            f"filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n").encode()

    def chunks():
        yield head + b"\x89PNG\r\n\x1a\n"
        for _ in range(20):
            yield b"0" * 8192
        yield f"\r\n--{boundary}--\r\n".encode()

    resp = requests.post(f"{broken_server}/story/images-2-video", data=chunks(), timeout=10,
                         headers={"X-Api-Key": "k",
                                  "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert resp.status_code == 413


def test_media_head_request(live: Live, storyboard: dict) -> None:
    story = live.post(f"/story/{storyboard['id']}/elements").json()["data"]
    url = story["storyboard"]["environments"][0]["image_url"]
    resp = requests.head(url, timeout=10)
    assert resp.status_code == 200
    assert int(resp.headers["content-length"]) > 100
