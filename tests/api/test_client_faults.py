"""The client against a misbehaving server: what is retried, what never is, and what the
caller gets. Every test counts the requests that really arrived."""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import time
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from client_support import STORY, FaultServer, Reply

from vidflow.api.client import StoryClient, WaitTimeout
from vidflow.errors import (
    ApiConnectionError,
    BadRequest,
    InsufficientCredit,
    NotFound,
    ServerError,
    StoryApiError,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)

KEY = "vf_test-secret-key-0123456789"
STORY_ID = STORY["id"]


class Sleeps(list):
    """Records each wait instead of sleeping, so retry tests take no time."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(server: FaultServer, sleeps: Sleeps | None = None, **kw) -> StoryClient:
    kw.setdefault("timeout", (2, 5))
    return StoryClient(server.url, api_key=KEY, sleep=sleeps if sleeps is not None else Sleeps(),
                       **kw)


def error_reply(status: int, detail: object = "nope", **headers: str) -> Reply:
    return Reply(status=status, body={"detail": detail}, headers=headers)


class TestPostRetries:
    def test_429_is_retried_after_retry_after(self, fault_server: FaultServer) -> None:
        """A POST refused with 429 was not processed: it is sent again, after Retry-After."""
        sleeps = Sleeps()
        fault_server.script(error_reply(429, "busy", **{"Retry-After": "3"}), Reply())
        record = client_for(fault_server, sleeps).idea_to_video(idea="a fox")
        assert record.id == STORY_ID
        assert fault_server.count("POST") == 2
        assert len(sleeps) == 1 and 3 <= sleeps[0] < 3.2

    @pytest.mark.parametrize("status", [500, 502, 503])
    def test_5xx_is_never_retried(self, fault_server: FaultServer, status: int) -> None:
        """A POST answered 5xx may have created the story: one request only, then an error."""
        fault_server.script(error_reply(status, "engine exploded"), Reply())
        with pytest.raises(ServerError) as info:
            client_for(fault_server).idea_to_video(idea="a fox")
        assert fault_server.count() == 1
        assert info.value.status == status
        assert "engine exploded" in str(info.value)

    def test_read_timeout_is_never_retried(self, fault_server: FaultServer) -> None:
        """A POST whose answer is late may still succeed server-side: not sent twice."""
        fault_server.script(Reply(delay=1.5), Reply())
        client = client_for(fault_server, timeout=(2, 0.3))
        with pytest.raises(ApiConnectionError) as info:
            client.create_videos(STORY_ID, duration=3)
        time.sleep(0.1)
        assert fault_server.count() == 1
        assert "not retried" in str(info.value)

    def test_connection_refused_is_retried(self) -> None:
        """Nothing listening: the request provably never arrived, so it is sent again."""
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        late = FaultServer(port)
        sleeps = Sleeps()

        def sleep_then_start(seconds: float) -> None:
            sleeps.append(seconds)
            if len(sleeps) == 1:
                late.start()

        client = StoryClient(f"http://127.0.0.1:{port}", api_key=KEY, sleep=sleep_then_start)
        try:
            record = client.idea_to_video(idea="a fox")
        finally:
            late.stop()
        assert record.id == STORY_ID
        assert len(sleeps) == 1
        assert late.count("POST") == 1

    def test_429_gives_up_after_max_retries(self, fault_server: FaultServer) -> None:
        sleeps = Sleeps()
        fault_server.script(error_reply(429, "slow down", **{"Retry-After": "1"}))
        with pytest.raises(TooManyRequests) as info:
            client_for(fault_server, sleeps, max_retries=2).idea_to_video(idea="x")
        assert fault_server.count() == 3
        assert info.value.retry_after == 1
        assert len(sleeps) == 2

    def test_very_long_retry_after_is_not_slept_through(self, fault_server: FaultServer) -> None:
        fault_server.script(error_reply(429, "come back tomorrow", **{"Retry-After": "86400"}))
        with pytest.raises(TooManyRequests):
            client_for(fault_server).idea_to_video(idea="x")
        assert fault_server.count() == 1


class TestIdempotentRetries:
    def test_get_retries_5xx_until_success(self, fault_server: FaultServer) -> None:
        sleeps = Sleeps()
        fault_server.script(error_reply(500), error_reply(502), Reply())
        record = client_for(fault_server, sleeps).get_story(STORY_ID)
        assert record.status == "new"
        assert fault_server.count("GET") == 3
        assert len(sleeps) == 2 and sleeps[1] > 0

    def test_get_gives_up_after_max_retries(self, fault_server: FaultServer) -> None:
        fault_server.script(error_reply(503, "down"))
        with pytest.raises(ServerError):
            client_for(fault_server, max_retries=3).get_story(STORY_ID)
        assert fault_server.count() == 4

    def test_get_read_timeout_is_retried(self, fault_server: FaultServer) -> None:
        fault_server.script(Reply(delay=1.0), Reply())
        record = client_for(fault_server, timeout=(2, 0.3)).get_story(STORY_ID)
        assert record.id == STORY_ID
        assert fault_server.count("GET") == 2

    def test_put_and_delete_retry_5xx(self, fault_server: FaultServer) -> None:
        client = client_for(fault_server)
        fault_server.script(error_reply(500), Reply())
        client.update_story(STORY_ID, title="New")
        assert fault_server.count("PUT") == 2
        fault_server.script(error_reply(500), Reply())
        client.delete_story(STORY_ID)
        assert fault_server.count("DELETE") == 2

    def test_4xx_is_not_retried(self, fault_server: FaultServer) -> None:
        fault_server.script(error_reply(404, "Story not found"), Reply())
        with pytest.raises(NotFound):
            client_for(fault_server).get_story(STORY_ID)
        assert fault_server.count() == 1


@pytest.mark.parametrize(("status", "error"), [
    (400, BadRequest), (401, Unauthorized), (402, InsufficientCredit), (404, NotFound),
    (422, ValidationFailed), (413, BadRequest)])
def test_status_maps_to_typed_error(fault_server: FaultServer, status: int,
                                    error: type[StoryApiError]) -> None:
    """Each status the reference lists is its own error class, with the server's detail."""
    fault_server.script(error_reply(status, f"detail for {status}"))
    with pytest.raises(error) as info:
        client_for(fault_server).idea_to_video(idea="x")
    assert f"detail for {status}" in str(info.value)
    assert info.value.details == f"detail for {status}"
    assert info.value.status == status


