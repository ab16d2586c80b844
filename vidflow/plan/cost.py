"""What a plan will cost, in credits: per change and in total. Pure: no I/O.

Each paid change is priced as the calls the executor will send (vidflow.apply.steps,
vidflow.providers.base) are charged, with the contract's price functions
(vidflow.contract.prices), the ones the embedded engine charges with. So on the local
provider the estimate is exact: it equals what the engine then takes from the balance.

    create / replace   idea, url        automatic_price (images: no element/scene images)
                       storyboard       storyboard + scenes + videos (the POST sequence)
                       with overrides   + a regenerate of the generated storyboard
    regenerate         scenes + videos of every scene of the storyboard sent (the engine
                       charges the whole storyboard, even when only some scenes change)
    a replayed call    up to its price: the provider answers a key it has seen without a
                       second charge, but a first attempt cut off before it arrived was
                       never charged (`possible`); a create's overrides follow as a
                       regenerate of their own, paid whatever happened
    everything else    0 (metadata PUTs, polls, downloads, deletes, moves, forgets)

An http provider charges what it charges, so there the total is labelled an estimate and
priced with, in order: the provider block's `prices:` table; else the average credits per
scene the lockfile's stories on that provider actually used; else the engine's table.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vidflow.contract import prices
from vidflow.contract.params import OPERATIONS, SPEC_MODES
from vidflow.contract.storyboard import effective_audio
from vidflow.errors import PlanError
from vidflow.plan.model import Action, Change
from vidflow.spec.model import ProviderConfig, ResolvedStory
from vidflow.state.intents import CREATE, REGENERATE
from vidflow.state.lockfile import LockEntry, scrub_provider

# How the credits were worked out (the `basis` of a Cost), for people and for --json.
ENGINE = "engine"  # the local engine: exact
PROVIDER_PRICES = "provider-prices"  # the http provider block's `prices:` table
LOCKFILE_AVERAGE = "lockfile-average"  # credits per scene the lockfile's stories used
ENGINE_PRICES = "engine-prices"  # an http provider with nothing better: the engine's table
BASIS_TEXT = {
    ENGINE: "exact: the local engine's prices",
    PROVIDER_PRICES: "an estimate from the provider block's `prices:`",
    LOCKFILE_AVERAGE: "an estimate from the credits per scene the lockfile's stories used",
    ENGINE_PRICES: "an estimate from the local engine's prices; the provider may charge "
                   "otherwise (set `prices:` in the provider block)",
}
_PAID = (Action.CREATE, Action.REPLACE, Action.REGENERATE)


@dataclass(frozen=True)
class Cost:
    """Credits per address (paid changes only) and their total."""

    total: int
    exact: bool
    basis: str
    credits: Mapping[str, int] = field(default_factory=dict)  # at most, per address
    # of those, the credits of a replayed call: charged only if its first attempt never
    # reached the provider (which the plan cannot know), so `total` is an upper bound
    possible: Mapping[str, int] = field(default_factory=dict)

    def of(self, change: Change) -> int:
        """The credits of one change (a deposed story's delete is free)."""
        return 0 if change.deposed else self.credits.get(change.address, 0)

    def biggest(self, count: int = 3) -> list[tuple[str, int]]:
        """The costliest addresses, most first (ties by address)."""
        ranked = sorted(self.credits.items(), key=lambda item: (-item[1], item[0]))
        return [(a, c) for a, c in ranked if c > 0][:count]

    def head(self) -> str:
        """"Estimated cost: 126 credits", or that nothing is paid for (a destroy, metadata
        updates: then there is no price basis to name either)."""
        if not self.credits:
            return "Cost: nothing to pay (no change here is charged)"
        return "Estimated cost: " + credits_text(self.total, self.uncertain,
                                                 call="an interrupted call")

    @property
    def uncertain(self) -> int:
        """Credits of the total charged only if interrupted calls never arrived."""
        return sum(self.possible.values())

    def unsure(self, change: Change) -> int:
        """The part of a change's credits charged only if its interrupted call never
        reached the provider (0 for every change but a replay)."""
        return 0 if change.deposed else self.possible.get(change.address, 0)

    def line(self) -> str:
        """"Estimated cost: 126 credits (exact: the local engine's prices)"."""
        return f"{self.head()} ({BASIS_TEXT[self.basis]})" if self.credits else self.head()

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "exact": self.exact, "basis": self.basis,
                "credits": dict(sorted(self.credits.items())),
                "possible": dict(sorted(self.possible.items()))}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Cost:
        return cls(total=int(data["total"]), exact=bool(data["exact"]),
                   basis=str(data["basis"]),
                   credits={str(k): int(v) for k, v in dict(data["credits"]).items()},
                   possible={str(k): int(v)
                             for k, v in dict(data.get("possible") or {}).items()})


