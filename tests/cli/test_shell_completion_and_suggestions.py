"""`vidflow completion` prints a working script, completion offers the project's addresses,
and a mistyped address is answered with the nearest ones."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from lifecycle_helpers import VIDFLOW, vidflow, write_spec

from vidflow.suggest import did_you_mean


def _complete(cwd: Path, words: str) -> list[str]:
    """What the shell would be offered for the last word of `words` (bash protocol)."""
    env = {**os.environ, "_VIDFLOW_COMPLETE": "bash_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    done = subprocess.run([str(VIDFLOW)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    return [line.split(",", 1)[1] for line in done.stdout.splitlines() if "," in line]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_names_the_completion_variable(shell: str) -> None:
    result = vidflow("completion", shell)
    assert result.code == 0
    assert "_VIDFLOW_COMPLETE" in result.out and f"{shell}_" in result.out


def test_an_unknown_shell_is_a_usage_error() -> None:
    assert vidflow("completion", "powershell").code == 2


def test_commands_options_and_addresses_complete(root: Path) -> None:
    write_spec(root, {"promo": ("P", "A fox"), "teaser": ("T", "A cat")})
    assert "completion" in _complete(root, "vidflow comp")
    assert "--target" in _complete(root, "vidflow plan --tar")
    assert _complete(root, "vidflow plan --target pr") == ["promo"]
    assert _complete(root, "vidflow show ") == ["promo", "teaser"]


def test_a_broken_project_completes_nothing_and_does_not_fail(root: Path) -> None:
    (root / "videos.yaml").write_text("stories: [unclosed\n")
    (root / "vidflow.lock").write_text("{not json")
    assert _complete(root, "vidflow show ") == []


def test_a_mistyped_target_names_the_nearest_addresses(root: Path) -> None:
    write_spec(root, {"promo": ("P", "A fox"), "teaser": ("T", "A cat")})
    result = vidflow("plan", "--target", "promx", str(root))
    assert result.code == 1
    assert "did you mean 'promo'?" in result.out


def test_nearest_names() -> None:
    names = ["promo[tone=fun]", "promo[tone=calm]", "teaser"]
    assert did_you_mean("teasr", names) == "; did you mean 'teaser'?"
    assert "promo[tone=calm]" in did_you_mean("promo[tone=clam]", names)
    assert did_you_mean("promo[x=1]", names).count("promo[") == 2  # same story, other keys
    assert did_you_mean("zzzzzz", names) == ""
