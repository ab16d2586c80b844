"""One retry layer for 429 and one poll loop, whatever the provider."""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vidflow.api.client import StoryClient
from vidflow.api.models import StoryRecord
from vidflow.api.poll import MAX_THROTTLED, poll_until_done
from vidflow.errors import TooManyRequests
from vidflow.providers.http import HttpProvider
from vidflow.spec.model import ResolvedStory

STORY = ResolvedStory(address="promo", mode="idea", params={"idea": "a fox"}, title="Promo")


@contextlib.contextmanager
def always_busy():
    """A Story API on loopback answering every request 429 (Retry-After: 0)."""
    posts: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            posts.append(self.path)
            body = b'{"detail": "too many requests"}'
            self.send_response(429)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", posts
    finally:
        server.shutdown()
        server.server_close()


def test_a_refused_create_is_sent_at_most_the_clients_attempts(tmp_path: Path):
    """The client is the http transport's one retry layer: 5 sends, not 5 x 6."""
    with always_busy() as (url, posts):
        provider = HttpProvider(tmp_path, base_url=url, environ={"VIMMERSE_API_KEY": "k"})
        provider.client = StoryClient(url, api_key="k", sleep=lambda s: None)
        with pytest.raises(TooManyRequests):
            provider.create(STORY)
        provider.close()
    assert posts == ["/story/idea-2-video"] * (provider.client.policy.max_retries + 1)


class Pauses(threading.Event):
    """A stop event that records each pause instead of waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.pauses: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.pauses.append(timeout or 0.0)
        return False


def test_a_throttled_poll_waits_for_retry_after_then_backs_off():
    answers = iter([TooManyRequests("busy", retry_after=3.0), "processing",
                    TooManyRequests("busy", retry_after=None), "success"])

    def get(story_id: str) -> StoryRecord:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return StoryRecord(id=story_id, status=answer)

    stop = Pauses()
    record = poll_until_done(get, "s", stop=stop, first_interval=1, max_interval=10)
    assert record.status == "success"
    assert stop.pauses == [3.0, 1.5, 2.25]  # Retry-After wins, then the growing interval


def test_a_server_that_keeps_refusing_polls_ends_the_wait():
    def get(story_id: str) -> StoryRecord:
        raise TooManyRequests("busy", retry_after=0.5)

    stop = Pauses()
    with pytest.raises(TooManyRequests):
        poll_until_done(get, "s", stop=stop, first_interval=0.1)
    assert len(stop.pauses) == MAX_THROTTLED


def test_the_client_and_the_providers_share_the_poll_loop():
    from vidflow.api import client
    from vidflow.providers import base

    assert base.poll_until_done is poll_until_done is client.poll_until_done
