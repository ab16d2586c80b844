"""The storyboard's shape and the JSON-string fields' contents, as the reference gives them."""

from __future__ import annotations

from typing import Any

ELEMENT_KINDS = ("characters", "environments", "objects")
# "Must contain 'characters', 'environments', 'objects', and 'scenes' arrays."
STORYBOARD_KEYS = (*ELEMENT_KINDS, "scenes")
# an element names a user's own image with either field ("URL" is the alternative name)
ELEMENT_IMAGE_FIELDS = ("image_url", "URL")
ELEMENT_FIELDS = ("name", "description", *ELEMENT_IMAGE_FIELDS)
# a scene of a storyboard: `narrator` holds the narration text (the reference's name)
SCENE_FIELDS = ("name", "image_description", "narrator", "camera_movement", "elements",
                "environment")
# what a scene's `elements` name (its place is its `environment`)
SHOWN_KINDS = ("characters", "objects")

# audio_option's fields and defaults; native_audio turns narration off
AUDIO_DEFAULTS: dict[str, Any] = {
    "has_bg_music": True, "has_narration": True, "native_audio": False, "narrator": "Rachel",
}


def effective_audio(given: dict[str, Any]) -> dict[str, Any]:
    """audio_option with defaults filled: "When native_audio is true, has_narration is
    automatically set to false regardless of the provided value"."""
    audio = {**AUDIO_DEFAULTS, **given}
    if audio["native_audio"]:
        audio["has_narration"] = False
    return audio


def narration_on(audio: dict[str, Any] | None) -> bool:
    """Narration as the API applies it: has_narration, unless native_audio turns it off."""
    if not isinstance(audio, dict):
        return False
    return bool(audio.get("has_narration", AUDIO_DEFAULTS["has_narration"])) and not audio.get(
        "native_audio", AUDIO_DEFAULTS["native_audio"])