def test_validation_details_name_the_field(fault_server: FaultServer) -> None:
    items = [{"loc": ["body", "audio_option", "narrator"], "msg": "Input should be 'Rachel'",
              "type": "literal_error"}]
    fault_server.script(error_reply(422, items))
    with pytest.raises(ValidationFailed) as info:
        client_for(fault_server).idea_to_video(idea="x", audio_option={"narrator": "Bob"})
    assert "audio_option.narrator: Input should be 'Rachel'" in str(info.value)
    assert info.value.details == items


def test_a_non_json_success_is_a_server_error(fault_server: FaultServer) -> None:
    fault_server.script(Reply(body=b"<html>proxy page</html>"))
    with pytest.raises(ServerError, match="not a story object"):
        client_for(fault_server).get_story(STORY_ID)


class TestWireFormat:
    def test_form_fields_as_the_reference_sends_them(self, fault_server: FaultServer) -> None:
        """JSON-string fields are JSON text, booleans true/false, arrays repeated fields."""
        client_for(fault_server).idea_to_video(
            idea="a fox", scene_count=2, is_transition=True,
            audio_option={"has_narration": False, "narrator": "Aria"}, title=None)
        seen = fault_server.requests[0]
        assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"
        fields = parse_qsl(seen.body.decode())
        assert dict(fields) == {"idea": "a fox", "scene_count": "2", "is_transition": "true",
                                "audio_option": '{"has_narration":false,"narrator":"Aria"}'}
        assert seen.headers["X-Api-Key"] == KEY

    def test_image_files_are_multipart_parts(self, fault_server: FaultServer,
                                             tmp_path: Path) -> None:
        one, two = tmp_path / "one.png", tmp_path / "two.jpg"
        one.write_bytes(b"\x89PNG\r\n\x1a\n-first")
        two.write_bytes(b"\xff\xd8\xff-second")
        client_for(fault_server).images_to_video(
            image_files=[one, two], image_urls=["http://127.0.0.1/a.png"], idea="show")
        seen = fault_server.requests[0]
        assert seen.headers["Content-Type"].startswith("multipart/form-data")
        assert seen.body.count(b'name="image_files"') == 2
        assert b"-first" in seen.body and b"-second" in seen.body
        assert seen.body.count(b'name="image_urls"') == 1

    def test_multipart_upload_is_resent_whole_after_429(self, fault_server: FaultServer,
                                                        tmp_path: Path) -> None:
        image = tmp_path / "one.png"
        image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 5000)
        fault_server.script(error_reply(429, **{"Retry-After": "0"}), Reply())
        client_for(fault_server).create_storyboard(idea="x", image_files=[image])
        first, second = fault_server.requests
        assert first.body.count(b"x" * 5000) == second.body.count(b"x" * 5000) == 1

    def test_unknown_parameter_is_a_type_error(self, fault_server: FaultServer) -> None:
        with pytest.raises(TypeError, match="scene_cuont"):
            client_for(fault_server).idea_to_video(idea="x", scene_cuont=3)
        assert fault_server.count() == 0

    def test_concat_sends_repeated_urls(self, fault_server: FaultServer) -> None:
        client_for(fault_server).concat(STORY_ID, concat_video_urls=["http://h/a.mp4",
                                                                     "http://h/b.mp4"])
        fields = parse_qsl(fault_server.requests[0].body.decode())
        assert fields == [("concat_video_urls", "http://h/a.mp4"),
                          ("concat_video_urls", "http://h/b.mp4")]
        assert fault_server.requests[0].path == f"/story/{STORY_ID}/concat"


