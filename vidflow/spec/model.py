"""The resolved model: what the planner and the providers see of a spec.

This is the contract between the spec language (loader, schema, templating, variants) and
everything after it (planner, executor, providers). Keep it small and stable.

`params` holds the generation inputs under the Story API's own parameter names, with the
reference's defaults filled in and JSON-string fields (`audio_option`, `elements`) as plain
dicts. Local files appear as {"path": <relative to project root, posix>, "sha256": <hex>}
so the canonical form (and the fingerprint) changes exactly when a file's bytes change.

What a change costs decides the plan action (see ../shared/design.md):
  - `title`, `description`, `visibility_status`  → update in place (PUT)
  - `storyboard` (pinned, mode "storyboard")      → regenerate on the same story
  - `overrides` (changes to a generated storyboard) → regenerate on the same story
  - anything in `params`                          → replace
    (except `webhook_url`: sent with the create call, left out of the fingerprint)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vidflow.contract.params import SPEC_MODES
from vidflow.errors import Location

MODES = tuple(SPEC_MODES)
DEFAULT_DEADLINE = "60m"  # the reference's own examples give up polling after 60 minutes
DEFAULT_DEADLINE_SECONDS = 3600.0


@dataclass(frozen=True)
class ProviderConfig:
    type: str = "local"  # "local" | "http"
    base_url: str | None = None
    api_key_env: str = "VIMMERSE_API_KEY"
    data_dir: str | None = None  # local engine data, relative to the project root
    # http only: the provider's price of each unit (vidflow.contract.prices.PRICE_NAMES),
    # for the plan's estimate; unset, the estimate learns from the lockfile
    prices: dict[str, int] | None = None
    # a plan whose cost is above this is refused before any paid call (--max-credits wins)
    max_credits: int | None = None
    # vidflow extensions the http server has, as the spec declares (`extensions:`)
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:  # a saved plan gives a JSON list
        object.__setattr__(self, "extensions", tuple(self.extensions))

    @property
    def identity(self) -> str:
        """What the lockfile records to tell providers apart (never a key)."""
        return "local" if self.type == "local" else f"http:{(self.base_url or '').rstrip('/')}"

    def has_extension(self, name: str) -> bool:
        """Whether stories may use the vidflow extension `name` here: the embedded engine
        has every one; an http server has those the spec declares for it, and one on
        loopback is taken to be `vidflow serve`. (At apply, the server's own OpenAPI
        announcement decides, before anything is paid.) The hosted Story API has none."""
        if self.type == "local" or name in self.extensions:
            return True
        return is_loopback_url(self.base_url or "")


def is_loopback_url(url: str) -> bool:
    import ipaddress
    from urllib.parse import urlsplit

    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Lifecycle:
    prevent_destroy: bool = False


@dataclass(frozen=True)
class ResolvedStory:
    address: str  # e.g. "winter-promo[aspect_ratio=9:16,tone=fun]"
    mode: str  # one of MODES
    params: dict[str, Any]  # generation inputs, API names, defaults filled
    title: str = ""
    description: str = ""
    visibility_status: str = "0"  # "0" private, "1" unlisted, "2" public
    storyboard: dict[str, Any] | None = None  # pinned storyboard (mode "storyboard")
    output: str = ""  # relative path of the downloaded video, e.g. "out/winter-promo.mp4"
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    location: Location | None = None  # where the story is declared
    fingerprint: str = ""  # sha256 of canonical `mode` + `params`
    storyboard_fingerprint: str | None = None  # sha256 of canonical `storyboard`
    # Changes to the generated storyboard (vidflow.spec.overrides): scenes by number as text,
    # elements by name. Not a generation input: a change regenerates on the same story.
    overrides: dict[str, Any] | None = None
    overrides_fingerprint: str | None = None
    # Added by the spec language (not generation inputs, so outside `params`/fingerprint):
    webhook_url: str | None = None  # also params["webhook_url"]; never in the fingerprint
    variant: dict[str, Any] = field(default_factory=dict)  # the expansion's values
    # `location` names the file as the user gave it (relative to their working folder, for
    # messages); this one is relative to the project root, so `render` output is the same
    # wherever it runs.
    root_location: Location | None = None
    # How long apply waits for the render before it stops polling (seconds): `deadline:`
    deadline: float = DEFAULT_DEADLINE_SECONDS
    # Where each override is written ("overrides.scenes.3" → its key), for the errors only
    # a plan can find (a scene or name the storyboard lacks); not saved with a plan.
    override_locations: Mapping[str, Location] = field(default_factory=dict, compare=False,
                                                       repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A stable, JSON-ready form (what `vidflow render --json` prints per story)."""
        return {
            "address": self.address,
            "mode": self.mode,
            "params": self.params,
            "title": self.title,
            "description": self.description,
            "visibility_status": self.visibility_status,
            "storyboard": self.storyboard,
            "webhook_url": self.webhook_url,
            "output": self.output,
            "lifecycle": {"prevent_destroy": self.lifecycle.prevent_destroy},
            "variant": self.variant,
            "fingerprint": self.fingerprint,
            "storyboard_fingerprint": self.storyboard_fingerprint,
            "overrides": self.overrides,
            "overrides_fingerprint": self.overrides_fingerprint,
            "location": _text(self.root_location or self.location),
        }

    @property
    def metadata(self) -> dict[str, str]:
        """The fields a PUT /story/{id} changes in place."""
        return {
            "title": self.title,
            "description": self.description,
            "visibility_status": self.visibility_status,
        }


def _text(location: Location | None) -> str | None:
    return str(location) if location else None


@dataclass(frozen=True)
class Moved:
    from_address: str
    to_address: str
    location: Location | None = None


@dataclass(frozen=True)
class Project:
    root: str  # absolute folder holding the specs (lockfile lives here: vidflow.lock)
    provider: ProviderConfig
    stories: dict[str, ResolvedStory]  # address → story, sorted by address
    moved: tuple[Moved, ...] = ()
    # `removed:` addresses (or story names): forgotten by the lockfile, never deleted
    removed: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # spec files read, relative to root
    blocks: tuple[str, ...] = ()  # story blocks as declared (before variant expansion)
