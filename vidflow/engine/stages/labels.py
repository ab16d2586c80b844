"""Where element labels go: as near as possible to where each wants to be, never two
overlapping, always inside the frame.

Greedy placement over a handful of candidate spots per label (its wish, shifted a row up or
down, or beside a label already placed), nearest first; a label with no free spot is left
out (None), so the caller can draw the labels smaller and try again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Box = tuple[int, int, int, int]  # left, top, right, bottom (right and bottom exclusive)


@dataclass(frozen=True)
class Wish:
    """A label of `width` × `height` pixels that would like its centre at (cx, cy)."""

    width: int
    height: int
    cx: int
    cy: int


def overlaps(a: Box, b: Box, gap: int = 0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def place_labels(wishes: Sequence[Wish], frame: tuple[int, int], *, margin: int = 2,
                 gap: int = 2) -> list[Box | None]:
    """A box per wish (None: no room left for it), in the wishes' order."""
    width, height = frame
    placed: list[Box] = []
    out: list[Box | None] = []
    for wish in wishes:
        w, h = wish.width, wish.height
        if w <= 0 or h <= 0 or w > width - 2 * margin or h > height - 2 * margin:
            out.append(None)
            continue
        box = _first_free(wish, placed, frame, margin, gap)
        out.append(box)
        if box is not None:
            placed.append(box)
    return out


def _first_free(wish: Wish, placed: list[Box], frame: tuple[int, int], margin: int,
                gap: int) -> Box | None:
    width, height = frame
    w, h = wish.width, wish.height

    def clamp(x: int, y: int) -> Box:
        x = max(margin, min(width - margin - w, x))
        y = max(margin, min(height - margin - h, y))
        return (x, y, x + w, y + h)

    x0, y0 = wish.cx - w // 2, wish.cy - h // 2
    # the wish, the frame's left edge, and either side of every label already placed: if
    # a row has room for this label, one of these is where that room starts
    xs = [x0, margin, *(b[2] + gap for b in placed), *(b[0] - gap - w for b in placed)]
    rows = max(1, min(40, (height - 2 * margin) // (h + gap)))  # 40: plenty for labels
    ys = [y0 + k * (h + gap) for k in range(-rows, rows + 1)]
    candidates = {clamp(x, y) for x in xs for y in ys}
    for box in sorted(candidates, key=lambda b: (abs(b[1] - y0) + abs(b[0] - x0), b)):
        if not any(overlaps(box, other, gap) for other in placed):
            return box
    return None
