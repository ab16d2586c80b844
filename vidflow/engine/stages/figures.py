"""Stylized characters and objects drawn with Pillow on transparent canvases.

A character is a friendly figure (head, body, arms, legs; ears and a tail for animals, a
square head for robots); an object is a simple shape picked by keyword (jar, bottle,
phone, cup, instrument, gift, ball, lantern) or a gem-topped box. Colours come from the seed, so
the same element looks the same in every scene.
"""

from __future__ import annotations

import colorsys

import numpy as np
from PIL import Image, ImageDraw

_ANIMALS = ("animal", "cat", "dog", "fox", "bear", "rabbit", "bunny", "bird", "owl",
            "penguin", "lion", "panda", "puppy", "kitten", "mouse", "tiger")
_SKIN = ((255, 224, 189), (241, 194, 125), (224, 172, 105), (198, 134, 66), (141, 85, 36))


def _color(rng: np.random.Generator, sat: float = 0.6, light: float = 0.55
           ) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(float(rng.uniform(0, 1)), light, sat)
    return int(r * 255), int(g * 255), int(b * 255)


def _darker(c: tuple[int, int, int], f: float = 0.7) -> tuple[int, int, int]:
    return int(c[0] * f), int(c[1] * f), int(c[2] * f)


def draw_character(name: str, description: str, height: int, seed: int) -> Image.Image:
    """A standing figure `height` pixels tall, RGBA."""
    rng = np.random.default_rng(seed)
    text = f"{name} {description}".lower()
    animal = any(w in text for w in _ANIMALS)
    robot = "robot" in text
    h = max(24, height)
    w = int(h * 0.6)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    body = _color(rng)
    if robot:
        skin: tuple[int, int, int] = (190, 195, 205)
    elif animal:
        skin = _color(rng, 0.35, 0.6)
    else:
        skin = _SKIN[int(rng.integers(0, len(_SKIN)))]
    cx = w / 2
    head_r = h * 0.15
    head_cy = head_r + h * 0.06
    line = max(2, h // 40)
    # legs and arms first, so the body covers their joints
    for dx in (-0.09, 0.09):
        d.line((cx + dx * h, h * 0.62, cx + dx * h * 1.2, h * 0.97), fill=_darker(body, 0.5),
               width=max(3, h // 18))
    for side in (-1, 1):
        d.line((cx + side * h * 0.13, h * 0.4, cx + side * h * 0.27, h * 0.58),
               fill=_darker(body), width=max(3, h // 20))
    d.rounded_rectangle((cx - h * 0.16, h * 0.34, cx + h * 0.16, h * 0.7), radius=h * 0.08,
                        fill=body, outline=_darker(body), width=line)
    if animal:
        for side in (-1, 1):
            ex = cx + side * head_r * 0.7
            d.polygon([(ex - head_r * 0.4, head_cy - head_r * 0.5),
                       (ex + head_r * 0.4, head_cy - head_r * 0.5),
                       (ex + side * head_r * 0.2, head_cy - head_r * 1.35)],
                      fill=_darker(skin, 0.85))
        d.line((cx + h * 0.15, h * 0.62, cx + h * 0.27, h * 0.5), fill=_darker(skin, 0.85),
               width=max(3, h // 22))
    box = (cx - head_r, head_cy - head_r, cx + head_r, head_cy + head_r)
    if robot:
        d.rounded_rectangle(box, radius=head_r * 0.2, fill=skin, outline=(90, 95, 110),
                            width=line)
        d.line((cx, box[1], cx, box[1] - head_r * 0.4), fill=(90, 95, 110), width=line)
    else:
        d.ellipse(box, fill=skin, outline=_darker(skin, 0.75), width=line)
        if not animal:  # hair cap
            d.chord(box, 180, 360, fill=_color(rng, 0.4, 0.3))
    eye = max(2, h // 45)
    for side in (-1, 1):
        ex, ey = cx + side * head_r * 0.38, head_cy + head_r * 0.05
        d.ellipse((ex - eye, ey - eye, ex + eye, ey + eye), fill=(30, 30, 40))
    d.arc((cx - head_r * 0.4, head_cy + head_r * 0.05, cx + head_r * 0.4,
           head_cy + head_r * 0.6), 20, 160, fill=(60, 30, 30), width=max(1, line - 1))
    return img


def draw_object(name: str, description: str, height: int, seed: int) -> Image.Image:
    """An object shape `height` pixels tall, RGBA, chosen by the words of its name."""
    rng = np.random.default_rng(seed)
    text = f"{name} {description}".lower()
    h = max(16, height)
    color = _color(rng, 0.65, 0.55)
    for words, painter in _SHAPES:
        if any(word in text for word in words):
            return painter(h, color)
    return _box(h, color)


def _canvas(w: float, h: float) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("RGBA", (max(1, int(w)), max(1, int(h))), (0, 0, 0, 0))
    return img, ImageDraw.Draw(img)


def _jar(h: int, c: tuple[int, int, int]) -> Image.Image:
    w = h * 0.8
    img, d = _canvas(w, h)
    d.rounded_rectangle((w * 0.05, h * 0.28, w * 0.95, h * 0.98), radius=w * 0.12,
                        fill=(250, 250, 250), outline=(190, 190, 200), width=max(2, h // 50))
    d.rounded_rectangle((w * 0.08, h * 0.08, w * 0.92, h * 0.3), radius=w * 0.06, fill=c)
    d.rectangle((w * 0.15, h * 0.5, w * 0.85, h * 0.75), fill=_darker(c, 0.9))
    return img


def _bottle(h: int, c: tuple[int, int, int]) -> Image.Image:
    w = h * 0.45
    img, d = _canvas(w, h)
    d.rectangle((w * 0.38, h * 0.02, w * 0.62, h * 0.22), fill=_darker(c, 0.6))
    d.rounded_rectangle((w * 0.08, h * 0.2, w * 0.92, h * 0.98), radius=w * 0.2, fill=c,
                        outline=_darker(c), width=max(2, h // 60))
    d.rectangle((w * 0.18, h * 0.5, w * 0.82, h * 0.75), fill=(250, 250, 245))
    return img


def _phone(h: int, c: tuple[int, int, int]) -> Image.Image:
    w = h * 0.52
    img, d = _canvas(w, h)
    d.rounded_rectangle((0, 0, w - 1, h - 1), radius=w * 0.14, fill=(30, 30, 36))
    d.rounded_rectangle((w * 0.07, h * 0.05, w * 0.93, h * 0.95), radius=w * 0.1, fill=c)
    return img


def _cup(h: int, c: tuple[int, int, int]) -> Image.Image:
    w = h * 1.1
    img, d = _canvas(w, h)
    d.ellipse((w * 0.55, h * 0.3, w * 0.95, h * 0.7), outline=c, width=max(3, h // 10))
    d.rounded_rectangle((w * 0.08, h * 0.15, w * 0.7, h * 0.98), radius=h * 0.12, fill=c)
    d.ellipse((w * 0.1, h * 0.08, w * 0.68, h * 0.24), fill=(110, 70, 40))
    return img


def _guitar(h: int, c: tuple[int, int, int]) -> Image.Image:
    w = h * 0.5
    img, d = _canvas(w, h)
    d.rectangle((w * 0.44, h * 0.02, w * 0.56, h * 0.55), fill=(90, 60, 35))
    d.ellipse((w * 0.12, h * 0.38, w * 0.88, h * 0.7), fill=c)
    d.ellipse((w * 0.02, h * 0.58, w * 0.98, h * 0.98), fill=c)
    d.ellipse((w * 0.38, h * 0.6, w * 0.62, h * 0.72), fill=(40, 30, 20))
    return img


def _gift(h: int, c: tuple[int, int, int]) -> Image.Image:
    w = h
    img, d = _canvas(w, h)
    d.rectangle((w * 0.05, h * 0.3, w * 0.95, h * 0.98), fill=c)
    d.rectangle((0, h * 0.2, w - 1, h * 0.36), fill=_darker(c, 0.85))
    d.rectangle((w * 0.44, h * 0.2, w * 0.56, h * 0.98), fill=(250, 220, 90))
    d.ellipse((w * 0.25, h * 0.02, w * 0.5, h * 0.22), outline=(250, 220, 90),
              width=max(2, h // 25))
    d.ellipse((w * 0.5, h * 0.02, w * 0.75, h * 0.22), outline=(250, 220, 90),
              width=max(2, h // 25))
    return img


def _ball(h: int, c: tuple[int, int, int]) -> Image.Image:
    img, d = _canvas(h, h)
    d.ellipse((0, 0, h - 1, h - 1), fill=c, outline=_darker(c), width=max(2, h // 30))
    d.ellipse((h * 0.2, h * 0.15, h * 0.45, h * 0.35), fill=(255, 255, 255, 160))
    return img


def _lantern(h: int, c: tuple[int, int, int]) -> Image.Image:
    """A camping lantern: handle, cap, a glowing glass body, a base."""
    w = h * 0.55
    img, d = _canvas(w, h)
    line = max(2, h // 30)
    d.arc((w * 0.25, h * 0.0, w * 0.75, h * 0.22), 180, 360, fill=_darker(c, 0.6), width=line)
    d.rounded_rectangle((w * 0.15, h * 0.1, w * 0.85, h * 0.2), radius=w * 0.05, fill=c)
    d.rounded_rectangle((w * 0.2, h * 0.2, w * 0.8, h * 0.82), radius=w * 0.12,
                        fill=(255, 236, 160), outline=_darker(c, 0.8), width=line)
    d.ellipse((w * 0.32, h * 0.36, w * 0.68, h * 0.66), fill=(255, 250, 225))
    d.rounded_rectangle((w * 0.1, h * 0.82, w * 0.9, h * 0.98), radius=w * 0.05, fill=c)
    return img


def _box(h: int, c: tuple[int, int, int]) -> Image.Image:
    w = h * 0.8
    img, d = _canvas(w, h)
    d.rounded_rectangle((w * 0.05, h * 0.35, w * 0.95, h * 0.98), radius=w * 0.08, fill=c,
                        outline=_darker(c), width=max(2, h // 50))
    d.polygon([(w * 0.5, h * 0.02), (w * 0.75, h * 0.18), (w * 0.5, h * 0.34),
               (w * 0.25, h * 0.18)], fill=(255, 235, 140), outline=_darker(c, 0.8))
    return img


_SHAPES = (
    (("lantern", "lamp"), _lantern),
    (("jar", "cream", "pot", "tin", "moisturiser", "moisturizer", "lotion"), _jar),
    (("bottle", "serum", "perfume", "drink", "soda"), _bottle),
    (("phone", "tablet", "laptop", "screen"), _phone),
    (("cup", "mug", "coffee", "tea"), _cup),
    (("guitar", "instrument", "violin", "music"), _guitar),
    (("gift", "present", "box"), _gift),
    (("ball",), _ball),
)
