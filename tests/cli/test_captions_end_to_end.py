"""Captions end to end: `vidflow apply` writes the video and its SRT/WebVTT sidecars, records
each with its sha256, treats captions on/off as a different video; through a real
`vidflow serve` on loopback too; and never pays a server that does not have them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from lifecycle_helpers import lock_entries, probe, vidflow
from support.captions import parse_cues, words_of
from support.loopback import recording_server

from vidflow.testing import story_server

pytestmark = pytest.mark.slow
KEY_ENV = "VIDFLOW_TEST_STORY_KEY"
IDEA = "A red fox wakes in a snowy meadow. The fox runs to the frozen river."


def _spec(root: Path, *, captions: str | None, provider: str = "{type: local}") -> None:
    extra = f"    captions: {captions}\n" if captions is not None else ""
    (root / "videos.yaml").write_text(
        f"version: 1\nprovider: {provider}\nstories:\n  short:\n    idea: {IDEA}\n"
        "    scene_count: 2\n    aspect_ratio: '9:16'\n    is_transition: true\n"
        "    audio_option: {has_bg_music: false}\n" + extra, encoding="utf-8")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_sidecars(root: Path) -> None:
    """Both sidecars beside the video, recorded with their sha256, cues inside it."""
    entry = lock_entries(root)["short"]
    video = root / entry["output"]
    assert entry["output_sha256"] == _sha(video)
    assert set(entry["files"]) == {".srt", ".vtt"}
    _, seconds = probe(video)
    for suffix, digest in entry["files"].items():
        sidecar = video.with_suffix(suffix)
        assert digest == _sha(sidecar), suffix
        cues = parse_cues(sidecar)
        assert cues and all(0 <= a < b <= seconds + 1e-3 for a, b, _ in cues), suffix
        assert len(words_of(" ".join(t for _, _, t in cues))) >= len(words_of(IDEA)) // 2


def test_apply_writes_sidecars_and_captions_on_or_off_is_another_video(root: Path) -> None:
    _spec(root, captions="{style: word}")
    applied = vidflow("apply", "--auto-approve", str(root))
    assert applied.code == 0, applied.out + applied.err
    _check_sidecars(root)
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0
    first = lock_entries(root)["short"]

    # a sidecar changed on disk is downloaded again, like the video (no new story)
    (root / "out" / "short.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nhi\n")
    planned = vidflow("plan", str(root))
    assert "<= short" in planned.out and "missing or changed" in planned.out
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    assert lock_entries(root)["short"]["story_id"] == first["story_id"]
    _check_sidecars(root)

    _spec(root, captions=None)
    planned = vidflow("plan", str(root))
    assert "-/+ short" in planned.out and "params.captions" in planned.out
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    after = lock_entries(root)["short"]
    assert after["fingerprint"] != first["fingerprint"]
    assert "files" not in after and after["output_sha256"] != first["output_sha256"]
    assert not list((root / "out").glob("short.*t"))  # the old sidecars went with them

    _spec(root, captions="false")  # off, spelled out: the same video
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CI", raising=False)
    with story_server(tmp_path / "server-data") as (base_url, api_key, _engine):
        monkeypatch.setenv(KEY_ENV, api_key)
        yield base_url


def test_the_http_provider_downloads_the_sidecars_from_vidflow_serve(
        served: str, root: Path) -> None:
    _spec(root, captions="true",
          provider=f"{{type: http, base_url: '{served}', api_key_env: {KEY_ENV}}}")
    assert vidflow("validate", str(root)).code == 0  # loopback: taken for vidflow serve
    applied = vidflow("apply", "--auto-approve", str(root))
    assert applied.code == 0, applied.out + applied.err
    _check_sidecars(root)


def test_a_server_that_does_not_announce_captions_is_never_paid(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loopback server without the extension (as the hosted API): refused before any
    POST, with the field and the fix named."""
    monkeypatch.setenv(KEY_ENV, "k")
    with recording_server() as server:
        server.route("/openapi.json", body=json.dumps({"info": {"title": "Story API"}})
                     .encode(), content_type="application/json")
        _spec(root, captions="true",
              provider=f"{{type: http, base_url: '{server.base}', api_key_env: {KEY_ENV}}}")
        applied = vidflow("apply", "--auto-approve", str(root))
        assert applied.code == 1
        assert "short: captions: a vidflow extension the server" in applied.out + applied.err
        assert server.paths("POST") == []


def test_a_pinned_storyboard_is_captioned_through_the_advanced_steps(root: Path) -> None:
    """Storyboard mode sends captions with POST /story/{id}/videos."""
    scenes = [("The fox wakes in the snow.", "Wake"), ("It runs to the river.", "Run")]
    board = "".join(f"        - {{name: {n}, image_description: a fox, narrator: '{t}'}}\n"
                    for t, n in scenes)
    (root / "videos.yaml").write_text(
        "version: 1\nstories:\n  board:\n    mode: storyboard\n    idea: A fox\n"
        "    captions: {position: top}\n    storyboard:\n      characters: []\n"
        "      environments: []\n      objects: []\n      scenes:\n" + board,
        encoding="utf-8")
    applied = vidflow("apply", "--auto-approve", str(root))
    assert applied.code == 0, applied.out + applied.err
    cues = parse_cues(root / "out" / "board.vtt")
    assert [w for _, _, t in cues for w in words_of(t)] == words_of(
        " ".join(t for t, _ in scenes))
    assert set(lock_entries(root)["board"]["files"]) == {".srt", ".vtt"}


def test_moving_the_output_moves_its_sidecars(root: Path) -> None:
    _spec(root, captions="true")
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    text = (root / "videos.yaml").read_text()
    (root / "videos.yaml").write_text(text + "    output: clips/fox.mp4\n")
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    assert sorted(p.name for p in (root / "clips").iterdir()) == [
        "fox.mp4", "fox.poster.jpg", "fox.srt", "fox.storyboard.jpg", "fox.vtt"]
    assert not list((root / "out").glob("short.*"))  # nothing of the old path lingers
    _check_sidecars(root)
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0
