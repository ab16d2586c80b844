"""The frame every stage draws in, and the font it is lettered with: what scene drawing and
the gallery's pictures share, without loading the drawing code (a cached story and a poster
need only these)."""

from __future__ import annotations

from PIL import ImageFont

from vidflow.contract.enums import RENDER_SIZES
from vidflow.errors import MediaError

ASPECT_SIZES = RENDER_SIZES

Size = tuple[int, int]


def aspect_size(aspect_ratio: str, *, scale: float = 1.0) -> Size:
    """(width, height) for an aspect ratio of the reference; `scale` shrinks test renders.

    Both dimensions stay even, as yuv420p needs.
    """
    try:
        width, height = ASPECT_SIZES[aspect_ratio.strip()]
    except KeyError as exc:
        raise MediaError(f"unknown aspect_ratio {aspect_ratio!r}",
                         hint="use one of " + ", ".join(ASPECT_SIZES)) from exc
    return _even(width * scale), _even(height * scale)


def _even(value: float) -> int:
    return max(16, round(value / 2) * 2)


def font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, px))
