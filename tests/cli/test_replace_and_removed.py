"""`--replace ADDR` makes a story again from the same inputs; a `removed:` block forgets a
story without deleting it or its video. Local provider and `vidflow serve` on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from lifecycle_helpers import STORY, engine_story_ids, lock_entries, vidflow

from vidflow.testing import story_server

pytestmark = pytest.mark.slow
KEY_ENV = "VIDFLOW_TEST_STORY_KEY"


@pytest.fixture(params=["local", "http"])
def provider(request: pytest.FixtureRequest, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "local":
        yield "{type: local}"
        return
    with story_server(tmp_path / "server-data") as (base_url, api_key, _engine):
        monkeypatch.setenv(KEY_ENV, api_key)
        yield f"{{type: http, base_url: '{base_url}', api_key_env: {KEY_ENV}}}"


def write(root: Path, provider: str, names: tuple[str, ...], removed: str = "") -> None:
    body = "".join(STORY.format(address=n, title=n, idea=f"A {n} in a meadow.") for n in names)
    (root / "videos.yaml").write_text(f"version: 1\nprovider: {provider}\nstories:\n{body}"
                                      + removed, encoding="utf-8")


def test_replace_makes_a_new_story_and_deletes_the_old_one(root: Path, provider: str):
    write(root, provider, ("fox", "owl"))
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    before = lock_entries(root)

    planned = vidflow("plan", "--replace", "fox", "--out", str(root / "p.json"), str(root))
    assert planned.code == 0, planned.out + planned.err
    assert "-/+ fox" in planned.out and "replacement requested (--replace)" in planned.out
    assert "Plan: 0 to create, 0 to update, 1 to replace, 0 to delete." in planned.out
    [change] = [c for c in json.loads((root / "p.json").read_text())["changes"]
                if c["action"] != "no-op"]
    assert change["address"] == "fox" and change["reasons"] == ["requested"]

    applied = vidflow("apply", "--auto-approve", "--replace", "fox", str(root))
    assert applied.code == 0, applied.out + applied.err
    after = lock_entries(root)
    assert after["fox"]["story_id"] != before["fox"]["story_id"]
    assert after["fox"]["fingerprint"] == before["fox"]["fingerprint"]
    assert after["fox"]["deposed"] == []
    assert after["owl"] == before["owl"]
    if provider == "{type: local}":
        assert engine_story_ids(root) == {after["fox"]["story_id"], after["owl"]["story_id"]}
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0

    typo = vidflow("plan", "--replace", "fxo", str(root))
    assert typo.code == 1 and "--replace 'fxo' matches no story" in typo.out + typo.err
    assert "did you mean 'fox'" in typo.out + typo.err


def test_removed_forgets_a_story_and_keeps_it_and_its_video(root: Path, provider: str):
    write(root, provider, ("fox", "owl"))
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    kept = lock_entries(root)["fox"]
    video = root / kept["output"]

    write(root, provider, ("owl",), removed="removed:\n  - from: fox\n")
    planned = vidflow("plan", "--detailed-exitcode", str(root))
    assert planned.code == 2, planned.out + planned.err
    assert "-/ fox" in planned.out and "the story and its video stay" in planned.out
    assert "0 to delete" in planned.out and "1 to forget" in planned.out
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    assert set(lock_entries(root)) == {"owl"}
    assert video.is_file()
    if provider == "{type: local}":
        assert kept["story_id"] in engine_story_ids(root)
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0


def test_removed_story_still_declared_is_a_spec_error(root: Path):
    write(root, "{type: local}", ("fox",), removed="removed:\n  - from: fox\n")
    checked = vidflow("validate", str(root))
    assert checked.code == 1
    assert "videos.yaml:13:11: removed[0].from: 'fox' is in `removed` but is still declared" \
        in checked.out + checked.err
