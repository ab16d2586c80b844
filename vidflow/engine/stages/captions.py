"""Captions: spoken words → one-line cues → SRT, WebVTT and ASS; ASS burned in by libass.

Words come timed from eSpeak NG (narration.SpokenWord, seconds into a scene's narration);
`place` moves them onto the film's timeline (each scene's narration starts where the
composition puts it) and never past the film's end. `lines` groups them into cues of one
line each, short enough for the frame's width, never across scenes. The ASS document puts
them inside the aspect ratio's safe zone (SAFE_ZONES), and the font is Pillow's own
embedded Aileron Regular (CC0), written to a folder of its own that libass is pointed at:
no system font is needed, and fontconfig finding none changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vidflow.contract.captions import CAPTION_DEFAULTS
from vidflow.contract.enums import ASPECT_RATIOS
from vidflow.engine.stages.ffmpeg import run_ffmpeg
from vidflow.engine.stages.narration import SpokenWord

FONT_NAME = "Aileron"  # the family name inside Pillow's embedded font
FONT_FILE = "Aileron-Regular.ttf"


@dataclass(frozen=True)
class SafeZone:
    """Margins kept clear, as fractions of the frame: captions sit inside the rest."""

    top: float
    bottom: float
    sides: float


# Per aspect ratio. Vertical video is watched inside short-video apps whose caption,
# account name and buttons cover about the bottom fifth and the right edge: 9:16 keeps
# captions above the bottom quarter and away from the sides.
# In the contract's order of ASPECT_RATIOS: 16:9, 4:3, 1:1, 3:4, 9:16.
SAFE_ZONES: dict[str, SafeZone] = dict(zip(ASPECT_RATIOS, (
    SafeZone(top=0.08, bottom=0.08, sides=0.06),
    SafeZone(top=0.08, bottom=0.08, sides=0.06),
    SafeZone(top=0.08, bottom=0.10, sides=0.07),
    SafeZone(top=0.10, bottom=0.14, sides=0.08),
    SafeZone(top=0.12, bottom=0.25, sides=0.10),
), strict=True))
DEFAULT_ZONE = SafeZone(top=0.08, bottom=0.10, sides=0.08)
# font size as a fraction of the frame's shorter side
SIZES = {"small": 0.05, "medium": 0.065, "large": 0.085}
MAX_LINE = 42  # characters: the common subtitle guideline for one line
HIGHLIGHT = "&H0000D7FF&"  # ASS colours are &HAABBGGRR: amber
TEXT_COLOUR = "&H00FFFFFF&"
MIN_CUE = 0.01  # seconds; a cue cut shorter than this at the film's end is dropped


@dataclass(frozen=True)
class TimedWord:
    text: str
    start: float
    end: float
    scene: int


@dataclass(frozen=True)
class Line:
    """One cue: words shown together, on one line."""

    words: tuple[TimedWord, ...]

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def place(scenes: Sequence[tuple[float, Sequence[SpokenWord]]], *, total: float
          ) -> list[TimedWord]:
    """Each scene's words moved to `offset` (where its narration starts in the film),
    cut at the next scene's narration and at `total`; words starting at or after the end
    are dropped."""
    out: list[TimedWord] = []
    offsets = [o for o, _ in scenes]
    for i, (offset, words) in enumerate(scenes):
        limit = min(total, offsets[i + 1]) if i + 1 < len(scenes) else total
        for w in words:
            start, end = offset + w.start, min(offset + w.end, limit)
            if start >= limit:
                break
            out.append(TimedWord(w.text, start, max(end, start), i))
    return out


def line_fits(size: tuple[int, int], aspect_ratio: str, font_size: str
              ) -> Callable[[str], bool]:
    """Whether a text fits on one burned-in line inside the safe zone, measured with the
    captions' own font (Pillow's, at the ASS font size: libass draws the same font a
    sixth smaller, ASS sizes counting ascent plus descent), and at most MAX_LINE
    characters, the usual subtitle limit, for the sidecars' sake."""
    from PIL import ImageFont

    width, _ = size
    zone = SAFE_ZONES.get(aspect_ratio, DEFAULT_ZONE)
    font = ImageFont.load_default(size=font_px(size, font_size))
    room = width * (1 - 2 * zone.sides)
    return lambda text: len(text) <= MAX_LINE and font.getlength(text) <= room


