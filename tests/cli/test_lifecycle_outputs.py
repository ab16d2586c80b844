"""A downloaded video removed or altered on disk is downloaded again, never made again."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from lifecycle_helpers import engine_story_ids, lock_entries, vidflow, write_spec

pytestmark = pytest.mark.slow


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("damage", ["remove", "garbage-same-size", "truncate"])
def test_a_damaged_video_is_downloaded_again(root: Path, damage: str):
    write_spec(root, {"alpha": ("Alpha", "A fox in a sunny meadow.")})
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    entry = lock_entries(root)["alpha"]
    lock_text = (root / "vidflow.lock").read_text()
    video = root / entry["output"]
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0  # verified, intact

    if damage == "remove":
        video.unlink()
    elif damage == "garbage-same-size":
        video.write_bytes(b"\0" * video.stat().st_size)
    else:
        video.write_bytes(video.read_bytes()[:100])

    # --no-refresh plans from the lockfile alone (CI: a checkout holds no videos).
    assert vidflow("plan", "--detailed-exitcode", "--no-refresh", str(root)).code == 0
    planned = vidflow("plan", "--detailed-exitcode", str(root))
    assert planned.code == 2, planned.out + planned.err
    assert "<= alpha" in planned.out and "missing or changed" in planned.out
    assert "0 to create" in planned.out and "1 to resume" in planned.out

    applied = vidflow("apply", "--auto-approve", str(root))
    assert applied.code == 0, applied.out + applied.err
    after = lock_entries(root)["alpha"]
    assert after["story_id"] == entry["story_id"]  # no new story, no credits
    assert after["used_credits"] == entry["used_credits"]
    assert engine_story_ids(root) == {entry["story_id"]}
    assert _sha(video) == after["output_sha256"] == entry["output_sha256"]
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0
    assert (root / "vidflow.lock").read_text() == lock_text  # nothing to commit
