"""`vidflow state` accepts addresses with variant keys in any order, and `list -C PATH`."""

from __future__ import annotations

import pytest

from vidflow.state.lockfile import read_lockfile

FUN = "winter-promo[aspect_ratio=9:16,tone=fun]"
TYPED = "winter-promo[tone=fun,aspect_ratio=9:16]"


@pytest.fixture
def folder(locked_folder):
    return locked_folder((FUN, "winter-promo[aspect_ratio=16:9,tone=cinematic]"))


def test_rm_with_keys_in_another_order(folder, run_state):
    code, out, _ = run_state("rm", "-C", str(folder), TYPED)
    assert code == 0 and f"Removed {FUN}" in out
    assert FUN not in read_lockfile(folder / "vidflow.lock")


def test_mv_with_keys_in_another_order_normalises_both_sides(folder, run_state):
    code, _, _ = run_state("mv", "-C", str(folder), TYPED, "ad[tone=fun,aspect_ratio=9:16]")
    assert code == 0
    lock = read_lockfile(folder / "vidflow.lock")
    assert lock.entries["ad[aspect_ratio=9:16,tone=fun]"].story_id == f"id-{FUN}"


def test_list_takes_dash_c_like_rm_and_mv(folder, run_state, monkeypatch):
    monkeypatch.chdir(folder.parent)
    code, out, _ = run_state("list", "-C", str(folder))
    assert code == 0 and FUN in out
    code, out, _ = run_state("list", "--path", str(folder), "--json")
    assert code == 0 and FUN in out


def test_list_refuses_two_different_folders(folder, tmp_path_factory, run_state):
    other = tmp_path_factory.mktemp("other")
    code, _, err = run_state("list", str(other), "-C", str(folder))
    assert code == 2 and "PATH or -C PATH" in err
