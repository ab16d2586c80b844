"""Background jobs: a small thread pool, per-account slots, progress, terminal states.

A job is a function of a `JobControl`; it reports progress per step (the steps and their
weights are steps.py's table) and calls `check()` between units of work so `close()` can
stop it. A job stopped by `close()` leaves
its story `processing` with its job spec in the store: the next engine resumes it.
Whatever else a job raises ends its story in `fail` with a one-line human message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from vidflow.engine.outbound import CLOSED, Opening
from vidflow.engine.store import Store
from vidflow.engine.webhooks import Delivery, send_in_background
from vidflow.errors import TooManyRequests, VidflowError

log = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds a client should wait after TooManyRequests


class Cancelled(Exception):
    """The engine is closing; the story stays resumable."""


@dataclass
class JobControl:
    story_id: str
    account: str
    weights: Mapping[str, float]  # each step of the job, with its share of the progress
    _report: Callable[[int], None]
    _stopped: Callable[[], bool]
    _done: set[str] = field(default_factory=set)

    def check(self) -> None:
        if self._stopped():
            raise Cancelled()

    def progress(self, step: str, fraction: float) -> None:
        """`fraction` (0..1) of `step` is done; the store keeps the maximum seen."""
        total = sum(self.weights.values()) or 1.0
        done = sum(w for s, w in self.weights.items() if s in self._done)
        if step in self.weights and step not in self._done:
            done += self.weights[step] * min(max(fraction, 0.0), 1.0)
            if fraction >= 1.0:
                self._done.add(step)
        # 100 is reserved for success, so a reader never sees 100 on a failing story.
        self._report(min(99, int(100 * done / total)))
        self.check()


@dataclass
class _Slot:
    account: str
    submitted: bool = False


class JobRunner:
    def __init__(self, store: Store, *, workers: int, max_concurrent: int,
                 opening: Opening = CLOSED) -> None:
        self.store = store
        self.opening = opening  # where webhooks may go besides public addresses
        self.max_concurrent = max_concurrent
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers),
                                        thread_name_prefix="vidflow-job")
        self._lock = threading.Condition()
        self._per_account: dict[str, int] = {}
        self._active: set[str] = set()
        self._closing = threading.Event()
        self._cancelled: set[str] = set()
        self.webhook_threads: list[threading.Thread] = []

    # --- admission ------------------------------------------------------------------
    @contextmanager
    def slot(self, account: str) -> Iterator[_Slot]:
        """Reserve a running-job slot before creating anything; released if unused."""
        with self._lock:
            if self._per_account.get(account, 0) >= self.max_concurrent:
                raise TooManyRequests(
                    f"Too many requests: {self.max_concurrent} stories are already being "
                    f"generated for this account; retry after {RETRY_AFTER:g} s",
                    retry_after=RETRY_AFTER)
            self._per_account[account] = self._per_account.get(account, 0) + 1
        reserved = _Slot(account)
        try:
            yield reserved
        finally:
            if not reserved.submitted:
                self._release(account)

    def _release(self, account: str) -> None:
        with self._lock:
            self._per_account[account] = max(0, self._per_account.get(account, 0) - 1)
            self._lock.notify_all()

    # --- running --------------------------------------------------------------------
    def submit(self, story_id: str, account: str, weights: Mapping[str, float],
               work: Callable[[JobControl], None], *, webhook_url: str | None = None,
               slot: _Slot | None = None, price: int = 0) -> None:
        """Queue `work`; if it fails, the `price` charged for it goes back to the account."""
        if slot is None:  # resumed jobs: admitted by a previous process
            with self._lock:
                self._per_account[account] = self._per_account.get(account, 0) + 1
        else:
            slot.submitted = True
        with self._lock:
            self._active.add(story_id)
        control = JobControl(story_id, account, weights,
                             lambda pct: self.store.set_progress(story_id, pct),
                             lambda: self._closing.is_set() or story_id in self._cancelled)
        try:
            self._pool.submit(self._run, control, work, webhook_url, price)
        except RuntimeError:  # pool already shut down: the story stays resumable
            self._finish(story_id, account)

    def _run(self, control: JobControl, work: Callable[[JobControl], None],
             webhook_url: str | None, price: int) -> None:
        story_id, status = control.story_id, None
        try:
            if self._closing.is_set() or story_id in self._cancelled:
                return
            # Progress is not reset here: a resumed story keeps what it had reached; nor is
            # the message: it carries the notes on the accepted parameters (notes.py).
            self.store.update(story_id, status="processing")
            work(control)
            if story_id in self._cancelled or self.store.get(story_id) is None:
                return  # deleted as it finished: no record to update, nobody to notify
            self.store.update(story_id, status="success", progress_percentage=100, job=None)
            status = "success"
        except Cancelled:
            log.info("story %s interrupted (shutdown or delete)", story_id)
        except Exception as exc:  # every failure becomes the story's message
            if story_id in self._cancelled or self.store.get(story_id) is None:
                # Deleted under its feet: the error is a symptom, nobody is left to tell.
                log.info("story %s deleted while running (%s)", story_id, type(exc).__name__)
                return
            message = failure_message(exc)
            log.warning("story %s failed: %s", story_id, message,
                        exc_info=not isinstance(exc, VidflowError))
            self.store.update(story_id, status="fail", message=message, job=None)
            status = "fail"
            if price and self.store.get(story_id) is not None:
                self.store.refund(control.account, price)
                self.store.add_used_credits(story_id, -price)
        finally:
            self._finish(story_id, control.account)
        if status and webhook_url:
            thread = send_in_background(Delivery(webhook_url, control.account, story_id, status),
                                        opening=self.opening)
            with self._lock:
                self.webhook_threads = [t for t in self.webhook_threads if t.is_alive()]
                self.webhook_threads.append(thread)

    def _finish(self, story_id: str, account: str) -> None:
        with self._lock:
            self._active.discard(story_id)
            self._cancelled.discard(story_id)
            self._per_account[account] = max(0, self._per_account.get(account, 0) - 1)
            self._lock.notify_all()

    def cancel(self, story_id: str) -> None:
        """Stop the story's job at its next check (the story is being deleted)."""
        with self._lock:
            if story_id in self._active:
                self._cancelled.add(story_id)

    def is_active(self, story_id: str) -> bool:
        with self._lock:
            return story_id in self._active

    def wait_idle(self, story_id: str, timeout: float | None) -> bool:
        """Block until no job runs for the story; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while story_id in self._active:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._lock.wait(0.5 if left is None else min(left, 0.5))
        return True

    def close(self) -> None:
        """Stop taking work, interrupt running jobs at their next check, join workers."""
        self._closing.set()
        self._pool.shutdown(wait=True, cancel_futures=True)


def failure_message(exc: BaseException) -> str:
    """One human line, no traceback: our own errors as they are, others named."""
    if isinstance(exc, VidflowError):
        text = str(exc)
    else:
        text = f"Internal error ({type(exc).__name__}): {exc}" if str(exc) else (
            f"Internal error ({type(exc).__name__})")
    first = text.strip().splitlines()[0] if text.strip() else "Story generation failed"
    extra = text.strip().splitlines()[1:]
    # FFmpeg's last log line often carries the real reason; keep it, briefly.
    if extra:
        first = f"{first} — {extra[-1].strip()}"
    return first[:500]
