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


# Sent with the create call but not part of what is generated: changing where the
# completion notice goes must not pay for a new video.
NOT_GENERATION = frozenset({"webhook_url"})


def fingerprint(mode: str, params: dict[str, Any]) -> str:
    """The generation inputs' hash: a change here means a new video (replace)."""
    inputs = {k: v for k, v in params.items() if k not in NOT_GENERATION}
    return sha256_text(canonical_json({"mode": mode, "params": inputs}))


def storyboard_fingerprint(storyboard: dict[str, Any] | None) -> str | None:
    return None if storyboard is None else sha256_text(canonical_json(storyboard))
