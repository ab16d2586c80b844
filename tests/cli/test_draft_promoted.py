"""A local video rendered as a draft (VIDFLOW_ENGINE_SCALE/FPS) is regenerated, on the same
story, when the engine renders at a higher quality; a lower one changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from lifecycle_helpers import lock_entries, probe, vidflow, write_spec

pytestmark = pytest.mark.slow


def test_a_draft_becomes_a_final(root: Path, monkeypatch: pytest.MonkeyPatch):
    write_spec(root, {"fox": ("Fox", "A fox in a sunny meadow.")})
    assert vidflow("apply", "--auto-approve", str(root)).code == 0  # the fixture's 0.25, 10
    draft = lock_entries(root)["fox"]
    assert draft["render"] == {"scale": 0.25, "fps": 10}

    monkeypatch.setenv("VIDFLOW_ENGINE_SCALE", "0.5")
    monkeypatch.setenv("VIDFLOW_ENGINE_FPS", "15")
    planned = vidflow("plan", "--detailed-exitcode", str(root))
    assert planned.code == 2, planned.out + planned.err
    assert f"* fox (story {draft['story_id']})" in planned.out
    assert "# rendered as a draft" in planned.out
    assert "render.fps: 10 → 15" in planned.out and "render.scale: 0.25 → 0.5" in planned.out

    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    final = lock_entries(root)["fox"]
    assert final["story_id"] == draft["story_id"]
    assert final["render"] == {"scale": 0.5, "fps": 15}
    assert final["output_sha256"] != draft["output_sha256"]
    assert probe(root / final["output"])[0] == "h264"
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0

    # a draft setting again: the better video stays, nothing to do
    monkeypatch.setenv("VIDFLOW_ENGINE_SCALE", "0.25")
    monkeypatch.setenv("VIDFLOW_ENGINE_FPS", "10")
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0
