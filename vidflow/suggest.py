"""'Did you mean …?' for a mistyped name: the nearest of the names that exist."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, names: Iterable[str], *, most: int = 3) -> str:
    """`; did you mean 'a' or 'b'?` for the names closest to `word`, or "" when none is."""
    pool = sorted(set(names))
    close = difflib.get_close_matches(word, pool, n=most, cutoff=0.6)
    if not close:  # a bare story name typed for a variant, or the other way round
        stem = word.split("[", 1)[0]
        close = [n for n in pool if n.split("[", 1)[0] == stem][:most]
    if not close:
        return ""
    quoted = [repr(c) for c in close]
    return "; did you mean " + (" or ".join(quoted) if len(quoted) < 3
                                else ", ".join(quoted[:-1]) + " or " + quoted[-1]) + "?"
