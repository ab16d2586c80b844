"""`vidflow show` / `output`: typed addresses, a project without a lockfile, the footer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lifecycle_helpers import vidflow

from vidflow.state.lockfile import LockEntry, Lockfile, write_lockfile

ENTRY = LockEntry(story_id="id", provider="local", mode="idea", fingerprint="f",
                  storyboard_fingerprint=None, title="T", description="",
                  visibility_status="0", status="success", video_url="http://x/v.mp4",
                  used_credits=1)
FUN = "winter-promo[aspect_ratio=9:16,tone=fun]"


def locked(root: Path, *addresses: str) -> None:
    lock = Lockfile(lineage="")
    for address in addresses:
        lock = lock.with_entry(address, replace(ENTRY, story_id=f"id-{address}"))
    write_lockfile(root / "vidflow.lock", lock)


def test_show_without_a_lockfile_says_no_stories_and_succeeds(tmp_path: Path):
    result = vidflow("show", str(tmp_path))
    assert result.code == 0, result.err
    assert result.out.strip() == f"No stories yet (run `vidflow apply {tmp_path}`)."
    assert vidflow("show", "--json", str(tmp_path)).out.strip() == "{}"


def test_show_a_missing_folder_is_an_error(tmp_path: Path):
    result = vidflow("show", "promo", str(tmp_path / "nope"))
    assert result.code == 1 and "no such file or folder" in result.err


def test_show_footer_counts_one_story(tmp_path: Path):
    locked(tmp_path, "solo")
    result = vidflow("show", str(tmp_path))
    assert result.code == 0
    assert result.out.splitlines()[-1] == "1 story, 1 credit used."
    locked(tmp_path, "a", "b")
    assert vidflow("show", str(tmp_path)).out.splitlines()[-1] == "2 stories, 2 credits used."


def test_show_and_output_take_variant_keys_in_any_order(tmp_path: Path):
    locked(tmp_path, FUN, "winter-promo[aspect_ratio=16:9,tone=cinematic]")
    shown = vidflow("show", "winter-promo[tone=fun,aspect_ratio=9:16]", str(tmp_path))
    assert shown.code == 0, shown.err
    assert f"address: {FUN}" in shown.out and f"id-{FUN}" in shown.out
    out = vidflow("output", "winter-promo[tone=fun,aspect_ratio=9:16]", str(tmp_path))
    assert out.code == 0 and out.out.strip() == "http://x/v.mp4"
