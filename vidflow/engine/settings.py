"""Engine settings of this machine, from the environment: render quality, the optional
storyboard model, and the networks URLs may reach. Both the `local` provider and
`vidflow serve` read them here.

    VIDFLOW_ENGINE_SCALE         resolution multiplier, e.g. 0.25 for drafts (default 1.0)
    VIDFLOW_ENGINE_FPS           frames per second, e.g. 10 for drafts (default 30)
    VIDFLOW_STORYBOARD_ENDPOINT  base URL of an OpenAI-compatible chat API that writes
                                 storyboards (default: none, the rule-based writer)
    VIDFLOW_STORYBOARD_MODEL     its model name (default gpt-4o-mini); the key is read from
                                 OPENAI_API_KEY when a storyboard is written, never stored
    VIDFLOW_ALLOW_NETWORKS       comma-separated networks (CIDR), addresses or host names
                                 that fetched URLs and webhooks may reach although they are
                                 not public, e.g. "127.0.0.1/32,10.0.0.0/8" (default: none;
                                 loopback, private and link-local addresses are refused)

None of them changes a story's fingerprint: they describe this machine, not the story.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from vidflow.engine.outbound import Opening
from vidflow.errors import VidflowError

SCALE_ENV = "VIDFLOW_ENGINE_SCALE"
FPS_ENV = "VIDFLOW_ENGINE_FPS"
STORYBOARD_ENDPOINT_ENV = "VIDFLOW_STORYBOARD_ENDPOINT"
STORYBOARD_MODEL_ENV = "VIDFLOW_STORYBOARD_MODEL"
ALLOW_NETWORKS_ENV = "VIDFLOW_ALLOW_NETWORKS"


def allow_networks(entries: Iterable[str], source: str) -> tuple[str, ...]:
    """The entries, checked (VidflowError naming `source` for the first bad one)."""
    items = tuple(e.strip() for e in entries if e.strip())
    try:
        Opening.parse(items)
    except ValueError as exc:
        raise VidflowError(f"{source}: {exc}",
                           hint="e.g. 127.0.0.1/32, 10.0.0.0/8, ::1 or minio.internal") from exc
    return items


def engine_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """The EngineConfig fields the environment sets (only those it sets)."""
    out: dict[str, Any] = {}
    for name, field, kind in ((SCALE_ENV, "scale", float), (FPS_ENV, "fps", int)):
        value = environ.get(name)
        if not value:
            continue
        try:
            parsed = kind(value)
        except ValueError as exc:
            raise VidflowError(f"{name}={value!r} is not a number",
                               hint=f"unset {name} or give e.g. {kind(1)}") from exc
        if parsed <= 0:
            raise VidflowError(f"{name} must be positive, got {value}")
        out[field] = parsed
    endpoint = environ.get(STORYBOARD_ENDPOINT_ENV)
    if endpoint:
        if not endpoint.startswith(("http://", "https://")):
            raise VidflowError(f"{STORYBOARD_ENDPOINT_ENV}={endpoint!r} is not an http(s) URL",
                               hint="e.g. http://127.0.0.1:8080/v1, or unset it")
        out["storyboard_endpoint"] = endpoint
    if environ.get(STORYBOARD_MODEL_ENV):
        out["storyboard_model"] = environ[STORYBOARD_MODEL_ENV]
    if environ.get(ALLOW_NETWORKS_ENV, "").strip():
        out["allow_networks"] = allow_networks(environ[ALLOW_NETWORKS_ENV].split(","),
                                               ALLOW_NETWORKS_ENV)
    return out
