"""The embedded engine's price of each operation, in credits: pure functions, so a price is
known up front (a plan can show it before anything is paid).

Work is charged once, when it is accepted, before anything is created; a request the
balance cannot cover is refused with InsufficientCredit (402) and leaves no trace. Work
that fails (a story ending in `fail`, a synchronous step raising) is refunded, and the
story's `used_credits` goes back down by the same amount.

    operation                         price
    storyboard                        2 per storyboard
    element image                     2 per element
    scene image                       3 per scene
    narration                         1 per scene (when narration is on)
    background music                  2 per video (when on)
    native audio (ambient sound)      1 per scene (when on)
    animation                         1 per second of scene video (nominal duration × loop)
    transition                        1 per transition (scenes - 1, when is_transition)
    concat                            1 per input video, + 1 per audio track

Automatic modes price element images as one per scene (the storyboard decides the real
count later; the price does not move after acceptance).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from vidflow.contract.storyboard import narration_on

STORYBOARD = 2
ELEMENT_IMAGE = 2
SCENE_IMAGE = 3
NARRATION = 1
MUSIC = 2
NATIVE_AUDIO = 1
VIDEO_SECOND = 1
TRANSITION = 1
CONCAT_VIDEO = 1
CONCAT_AUDIO = 1


@dataclass(frozen=True)
class PriceTable:
    """The price of each unit, in credits. `ENGINE` is the embedded engine's; an http
    provider's block may give its own (`prices:`), by these names, for the plan's estimate.
    The functions below take a table so the plan and the engine price with the same code."""

    storyboard: int = STORYBOARD
    element_image: int = ELEMENT_IMAGE
    scene_image: int = SCENE_IMAGE
    narration: int = NARRATION
    music: int = MUSIC
    native_audio: int = NATIVE_AUDIO
    video_second: int = VIDEO_SECOND
    transition: int = TRANSITION
    concat_video: int = CONCAT_VIDEO
    concat_audio: int = CONCAT_AUDIO


ENGINE = PriceTable()
PRICE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(PriceTable))


def videos_price(*, scenes: int, seconds: int, loop: int = 1, transition: bool,
                 audio: dict[str, Any], table: PriceTable = ENGINE) -> int:
    """Animation and composition of `scenes` scenes (music and native sound included)."""
    price = table.video_second * scenes * seconds * max(loop, 1)
    if transition and scenes > 1:
        price += table.transition * (scenes - 1)
    if audio.get("has_bg_music"):
        price += table.music
    if audio.get("native_audio"):
        price += table.native_audio * scenes
    return price


def automatic_price(*, scenes: int, seconds: int, transition: bool, audio: dict[str, Any],
                    user_images: bool = False, table: PriceTable = ENGINE) -> int:
    """The whole 7-step pipeline; with user images there is no element/scene rendering."""
    price = table.storyboard
    if not user_images:
        price += (table.element_image + table.scene_image) * scenes
    if narration_on(audio):
        price += table.narration * scenes
    return price + videos_price(scenes=scenes, seconds=seconds, transition=transition,
                                audio=audio, table=table)


def storyboard_price(table: PriceTable = ENGINE) -> int:
    return table.storyboard


def elements_price(count: int, table: PriceTable = ENGINE) -> int:
    return table.element_image * count


def scenes_price(*, scenes: int, audio: dict[str, Any], table: PriceTable = ENGINE) -> int:
    narration = table.narration * scenes if narration_on(audio) else 0
    return table.scene_image * scenes + narration


def concat_price(*, videos: int, audios: int, table: PriceTable = ENGINE) -> int:
    return table.concat_video * videos + table.concat_audio * audios
