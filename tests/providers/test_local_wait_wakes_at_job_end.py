"""The local provider's wait returns as soon as the engine's job ends, not a poll later."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from vidflow.providers.local import ACCOUNT, LocalProvider


def test_wait_returns_right_after_the_job_ends(tmp_path: Path) -> None:
    provider = LocalProvider(tmp_path, overrides={"scale": 0.25, "fps": 10})
    try:
        story = provider.engine.create_storyboard(account=ACCOUNT, idea="A fox in the snow.",
                                                  scene_count=1)
        release, ended = threading.Event(), []

        def work(control: object) -> None:  # a render that ends when the test says so
            release.wait(10)
            ended.append(time.monotonic())

        provider.engine.jobs.submit(story["id"], ACCOUNT, {"work": 1.0}, work)
        # By 2.5 s the poll interval has grown to poll_max (1 s): a sleeping poll loop
        # would notice the end up to a second late.
        threading.Timer(2.5, release.set).start()
        polled: list[str] = []
        record = provider.wait(story["id"], on_progress=lambda r: polled.append(r.status))
        returned = time.monotonic()
    finally:
        release.set()
        provider.close()
    assert record.status == "success"
    assert len(polled) >= 5  # it did poll for progress meanwhile
    assert returned - ended[0] < 0.3