class TestKeySecrecy:
    def test_key_never_in_errors_reprs_or_logs(self, fault_server: FaultServer,
                                               caplog: pytest.LogCaptureFixture) -> None:
        caplog.set_level(logging.DEBUG)
        client = client_for(fault_server, timeout=(2, 0.3), max_retries=1)
        errors: list[BaseException] = []
        for reply in (error_reply(401, "Invalid API key"), error_reply(500),
                      error_reply(429, **{"Retry-After": "0"}), Reply(delay=1.0)):
            fault_server.script(reply)
            with pytest.raises(StoryApiError) as info:
                client.create_videos(STORY_ID)
            errors.append(info.value)
        dead = StoryClient("http://127.0.0.1:9", api_key=KEY, max_retries=0)
        with pytest.raises(ApiConnectionError) as info:
            dead.get_story(STORY_ID)
        errors.append(info.value)
        assert all(r.headers["X-Api-Key"] == KEY for r in fault_server.requests)
        for err in errors:
            text = f"{err} {err!r} {err.args} {getattr(err, 'details', '')} {err.__cause__!r}"
            assert KEY not in text
        assert KEY not in repr(client) and KEY not in str(vars(client))
        assert "retrying" in caplog.text  # the log did record the retries...
        assert KEY not in caplog.text  # ...without the key

    def test_key_from_environment(self, fault_server: FaultServer,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("MY_STORY_KEY", "env-key-123")
        StoryClient(fault_server.url, api_key_env="MY_STORY_KEY").get_story(STORY_ID)
        assert fault_server.requests[0].headers["X-Api-Key"] == "env-key-123"

    def test_missing_key_names_the_variable(self) -> None:
        with pytest.raises(Unauthorized, match="VIMMERSE_API_KEY"):
            StoryClient("http://127.0.0.1:9")


class TestWait:
    def test_polls_until_success_reporting_each_change(self, fault_server: FaultServer) -> None:
        def at(status: str, pct: int) -> Reply:
            return Reply(body={"data": {**STORY, "status": status, "progress_percentage": pct}})

        fault_server.script(at("new", 0), at("processing", 40), at("processing", 40),
                            at("processing", 80), at("success", 100))
        seen, sleeps = [], Sleeps()
        record = client_for(fault_server, sleeps).wait(
            STORY_ID, on_progress=lambda r: seen.append((r.status, r.progress_percentage)),
            poll_interval=1.0, max_interval=2.0)
        assert record.status == "success"
        assert seen == [("new", 0), ("processing", 40), ("processing", 80), ("success", 100)]
        assert sleeps == [1.0, 1.5, 2.0, 2.0]

    def test_returns_a_failed_story(self, fault_server: FaultServer) -> None:
        fault_server.script(Reply(body={"data": {**STORY, "status": "fail",
                                                 "message": "FFmpeg failed"}}))
        record = client_for(fault_server).wait(STORY_ID)
        assert record.status == "fail" and record.message == "FFmpeg failed"

    def test_timeout(self, fault_server: FaultServer) -> None:
        fault_server.script(Reply(body={"data": {**STORY, "status": "processing",
                                                 "progress_percentage": 30}}))
        client = StoryClient(fault_server.url, api_key=KEY)
        with pytest.raises(WaitTimeout, match="still processing at 30%") as info:
            client.wait(STORY_ID, timeout=0.3, poll_interval=0.05)
        assert info.value.record.progress_percentage == 30
        assert fault_server.count() >= 3


class TestDownload:
    def test_streams_to_the_path_and_returns_sha256(self, fault_server: FaultServer,
                                                    tmp_path: Path) -> None:
        video = bytes(range(256)) * 1000
        fault_server.script(Reply(body=video))
        target = tmp_path / "out" / "story.mp4"
        digest = client_for(fault_server).download("/media/story.mp4", target)
        assert target.read_bytes() == video
        assert digest == hashlib.sha256(video).hexdigest()
        assert [p.name for p in target.parent.iterdir()] == ["story.mp4"]
        assert "X-Api-Key" not in fault_server.requests[0].headers

    def test_short_body_is_retried_then_refused(self, fault_server: FaultServer,
                                                tmp_path: Path) -> None:
        """A body shorter than Content-Length never becomes the file."""
        fault_server.script(Reply(body=b"x" * 1000, declared_length=5000))
        target = tmp_path / "story.mp4"
        with pytest.raises(ApiConnectionError, match="Download"):
            client_for(fault_server, max_retries=2).download(f"{fault_server.url}/v.mp4",
                                                             target)
        assert fault_server.count() == 3
        assert list(tmp_path.iterdir()) == []

    def test_missing_file_is_not_found_at_once(self, fault_server: FaultServer,
                                               tmp_path: Path) -> None:
        fault_server.script(error_reply(404, "No such media file"))
        with pytest.raises(NotFound):
            client_for(fault_server).download("/media/x.mp4", tmp_path / "x.mp4")
        assert fault_server.count() == 1

    def test_keeps_the_old_file_when_the_new_one_fails(self, fault_server: FaultServer,
                                                       tmp_path: Path) -> None:
        target = tmp_path / "story.mp4"
        target.write_bytes(b"previous video")
        fault_server.script(Reply(body=b"partial", declared_length=99))
        with pytest.raises(ApiConnectionError):
            client_for(fault_server, max_retries=0).download("/v.mp4", target)
        assert target.read_bytes() == b"previous video"


def test_record_carries_the_server_fields(fault_server: FaultServer) -> None:
    data = {**STORY, "video_url": "http://127.0.0.1/media/v.mp4", "scenes": [{"name": "a"}],
            "extra": {"kept": True}}
    fault_server.script(Reply(body=json.dumps({"data": data}).encode()))
    record = client_for(fault_server).get_story(STORY_ID)
    assert record.video_url == data["video_url"]
    assert record.used_credits == 7
    assert record.raw["extra"] == {"kept": True}
