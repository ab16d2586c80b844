"""Without Debian's chromium the browser tests fail with the fix, never skip in silence."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.browser import MISSING_CHROMIUM, chromium_path


def test_missing_chromium_is_a_failure_naming_the_package(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """No chromium on PATH: the test fails (not skips) with the apt-get command."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception) as failed:
        chromium_path()
    assert str(failed.value) == MISSING_CHROMIUM
    assert "apt-get install chromium" in MISSING_CHROMIUM
    assert "bash .ci/run" in MISSING_CHROMIUM