def _credits(n: int) -> str:
    return "credit" if n == 1 else "credits"


def credits_text(credits: int, unsure: int = 0, *, call: str = "the interrupted call"
                 ) -> str:
    """"20 credits", or with a replayed call's share "up to 20 credits (12 only if the
    interrupted call never reached the provider)"."""
    amount = f"{credits} {_credits(credits)}"
    if not unsure:
        return amount
    return f"up to {amount} ({unsure} only if {call} never reached the provider)"


def estimate(changes: Iterable[Change], provider: ProviderConfig,
             entries: Iterable[LockEntry] = ()) -> Cost:
    """The cost of `changes` on `provider`; `entries` (the lockfile's) teach an http
    provider without a `prices:` table what its stories cost per scene."""
    if provider.type == "local":
        basis, price = ENGINE, _table_pricer(prices.ENGINE)
    elif provider.prices:
        basis, price = PROVIDER_PRICES, _table_pricer(prices.PriceTable(**provider.prices))
    else:
        per_scene = _per_scene(entries, scrub_provider(provider.identity))
        if per_scene is None:
            basis, price = ENGINE_PRICES, _table_pricer(prices.ENGINE)
        else:
            basis, price = LOCKFILE_AVERAGE, _average_pricer(per_scene)
    credits: dict[str, int] = {}
    possible: dict[str, int] = {}
    for change in changes:
        if change.deposed or (change.action not in _PAID and change.replay is None):
            continue
        sends = _sends(change)
        credits[change.address] = price(change, sends)
        if change.replay is not None:
            after = change.after
            sure = price(change, REGENERATE) if (
                sends == CREATE and after is not None and after.overrides) else 0
            possible[change.address] = credits[change.address] - sure
    return Cost(total=sum(credits.values()), exact=basis == ENGINE, basis=basis,
                credits=credits, possible=possible)


Pricer = Callable[[Change, str], int]


def _sends(change: Change) -> str:
    """What a paid change sends, for its price: a regenerate (scenes and videos on the
    same story), or a create (a replace's and a replayed one's too), with a create's
    overrides following as a regenerate."""
    if change.replay is not None:
        return REGENERATE if change.replay.operation == REGENERATE else CREATE
    return REGENERATE if change.action is Action.REGENERATE else CREATE


def _table_pricer(table: prices.PriceTable) -> Pricer:
    def price(change: Change, sends: str) -> int:
        story = change.after
        assert story is not None  # a paid change always has the story to make
        if sends == REGENERATE:
            return regenerate_price(story, regenerated_scenes(change), table)
        return create_price(story, table)
    return price


def _average_pricer(per_scene: float) -> Pricer:
    def price(change: Change, sends: str) -> int:
        story = change.after
        assert story is not None
        if sends == REGENERATE:
            return math.ceil(per_scene * regenerated_scenes(change))
        # a create's overrides are a regenerate of the same scenes after it
        return math.ceil(per_scene * story_scenes(story)) * (2 if story.overrides else 1)
    return price


def create_price(story: ResolvedStory, table: prices.PriceTable = prices.ENGINE) -> int:
    """What making `story` from nothing costs (a create, or a replace's create)."""
    params = story.params
    scenes = story_scenes(story)
    audio = _audio(params)
    if story.mode == "storyboard":
        # POST /story, then /scenes and /videos with the pinned storyboard
        price = prices.storyboard_price(table) + _scenes_and_videos(params, scenes, audio,
                                                                    table)
    else:
        op = OPERATIONS[_making(story)]
        price = prices.automatic_price(
            scenes=scenes, seconds=int(str(_param(params, op.name, "scene_duration"))),
            transition=_bool(_param(params, op.name, "is_transition")), audio=audio,
            user_images=story.mode == "images", table=table)
    if story.overrides:  # the executor regenerates the generated storyboard after
        price += regenerate_price(story, scenes, table)
    return price


