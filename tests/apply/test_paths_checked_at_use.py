"""Defence in depth: even a Step carrying a path no lockfile or plan check refused (the
executor's own inputs) never moves, writes or uploads outside the project."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from apply_fakes import FakeProvider, story

from vidflow.apply.executor import Executor
from vidflow.apply.outputs import check_plan_outputs, damaged_outputs
from vidflow.apply.steps import Kind, Step
from vidflow.paths import UnsafePath
from vidflow.plan.model import Action, Change, Plan, Reason
from vidflow.providers.base import local_file
from vidflow.state.lockfile import LockEntry, Lockfile

VICTIM = b"outside the project\n"


class _Recorder:
    """A StateRecorder that keeps what it is told (the lockfile is not the point here)."""

    def __init__(self) -> None:
        self.finished: list[tuple[str, str | None]] = []

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: self.finished.append((name, kwargs.get("output")))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


def _victim(folder: Path) -> tuple[Path, str, int]:
    path = folder / "victim.txt"
    path.write_bytes(VICTIM)
    return path, hashlib.sha256(VICTIM).hexdigest(), path.stat().st_mtime_ns


def test_a_move_from_outside_is_never_made(project: Path) -> None:
    victim, sha, mtime = _victim(project.parent)
    provider = FakeProvider()
    created = provider.create(story("a", output="out/a.mp4"))
    step = Step("a", Kind.UPDATE, story("a", output="out/a.mp4"), created.id,
                output_changed=True, old_output="../victim.txt", old_sha256=sha)
    result = Executor(provider, _Recorder(), project).run([step])
    assert result.ok, result
    assert victim.read_bytes() == VICTIM and victim.stat().st_mtime_ns == mtime
    assert (project / "out/a.mp4").read_bytes() == f"video {created.id}".encode()


def test_a_download_through_a_symlinked_folder_is_refused(project: Path) -> None:
    elsewhere = project.parent / "elsewhere"
    elsewhere.mkdir()
    (project / "out").symlink_to(elsewhere, target_is_directory=True)
    provider = FakeProvider()
    step = Step("a", Kind.CREATE, story("a", output="out/a.mp4"))
    plan = Plan(changes=(Change("a", Action.CREATE, (Reason.NEW,), None, step.story),),
                lock_serial=0, lock_lineage="", spec_digest="")
    with pytest.raises(UnsafePath, match="leads outside the project folder through the "
                                         "symlink out"):
        check_plan_outputs(project, plan)  # apply's check, before anything is paid
    result = Executor(provider, _Recorder(), project).run([step])
    assert not result.ok
    assert "leads outside the project folder" in (result.failed[0].message or "")
    assert list(elsewhere.iterdir()) == []


def test_damaged_outputs_never_reads_outside(project: Path) -> None:
    _victim(project.parent)
    (project / "out").symlink_to(project.parent, target_is_directory=True)
    entry = LockEntry(story_id="s1", provider="local", mode="idea", fingerprint="f",
                      storyboard_fingerprint=None, title="a", description="",
                      visibility_status="0", status="success", output="out/victim.txt",
                      output_sha256="0" * 64)
    with pytest.raises(UnsafePath, match=r"vidflow.lock: entries.a.output: 'out/victim.txt' "
                                         "leads outside"):
        damaged_outputs(project, Lockfile(entries={"a": entry}))


def test_a_caption_sidecar_planted_as_a_symlink_out_of_the_project_is_never_read(
        project: Path) -> None:
    """A sidecar path is held to the posters' rule: a symlink at out/a.srt that leads
    outside is refused by name, not hashed (nor moved or removed) through."""
    victim, sha, _ = _victim(project.parent)
    (project / "out").mkdir()
    video = project / "out/a.mp4"
    video.write_bytes(b"video")
    (project / "out/a.srt").symlink_to(victim)
    entry = LockEntry(story_id="s1", provider="local", mode="idea", fingerprint="f",
                      storyboard_fingerprint=None, title="a", description="",
                      visibility_status="0", status="success", output="out/a.mp4",
                      output_sha256=hashlib.sha256(b"video").hexdigest(),
                      files={".srt": sha})
    with pytest.raises(UnsafePath, match=r"leads outside the project folder through the "
                                         r"symlink out/a\.srt"):
        damaged_outputs(project, Lockfile(entries={"a": entry}))
    assert victim.read_bytes() == VICTIM


@pytest.mark.parametrize("path", ["../victim.txt", "/etc/passwd", "~/.ssh/id_rsa",
                                  "leak/victim.txt"])
def test_an_upload_from_outside_is_refused(project: Path, path: str) -> None:
    _victim(project.parent)
    (project / "leak").symlink_to(project.parent, target_is_directory=True)
    with pytest.raises(UnsafePath, match=r"a: image_files\[0\]: '.*' (must be a relative|leads "
                                         "outside)"):
        local_file(project, {"path": path, "sha256": ""}, address="a",
                   field="image_files[0]")


def test_an_upload_inside_the_project_still_works(project: Path) -> None:
    (project / "pic.png").write_bytes(b"png")
    found = local_file(project, {"path": "pic.png", "sha256": ""}, address="a",
                       field="image_files[0]")
    assert found == (project / "pic.png").resolve()
