"""`vidflow state list|rm|mv` through the real CLI entry point."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from vidflow.state.lockfile import read_lockfile


@pytest.fixture
def folder(locked_folder):
    return locked_folder(("promo[tone=fun]", "promo[tone=sad]", "solo"))


def test_list_shows_addresses_with_story_ids(folder, run_state):
    code, out, _ = run_state("list", str(folder))
    assert code == 0
    assert out.splitlines() == [
        "promo[tone=fun]  id-promo[tone=fun]  success",
        "promo[tone=sad]  id-promo[tone=sad]  success",
        "solo             id-solo  success",
    ]


def test_list_json(folder, run_state):
    code, out, _ = run_state("list", "--json", str(folder))
    rows = json.loads(out)
    assert code == 0 and [r["address"] for r in rows][-1] == "solo"
    assert rows[0]["story_id"] == "id-promo[tone=fun]"


def test_list_empty_project(tmp_path, run_state):
    code, out, _ = run_state("list", str(tmp_path))
    assert code == 0 and "No stories recorded" in out
    assert not (tmp_path / "vidflow.lock").exists()


def test_rm_forgets_without_deleting_and_warns(folder, run_state):
    serial = read_lockfile(folder / "vidflow.lock").serial
    code, out, err = run_state("rm", "-C", str(folder), "solo")
    assert code == 0
    assert "Removed solo (story id-solo)" in out
    assert "not deleted" in err
    lock = read_lockfile(folder / "vidflow.lock")
    assert "solo" not in lock and lock.serial == serial + 1


def test_rm_bare_name_removes_every_variant(folder, run_state):
    code, _, _ = run_state("rm", "-C", str(folder), "promo")
    assert code == 0
    assert list(read_lockfile(folder / "vidflow.lock")) == ["solo"]


def test_rm_unknown_address_fails_and_changes_nothing(folder, run_state):
    before = (folder / "vidflow.lock").read_text()
    code, _, err = run_state("rm", "-C", str(folder), "solo", "nope")
    assert code == 1 and "no story 'nope'" in err
    assert (folder / "vidflow.lock").read_text() == before


def test_mv_renames_one_address(folder, run_state):
    code, out, _ = run_state("mv", "-C", str(folder), "solo", "duo")
    assert code == 0 and "Moved solo → duo." in out
    lock = read_lockfile(folder / "vidflow.lock")
    assert lock.entries["duo"].story_id == "id-solo" and "solo" not in lock


def test_mv_bare_name_renames_every_variant(folder, run_state):
    code, _, _ = run_state("mv", "-C", str(folder), "promo", "winter")
    assert code == 0
    assert list(read_lockfile(folder / "vidflow.lock")) == [
        "solo", "winter[tone=fun]", "winter[tone=sad]"]


def test_mv_onto_a_recorded_address_fails(folder, run_state):
    code, _, err = run_state("mv", "-C", str(folder), "solo", "promo[tone=fun]")
    assert code == 1 and "already has an entry" in err


def test_corrupt_lockfile_is_reported_and_left_alone(folder, run_state):
    (folder / "vidflow.lock").write_text("{oops")
    code, _, err = run_state("rm", "-C", str(folder), "solo")
    assert code == 1 and "not valid JSON" in err
    assert (folder / "vidflow.lock").read_text() == "{oops"


def test_a_locked_project_fails_with_the_lock_timeout_hint(folder, run_state):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time
        from vidflow.state.lock import state_lock
        with state_lock(sys.argv[1]):
            print("locked", flush=True)
            time.sleep(30)
    """), str(folder / "vidflow.lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        code, _, err = run_state("--lock-timeout", "0.3", "rm", "-C", str(folder), "solo")
    finally:
        holder.kill()
        holder.wait()
    assert code == 1
    assert "another vidflow is running" in err and "--lock-timeout" in err
    assert "solo" in read_lockfile(folder / "vidflow.lock")


def test_every_subcommand_has_help_with_an_example(run_state):
    for sub in ("list", "rm", "mv"):
        code, out, _ = run_state(sub, "--help")
        assert code == 0 and "Example:" in out and "vidflow state" in out
