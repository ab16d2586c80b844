"""Fault injection for tests: kill the apply at a named boundary.

`VIDFLOW_FAULT=<point>:<n>:<signal>` makes the n-th arrival at `point` send this process
`signal` (KILL, TERM, HUP or INT). The points are the boundaries a crash can fall between:

    intent-written    a paid call's intent is in the lockfile, the call not sent yet
    request-sending   the paid request is about to go out (the provider's transport)
    answer-received   the paid call's answer is in hand, not yet recorded
    lockfile-written  any lockfile write has just been renamed into place
    downloaded        a video is on disk, its sha256 not yet recorded

Unset (as outside the fault tests), `reached` costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
import threading

POINTS = ("intent-written", "request-sending", "answer-received", "lockfile-written",
          "downloaded")
_SIGNALS = {"KILL": signal.SIGKILL, "TERM": signal.SIGTERM, "HUP": signal.SIGHUP,
            "INT": signal.SIGINT}
_counts: dict[str, int] = {}
_mutex = threading.Lock()


def reached(point: str) -> None:
    spec = os.environ.get("VIDFLOW_FAULT")
    if not spec:
        return
    name, _, rest = spec.partition(":")
    if name != point:
        return
    nth, _, sig = rest.partition(":")
    with _mutex:
        _counts[point] = _counts.get(point, 0) + 1
        hit = _counts[point] == int(nth or 1)
    if hit:
        os.kill(os.getpid(), _SIGNALS[sig or "KILL"])
