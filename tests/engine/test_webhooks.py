"""Completion webhooks against a real loopback HTTP server (reached through an explicit
opening: without one, loopback is refused)."""

from __future__ import annotations

import time

from vidflow.engine.webhooks import Delivery, deliver, send_in_background


def test_payload_and_retry_after_500(http_server) -> None:
    """A 500 is retried; the next 2xx ends delivery; the payload is the reference's."""
    http_server.route("/hook", statuses=[500])
    ok = deliver(Delivery(http_server.url("/hook"), "acct", "story-1", "success"),
                 backoff=(0.05,), opening=http_server.opening)
    assert ok
    assert http_server.posts("/hook") == [
        {"customer_id": "acct", "batch_id": "story-1", "status": "success"}] * 2


def test_gives_up_after_attempts(http_server) -> None:
    http_server.route("/down", status=503)
    assert not deliver(Delivery(http_server.url("/down"), "a", "s", "fail"), attempts=3,
                       backoff=(0.01,), opening=http_server.opening)
    assert len(http_server.posts("/down")) == 3


def test_connection_refused_is_retried_not_raised(http_server) -> None:
    assert not deliver(Delivery("http://127.0.0.1:9/none", "a", "s", "fail"), attempts=2,
                       backoff=(0.01,), timeout=1, opening=http_server.opening)


def test_background_delivery_does_not_block(http_server) -> None:
    http_server.route("/hook", statuses=[500, 500])
    started = time.monotonic()
    thread = send_in_background(Delivery(http_server.url("/hook"), "a", "s", "success"),
                                backoff=(0.2,), opening=http_server.opening)
    assert time.monotonic() - started < 0.1
    thread.join(10)
    assert len(http_server.posts("/hook")) == 3
