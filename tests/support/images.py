"""Real image files made in memory, for uploads, image URLs and local element images."""

from __future__ import annotations

import io

from PIL import Image

Color = tuple[int, int, int]
Size = tuple[int, int]


def image_bytes(fmt: str = "PNG", size: Size = (64, 48), color: Color = (200, 40, 40)) -> bytes:
    """One solid-colour image encoded as `fmt` (any format Pillow writes: PNG, JPEG, WEBP)."""
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    return buf.getvalue()


def png_bytes(color: Color = (200, 40, 40), size: Size = (64, 48)) -> bytes:
    """A solid-colour PNG: the engine tests' argument order (colour first)."""
    return image_bytes("PNG", size, color)
