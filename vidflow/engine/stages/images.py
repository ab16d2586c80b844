"""Element and scene images, rendered procedurally with Pillow and NumPy.

A scene is a backdrop chosen by its environment's description (snow, meadow, city, night,
ocean, desert, forest, studio, indoor, or a soft default), with the scene's characters and
objects standing in a row in front, each labelled with its name (labels.py keeps labels
apart and inside the frame). User-supplied element images are composited in place of the
drawn figure, so a product appears in its scenes. The finished shot is graded in the
tone's look (looks.py) that its image description names.
Everything is seeded from a hash of the inputs: same inputs, same PNG bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps
from PIL.PngImagePlugin import PngInfo

from vidflow.contract.storyboard import ELEMENT_KINDS, SHOWN_KINDS
from vidflow.engine.stages.backdrops import render_backdrop
from vidflow.engine.stages.canvas import Size, font
from vidflow.engine.stages.figures import draw_character, draw_object
from vidflow.engine.stages.labels import Wish, place_labels
from vidflow.engine.stages.looks import grade, look_of_description
from vidflow.engine.stages.storyboard import IMAGE_FIELDS, env_kind_of
from vidflow.errors import MediaError


def seed_of(*parts: object) -> int:
    """A stable 32-bit seed from any JSON-able inputs (never Python's salted hash())."""
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:4], "big")


# --- elements --------------------------------------------------------------------------

def element_source(element: Mapping[str, Any], base_dir: Path | None = None) -> Path | None:
    """The local image file an element names, if any (`image`, `image_path`, file URLs)."""
    for key in IMAGE_FIELDS:
        value = element.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        parsed = urlparse(value)
        if parsed.scheme in ("http", "https"):
            continue  # remote: the pipeline downloads it and passes the file in
        path = Path(parsed.path if parsed.scheme == "file" else value).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if path.is_file():
            return path
    return None