def font_px(size: tuple[int, int], font_size: str) -> int:
    return max(8, round(min(size) * SIZES.get(font_size, SIZES[CAPTION_DEFAULTS["size"]])))


_SENTENCE_END = re.compile(r"[.!?;:]['\")\]]*$")


def lines(words: Sequence[TimedWord], *, fits: Callable[[str], bool]) -> list[Line]:
    """Words grouped into one-line cues that `fits` (a longer word is a line of its own),
    a new line at each scene and after each sentence; a sentence that takes several lines
    gets lines of about equal length ("A red fox wakes to the / first snow.", not a word
    left alone on the last)."""
    out: list[list[TimedWord]] = []
    for phrase in _phrases(words):
        out.extend(_balanced(phrase, fits))
    return [Line(tuple(ws)) for ws in out if ws[-1].end - ws[0].start >= MIN_CUE]


def _phrases(words: Sequence[TimedWord]) -> list[list[TimedWord]]:
    """Runs of words within one scene and one sentence."""
    out: list[list[TimedWord]] = []
    for w in words:
        if out and out[-1][-1].scene == w.scene and not _SENTENCE_END.search(out[-1][-1].text):
            out[-1].append(w)
        else:
            out.append([w])
    return out


def _greedy(words: Sequence[TimedWord], fits: Callable[[str], bool],
            target: float | None = None) -> list[list[TimedWord]]:
    out: list[list[TimedWord]] = []
    for w in words:
        joined = " ".join(x.text for x in (*out[-1], w)) if out else ""
        if out and fits(joined) and (target is None or len(joined) <= target):
            out[-1].append(w)
        else:
            out.append([w])
    return out


def _balanced(words: Sequence[TimedWord], fits: Callable[[str], bool]
              ) -> list[list[TimedWord]]:
    greedy = _greedy(words, fits)
    if len(greedy) < 2:
        return greedy
    length = len(" ".join(w.text for w in words))
    target = length / len(greedy)
    # the least slack over the even share that still needs no more lines than greedy
    for slack in range(0, 25):
        even = _greedy(words, fits, target + slack)
        if len(even) == len(greedy):
            return even
    return greedy


# --- sidecars ------------------------------------------------------------------------------

def _clock(seconds: float, sep: str) -> str:
    ms = max(0, int(seconds * 1000 + 1e-6))  # floored: a cue never ends past the film
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def srt(cues: Sequence[Line]) -> str:
    blocks = [f"{n}\n{_clock(c.start, ',')} --> {_clock(c.end, ',')}\n{c.text}\n"
              for n, c in enumerate(cues, 1)]
    return "\n".join(blocks)


