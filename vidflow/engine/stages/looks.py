"""Tone words and the look they give a story: palette, light, camera motion and music.

ONE table (`TONES`) maps the words an idea uses for its mood (fun, calm, cinematic,
dramatic…) to a `Look`; every stage that renders something reads its part from here: the
scene images their grade (`grade`), the storyboard writer its camera speed, the music its
tempo, key and brightness. The first tone whose word the text uses wins, so "a calm winter
ad" is calm, not warm. Grading is Pillow's per-channel lookup tables and C enhancers: no
per-pixel Python.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageEnhance

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class MusicStyle:
    bpm: float
    root: int  # MIDI note of the key's tonic
    minor: bool
    brightness: float  # 0..1: harmonics in the pad and arpeggio, and their level
    arp_density: int  # arpeggio notes per beat
    level: float = 0.5


@dataclass(frozen=True)
class Look:
    """How a tone looks, moves and sounds."""

    name: str  # the mood name the music stage and the story's records use
    words: tuple[str, ...]
    tint: RGB  # the colour the light takes (blended into mid-tones)
    tint_amount: float  # 0..1
    brightness: float  # multiplier, 1 = unchanged
    contrast: float  # around mid-grey, 1 = unchanged
    saturation: float  # 1 = unchanged
    vignette: float  # 0..1: how dark the corners get
    camera_speed: str  # "slow", "" (normal) or "fast": the camera_movement prefix
    moves: tuple[str, ...]  # camera moves of the middle scenes, in order of preference
    music: MusicStyle


# Order matters: the first tone the text names wins (dramatic before warm, calm before fun).
TONES: tuple[Look, ...] = (
    Look("dramatic", ("dramatic", "epic", "dark", "mystery", "mysterious", "horror",
                      "suspense", "thriller", "intense", "tense", "stormy"),
         (70, 90, 140), 0.25, 0.82, 1.35, 0.8, 0.55, "fast",
         ("pan_right", "tilt_up", "pan_left", "tilt_down"),
         MusicStyle(84, 48, True, 0.4, 1)),
    Look("cinematic", ("cinematic", "hero", "heroic", "adventure", "inspiring", "grand",
                       "majestic", "emotional"),
         (255, 170, 90), 0.18, 0.95, 1.2, 0.9, 0.35, "",
         ("pan_right", "zoom_in", "pan_left", "tilt_up"),
         MusicStyle(92, 55, False, 0.6, 1)),
    Look("sad", ("sad", "melancholic", "lonely", "farewell", "gloomy"),
         (120, 135, 170), 0.3, 0.9, 0.9, 0.55, 0.3, "slow",
         ("zoom_out", "tilt_down"), MusicStyle(70, 57, True, 0.3, 1)),
    Look("calm", ("calm", "relax", "relaxing", "peaceful", "gentle", "serene", "spa",
                  "meditation", "quiet", "soothing", "tranquil"),
         (200, 225, 235), 0.22, 1.06, 0.78, 0.75, 0.0, "slow",
         ("zoom_in", "zoom_out"), MusicStyle(72, 57, False, 0.3, 1)),
    Look("fun", ("fun", "cute", "playful", "funny", "kids", "happy", "party", "musical",
                 "promo", "promotional", "energetic", "sport", "launch", "upbeat",
                 "cheerful"),
         (255, 225, 120), 0.12, 1.08, 1.12, 1.35, 0.0, "fast",
         ("pan_right", "zoom_in", "tilt_up", "pan_left", "zoom_out"),
         MusicStyle(124, 60, False, 0.8, 2)),
    Look("warm", ("warm", "cozy", "family", "romantic", "love", "winter", "home",
                  "nostalgic", "sweet", "friendly"),
         (255, 190, 130), 0.15, 1.0, 1.0, 1.0, 0.15, "",
         ("pan_right", "tilt_up", "pan_left", "zoom_in", "tilt_down", "zoom_out"),
         MusicStyle(96, 62, False, 0.45, 2)),
)
# No tone word: the engine's neutral look (no grade at all) and its everyday music.
NEUTRAL = Look("neutral", (), (255, 255, 255), 0.0, 1.0, 1.0, 1.0, 0.0, "",
               ("pan_right", "tilt_up", "pan_left", "zoom_in", "tilt_down", "zoom_out"),
               MusicStyle(96, 62, False, 0.45, 2))  # the warm tone's music, as ever
SPEEDS: dict[str, float] = {"slow": 0.45, "": 1.0, "fast": 1.8}  # × the move's distance

_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


def look_for(text: str) -> Look:
    """The look of the first tone whose word `text` uses; NEUTRAL when none does."""
    words = {w.lower() for w in _WORD_RE.findall(text or "")}
    return next((look for look in TONES if words & set(look.words)), NEUTRAL)


def look_named(name: str) -> Look:
    """The look of a mood name ("calm", "neutral"), or of any text naming a tone word."""
    key = name.strip().lower()
    if key == NEUTRAL.name:
        return NEUTRAL
    return next((look for look in TONES if look.name == key), None) or look_for(name)


_MARK_RE = re.compile(r"\bMood: ([a-z]+)\.")


def mark(look: Look) -> str:
    """What the writer puts in an image description so the image stage draws this look."""
    return f"Mood: {look.name}."


def look_of_description(description: str) -> Look:
    """The look an image description asks for: the writer's mark, else its tone words."""
    found = _MARK_RE.search(description or "")
    return look_named(found.group(1)) if found else look_for(description)


