"""When a Story API call may be sent again, and how long to wait first. Pure functions.

A retry must never make the user pay twice. GET, PUT and DELETE are idempotent: retried on
connection errors, timeouts, 429 and 5xx. A POST creates a story or spends credits, so it is
retried only when the server provably did not act on it: a 429 (refused before any work),
or a connection that was never established (refused, connect timeout). A POST that timed
out while reading, or got a 5xx, may have been processed: it is not retried.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from vidflow.errors import TooManyRequests

T = TypeVar("T")

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 4
    backoff: float = 0.5  # first wait, doubled each attempt
    max_backoff: float = 30.0
    max_retry_after: float = 300.0  # a longer Retry-After is given up on, not slept through


def never_sent(exc: BaseException) -> bool:
    """True when the request provably never reached the server."""
    import requests  # here, not at import: the local provider never sends one
    from urllib3.exceptions import NewConnectionError

    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    # requests wraps urllib3's MaxRetryError, whose `reason` says why it gave up
    for arg in exc.args:
        reason = getattr(arg, "reason", arg)
        if isinstance(reason, NewConnectionError | ConnectionRefusedError):
            return True
    return False


def retry_on_exception(method: str, exc: BaseException) -> bool:
    import requests

    if never_sent(exc):
        return True
    transient = (requests.ConnectionError, requests.Timeout,
                 requests.exceptions.ChunkedEncodingError)
    return method.upper() in IDEMPOTENT and isinstance(exc, transient)


def retry_on_status(method: str, status: int) -> bool:
    if status == 429:
        return True  # refused before any work: safe for every method
    return status >= 500 and method.upper() in IDEMPOTENT


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def backoff_delay(attempt: int, policy: RetryPolicy, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, capped."""
    ceiling = min(policy.max_backoff, policy.backoff * (2 ** attempt))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def retry_delay(attempt: int, policy: RetryPolicy, rng: random.Random,
                retry_after: float | None) -> float:
    """Retry-After wins when the server gave one (plus a little jitter to spread clients)."""
    if retry_after is not None:
        return retry_after + rng.uniform(0, min(0.1, policy.backoff))
    return backoff_delay(attempt, policy, rng)


def retry_refused(send: Callable[[], T], *, policy: RetryPolicy,
                  sleep: Callable[[float], None] = time.sleep,
                  rng: random.Random | None = None) -> T:
    """`send()`, sent again while it is refused with TooManyRequests (never processed, so
    safe even for a paid call), after Retry-After or backoff, up to policy.max_retries
    times; a Retry-After over policy.max_retry_after is given up on. For transports that
    raise typed errors (the embedded engine); the HTTP client applies the same rules in
    its own loop, so each call crosses exactly one retry layer."""
    rng = rng or random.Random()
    for attempt in range(policy.max_retries + 1):
        try:
            return send()
        except TooManyRequests as exc:
            wait = exc.retry_after
            if attempt == policy.max_retries or (
                    wait is not None and wait > policy.max_retry_after):
                raise
            sleep(retry_delay(attempt, policy, rng, wait))
    raise AssertionError("unreachable")