def vtt(cues: Sequence[Line]) -> str:
    blocks = [f"{_clock(c.start, '.')} --> {_clock(c.end, '.')}\n{c.text}\n" for c in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


# --- burned in -----------------------------------------------------------------------------

def _ass_clock(seconds: float) -> str:
    cs = max(0, int(seconds * 100 + 1e-6))
    h, rest = divmod(cs, 360_000)
    m, rest = divmod(rest, 6000)
    s, cs = divmod(rest, 100)
    return f"{h}:{m:02d}:{s:02d}.{cs:02d}"


# punctuation the font lacks, as the nearest it has
_PUNCTUATION = {"\u2014": "-", "\u2013": "-", "\u2026": "...", "\u00ab": '"', "\u00bb": '"',
                "\u00bf": "?", "\u00a1": "!"}


class Glyphs:
    """Which characters the captions' font can draw. Pillow's embedded Aileron has basic
    Latin only: accented letters are drawn without their accents ("Café" → "Cafe");
    anything else it lacks is left out of the burned-in line (the sidecars keep every
    character, for players that bring their own fonts) and named by `missing`."""

    def __init__(self) -> None:
        from PIL import ImageFont

        self._font = ImageFont.load_default(size=24)
        self._notdef = bytes(self._font.getmask("\uffff"))
        self._known: dict[str, bool] = {}
        self.missing: set[str] = set()

    def has(self, char: str) -> bool:
        if char not in self._known:
            self._known[char] = char.isspace() or bytes(self._font.getmask(char)) != \
                self._notdef
        return self._known[char]

    def fold(self, text: str) -> str:
        out = []
        for char in text:
            if self.has(char):
                out.append(char)
                continue
            plain = _PUNCTUATION.get(char) or "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            if plain and all(self.has(c) for c in plain):
                out.append(plain)
            else:
                self.missing.add(char)
        return "".join(out)


def _ass_text(text: str) -> str:
    # braces open override blocks and backslashes start tags: never from a user's words
    return text.replace("\\", "/").replace("{", "(").replace("}", ")")


def ass(cues: Sequence[Line], *, size: tuple[int, int], aspect_ratio: str,
        options: dict[str, str], glyphs: Glyphs | None = None) -> str:
    """The ASS document burning `cues` in: one line at a time, inside the safe zone; with
    style `word`, the word being spoken in the highlight colour. `glyphs`: draw only
    what the font has (Glyphs.fold)."""
    fold = glyphs.fold if glyphs is not None else (lambda text: text)
    width, height = size
    zone = SAFE_ZONES.get(aspect_ratio, DEFAULT_ZONE)
    position = options.get("position", CAPTION_DEFAULTS["position"])
    # numpad alignment: 2 bottom centre, 5 middle, 8 top centre
    align = {"top": 8, "middle": 5}.get(position, 2)
    margin_v = round(height * (zone.top if position == "top" else zone.bottom))
    margin_h = round(width * zone.sides)
    em = font_px(size, options.get("size", CAPTION_DEFAULTS["size"]))
    outline = max(1, round(em * 0.08))
    head = [
        "[Script Info]", "ScriptType: v4.00+", f"PlayResX: {width}", f"PlayResY: {height}",
        "WrapStyle: 2", "ScaledBorderAndShadow: yes", "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Caption,{FONT_NAME},{em},{TEXT_COLOUR},{HIGHLIGHT},&H00000000&,&H80000000&,"
        f"0,0,0,0,100,100,0,0,1,{outline},{max(1, outline // 2)},{align},"
        f"{margin_h},{margin_h},{margin_v},1",
        "", "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events = []
    word_style = options.get("style") == "word"
    for cue in cues:
        if not word_style:
            events.append(_dialogue(cue.start, cue.end, _ass_text(fold(cue.text))))
            continue
        # words eSpeak said together (same start) light up together
        starts = sorted({w.start for w in cue.words})
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else cue.end
            text = " ".join(
                f"{{\\c{HIGHLIGHT}}}{_ass_text(fold(x.text))}{{\\c{TEXT_COLOUR}}}"
                if x.start == start else _ass_text(fold(x.text)) for x in cue.words)
            events.append(_dialogue(start, end, text))
    return "\n".join(head + events) + "\n"


def _dialogue(start: float, end: float, text: str) -> str:
    return f"Dialogue: 0,{_ass_clock(start)},{_ass_clock(end)},Caption,,0,0,0,,{text}"


def font_dir(folder: Path) -> Path:
    """A folder holding only the captions' font (libass reads every file in it)."""
    from PIL import ImageFont

    path = Path(folder) / FONT_FILE
    data = ImageFont.load_default(size=12).font_bytes  # Pillow >= 10.1 embeds Aileron
    if not path.is_file() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{FONT_FILE}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path.parent


def _filter_value(path: Path) -> str:
    """A path as a quoted filter option value (':' and ',' are safe inside the quotes)."""
    return "'" + str(path).replace("\\", "\\\\").replace("'", "'\\''") + "'"


def burn(video: Path, subtitles: Path, out: Path, *, fonts: Path, preset: str,
         threads: int = 2) -> None:
    """`video` with the ASS `subtitles` drawn in by libass; the audio is copied as is.
    A fixed thread count keeps x264's output the same on every machine."""
    graph = (f"ass=filename={_filter_value(subtitles)}:fontsdir={_filter_value(fonts)},"
             "format=yuv420p")
    run_ffmpeg(["-i", video, "-vf", graph, "-map", "0:v", "-map", "0:a?",
                "-c:v", "libx264", "-preset", preset, "-threads", str(threads),
                "-c:a", "copy", "-movflags", "+faststart", "-f", "mp4", out],
               what="burn in captions")
