"""`vidflow state list|rm|mv` through the real CLI entry point."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from vidflow.cli import main
from vidflow.state.lockfile import LockEntry, Lockfile, read_lockfile, write_lockfile

ENTRY = LockEntry(story_id="id", provider="local", mode="idea", fingerprint="f",
                  storyboard_fingerprint=None, title="T", description="",
                  visibility_status="0", status="success", output="out/x.mp4")


@pytest.fixture
def folder(tmp_path):
    lock = Lockfile(lineage="")
    for address in ("promo[tone=fun]", "promo[tone=sad]", "solo"):
        lock = lock.with_entry(address, replace(ENTRY, story_id=f"id-{address}"))
    write_lockfile(tmp_path / "vidflow.lock", lock)
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["state", *args])
    out, err = capsys.readouterr()
    return info.value.code, out, err


def test_list_shows_addresses_with_story_ids(folder, capsys):
    code, out, _ = run(capsys, "list", str(folder))
    assert code == 0
    assert out.splitlines() == [
        "promo[tone=fun]  id-promo[tone=fun]  success",
        "promo[tone=sad]  id-promo[tone=sad]  success",
        "solo             id-solo  success",
    ]


def test_list_json(folder, capsys):
    code, out, _ = run(capsys, "list", "--json", str(folder))
    rows = json.loads(out)
    assert code == 0 and [r["address"] for r in rows][-1] == "solo"
    assert rows[0]["story_id"] == "id-promo[tone=fun]"


def test_list_empty_project(tmp_path, capsys):
    code, out, _ = run(capsys, "list", str(tmp_path))
    assert code == 0 and "No stories recorded" in out
    assert not (tmp_path / "vidflow.lock").exists()


def test_rm_forgets_without_deleting_and_warns(folder, capsys):
    serial = read_lockfile(folder / "vidflow.lock").serial
    code, out, err = run(capsys, "rm", "-C", str(folder), "solo")
    assert code == 0
    assert "Removed solo (story id-solo)" in out
    assert "not deleted" in err
    lock = read_lockfile(folder / "vidflow.lock")
    assert "solo" not in lock and lock.serial == serial + 1


def test_rm_bare_name_removes_every_variant(folder, capsys):
    code, _, _ = run(capsys, "rm", "-C", str(folder), "promo")
    assert code == 0
    assert list(read_lockfile(folder / "vidflow.lock")) == ["solo"]


def test_rm_unknown_address_fails_and_changes_nothing(folder, capsys):
    before = (folder / "vidflow.lock").read_text()
    code, _, err = run(capsys, "rm", "-C", str(folder), "solo", "nope")
    assert code == 1 and "no story 'nope'" in err
    assert (folder / "vidflow.lock").read_text() == before


def test_mv_renames_one_address(folder, capsys):
    code, out, _ = run(capsys, "mv", "-C", str(folder), "solo", "duo")
    assert code == 0 and "Moved solo → duo." in out
    lock = read_lockfile(folder / "vidflow.lock")
    assert lock.entries["duo"].story_id == "id-solo" and "solo" not in lock


def test_mv_bare_name_renames_every_variant(folder, capsys):
    code, _, _ = run(capsys, "mv", "-C", str(folder), "promo", "winter")
    assert code == 0
    assert list(read_lockfile(folder / "vidflow.lock")) == [
        "solo", "winter[tone=fun]", "winter[tone=sad]"]


def test_mv_onto_a_recorded_address_fails(folder, capsys):
    code, _, err = run(capsys, "mv", "-C", str(folder), "solo", "promo[tone=fun]")
    assert code == 1 and "already has an entry" in err


def test_corrupt_lockfile_is_reported_and_left_alone(folder, capsys):
    (folder / "vidflow.lock").write_text("{oops")
    code, _, err = run(capsys, "rm", "-C", str(folder), "solo")
    assert code == 1 and "not valid JSON" in err
    assert (folder / "vidflow.lock").read_text() == "{oops"


def test_a_locked_project_fails_with_the_lock_timeout_hint(folder, capsys):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time
        from vidflow.state.lock import state_lock
        with state_lock(sys.argv[1]):
            print("locked", flush=True)
            time.sleep(30)
    """), str(folder / "vidflow.lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        code, _, err = run(capsys, "--lock-timeout", "0.3", "rm", "-C", str(folder), "solo")
    finally:
        holder.kill()
        holder.wait()
    assert code == 1
    assert "another vidflow is running" in err and "--lock-timeout" in err
    assert "solo" in read_lockfile(folder / "vidflow.lock")


def test_every_subcommand_has_help_with_an_example(capsys):
    for sub in ("list", "rm", "mv"):
        code, out, _ = run(capsys, sub, "--help")
        assert code == 0 and "Example:" in out and "vidflow state" in out
