"""A story's `deadline:` (or `apply --deadline`) bounds how long apply polls it: past it
the step fails with an honest message, the story stays resumable in the lockfile (no new
create, no second charge), and changing the deadline never makes a new video."""

from __future__ import annotations

from pathlib import Path

from lifecycle_helpers import vidflow, write_spec

from vidflow.state.lockfile import lockfile_path, read_lockfile


def _with_deadline(root: Path, value: str) -> None:
    spec = (root / "videos.yaml").read_text()
    (root / "videos.yaml").write_text(spec + f"    deadline: {value}\n")


def test_past_its_deadline_a_story_is_reported_and_resumed_later(root: Path) -> None:
    write_spec(root, {"alpha": ("A", "A fox in the snow.")})
    _with_deadline(root, "0.05s")
    first = vidflow("apply", "--auto-approve", str(root))
    assert first.code == 1
    assert "no result after 0.05s: polling stopped" in first.out
    assert "credits were charged when it was accepted" in first.out
    entry = read_lockfile(lockfile_path(root)).entries["alpha"]
    assert entry.status == "processing"  # kept: resumable, never created again
    resumed = vidflow("apply", "--auto-approve", "--deadline", "10m", str(root))
    assert resumed.code == 0, resumed.out
    after = read_lockfile(lockfile_path(root)).entries["alpha"]
    assert after.story_id == entry.story_id and after.status == "success"


def test_the_command_line_deadline_wins_over_the_spec(root: Path) -> None:
    write_spec(root, {"alpha": ("A", "A fox in the snow.")})
    _with_deadline(root, "2h")
    result = vidflow("apply", "--auto-approve", "--deadline", "0.05s", str(root))
    assert result.code == 1 and "no result after 0.05s" in result.out


def test_a_deadline_is_not_a_generation_input(root: Path) -> None:
    write_spec(root, {"alpha": ("A", "A fox in the snow.")})
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    _with_deadline(root, "5m")
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0


def test_a_malformed_deadline_is_a_located_error(root: Path) -> None:
    write_spec(root, {"alpha": ("A", "A fox in the snow.")})
    _with_deadline(root, "soon")
    result = vidflow("validate", str(root))
    assert result.code == 1
    assert "stories.alpha.deadline: must be a duration such as 90s, 30m or 2h" in result.err
    assert vidflow("apply", "--deadline", "later", str(root)).code == 2