def mood_of(text: str) -> str:
    """The music mood an idea suggests: its tone's name ("warm" when it names none: the
    music an idea without a tone word has always had)."""
    look = look_for(text)
    return "warm" if look is NEUTRAL else look.name


def camera(move: str, look: Look) -> str:
    """A camera_movement with the look's speed: "slow_zoom_in", "zoom_in", "fast_pan_left"."""
    return f"{look.camera_speed}_{move}" if look.camera_speed else move


def split_speed(camera_movement: str) -> tuple[str, float]:
    """("zoom_in", 0.45) for "slow zoom in" / "slow_zoom_in": the move and its distance."""
    move = (camera_movement or "").strip().lower().replace("-", "_").replace(" ", "_")
    head, _, rest = move.partition("_")
    if head in SPEEDS and head and rest:
        return rest, SPEEDS[head]
    return move, 1.0


# --- grading ---------------------------------------------------------------------------

@functools.cache
def _lut(look: Look) -> tuple[int, ...]:
    """One 768-entry table (R, G, B): contrast around mid-grey, brightness, tint."""
    table: list[int] = []
    for channel in range(3):
        tint = look.tint[channel] / 255
        for v in range(256):
            x = v / 255
            x = (x - 0.5) * look.contrast + 0.5
            x *= look.brightness
            # the tint colours the light most in the mid-tones, leaving white white
            x = x * (1 - look.tint_amount * (1 - tint) * (1 - abs(2 * x - 1) ** 2))
            table.append(max(0, min(255, round(x * 255))))
    return tuple(table)


@functools.cache
def _vignette(size: tuple[int, int], amount: float) -> Image.Image:
    """A mask, 255 in the middle falling to (1 - amount) * 255 in the corners; drawn small
    and scaled up (smooth, and cheap at any frame size)."""
    w, h = 64, max(2, round(64 * size[1] / size[0]))
    small = Image.radial_gradient("L").resize((w, h), Image.Resampling.BILINEAR)
    # radial_gradient is 0 at the centre, 255 at the rim: invert and keep corners bright
    lut = [round(255 * (1 - amount * min(1.0, (v / 255) ** 2 * 1.3))) for v in range(256)]
    return small.point(lut).resize(size, Image.Resampling.BILINEAR)


def grade(image: Image.Image, look: Look) -> Image.Image:
    """`image` (RGB) in the look's light: a colour table, saturation and a vignette."""
    if look is NEUTRAL:
        return image
    out = image.point(list(_lut(look)))
    if look.saturation != 1.0:
        out = ImageEnhance.Color(out).enhance(look.saturation)
    if look.vignette > 0:
        mask = _vignette(out.size, look.vignette)
        out = ImageChops.multiply(out, Image.merge("RGB", (mask, mask, mask)))
    return out
