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


def videos_price(*, scenes: int, seconds: int, loop: int = 1, transition: bool,
                 audio: dict[str, Any]) -> int:
    """Animation and composition of `scenes` scenes (music and native sound included)."""
    price = VIDEO_SECOND * scenes * seconds * max(loop, 1)
    if transition and scenes > 1:
        price += TRANSITION * (scenes - 1)
    if audio.get("has_bg_music"):
        price += MUSIC
    if audio.get("native_audio"):
        price += NATIVE_AUDIO * scenes
    return price


def automatic_price(*, scenes: int, seconds: int, transition: bool, audio: dict[str, Any],
                    user_images: bool = False) -> int:
    """The whole 7-step pipeline; with user images there is no element/scene rendering."""
    price = STORYBOARD
    if not user_images:
        price += (ELEMENT_IMAGE + SCENE_IMAGE) * scenes
    if narration_on(audio):
        price += NARRATION * scenes
    return price + videos_price(scenes=scenes, seconds=seconds, transition=transition,
                                audio=audio)


def storyboard_price() -> int:
    return STORYBOARD


def elements_price(count: int) -> int:
    return ELEMENT_IMAGE * count


def scenes_price(*, scenes: int, audio: dict[str, Any]) -> int:
    narration = NARRATION * scenes if narration_on(audio) else 0
    return SCENE_IMAGE * scenes + narration


def concat_price(*, videos: int, audios: int) -> int:
    return CONCAT_VIDEO * videos + CONCAT_AUDIO * audios
