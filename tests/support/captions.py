"""Reading caption sidecars back, as a player would: (start, end, text) per cue."""

from __future__ import annotations

import re
from pathlib import Path

_CLOCK = r"(\d+):(\d\d):(\d\d)[,.](\d{3})"
_CUE = re.compile(rf"^{_CLOCK} --> {_CLOCK}$")


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse_cues(path: Path) -> list[tuple[float, float, str]]:
    """The cues of an SRT or WebVTT file (numbers and the WEBVTT header skipped)."""
    text = Path(path).read_text(encoding="utf-8")
    if path.suffix == ".vtt":
        assert text.startswith("WEBVTT\n\n"), "a WebVTT file starts with its signature"
    cues = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        times = [i for i, line in enumerate(lines) if _CUE.match(line)]
        if not times:
            continue
        match = _CUE.match(lines[times[0]])
        assert match is not None
        start, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
        cue_text = lines[times[0] + 1:]
        assert len(cue_text) == 1, f"one line per cue: {cue_text}"
        cues.append((start, end, cue_text[0]))
    return cues


def words_of(text: str) -> list[str]:
    return text.split()
