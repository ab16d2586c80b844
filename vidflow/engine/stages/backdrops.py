"""Procedural environment backdrops: NumPy for gradients, terrain and noise; Pillow for shapes.

One function per environment kind; each takes the frame size and a seeded generator and
returns an RGB image. Words of the description nudge the palette (sunset, night, misty).
Everything is whole-array NumPy: no per-pixel Python loops.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

Size = tuple[int, int]
RGB = tuple[int, int, int]
Rng = np.random.Generator


def render_backdrop(kind: str, description: str, size: Size, seed: int) -> Image.Image:
    """The backdrop for an environment `kind` (see storyboard.ENV_KINDS), RGB."""
    rng = np.random.default_rng(seed)
    painter = _PAINTERS.get(kind, _default)
    image = painter(size, rng)
    arr = np.asarray(image, dtype=np.float32)
    arr = _mood_tint(arr, description.lower())
    grain = rng.normal(0.0, 2.5, size=arr.shape[:2]).astype(np.float32)
    arr += grain[..., None]  # film grain: hides banding in the gradients
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


# --- building blocks -----------------------------------------------------------------

def _grid(size: Size) -> tuple[np.ndarray, np.ndarray]:
    width, height = size
    return (np.arange(width, dtype=np.float32)[None, :] / width,
            np.arange(height, dtype=np.float32)[:, None] / height)


def _vertical(size: Size, top: RGB, bottom: RGB) -> np.ndarray:
    width, height = size
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    col = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    return np.broadcast_to(col, (height, width, 3)).copy()


def _fill_below(arr: np.ndarray, curve: np.ndarray, top: RGB, bottom: RGB) -> None:
    """Paint everything below the per-column `curve` (fractions of height), shaded down."""
    height = arr.shape[0]
    y0 = max(0, int(float(curve.min()) * height))
    sub = arr[y0:]  # only the rows the curve can reach
    ys = (np.arange(y0, height, dtype=np.float32) / height)[:, None]
    below = ys - curve[None, :].astype(np.float32)
    depth = np.clip(below * (1 / 0.35), 0, 1)[..., None]
    top_c, bottom_c = np.array(top, np.float32), np.array(bottom, np.float32)
    col = top_c + depth * (bottom_c - top_c)
    np.copyto(sub, col, where=(below >= 0)[..., None])


def _ridge(size: Size, rng: Rng, base: float, amp: float, waves: float) -> np.ndarray:
    x, _ = _grid(size)
    x = x[0]
    phase = rng.uniform(0, 2 * np.pi, 3)
    return (base + amp * (0.6 * np.sin(2 * np.pi * waves * x + phase[0])
                          + 0.3 * np.sin(2 * np.pi * waves * 2.3 * x + phase[1])
                          + 0.1 * np.sin(2 * np.pi * waves * 5.1 * x + phase[2])))


def _peaks(size: Size, rng: Rng, base: float, height: float, count: int) -> np.ndarray:
    x, _ = _grid(size)
    x = x[0]
    centres = rng.uniform(-0.1, 1.1, count)
    heights = rng.uniform(0.5, 1.0, count) * height
    widths = rng.uniform(0.15, 0.35, count)
    tents = heights[:, None] * np.clip(1 - np.abs(x[None, :] - centres[:, None])
                                       / widths[:, None], 0, 1)
    return base - tents.max(axis=0)


def _window(arr: np.ndarray, cx: float, cy: float, radius: float
            ) -> tuple[np.ndarray, np.ndarray]:
    """The sub-array around a circle (radius in widths) and its distance field."""
    height, width = arr.shape[:2]
    x0, x1 = max(0, int((cx - radius) * width)), min(width, int((cx + radius) * width) + 1)
    ry = radius * width / height
    y0, y1 = max(0, int((cy - ry) * height)), min(height, int((cy + ry) * height) + 1)
    xs = np.arange(x0, x1, dtype=np.float32)[None, :] / width
    ys = np.arange(y0, y1, dtype=np.float32)[:, None] / height
    dist = np.sqrt((xs - cx) ** 2 + ((ys - cy) * (height / width)) ** 2)
    return arr[y0:y1, x0:x1], dist


def _glow(arr: np.ndarray, cx: float, cy: float, radius: float, color: RGB,
          strength: float = 1.0) -> None:
    sub, dist = _window(arr, cx, cy, radius)
    w = (np.clip(1 - dist / radius, 0, 1) ** 2 * strength)[..., None]
    sub += (np.array(color, np.float32) - sub) * w


def _disc(arr: np.ndarray, cx: float, cy: float, radius: float, color: RGB) -> None:
    sub, dist = _window(arr, cx, cy, radius * 1.1)
    alpha = np.clip((radius - dist) * arr.shape[1], 0, 1)[..., None]  # anti-aliased edge
    sub += (np.array(color, np.float32) - sub) * alpha


def _dots(image: Image.Image, rng: Rng, count: int, y_range: tuple[float, float],
          radius: tuple[float, float], colors: list[RGB], blur: float = 0.0) -> Image.Image:
    width, height = image.size
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    xs = rng.uniform(0, width, count)
    ys = rng.uniform(y_range[0] * height, y_range[1] * height, count)
    rs = rng.uniform(radius[0], radius[1], count) * min(width, height)
    picks = rng.integers(0, len(colors), count)
    for x, y, r, c in zip(xs, ys, rs, picks, strict=True):  # shapes, not pixels
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*colors[c], 235))
    if blur:
        layer = layer.filter(ImageFilter.GaussianBlur(blur))
    base = image.convert("RGBA")
    base.alpha_composite(layer)
    return base.convert("RGB")


def _img(arr: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def _mood_tint(arr: np.ndarray, description: str) -> np.ndarray:
    if any(w in description for w in ("sunset", "dawn", "golden hour", "sunrise")):
        arr = arr * np.array([1.08, 0.95, 0.82], np.float32) + np.array([12, 4, 0], np.float32)
    if any(w in description for w in ("night", "dark", "midnight")):
        arr = arr * np.array([0.55, 0.6, 0.8], np.float32)
    if any(w in description for w in ("mist", "fog", "haze")):
        arr = arr * 0.75 + 255 * 0.25
    return arr


# --- painters ----------------------------------------------------------------------------

def _snow(size: Size, rng: Rng) -> Image.Image:
    arr = _vertical(size, (150, 185, 225), (232, 240, 250))
    _disc(arr, rng.uniform(0.2, 0.8), 0.14, 0.06, (255, 250, 235))
    # snow is white: the slopes stay bright to the foot of the frame, shaded only faintly blue
    _fill_below(arr, _peaks(size, rng, 0.62, 0.32, 5), (240, 245, 253), (205, 216, 234))
    _fill_below(arr, _peaks(size, rng, 0.72, 0.18, 6), (232, 239, 249), (210, 221, 238))
    _fill_below(arr, _ridge(size, rng, 0.8, 0.025, 1.2), (252, 253, 255), (236, 241, 250))
    return _dots(_img(arr), rng, 220, (0, 1), (0.002, 0.006), [(255, 255, 255)], blur=0.6)


def _meadow(size: Size, rng: Rng) -> Image.Image:
    arr = _vertical(size, (95, 160, 235), (205, 230, 250))
    _glow(arr, 0.8, 0.12, 0.35, (255, 245, 200), 0.8)
    _disc(arr, 0.8, 0.12, 0.06, (255, 236, 150))
    _fill_below(arr, _ridge(size, rng, 0.58, 0.05, 0.8), (120, 185, 95), (80, 140, 60))
    _fill_below(arr, _ridge(size, rng, 0.68, 0.04, 1.1), (95, 170, 70), (60, 120, 45))
    _fill_below(arr, _ridge(size, rng, 0.8, 0.03, 1.6), (80, 155, 55), (50, 110, 35))
    flowers = [(250, 90, 120), (255, 220, 80), (255, 255, 255), (190, 120, 240)]
    return _dots(_img(arr), rng, 260, (0.7, 1.0), (0.003, 0.007), flowers)


def _city(size: Size, rng: Rng) -> Image.Image:
    arr = _vertical(size, (45, 45, 95), (245, 150, 100))
    image = _img(arr)
    draw = ImageDraw.Draw(image)
    width, height = size
    for layer, (shade, lit) in enumerate((((60, 60, 90), 0.25), ((35, 35, 55), 0.4))):
        x = -rng.uniform(0, width * 0.1)
        while x < width:
            bw = rng.uniform(0.08, 0.18) * width
            top = height * (rng.uniform(0.25, 0.55) + 0.12 * layer)
            draw.rectangle((x, top, x + bw, height), fill=shade)
            _windows(draw, rng, (x, top, x + bw, height * 0.95), lit, min(width, height))
            x += bw + rng.uniform(0, 0.02) * width
    draw.rectangle((0, height * 0.9, width, height), fill=(40, 40, 48))
    for i in range(6):  # lane marks
        x0 = (i + 0.2) * width / 6
        draw.rectangle((x0, height * 0.945, x0 + width / 14, height * 0.952),
                       fill=(230, 220, 160))
    return image


def _windows(draw: ImageDraw.ImageDraw, rng: Rng, box: tuple[float, float, float, float],
             lit: float, unit: int) -> None:
    left, top, right, bottom = box
    step = max(6.0, unit * 0.03)
    xs = np.arange(left + step * 0.5, right - step * 0.8, step)
    ys = np.arange(top + step * 0.6, bottom - step, step * 1.3)
    on = rng.random((len(ys), len(xs))) < lit
    for (j, i) in zip(*np.nonzero(on), strict=True):  # one rectangle per lit window
        draw.rectangle((xs[i], ys[j], xs[i] + step * 0.5, ys[j] + step * 0.6),
                       fill=(255, 225, 140))


def _night(size: Size, rng: Rng) -> Image.Image:
    arr = _vertical(size, (8, 12, 40), (40, 50, 100))
    height, width = arr.shape[:2]
    n = int(width * height / 1500)
    ys, xs = rng.integers(0, int(height * 0.7), n), rng.integers(0, width, n)
    arr[ys, xs] = rng.uniform(170, 255, (n, 1))  # stars, set in one indexed write
    _glow(arr, 0.72, 0.16, 0.25, (120, 130, 180), 0.5)
    _disc(arr, 0.72, 0.16, 0.055, (245, 240, 215))
    _fill_below(arr, _ridge(size, rng, 0.74, 0.05, 0.9), (25, 30, 55), (10, 12, 25))
    _fill_below(arr, _ridge(size, rng, 0.84, 0.03, 1.5), (15, 20, 40), (5, 6, 15))
    return _img(arr)


def _ocean(size: Size, rng: Rng) -> Image.Image:
    arr = _vertical(size, (110, 175, 235), (225, 238, 250))
    _disc(arr, rng.uniform(0.2, 0.8), 0.16, 0.05, (255, 248, 220))
    x, y = _grid(size)
    horizon = 0.5
    sea = (y >= horizon) & (y < 0.8)
    depth = np.clip((y - horizon) / 0.3, 0, 1)
    waves = 0.5 + 0.5 * np.sin(2 * np.pi * (x * 6 + 40 * depth ** 1.5)
                               + 3 * np.sin(2 * np.pi * x * 2))
    base = (1 - depth)[..., None] * np.array([40, 110, 170], np.float32) + \
        depth[..., None] * np.array([20, 150, 180], np.float32)
    shade = base + (waves * 40 * depth)[..., None]
    mask = np.broadcast_to(sea, arr.shape[:2])
    arr[mask] = np.broadcast_to(shade, arr.shape)[mask]
    _fill_below(arr, _ridge(size, rng, 0.8, 0.015, 1.0), (240, 220, 170), (215, 190, 140))
    foam = _ridge(size, rng, 0.8, 0.015, 1.0)
    return _dots(_img(arr), rng, 90, (float(foam.min()) - 0.01, float(foam.max())),
                 (0.002, 0.005), [(255, 255, 255)], blur=0.8)


def _desert(size: Size, rng: Rng) -> Image.Image:
    arr = _vertical(size, (240, 150, 80), (255, 220, 150))
    _glow(arr, 0.5, 0.3, 0.4, (255, 240, 190), 0.7)
    _disc(arr, 0.5, 0.3, 0.09, (255, 245, 200))
    _fill_below(arr, _ridge(size, rng, 0.6, 0.05, 0.7), (220, 160, 90), (190, 120, 60))
    _fill_below(arr, _ridge(size, rng, 0.72, 0.04, 1.0), (235, 180, 105), (200, 135, 70))
    _fill_below(arr, _ridge(size, rng, 0.84, 0.03, 1.4), (245, 195, 120), (215, 150, 80))
    return _img(arr)


def _forest(size: Size, rng: Rng) -> Image.Image:
    arr = _vertical(size, (150, 200, 175), (215, 235, 205))
    _glow(arr, 0.3, 0.05, 0.5, (255, 250, 210), 0.6)
    image = _img(arr)
    draw = ImageDraw.Draw(image)
    width, height = size
    for shade, base, scale in (((80, 130, 95), 0.62, 0.25), ((45, 100, 60), 0.75, 0.35),
                               ((25, 70, 40), 0.9, 0.5)):
        count = int(9 / scale)
        for cx in np.sort(rng.uniform(-0.05, 1.05, count)):
            h = rng.uniform(0.7, 1.0) * scale * height
            w = h * 0.38
            x, y = cx * width, base * height
            draw.rectangle((x - w * 0.06, y - h * 0.15, x + w * 0.06, y), fill=(70, 45, 30))
            for tier in range(3):
                top = y - h + tier * h * 0.22
                spread = w * (0.55 + tier * 0.22)
                draw.polygon([(x, top), (x - spread, top + h * 0.45),
                              (x + spread, top + h * 0.45)], fill=shade)
        draw.rectangle((0, base * height, width, height), fill=shade)
    return image


def _studio(size: Size, rng: Rng) -> Image.Image:
    hue = rng.uniform(0.85, 1.15, 3)
    arr = _vertical(size, (200, 205, 215), (140, 145, 160)) * hue.astype(np.float32)
    _glow(arr, 0.5, 0.45, 0.7, (250, 250, 252), 0.85)
    floor = _ridge(size, rng, 0.72, 0.0, 1.0)
    _fill_below(arr, floor, (225, 225, 232), (180, 180, 192))
    _glow(arr, 0.5, 0.82, 0.35, (255, 255, 255), 0.5)
    return _img(arr)


def _indoor(size: Size, rng: Rng) -> Image.Image:
    arr = _vertical(size, (205, 165, 125), (170, 125, 90))
    width, height = size
    wx = rng.uniform(0.15, 0.55)
    x, y = _grid(size)
    window = (x > wx) & (x < wx + 0.3) & (y > 0.14) & (y < 0.45)
    sky = _vertical(size, (120, 170, 225), (210, 225, 240))
    mask = np.broadcast_to(window, arr.shape[:2])
    arr[mask] = sky[mask]
    frame = window & ((np.abs(x - (wx + 0.15)) < 0.006) | (np.abs(y - 0.295) < 0.004))
    arr[np.broadcast_to(frame, arr.shape[:2])] = (240, 235, 225)
    _glow(arr, 0.85, 0.35, 0.4, (255, 220, 150), 0.55)
    _fill_below(arr, _ridge(size, rng, 0.7, 0.0, 1.0), (150, 100, 60), (110, 70, 40))
    planks = (y > 0.7) & (np.abs(np.sin(np.pi * x * 14)) < 0.04)
    arr[np.broadcast_to(planks, arr.shape[:2])] *= 0.8
    image = _img(arr)
    draw = ImageDraw.Draw(image)
    lx = 0.85 * width
    draw.rectangle((lx - width * 0.006, height * 0.38, lx + width * 0.006, height * 0.7),
                   fill=(60, 45, 35))
    draw.polygon([(lx - width * 0.06, height * 0.38), (lx + width * 0.06, height * 0.38),
                  (lx + width * 0.035, height * 0.31), (lx - width * 0.035, height * 0.31)],
                 fill=(250, 225, 170))
    return image


def _default(size: Size, rng: Rng) -> Image.Image:
    arr = _vertical(size, (140, 180, 225), (235, 225, 215))
    _fill_below(arr, _ridge(size, rng, 0.66, 0.04, 0.7), (150, 180, 140), (110, 145, 110))
    _fill_below(arr, _ridge(size, rng, 0.78, 0.03, 1.2), (130, 165, 120), (95, 130, 95))
    return _dots(_img(arr), rng, 8, (0.05, 0.35), (0.03, 0.06), [(250, 250, 252)], blur=6)


_PAINTERS: dict[str, Callable[[Size, Rng], Image.Image]] = {
    "snow": _snow, "meadow": _meadow, "city": _city, "night": _night, "ocean": _ocean,
    "desert": _desert, "forest": _forest, "studio": _studio, "indoor": _indoor,
    "default": _default,
}
