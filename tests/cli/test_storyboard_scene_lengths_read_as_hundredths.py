"""`vidflow storyboard --scenes` shows each scene's length as people read it: a scene of
67 frames at 30 fps is 2.23s, not 2.2333333333333334s."""

from __future__ import annotations

import pytest

from vidflow.commands.storyboard import _seconds


@pytest.mark.parametrize(("duration", "shown"), [
    (67 / 30, "2.23s"), (3.7, "3.7s"), (2, "2s"), (2.0, "2s"), (0.005, "0.01s"),
    (None, "-"), ("4", "4s"),
])
def test_a_scene_length_is_shown_in_hundredths(duration: object, shown: str) -> None:
    assert _seconds(duration) == shown
