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
    VIDFLOW_DASK_SCHEDULER       tcp://host:port of a Dask distributed scheduler: scene
                                 clips and compositions render on its workers instead of
                                 in process (default: none; needs vidflow-iac[dask])

None of them changes a story's fingerprint: they describe this machine, not the story.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from vidflow.errors import VidflowError

SCALE_ENV = "VIDFLOW_ENGINE_SCALE"
FPS_ENV = "VIDFLOW_ENGINE_FPS"
STORYBOARD_ENDPOINT_ENV = "VIDFLOW_STORYBOARD_ENDPOINT"
STORYBOARD_MODEL_ENV = "VIDFLOW_STORYBOARD_MODEL"
ALLOW_NETWORKS_ENV = "VIDFLOW_ALLOW_NETWORKS"
DASK_SCHEDULER_ENV = "VIDFLOW_DASK_SCHEDULER"
_SCHEDULER = re.compile(r"^(tcp|tls)://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")


# The quality the engine renders at unless told otherwise (a story records the one it had)
DEFAULT_QUALITY: dict[str, Any] = {"scale": 1.0, "fps": 30}
# A draft: what `vidflow preview` renders at (a quarter of each side, 10 frames a second)
DRAFT_QUALITY: dict[str, Any] = {"scale": 0.25, "fps": 10}


def dask_scheduler(value: str) -> str:
    """A scheduler address, checked: tcp://host:port (or tls://)."""
    match = _SCHEDULER.match(value.strip())
    if not match or not 0 < int(match.group(3)) < 65536:
        raise VidflowError(f"{DASK_SCHEDULER_ENV}={value!r} is not a scheduler address",
                           hint="e.g. tcp://10.0.0.5:8786, or unset it")
    return value.strip()


def allow_networks(entries: Iterable[str], source: str) -> tuple[str, ...]:
    """The entries, checked (VidflowError naming `source` for the first bad one)."""
    from vidflow.engine.outbound import Opening  # requests and urllib3: not for a plan

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
    if environ.get(DASK_SCHEDULER_ENV, "").strip():
        out["dask_scheduler"] = dask_scheduler(environ[DASK_SCHEDULER_ENV])
    return out
