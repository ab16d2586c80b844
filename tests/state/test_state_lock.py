"""The state lock really keeps a second process out, and says how to wait."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from vidflow.errors import LockfileError
from vidflow.state.lock import lock_path_for, state_lock

HOLDER = textwrap.dedent("""
    import sys, time
    from vidflow.state.lock import state_lock
    with state_lock(sys.argv[1], timeout=5):
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def hold(path, seconds: float) -> subprocess.Popen:
    """Another vidflow process holding the lock for `seconds`; returns once it holds it."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_process_is_refused_after_the_timeout(tmp_path):
    path = tmp_path / "vidflow.lock"
    holder = hold(path, 30)
    try:
        start = time.monotonic()
        with pytest.raises(LockfileError) as info, state_lock(path, timeout=0.5):
            pass
        waited = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait()
    assert 0.5 <= waited < 5
    message = str(info.value)
    assert "another vidflow is running on this project" in message
    assert "--lock-timeout" in message and "state.lock" in message


def test_second_process_waits_and_then_gets_the_lock(tmp_path):
    path = tmp_path / "vidflow.lock"
    holder = hold(path, 0.7)
    start = time.monotonic()
    with state_lock(path, timeout=20):
        waited = time.monotonic() - start
    holder.wait()
    assert waited > 0.2  # it really was blocked


def test_lock_is_free_again_when_the_holder_is_killed(tmp_path):
    path = tmp_path / "vidflow.lock"
    holder = hold(path, 60)
    holder.kill()
    holder.wait()
    with state_lock(path, timeout=5) as lock_file:
        assert lock_file == lock_path_for(path)


def test_no_timeout_means_one_try(tmp_path):
    path = tmp_path / "vidflow.lock"
    holder = hold(path, 30)
    try:
        with pytest.raises(LockfileError, match="did not wait"), state_lock(path, 0):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_reentrant_within_one_process(tmp_path):
    """A command holding the lock may call code that takes it again."""
    path = tmp_path / "vidflow.lock"
    with state_lock(path, timeout=0), state_lock(path, timeout=0):
        pass
    holder = hold(path, 0)  # released by us: another process gets it at once
    holder.wait()
