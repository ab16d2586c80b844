"""The lockfile keeps its permissions across writes (mkstemp would make it 0600)."""

from __future__ import annotations

import os
import stat

import pytest

from vidflow.state.lockfile import LockEntry, Lockfile, read_lockfile, write_lockfile


def _entry() -> LockEntry:
    return LockEntry(story_id="s1", provider="local", mode="idea", fingerprint="f" * 64,
                     storyboard_fingerprint=None, title="t", description="",
                     visibility_status="0", status="success")


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_new_lockfile_gets_0666_minus_umask(tmp_path, umask_022):
    """A first write makes an ordinary 0644 file under umask 022, as `touch` would."""
    path = tmp_path / "vidflow.lock"
    write_lockfile(path, Lockfile(lineage="").with_entry("a", _entry()))
    assert _mode(path) == 0o644


def test_rewrite_keeps_the_previous_mode(tmp_path, umask_022):
    """A lockfile the user made group-writable stays so after every write."""
    path = tmp_path / "vidflow.lock"
    lock = write_lockfile(path, Lockfile(lineage="").with_entry("a", _entry()))
    os.chmod(path, 0o664)
    lock = write_lockfile(path, read_lockfile(path).with_entry("b", _entry()))
    assert _mode(path) == 0o664
    write_lockfile(path, lock.without("a"))
    assert _mode(path) == 0o664
    assert set(read_lockfile(path).entries) == {"b"}
