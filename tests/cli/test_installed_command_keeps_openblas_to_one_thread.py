"""The installed command holds NumPy's OpenBLAS to one thread (vidflow does no linear
algebra; an idle BLAS pool only spins beside FFmpeg), unless the environment chose."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = ("import os; before = len(os.listdir('/proc/self/task')); import vidflow.entry; "
         "import numpy; print(len(os.listdir('/proc/self/task')) - before, "
         "os.environ['OPENBLAS_NUM_THREADS'])")

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(),
                                reason="counts threads through Linux's /proc")


def _probe(**env: str) -> list[str]:
    base = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", PROBE], env={**base, **env,
                          "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout.split()


def test_numpy_starts_no_thread_pool_under_the_command() -> None:
    assert _probe() == ["0", "1"]


def test_a_thread_count_the_environment_sets_is_kept() -> None:
    assert _probe(OPENBLAS_NUM_THREADS="2")[1] == "2"
