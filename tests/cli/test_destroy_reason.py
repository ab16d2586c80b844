"""`vidflow destroy` explains its deletes as "destroy requested", not "gone from the specs"."""

from __future__ import annotations

from pathlib import Path

import pytest
from lifecycle_helpers import vidflow, write_spec

from vidflow.state.lockfile import LockEntry, Lockfile, write_lockfile

ENTRY = LockEntry(story_id="story-1", provider="local", mode="idea", fingerprint="f",
                  storyboard_fingerprint=None, title="Alpha", description="",
                  visibility_status="0", status="success")


def test_destroy_plan_says_destroy_requested(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CI", raising=False)
    write_spec(tmp_path, {"alpha": ("Alpha", "A fox in a sunny meadow.")})
    write_lockfile(tmp_path / "vidflow.lock", Lockfile(lineage="").with_entry("alpha", ENTRY))
    # Not a terminal and no --auto-approve: the plan is printed, then refused; no deletes.
    result = vidflow("destroy", str(tmp_path))
    assert result.code == 1
    assert "- alpha (story story-1)" in result.out
    assert "# destroy requested" in result.out
    assert "gone from the specs" not in result.out
