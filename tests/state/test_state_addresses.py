"""`vidflow state` accepts addresses with variant keys in any order, and `list -C PATH`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from vidflow.cli import main
from vidflow.state.lockfile import LockEntry, Lockfile, read_lockfile, write_lockfile

ENTRY = LockEntry(story_id="id", provider="local", mode="idea", fingerprint="f",
                  storyboard_fingerprint=None, title="T", description="",
                  visibility_status="0", status="success", output="out/x.mp4")
FUN = "winter-promo[aspect_ratio=9:16,tone=fun]"
TYPED = "winter-promo[tone=fun,aspect_ratio=9:16]"


@pytest.fixture
def folder(tmp_path):
    lock = Lockfile(lineage="")
    for address in (FUN, "winter-promo[aspect_ratio=16:9,tone=cinematic]"):
        lock = lock.with_entry(address, replace(ENTRY, story_id=f"id-{address}"))
    write_lockfile(tmp_path / "vidflow.lock", lock)
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["state", *args])
    out, err = capsys.readouterr()
    return info.value.code, out, err


def test_rm_with_keys_in_another_order(folder, capsys):
    code, out, _ = run(capsys, "rm", "-C", str(folder), TYPED)
    assert code == 0 and f"Removed {FUN}" in out
    assert FUN not in read_lockfile(folder / "vidflow.lock")


def test_mv_with_keys_in_another_order_normalises_both_sides(folder, capsys):
    code, _, _ = run(capsys, "mv", "-C", str(folder), TYPED, "ad[tone=fun,aspect_ratio=9:16]")
    assert code == 0
    lock = read_lockfile(folder / "vidflow.lock")
    assert lock.entries["ad[aspect_ratio=9:16,tone=fun]"].story_id == f"id-{FUN}"


def test_list_takes_dash_c_like_rm_and_mv(folder, capsys, monkeypatch):
    monkeypatch.chdir(folder.parent)
    code, out, _ = run(capsys, "list", "-C", str(folder))
    assert code == 0 and FUN in out
    code, out, _ = run(capsys, "list", "--path", str(folder), "--json")
    assert code == 0 and FUN in out


def test_list_refuses_two_different_folders(folder, tmp_path_factory, capsys):
    other = tmp_path_factory.mktemp("other")
    code, _, err = run(capsys, "list", str(other), "-C", str(folder))
    assert code == 2 and "PATH or -C PATH" in err
