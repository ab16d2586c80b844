"""The one poll loop: GET a story with growing pauses until it is success or fail.

Used by the providers (the executor's wait) and by `StoryClient.wait`. Each pause grows
1.5x up to `max_interval`; a 429 answer to a poll (after the client's own retries) is not
a failure of the story: the loop waits at least the server's Retry-After, then polls
again (up to `MAX_THROTTLED` refusals in a row). `stop` (Ctrl-C) ends the wait with
Interrupted: the story keeps running remotely and the next apply resumes polling it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from vidflow.api.models import StoryRecord
from vidflow.errors import TooManyRequests, VidflowError

ProgressCallback = Callable[[StoryRecord], None]
MAX_THROTTLED = 5


class Interrupted(VidflowError):
    """Waiting was stopped (Ctrl-C); the story keeps running on the provider."""

    exit_code = 130


class WaitTimeout(VidflowError):
    """The wait gave up before the story reached success or fail."""

    def __init__(self, message: str, *, record: StoryRecord) -> None:
        super().__init__(message, hint="wait longer, or check later with `vidflow show`")
        self.record = record


def poll_until_done(get: Callable[[str], StoryRecord], story_id: str, *,
                    on_progress: ProgressCallback | None = None,
                    stop: threading.Event | None = None,
                    sleep: Callable[[float], None] | None = None,
                    first_interval: float = 0.2, max_interval: float = 2.0,
                    timeout: float | None = None,
                    clock: Callable[[], float] = time.monotonic,
                    pause: Callable[[float], bool] | None = None) -> StoryRecord:
    """The finished record (success or fail: returned, not raised).

    `on_progress` sees every record polled. Pauses go through `stop.wait` when `stop` is
    given (so Ctrl-C ends them at once), else through `sleep`. A `timeout` raises
    WaitTimeout carrying the last record. `pause(seconds)`, when given, replaces both: it
    may return early (an in-process engine returns when the job ends, so the finished
    story is read at once, not up to `max_interval` later) and returns True to stop.
    """
    wait_for = pause
    deadline = None if timeout is None else clock() + timeout
    interval, throttled, record = first_interval, 0, None
    while True:
        pause = interval
        try:
            record = get(story_id)
        except TooManyRequests as exc:
            throttled += 1
            if throttled > MAX_THROTTLED:
                raise
            pause = max(interval, exc.retry_after or 0.0)
        else:
            throttled = 0
            if on_progress is not None:
                on_progress(record)
            if record.done:
                return record
        if deadline is not None:
            remaining = deadline - clock()
            if remaining <= 0:
                if record is None:
                    raise VidflowError(f"story {story_id}: no answer after {timeout:g}s")
                raise WaitTimeout(f"Story {story_id} is still {record.status} at "
                                  f"{record.progress_percentage}% after {timeout:g}s",
                                  record=record)
            pause = min(pause, remaining)
        if wait_for is not None:
            if wait_for(pause):
                raise Interrupted(f"stopped waiting for story {story_id}")
        elif stop is not None:
            if stop.wait(pause):
                raise Interrupted(f"stopped waiting for story {story_id}")
        else:
            (time.sleep if sleep is None else sleep)(pause)
        interval = min(max_interval, interval * 1.5)
