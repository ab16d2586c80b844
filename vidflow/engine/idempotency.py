"""Idempotency keys: a paid request sent again with the same key is answered, not redone.

The key is recorded in the same SQLite transaction as the charge it goes with, so a
restart at any instant leaves either no charge and no key, or both. A request with a
recorded key is answered from it: its story as it is now when the work was done, the work
done again *without a new charge* when the first attempt died half-way, and a 422 when the
same key comes with a different request (a client bug that must not pass silently).
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidflow.contract.params import IDEMPOTENCY_HEADER, OPERATIONS
from vidflow.errors import ValidationFailed
from vidflow.hashing import sha256_file

_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as header values travel


@dataclass(frozen=True)
class KeyedRequest:
    """The request being served under a key (a context variable while it runs)."""

    account: str
    key: str
    operation: str
    digest: str
    story_id: str | None = None  # the story the first attempt charged for
    prepaid: bool = False  # a first attempt charged and died half-way: charge nothing


CURRENT: contextvars.ContextVar[KeyedRequest | None] = contextvars.ContextVar(
    "vidflow_keyed_request", default=None)


def check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValidationFailed(
            f"{IDEMPOTENCY_HEADER}: must be 1 to 255 visible ASCII characters",
            details=[{"loc": ["header", IDEMPOTENCY_HEADER], "type": "value_error",
                      "msg": "must be 1 to 255 visible ASCII characters"}])
    return key


def mismatch(key: str) -> ValidationFailed:
    msg = ("this key was used for a different request; send a new key for a new request")
    return ValidationFailed(f"{IDEMPOTENCY_HEADER}: {msg}", details=[
        {"loc": ["header", IDEMPOTENCY_HEADER], "msg": msg, "type": "idempotency_mismatch"}])


def request_digest(operation: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """What a request asks, as a hash: its arguments, files by their content."""
    body = {"operation": operation, "args": _plain(list(args)),
            "kwargs": _plain({k: v for k, v in kwargs.items() if k != "account"})}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return {"file": sha256_file(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def keyed(method: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """A paid operation of the engine that takes `idempotency_key` (the header's value):
    with one, the call is served by the engine's `_once`."""
    operation = method.__name__
    assert OPERATIONS[operation].paid, operation

    @functools.wraps(method)
    def run(self: Any, *args: Any, idempotency_key: str | None = None,
            **kwargs: Any) -> dict[str, Any]:
        if idempotency_key is None:
            return method(self, *args, **kwargs)
        digest = request_digest(operation, args, kwargs)
        return self._once(kwargs.get("account", "local"), operation, idempotency_key, digest,
                          lambda: method(self, *args, **kwargs))
    return run
