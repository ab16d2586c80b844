"""Small things a user met: destroy reads prevent_destroy from the specs as they are now,
an unquoted aspect ratio is explained, a var file beside the specs is not a spec."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from lifecycle_helpers import vidflow, write_spec

from vidflow.state.lockfile import LockEntry, Lockfile, write_lockfile

ENTRY = LockEntry(story_id="story-1", provider="local", mode="idea", fingerprint="f",
                  storyboard_fingerprint=None, title="Alpha", description="",
                  visibility_status="0", status="success")


def _protect(root: Path) -> None:
    spec = (root / "videos.yaml").read_text()
    (root / "videos.yaml").write_text(spec + "    lifecycle: {prevent_destroy: true}\n")


def test_destroy_refuses_a_story_the_specs_now_protect(root: Path) -> None:
    """The lockfile recorded it unprotected; the spec protects it since: destroy refuses."""
    write_spec(root, {"alpha": ("Alpha", "A fox in a sunny meadow.")})
    _protect(root)
    write_lockfile(root / "vidflow.lock", Lockfile(lineage="").with_entry("alpha", ENTRY))
    result = vidflow("destroy", "--auto-approve", str(root))
    assert result.code == 1
    assert "prevent_destroy" in result.out + result.err
    assert "alpha" in _entries(root)  # nothing was deleted


def test_destroy_proceeds_once_the_specs_unprotect_it(root: Path) -> None:
    """Recorded protected, unprotected in the specs since: the plan deletes it."""
    write_spec(root, {"alpha": ("Alpha", "A fox in a sunny meadow.")})
    protected = dataclasses.replace(ENTRY, prevent_destroy=True)
    write_lockfile(root / "vidflow.lock", Lockfile(lineage="").with_entry("alpha", protected))
    result = vidflow("destroy", str(root))  # no terminal, no --auto-approve: plan only
    assert "- alpha (story story-1)" in result.out
    assert "prevent_destroy" not in result.out


def _entries(root: Path) -> set[str]:
    from vidflow.state.lockfile import read_lockfile

    return set(read_lockfile(root / "vidflow.lock").entries)


def test_unquoted_aspect_ratio_says_quote_it(root: Path) -> None:
    (root / "videos.yaml").write_text("version: 1\nstories:\n  promo:\n    idea: A fox\n"
                                      "    aspect_ratio: 16:9\n")
    result = vidflow("validate", str(root))
    assert result.code == 1
    assert "videos.yaml:5:19: stories.promo.aspect_ratio:" in result.err
    assert "quote it: '16:9'" in result.err


def test_unquoted_aspect_ratio_in_a_matrix_says_quote_it(root: Path) -> None:
    (root / "videos.yaml").write_text(
        "version: 1\nstories:\n  promo:\n    idea: A fox\n"
        "    aspect_ratio: '{{ variant.ar }}'\n    variants: {matrix: {ar: [9:16]}}\n")
    result = vidflow("validate", str(root))
    assert result.code == 1 and "quote it: '9:16'" in result.err


def test_a_var_file_beside_the_specs_is_not_read_as_a_spec(root: Path) -> None:
    (root / "videos.yaml").write_text("version: 1\nstories:\n  promo:\n"
                                      "    idea: 'A {{ animal }} in the snow'\n")
    (root / "vars.yaml").write_text("animal: fox\n")
    result = vidflow("render", "--var-file", str(root / "vars.yaml"), str(root))
    assert result.code == 0, result.err
    assert "A fox in the snow" in result.out
    # and without --var-file the same file is a spec like any other (and is refused)
    assert vidflow("validate", str(root)).code == 1


def test_a_url_story_whose_page_cannot_be_read_says_so(root: Path) -> None:
    """Not a silent success: the story's message and the apply summary name the page."""
    (root / "videos.yaml").write_text(
        "version: 1\nstories:\n  promo:\n    mode: url\n"
        "    idea: A promo for http://127.0.0.1:9/shop\n    scene_count: 1\n"
        "    audio_option: {has_bg_music: false, has_narration: false}\n")
    result = vidflow("apply", "--auto-approve", str(root))
    assert result.code == 0, result.out
    assert "note: " in result.out and "Could not read the page" in result.out
    from vidflow.state.lockfile import read_lockfile

    entry = read_lockfile(root / "vidflow.lock").entries["promo"]
    assert "Could not read the page" in (entry.message or "")
