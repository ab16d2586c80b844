"""`vidflow preview` renders locally and for free, whatever provider the specs name."""

from __future__ import annotations

import socket
from pathlib import Path

import av
import pytest
from PIL import Image
from support.cli import project, run

from vidflow.state.lockfile import Lockfile, lockfile_path, write_lockfile

pytestmark = pytest.mark.slow

SPEC = """\
version: 1
provider: {{type: http, base_url: "http://127.0.0.1:{port}", api_key_env: VF_PREVIEW_KEY}}
stories:
  fox:
    mode: idea
    title: Fox
    idea: A fox in the snow.
    scene_count: 2
    scene_duration: "5"
    aspect_ratio: "16:9"
    audio_option: {{has_bg_music: false, has_narration: false}}
    webhook_url: "http://127.0.0.1:{port}/hook"
    variants:
      matrix: {{tone: [fun, calm]}}
"""


@pytest.fixture
def listener():
    """A port where nothing answers: it accepts no connection, and tells if one came."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    sock.setblocking(False)
    yield sock
    sock.close()


def test_preview_with_an_unreachable_http_provider_and_no_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listener: socket.socket) -> None:
    """Offline, keyless: two draft MP4s with posters and strips, the lockfile untouched,
    and not one connection to the provider's port (nor to the webhook's)."""
    monkeypatch.delenv("VF_PREVIEW_KEY", raising=False)
    monkeypatch.delenv("CI", raising=False)
    root = project(tmp_path / "p", SPEC.format(port=listener.getsockname()[1]))
    write_lockfile(lockfile_path(root), Lockfile())
    before = lockfile_path(root).read_bytes()

    result = run("preview", str(root))

    assert result.code == 0, result.err
    assert lockfile_path(root).read_bytes() == before
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody knocked
    folder = root / ".vidflow" / "preview"
    for slug in ("fox-tone-calm", "fox-tone-fun"):
        with av.open(str(folder / f"{slug}.mp4")) as container:
            stream = container.streams.video[0]
            assert stream.codec_context.name == "h264"
            # draft quality: a quarter of 1280x720
            assert (stream.codec_context.width, stream.codec_context.height) == (320, 180)
            assert container.duration / 1_000_000 > 5
        with Image.open(folder / f"{slug}.storyboard.jpg") as strip:
            assert strip.width > 2 * 200  # two scenes, two tiles
        assert (folder / f"{slug}.poster.jpg").is_file()
    assert not list(folder.glob(".engine-*"))  # the throwaway engine is gone
    assert not (root / "out").exists()  # nothing where apply puts videos


def test_preview_target_narrows_and_a_typo_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listener: socket.socket) -> None:
    """--target picks one variant; a mistyped one is one error line with a suggestion."""
    monkeypatch.delenv("CI", raising=False)
    root = project(tmp_path / "p", SPEC.format(port=listener.getsockname()[1]))
    bad = run("preview", "--target", "fxo", str(root))
    assert bad.code == 1
    assert "fxo" in bad.err and "fox" in bad.err
    assert "Traceback" not in bad.err

    good = run("preview", "--target", "fox[tone=fun]", str(root))
    assert good.code == 0, good.err
    made = sorted(p.name for p in (root / ".vidflow" / "preview").glob("*.mp4"))
    assert made == ["fox-tone-fun.mp4"]
    assert not lockfile_path(root).exists()
