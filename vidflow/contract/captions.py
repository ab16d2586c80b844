"""Captions: a vidflow extension of the Story API (the hosted API has no such parameter).

`captions` is `true` (the defaults below) or a mapping of `style` (plain lines, or the
spoken word highlighted), `position` and `size`; `false` or absent means no captions. The
embedded engine (the `local` provider and `vidflow serve`) times them from eSpeak NG's
word events, writes SRT and WebVTT sidecars and burns them into the video.
"""

from __future__ import annotations

from typing import Any

CAPTION_STYLES = ("plain", "word")  # word: the word being spoken is highlighted
CAPTION_POSITIONS = ("bottom", "middle", "top")
CAPTION_SIZES = ("small", "medium", "large")
CAPTION_DEFAULTS: dict[str, str] = {"style": "plain", "position": "bottom", "size": "medium"}
# the sidecars beside a video: `<output stem><suffix>`
CAPTION_SUFFIXES = (".srt", ".vtt")
# the story object's extension fields naming them (absent without captions)
CAPTION_URL_FIELDS = {".srt": "captions_srt_url", ".vtt": "captions_vtt_url"}
# a provider block may declare the extensions its server has (`vidflow serve` has this one)
EXTENSION_NAME = "captions"

CAPTIONS_SCHEMA: dict[str, Any] = {
    "description": "A vidflow extension (not on the hosted Story API): true, or a mapping "
                   "of style (plain | word), position (bottom | middle | top) and size "
                   "(small | medium | large).",
    "anyOf": [  # the mapping first: the spec's errors describe the first branch
        {"type": "object", "additionalProperties": False,
         "properties": {
             "style": {"type": "string", "enum": list(CAPTION_STYLES),
                       "default": CAPTION_DEFAULTS["style"]},
             "position": {"type": "string", "enum": list(CAPTION_POSITIONS),
                          "default": CAPTION_DEFAULTS["position"]},
             "size": {"type": "string", "enum": list(CAPTION_SIZES),
                      "default": CAPTION_DEFAULTS["size"]}}},
        {"type": "boolean"},
    ],
}


def effective_captions(given: Any) -> dict[str, str] | None:
    """`true` or a mapping with the defaults filled in; None for no captions."""
    if given is None or given is False:
        return None
    if given is True:
        return dict(CAPTION_DEFAULTS)
    return {**CAPTION_DEFAULTS, **dict(given)}
