"""Canonical JSON and fingerprints: the same inputs always give the same bytes and hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Sorted keys, compact separators, UTF-8 kept as is: one spelling per value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(mode: str, params: dict[str, Any]) -> str:
    """The generation inputs' hash: a change here means a new video (replace)."""
    return sha256_text(canonical_json({"mode": mode, "params": params}))


def storyboard_fingerprint(storyboard: dict[str, Any] | None) -> str | None:
    return None if storyboard is None else sha256_text(canonical_json(storyboard))
