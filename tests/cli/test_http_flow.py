"""The same lifecycle through the `http` provider, against `vidflow serve` on loopback."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
from lifecycle_helpers import lock_entries, probe, vidflow, write_spec
from support.images import image_bytes

from vidflow.testing import story_server

pytestmark = pytest.mark.slow
KEY_ENV = "VIDFLOW_TEST_STORY_KEY"


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CI", raising=False)
    data = tmp_path / "server-data"
    with story_server(data) as (base_url, api_key, engine):
        monkeypatch.setenv(KEY_ENV, api_key)
        yield base_url, data, engine


def _provider(base_url: str) -> str:
    return f"{{type: http, base_url: '{base_url}', api_key_env: {KEY_ENV}}}"


def _server_story_ids(data: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(data / "engine.sqlite3")) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM stories")}


def test_lifecycle_over_http(served, tmp_path: Path):
    """create → no-op → update in place → replace → delete, all through HTTP."""
    base_url, data, engine = served
    root = tmp_path / "videos"
    root.mkdir()
    provider = _provider(base_url)
    write_spec(root, {"alpha": ("Alpha", "A fox in a sunny meadow.")}, provider=provider)

    planned = vidflow("plan", "--detailed-exitcode", str(root))
    assert planned.code == 2 and "+ alpha" in planned.out
    applied = vidflow("apply", "--auto-approve", str(root))
    assert applied.code == 0, applied.out + applied.err
    entry = lock_entries(root)["alpha"]
    assert entry["provider"] == f"http:{base_url}" and entry["status"] == "success"
    codec, duration = probe(root / "out" / "alpha.mp4")
    assert codec == "h264" and duration > 0
    first_id = entry["story_id"]
    assert _server_story_ids(data) == {first_id}

    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0

    write_spec(root, {"alpha": ("Alpha 2", "A fox in a sunny meadow.")}, provider=provider)
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    assert lock_entries(root)["alpha"]["story_id"] == first_id
    assert engine.get_story(first_id, account=_account(engine, first_id))["title"] == "Alpha 2"
    assert _server_story_ids(data) == {first_id}

    write_spec(root, {"alpha": ("Alpha 2", "A heron by a quiet lake.")}, provider=provider)
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    second_id = lock_entries(root)["alpha"]["story_id"]
    assert second_id != first_id and _server_story_ids(data) == {second_id}

    write_spec(root, {}, provider=provider)
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    assert lock_entries(root) == {} and _server_story_ids(data) == set()


def _account(engine, story_id: str) -> str:
    """The account (API key owner) the server recorded for a story."""
    with contextlib.closing(sqlite3.connect(engine.config.data_dir / "engine.sqlite3")) as c:
        return c.execute("SELECT account FROM stories WHERE id = ?", (story_id,)).fetchone()[0]


def test_missing_key_names_the_variable_not_a_value(served, tmp_path: Path, monkeypatch):
    """No key in the environment: one error naming the variable."""
    base_url, _, _ = served
    monkeypatch.delenv(KEY_ENV)
    root = tmp_path / "videos"
    root.mkdir()
    write_spec(root, {"alpha": ("Alpha", "A fox.")}, provider=_provider(base_url))
    result = vidflow("apply", "--auto-approve", str(root))
    assert result.code == 1 and KEY_ENV in result.err and result.err.count("Error:") == 1


def test_local_element_image_is_refused_at_plan_time(served, tmp_path: Path):
    """An element image given as a local file cannot be uploaded: the plan says so."""
    base_url, _, _ = served
    root = tmp_path / "videos"
    root.mkdir()
    (root / "jar.png").write_bytes(image_bytes(size=(8, 8), color=(255, 255, 255)))
    (root / "videos.yaml").write_text(
        f"version: 1\nprovider: {_provider(base_url)}\nstories:\n"
        "  promo:\n    mode: idea\n    idea: A jar of cream in the snow.\n"
        "    scene_count: 1\n"
        "    elements:\n      objects:\n"
        "        - {name: Jar, description: a glass jar, image: jar.png}\n")
    result = vidflow("plan", str(root))
    assert result.code == 1, result.out + result.err
    assert "promo" in result.err and "elements.objects[0].image" in result.err
    assert "image_url" in result.err


def test_insufficient_credit_stops_further_creates(tmp_path: Path, monkeypatch):
    """A 402 from the server: the story that fit is made, no other create is tried."""
    monkeypatch.delenv("CI", raising=False)
    data = tmp_path / "server-data"
    # One small silent story costs 12 credits here: room for exactly one.
    with story_server(data, credits=20) as (base_url, api_key, _):
        monkeypatch.setenv(KEY_ENV, api_key)
        root = tmp_path / "videos"
        root.mkdir()
        write_spec(root, {"alpha": ("Alpha", "A fox."), "beta": ("Beta", "A boat."),
                          "gamma": ("Gamma", "A heron.")}, provider=_provider(base_url))
        result = vidflow("apply", "--auto-approve", "--parallelism", "1", str(root))
        assert result.code == 1
        assert "out of credit" in result.err
        assert "failed beta" in result.out and "insufficient" in result.out.lower()
        assert set(lock_entries(root)) == {"alpha"}
        assert len(_server_story_ids(data)) == 1


def test_images_story_uploads_its_local_files(served, tmp_path: Path):
    """mode images with image_files: the files go up as uploads; the video comes back."""
    import shutil

    from lifecycle_helpers import ROOT

    base_url, data, _ = served
    root = tmp_path / "images-story"
    shutil.copytree(ROOT / "examples" / "images-story", root)
    spec = root / "videos.yaml"
    spec.write_text(spec.read_text().replace("provider: {type: local}",
                                             f"provider: {_provider(base_url)}"))
    assert "type: http" in spec.read_text()
    result = vidflow("apply", "--auto-approve", str(root))
    assert result.code == 0, result.out + result.err
    (entry,) = lock_entries(root).values()
    assert entry["status"] == "success" and _server_story_ids(data) == {entry["story_id"]}
    codec, duration = probe(root / entry["output"])
    assert codec == "h264" and duration > 0


def test_a_refused_key_stops_the_apply_with_one_error(served, tmp_path: Path, monkeypatch):
    """A wrong key (401): one create is tried, the rest are not started; one error line
    names the variable to check, never the key."""
    base_url, data, _ = served
    monkeypatch.setenv(KEY_ENV, "not-the-key")
    root = tmp_path / "videos"
    root.mkdir()
    write_spec(root, {"alpha": ("Alpha", "A fox."), "beta": ("Beta", "A boat."),
                      "gamma": ("Gamma", "A heron.")}, provider=_provider(base_url))
    result = vidflow("apply", "--auto-approve", "--parallelism", "1", str(root))
    assert result.code == 1, result.out + result.err
    assert result.err.count("Error:") == 1 and "401" in result.err
    assert KEY_ENV in result.err and "not-the-key" not in result.out + result.err
    failed_lines = [line for line in result.out.splitlines() if line.startswith("  failed ")]
    assert len(failed_lines) == 1  # the two others were never started
    assert "2 not finished" in result.out
    assert _server_story_ids(data) == set()