def render_element(element: Mapping[str, Any], kind: str, size: Size, out: Path, *,
                   source: Path | None = None) -> None:
    """One element's image: the user's picture if given, else a drawn figure/backdrop.

    Characters and objects are drawn on a transparent canvas (PNG with alpha) so scenes
    can composite them; environments fill the frame. The PNG records how it was made
    (and where the picture sits), so `render_scene` handed this file can reuse the user's
    picture, or redraw a drawn figure crisply at scene scale.
    """
    kind = _kind(kind)
    source = source or element_source(element)
    name = str(element.get("name", ""))
    description = str(element.get("description", ""))
    width, height = size
    if kind == "environments":
        if source:
            image = cover(_open(source), size)
        else:
            image = render_backdrop(env_kind_of(f"{name} {description}").kind, description,
                                    size, seed_of("env", name, description))
        _save(image.convert("RGB"), out, made="user" if source else "drawn")
        return
    canvas = Image.new("RGBA", size, (0, 0, 0, 0))
    box_h = int(min(height * 0.78, width * 1.3))
    sprite = (contain(_open(source), (int(width * 0.8), box_h)) if source
              else _sprite(element, kind, box_h))
    x, y = (width - sprite.width) // 2, (height - sprite.height) // 2 - height // 20
    canvas.alpha_composite(sprite, (x, y))
    _label(canvas, name, width // 2, int(height * 0.93), max(10, height // 22))
    _save(canvas, out, made="user" if source else "drawn",
          box=(x, y, x + sprite.width, y + sprite.height))


def _kind(kind: str) -> str:
    k = kind.strip().lower()
    return {"character": "characters", "object": "objects",
            "environment": "environments"}.get(k, k)


def _sprite(element: Mapping[str, Any], kind: str, box_h: int) -> Image.Image:
    name = str(element.get("name", ""))
    description = str(element.get("description", ""))
    seed = seed_of("sprite", kind, name, description)
    if kind == "characters":
        return draw_character(name, description, box_h, seed)
    return draw_object(name, description, int(box_h * 0.7), seed)


# --- scenes ----------------------------------------------------------------------------

def render_scene(scene: Mapping[str, Any], storyboard: Mapping[str, Any], size: Size,
                 out: Path, *, element_images: Mapping[str, Path] | None = None,
                 base_image: Path | None = None) -> None:
    """A scene image: backdrop for its environment, its elements in front, labelled.

    `base_image` (images mode) is the user's own picture, cropped to the frame (cover).
    """
    element_images = element_images or {}
    if base_image is not None:
        _save(cover(_open(Path(base_image)), size).convert("RGB"), out)
        return
    by_name = _elements_by_name(storyboard)
    env = _scene_env(scene, storyboard)
    frame = _scene_backdrop(scene, env, size, element_images)
    shown = [by_name[n] for n in scene.get("elements") or [] if n in by_name
             and by_name[n][0] in SHOWN_KINDS]
    names = _place_elements(frame, shown, element_images, seed_of("layout", scene))
    # the tone's light falls on the whole shot; the labels stay readable on top of it
    image = grade(frame.convert("RGB"), look_of_description(
        str(scene.get("image_description", ""))))
    _labels(image, names)
    _save(image, out)


def _elements_by_name(board: Mapping[str, Any]) -> dict[str, tuple[str, Mapping[str, Any]]]:
    found: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for kind in ELEMENT_KINDS:
        for item in board.get(kind) or []:
            if isinstance(item, Mapping) and item.get("name"):
                found.setdefault(str(item["name"]), (kind, item))
    return found


def _scene_env(scene: Mapping[str, Any], board: Mapping[str, Any]) -> Mapping[str, Any]:
    name = scene.get("environment")
    envs = [e for e in board.get("environments") or [] if isinstance(e, Mapping)]
    for env in envs:
        if env.get("name") == name:
            return env
    # No named environment: the scene's own words pick the backdrop.
    return {"name": str(name or ""), "description": str(scene.get("image_description", ""))}


def _scene_backdrop(scene: Mapping[str, Any], env: Mapping[str, Any], size: Size,
                    element_images: Mapping[str, Path]) -> Image.Image:
    name = str(env.get("name", ""))
    given = element_images.get(name)
    picture = _element_picture(Path(given)) if given else None
    if picture is None and (source := element_source(env)):
        picture = _open(source)
    if picture is not None:  # the user's own place
        return cover(picture, size).convert("RGBA")
    # a drawn environment is drawn again for this scene: same place, its own details
    description = str(env.get("description", ""))
    text = f"{name} {description}"
    kind = env_kind_of(text)
    if kind.kind == "default":
        kind = env_kind_of(str(scene.get("image_description", "")))
    seed = seed_of("scene", name, description, scene.get("name"),
                   scene.get("image_description"))
    return render_backdrop(kind.kind, f"{description} {scene.get('image_description', '')}",
                           size, seed).convert("RGBA")


def slot_boxes(count: int, size: Size) -> list[tuple[int, int, int, int]]:
    """Where `count` elements stand: boxes (left, top, right, bottom) in a row, low in frame.

    Public so tests can look for a user's product exactly where it should be.
    """
    width, height = size
    if count == 0:
        return []
    margin = width * 0.06
    slot_w = (width - 2 * margin) / count
    box_h = min(height * 0.5, slot_w * 1.6, height * 0.62)
    bottom = height * 0.9
    return [(int(margin + i * slot_w), int(bottom - box_h), int(margin + (i + 1) * slot_w),
             int(bottom)) for i in range(count)]


def _place_elements(frame: Image.Image, shown: list[tuple[str, Mapping[str, Any]]],
                    element_images: Mapping[str, Path], seed: int
                    ) -> list[LabelWish]:
    """Composite the elements' sprites in their slots; the labels they want, for
    `_labels` to lay out."""
    width, height = frame.size
    font_px = max(10, min(width, height) // 26)
    rng = np.random.default_rng(seed)
    for (kind, element), box in zip(shown, slot_boxes(len(shown), frame.size), strict=True):
        name = str(element.get("name", ""))
        left, top, right, bottom = box
        box_w, box_h = right - left, bottom - top
        label_room, lift = font_px * 2, box_h // 30 + 1
        room = (int(box_w * 0.9), max(1, box_h - label_room - lift))  # sprite stays in its box
        given = element_images.get(name)
        picture = _element_picture(Path(given)) if given else None
        if picture is None and (source := element_source(element)):
            picture = _open(source)
        if picture is not None:
            sprite = contain(_framed(picture), room)
        else:
            drawn = _sprite(element, kind, box_h if kind == "characters" else int(box_h * 0.9))
            # props stand smaller than people, as they would in a shot
            sprite = contain(drawn, room if kind == "characters" else
                             (room[0], max(1, int(room[1] * 0.65))))
        jitter = int(rng.integers(0, lift + 1))  # a livelier row: not all on one line
        x = left + (box_w - sprite.width) // 2
        _shadow(frame, x, bottom - label_room, sprite.width)
        frame.alpha_composite(sprite, (x, bottom - label_room - sprite.height - jitter))
    return _label_wishes([str(element.get("name", "")) for _, element in shown], frame.size)


LabelWish = tuple[str, int, int, int]  # text, centre x, centre y, font px


def _label_wishes(names: list[str], size: Size) -> list[LabelWish]:
    """Each shown element's label wants to sit under its slot, low in frame."""
    font_px = max(10, min(size) // 26)
    return [(name, (box[0] + box[2]) // 2, box[3] - font_px // 2, font_px)
            for name, box in zip(names, slot_boxes(len(names), size), strict=True)]


def _layout(labels: list[LabelWish], size: Size) -> list[tuple[str, Any, tuple[int, int],
                                                              int, tuple[int, ...] | None]]:
    """(text, font, text offset, padding, box) per label, laid out by `place_labels`: none
    overlapping, all in frame; when some find no room, all get smaller (then, at the
    smallest size, those left are not drawn)."""
    draw = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    laid: list[tuple[str, Any, tuple[int, int], int, tuple[int, ...] | None]] = []
    for shrink in (1.0, 0.8, 0.64, 0.5):
        sized = []
        for text, cx, cy, px in labels:
            fnt = font(max(8, int(px * shrink)))
            left, top, right, bottom = draw.textbbox((0, 0), text, font=fnt)
            pad = max(2, int(px * shrink) // 3)
            sized.append((text, fnt, (left, top), pad,
                          Wish(right - left + 2 * pad, bottom - top + 2 * pad, cx, cy)))
        boxes = place_labels([item[4] for item in sized], size)
        laid = [(*item[:4], box) for item, box in zip(sized, boxes, strict=True)]
        if all(boxes):
            break
    return laid


def _labels(frame: Image.Image, labels: list[LabelWish]) -> None:
    draw = ImageDraw.Draw(frame)
    for text, fnt, (left, top), pad, box in _layout([lb for lb in labels if lb[0]],
                                                    frame.size):
        if box is None:
            continue
        draw.rounded_rectangle((box[0], box[1], box[2] - 1, box[3] - 1), radius=pad,
                               fill=(20, 20, 30))
        draw.text((box[0] + pad - left, box[1] + pad - top), text, font=fnt,
                  fill=(255, 255, 255))


def label_boxes(scene: Mapping[str, Any], storyboard: Mapping[str, Any], size: Size
                ) -> list[tuple[int, ...] | None]:
    """Where render_scene draws the scene's labels (left, top, right, bottom; None: left
    out for want of room): public so tests can check the layout."""
    by_name = _elements_by_name(storyboard)
    names = [str(by_name[n][1].get("name", "")) for n in scene.get("elements") or []
             if n in by_name and by_name[n][0] in SHOWN_KINDS]
    return [item[4] for item in _layout([lb for lb in _label_wishes(names, size) if lb[0]],
                                        size)]


def _framed(image: Image.Image) -> Image.Image:
    """An opaque user picture gets a white border, like a print standing in the scene."""
    if image.mode == "RGBA" and image.getextrema()[3][0] < 250:
        return image  # has its own transparency: composite as a cut-out
    border = max(2, min(image.size) // 40)
    return ImageOps.expand(image.convert("RGBA"), border=border, fill=(255, 255, 255, 255))


def _shadow(frame: Image.Image, x: int, y: int, w: int) -> None:
    """A soft contact shadow; blurred in a small tile, not over the whole frame."""
    pad = max(2, w // 10)
    tile = Image.new("RGBA", (w + 2 * pad, int(w * 0.12) + 2 * pad), (0, 0, 0, 0))
    ImageDraw.Draw(tile).ellipse((pad + w * 0.1, pad, pad + w * 0.9, pad + w * 0.12),
                                 fill=(0, 0, 0, 70))
    tile = tile.filter(ImageFilter.GaussianBlur(max(1, w // 30)))
    frame.alpha_composite(tile, (max(0, x - pad), max(0, y - pad - int(w * 0.06))))


def _label(frame: Image.Image, text: str, cx: int, cy: int, px: int) -> None:
    if not text:
        return
    draw = ImageDraw.Draw(frame)
    fnt = font(px)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=fnt)
    tw, th = right - left, bottom - top
    pad = px // 3
    x0 = max(2, min(frame.width - tw - 2 * pad - 2, cx - tw // 2 - pad))
    y0 = max(2, min(frame.height - th - 2 * pad - 2, cy - th // 2 - pad))
    draw.rounded_rectangle((x0, y0, x0 + tw + 2 * pad, y0 + th + 2 * pad), radius=pad,
                           fill=(20, 20, 30, 190))
    draw.text((x0 + pad - left, y0 + pad - top), text, font=fnt, fill=(255, 255, 255, 255))


# --- image helpers ---------------------------------------------------------------------

def _open(path: Path) -> Image.Image:
    try:
        with Image.open(path) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            return img.convert("RGBA") if img.mode in ("RGBA", "LA", "P") else \
                img.convert("RGB")
    except (OSError, ValueError) as exc:
        raise MediaError(f"cannot read image {path}: {exc}",
                         hint="use a PNG, JPEG or WebP file") from exc


def cover(image: Image.Image, size: Size) -> Image.Image:
    """Scale to fill `size` and crop the overflow, centred."""
    return ImageOps.fit(image, size, method=Image.Resampling.LANCZOS)


def contain(image: Image.Image, size: Size) -> Image.Image:
    """Scale to fit inside `size`, keeping the aspect (no padding)."""
    image = image.convert("RGBA")
    ratio = min(size[0] / image.width, size[1] / image.height)
    target = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    return image.resize(target, Image.Resampling.LANCZOS) if target != image.size else image


def _save(image: Image.Image, out: Path, *, made: str | None = None,
          box: tuple[int, int, int, int] | None = None) -> None:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    info = PngInfo()
    if made:
        info.add_text(_MADE, made)
    if box:
        info.add_text(_BOX, ",".join(map(str, box)))
    tmp = out.with_name(out.name + ".tmp")
    image.save(tmp, format="PNG", optimize=False, compress_level=1, pnginfo=info)
    tmp.replace(out)  # never leave a half-written PNG for a content-addressed cache


_MADE = "vidflow-element"  # "drawn" or "user": how render_element made the file
_BOX = "vidflow-box"  # where the element's picture sits on the canvas (left,top,right,bottom)


def _element_picture(path: Path) -> Image.Image | None:
    """The picture to show for an element image file; None for a drawn one (redraw it).

    A render_element file gives back just the user's picture (no canvas, no label);
    any other file (the user's own, or a download) is used whole.
    """
    image = _open(path)
    text = _png_text(path)
    if text.get(_MADE) == "drawn":
        return None
    if text.get(_MADE) == "user" and text.get(_BOX):
        left, top, right, bottom = (int(v) for v in text[_BOX].split(","))
        return image.crop((left, top, right, bottom))
    return image


def _png_text(path: Path) -> dict[str, str]:
    try:
        with Image.open(path) as img:
            return dict(getattr(img, "text", {}) or {})
    except OSError:
        return {}
