"""The retry rules as pure functions: which failures may be re-sent, and how long to wait."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from urllib3.exceptions import MaxRetryError, NewConnectionError

from vidflow.api.retry import (
    RetryPolicy,
    backoff_delay,
    never_sent,
    parse_retry_after,
    retry_delay,
    retry_on_exception,
    retry_on_status,
)

METHODS = st.sampled_from(["GET", "PUT", "DELETE", "POST"])


def refused() -> requests.ConnectionError:
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111]")
    return requests.ConnectionError(MaxRetryError(None, "/story", reason))


class TestWhatIsRetried:
    @given(METHODS, st.integers(400, 599))
    def test_post_is_retried_only_on_429(self, method: str, status: int) -> None:
        """A POST answered 5xx may have spent credits; only 429 proves it did not."""
        if method == "POST":
            assert retry_on_status(method, status) == (status == 429)
        else:
            assert retry_on_status(method, status) == (status == 429 or status >= 500)

    def test_refused_connection_is_retried_for_every_method(self) -> None:
        assert never_sent(refused())
        assert retry_on_exception("POST", refused())

    def test_connect_timeout_was_never_sent(self) -> None:
        assert retry_on_exception("POST", requests.ConnectTimeout("connect"))

    @pytest.mark.parametrize("exc", [
        requests.ReadTimeout("read"), requests.ConnectionError("Connection reset by peer"),
        requests.exceptions.ChunkedEncodingError("cut")])
    def test_post_may_have_been_processed(self, exc: Exception) -> None:
        assert not retry_on_exception("POST", exc)
        assert retry_on_exception("GET", exc)
        assert retry_on_exception("DELETE", exc)


class TestDelays:
    @given(st.integers(0, 20), st.floats(0.01, 5), st.floats(1, 60), st.integers(0, 2**32))
    def test_backoff_is_bounded_and_jittered(self, attempt: int, base: float, cap: float,
                                              seed: int) -> None:
        policy = RetryPolicy(backoff=base, max_backoff=cap)
        ceiling = min(cap, base * 2 ** attempt)
        delay = backoff_delay(attempt, policy, random.Random(seed))
        assert ceiling / 2 <= delay <= ceiling

    def test_backoff_grows(self) -> None:
        rng = random.Random(1)
        policy = RetryPolicy(backoff=0.5)
        means = [sum(backoff_delay(a, policy, rng) for _ in range(200)) / 200 for a in range(4)]
        assert means == sorted(means) and means[3] > 4 * means[0] * 0.9

    @given(st.floats(0, 300), st.integers(0, 10))
    def test_retry_after_is_honoured(self, seconds: float, attempt: int) -> None:
        delay = retry_delay(attempt, RetryPolicy(), random.Random(0), seconds)
        assert seconds <= delay <= seconds + 0.1


class TestRetryAfterHeader:
    def test_seconds(self) -> None:
        assert parse_retry_after("7") == 7.0
        assert parse_retry_after(" 0 ") == 0.0

    def test_http_date(self) -> None:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        header = format_datetime(now + timedelta(seconds=30), usegmt=True)
        assert parse_retry_after(header, now=now.timestamp()) == pytest.approx(30)

    def test_past_date_means_now(self) -> None:
        assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0

    @pytest.mark.parametrize("value", [None, "", "soon", "-"])
    def test_absent_or_garbage(self, value: str | None) -> None:
        assert parse_retry_after(value) is None