def regenerate_price(story: ResolvedStory, scenes: int,
                     table: prices.PriceTable = prices.ENGINE) -> int:
    """/scenes then /videos on the same story, for a storyboard of `scenes` scenes."""
    return _scenes_and_videos(story.params, scenes, _audio(story.params), table)


def _scenes_and_videos(params: Mapping[str, Any], scenes: int, audio: dict[str, Any],
                       table: prices.PriceTable) -> int:
    return prices.scenes_price(scenes=scenes, audio=audio, table=table) + prices.videos_price(
        scenes=scenes, seconds=int(_param(params, "create_videos", "duration")),
        loop=int(_param(params, "create_videos", "loop")),
        transition=_bool(_param(params, "create_videos", "is_transition")), audio=audio,
        table=table)


def story_scenes(story: ResolvedStory) -> int:
    """How many scenes the story's video has: images mode one per image, a pinned
    storyboard its scenes, else `scene_count`."""
    params = story.params
    if story.mode == "images":
        return len(params.get("image_files") or []) or len(params.get("image_urls") or [])
    if story.storyboard and story.storyboard.get("scenes"):
        return len(story.storyboard["scenes"])
    return int(_param(params, _making(story), "scene_count"))


def regenerated_scenes(change: Change) -> int:
    """The scenes of the storyboard a regenerate sends: all of them are charged."""
    if change.scenes is not None:
        return change.scenes[1]
    story = change.after
    assert story is not None
    if story.mode != "storyboard" and change.before is not None:
        board = change.before.storyboard  # what the executor regenerates from
        if board and board.get("scenes"):
            return len(board["scenes"])
    return story_scenes(story)


def _per_scene(entries: Iterable[LockEntry], identity: str) -> float | None:
    """Credits per scene the lockfile's stories on this provider used; None if none did."""
    used = scenes = 0
    for entry in entries:
        if entry.provider != identity or entry.used_credits <= 0:
            continue
        count = _entry_scenes(entry)
        if count:
            used += entry.used_credits
            scenes += count
    return used / scenes if scenes else None


def _entry_scenes(entry: LockEntry) -> int:
    if entry.storyboard and entry.storyboard.get("scenes"):
        return len(entry.storyboard["scenes"])
    params = entry.params or {}
    if entry.mode == "images":
        return len(params.get("image_files") or []) or len(params.get("image_urls") or [])
    count = params.get("scene_count")
    return count if isinstance(count, int) and count > 0 else 0


def _making(story: ResolvedStory) -> str:
    """The operation that makes a story of its mode (storyboard: its first step)."""
    return SPEC_MODES[story.mode][0]


def _param(params: Mapping[str, Any], operation: str, name: str) -> Any:
    """The value the call sends (the story's), else the one the API assumes."""
    value = params.get(name)
    return OPERATIONS[operation].default(name) if value is None else value


def _audio(params: Mapping[str, Any]) -> dict[str, Any]:
    """audio_option as the engine applies it (defaults filled, native audio mutes
    narration); a JSON string is read as the API reads it."""
    given = params.get("audio_option")
    if isinstance(given, str):
        try:
            given = json.loads(given)
        except ValueError:
            given = None
    return effective_audio(given if isinstance(given, dict) else {})


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def check_budget(cost: Cost | None, limit: int | None, *, source: str = "--max-credits"
                 ) -> None:
    """Refuse (PlanError, exit 1) a plan costing more than `limit` credits, naming the
    total, the limit and the costliest changes. Called before any paid call."""
    if limit is None or cost is None or cost.total <= limit:
        return
    biggest = ", ".join(f"{address} ({credits} {_credits(credits)})"
                        for address, credits in cost.biggest(3))
    more = len([c for c in cost.credits.values() if c > 0]) - len(cost.biggest(3))
    if more > 0:
        biggest += f" and {more} more"
    kind = ("may cost up to" if cost.uncertain else "costs" if cost.exact
            else "is estimated at")
    raise PlanError(f"the plan {kind} {cost.total} {_credits(cost.total)}, more than the "
                    f"limit of {limit} ({source}); the biggest changes: {biggest}. Nothing "
                    "was sent",
                    hint="raise the limit, or apply fewer changes with --target ADDR")


def budget(cli_limit: int | None, provider: ProviderConfig) -> tuple[int | None, str]:
    """The limit in force and where it was set: --max-credits wins over the project's."""
    if cli_limit is not None:
        return cli_limit, "--max-credits"
    return provider.max_credits, "max_credits in the provider block"
