"""Canonical JSON and fingerprints: the same inputs always give the same bytes and hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from vidflow.contract.params import DEFAULTS, PARAMS
from vidflow.contract.storyboard import narration_on as audio_narrates


def canonical_json(value: Any) -> str:
    """Sorted keys, compact separators, UTF-8 kept as is: one spelling per value."""
    return _CANONICAL(value)


# json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) exactly:
# json.dumps builds this encoder anew on every call given any option (~3 µs, a third of a
# variant's fingerprint), so one is kept
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Sent with the create call but not part of what is generated: changing where the
# completion notice goes must not pay for a new video.
NOT_GENERATION = frozenset({"webhook_url"})


# Inputs the Story API ignores while narration is on (the narration's length sets each
# scene's length): the reference says so for `scene_duration` (auto modes) and for
# `duration` and `loop` (storyboard mode). The fingerprint hashes them at their defaults
# then, so editing them costs nothing; at the defaults, fingerprints are the same as
# before this rule, so existing lockfiles keep matching.
IGNORED_WITH_NARRATION = {p.name: DEFAULTS[p.name] for p in PARAMS.values()
                          if p.ignored_with_narration}


def narration_on(params: dict[str, Any]) -> bool:
    """Narration as the API applies it to a story's parameters."""
    return audio_narrates(params.get("audio_option"))


def generation_inputs(params: dict[str, Any]) -> dict[str, Any]:
    """What decides the video: `params` without delivery settings, ignored inputs at
    their defaults."""
    inputs = {k: v for k, v in params.items() if k not in NOT_GENERATION}
    if narration_on(inputs):
        for name, default in IGNORED_WITH_NARRATION.items():
            if name in inputs:
                inputs[name] = default
    return inputs


def fingerprint(mode: str, params: dict[str, Any]) -> str:
    """The generation inputs' hash: a change here means a new video (replace)."""
    return sha256_text(canonical_json({"mode": mode, "params": _inputs(params)}))


def _inputs(params: dict[str, Any]) -> dict[str, Any]:
    """generation_inputs(params) to read (not keep): `params` itself when that is what it
    would copy (no delivery setting, no ignored input off its default: the usual story)."""
    if not NOT_GENERATION.isdisjoint(params):
        return generation_inputs(params)
    for name, default in _IGNORED:
        if name in params:
            value = params[name]
            if (type(value) is not type(default) or value != default) \
                    and narration_on(params):
                return generation_inputs(params)
    return params


_IGNORED = tuple(IGNORED_WITH_NARRATION.items())


def storyboard_fingerprint(storyboard: dict[str, Any] | None) -> str | None:
    return None if storyboard is None else sha256_text(canonical_json(storyboard))
