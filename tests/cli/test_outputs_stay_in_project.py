"""A story's `output` never leaves the project nor lands on the project's own files: refused
by validate, plan and apply (exit 1, file:line:col: stories.NAME.output), before any story
is created, so nothing is paid for a video that could not be written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lifecycle_helpers import vidflow

SPEC = """\
version: 1
stories:
  a:
    title: A
    idea: A fox in the snow.
    scene_count: 1
    output: "{output}"
"""


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under `folder` with its mtime and bytes (to prove nothing was written)."""
    return {str(p.relative_to(folder)): (p.lstat().st_mtime_ns,
                                         b"" if p.is_dir() or p.is_symlink() else p.read_bytes())
            for p in sorted(folder.rglob("*"))}


def _no_story(root: Path) -> None:
    """Nothing paid: no lockfile entry, no engine store holding a story."""
    assert not (root / "vidflow.lock").exists()
    assert not (root / ".vidflow" / "engine").exists()


@pytest.fixture
def outside(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder holding the project (and a fake home), with a file in it to watch."""
    home = root.parent / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    (root.parent / "keep.txt").write_text("untouched\n")
    return root.parent


BAD_OUTPUTS = [
    ("~/x.mp4", "no '~'"),
    ("{outside}/abs.mp4", "no leading '/'"),
    ("../x.mp4", "no '..'"),
    ("out/../../x.mp4", "no '..'"),
    ("C:/x.mp4", "no leading '/'"),
    (".", "names a folder"),
    ("out/", "names a folder"),
    ("videos.yaml", "spec file"),
    ("vidflow.lock", "lockfile"),
    (".git/hooks/pre-commit", "inside .git/"),
    (".vidflow/x.mp4", "inside .vidflow/"),
    ("out/a", "must name an .mp4 file"),
    ("./out/a.mp4", "write 'out/a.mp4'"),
    ("out\\\\a.mp4", "must use '/'"),
]


@pytest.mark.parametrize(("output", "why"), BAD_OUTPUTS, ids=[o for o, _ in BAD_OUTPUTS])
def test_an_output_that_cannot_be_written_is_refused_before_anything_is_paid(
        root: Path, outside: Path, output: str, why: str) -> None:
    (root / "videos.yaml").write_text(SPEC.format(output=output.format(outside=outside)))
    before = _snapshot(outside)
    for command in (["validate", str(root)], ["plan", str(root)],
                    ["apply", "--auto-approve", str(root)]):
        result = vidflow(*command)
        assert result.code == 1, (command, result)
        text = result.out + result.err
        assert "videos.yaml:7:13: stories.a.output: " in text, text
        assert why in text, text
        assert "Traceback" not in text
    assert _snapshot(outside) == before
    _no_story(root)


def test_an_existing_folder_is_not_an_output(root: Path) -> None:
    (root / "out" / "a.mp4").mkdir(parents=True)
    (root / "videos.yaml").write_text(SPEC.format(output="out/a.mp4"))
    result = vidflow("apply", "--auto-approve", str(root))
    assert result.code == 1
    assert "videos.yaml:7:13: stories.a.output: names a folder" in result.out + result.err
    _no_story(root)


def test_a_symlinked_out_leading_elsewhere_is_never_written_through(
        root: Path, outside: Path) -> None:
    elsewhere = outside / "elsewhere"
    elsewhere.mkdir()
    (root / "out").symlink_to(elsewhere, target_is_directory=True)
    (root / "videos.yaml").write_text(SPEC.format(output="out/a.mp4").replace(
        '    output: "out/a.mp4"\n', ""))  # the default output: out/a.mp4
    before = _snapshot(outside)
    for command in (["validate", str(root)], ["plan", str(root)],
                    ["apply", "--auto-approve", str(root)]):
        result = vidflow(*command)
        assert result.code == 1, (command, result)
        text = result.out + result.err
        assert "stories.a.output: leads outside the project folder through the symlink out" \
            in text, text
    assert list(elsewhere.iterdir()) == []
    assert _snapshot(outside) == before
    _no_story(root)


def test_a_symlink_inside_the_project_is_fine(root: Path) -> None:
    (root / "videos").mkdir()
    (root / "out").symlink_to(root / "videos", target_is_directory=True)
    (root / "videos.yaml").write_text(SPEC.format(output="out/a.mp4"))
    assert vidflow("validate", str(root)).code == 0


def test_templated_outputs_are_checked_per_variant(root: Path) -> None:
    spec = SPEC.format(output="{{ 'out' if variant.t == 'ok' else '..' }}/{{ variant.t }}.mp4")
    spec += "    variants: {matrix: {t: [ok, bad]}}\n"
    (root / "videos.yaml").write_text(spec)
    result = vidflow("validate", str(root))
    assert result.code == 1
    text = result.out + result.err
    assert ("videos.yaml:7:13: stories.a.output: must be a relative path inside the project "
            "(no leading '/', no '..') (in a[t=bad])") in text, text
    assert "a[t=ok]" not in text


def test_a_var_file_is_one_of_the_project_files(root: Path) -> None:
    (root / "vars").mkdir()
    (root / "vars" / "prod.mp4").write_text("name: x\n")  # odd, but named by --var-file
    (root / "videos.yaml").write_text(SPEC.format(output="vars/prod.mp4"))
    result = vidflow("validate", "--var-file", str(root / "vars" / "prod.mp4"), str(root))
    assert result.code == 1
    assert "stories.a.output: is one of the project's own files" in result.out + result.err
    assert (root / "vars" / "prod.mp4").read_text() == "name: x\n"


def test_a_symlinked_spec_file_target_is_refused(root: Path) -> None:
    """out/a.mp4 a symlink onto the spec: resolving it shows the spec file."""
    (root / "out").mkdir()
    (root / "videos.yaml").write_text(SPEC.format(output="out/a.mp4"))
    os.symlink(root / "videos.yaml", root / "out" / "a.mp4")
    result = vidflow("validate", str(root))
    assert result.code == 1
    assert "stories.a.output: is one of the project's own files" in result.out + result.err
