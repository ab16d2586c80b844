"""Apply leaves a poster and a storyboard strip beside every video, made from the video."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image
from support.cli import project, run, small_render

from vidflow.gallery.posters import (
    STRIP_SUFFIX,
    TILE_WIDTH,
    grab_frames,
    keyframe_times,
    picture_time,
    scene_spans,
    side_files_for,
)
from vidflow.paths import UnsafePath

pytestmark = pytest.mark.slow

SPEC = """\
version: 1
provider: {type: local}
stories:
  fox:
    mode: idea
    title: Fox
    idea: A fox in the snow.
    scene_count: 3
    scene_duration: "5"
    aspect_ratio: "16:9"
    audio_option: {has_bg_music: false, has_narration: false}
"""


@pytest.fixture
def applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    small_render(monkeypatch)
    root = project(tmp_path / "videos", SPEC)
    result = run("apply", "--auto-approve", str(root))
    assert result.code == 0, result.err
    return root


def test_poster_is_a_frame_of_the_video_at_its_size(applied: Path) -> None:
    """The poster has the video's own resolution (a frame of it, not a drawing)."""
    import av

    with av.open(str(applied / "out/fox.mp4")) as container:
        stream = container.streams.video[0]
        size = (stream.codec_context.width, stream.codec_context.height)
    with Image.open(applied / "out/fox.poster.jpg") as poster:
        assert poster.format == "JPEG"
        assert poster.size == size


def test_strip_has_one_tile_per_scene(applied: Path) -> None:
    """Three scenes, three thumbnails: the strip is three tiles wide (and they differ)."""
    with Image.open(applied / f"out/fox{STRIP_SUFFIX}") as strip:
        width, height = strip.size
        rgb = strip.convert("RGB")
    tiles = round(width / (TILE_WIDTH + 6))
    assert tiles == 3
    assert height > TILE_WIDTH * 9 // 16  # the thumbnail plus the caption lines
    # the tiles are frames from three different moments of the story, not one repeated
    crops = [rgb.crop((6 + i * (TILE_WIDTH + 6), 6, 6 + i * (TILE_WIDTH + 6) + TILE_WIDTH,
                       6 + 100)).tobytes() for i in range(3)]
    assert len(set(crops)) == 3


def test_unchanged_video_keeps_its_pictures(applied: Path) -> None:
    """A second apply of a new story does not re-make the first story's pictures."""
    poster = applied / "out/fox.poster.jpg"
    os.utime(poster, ns=(1, 1))
    spec = SPEC + SPEC.split("stories:\n", 1)[1].replace("fox:", "hare:")
    (applied / "videos.yaml").write_text(spec, encoding="utf-8")
    assert run("apply", "--auto-approve", str(applied)).code == 0
    assert poster.stat().st_mtime_ns == 1
    assert (applied / "out/hare.poster.jpg").is_file()


def test_a_deleted_poster_is_made_again(applied: Path) -> None:
    """The record is not trusted over the disk: a missing picture is made again."""
    from vidflow.gallery.posters import refresh_side_files
    from vidflow.state.lockfile import lockfile_path, read_lockfile

    (applied / "out/fox.poster.jpg").unlink()
    warnings = refresh_side_files(applied, read_lockfile(lockfile_path(applied)),
                                  lambda story_id: None)
    assert warnings == []
    assert (applied / "out/fox.poster.jpg").is_file()


def test_many_videos_get_pictures_and_a_broken_one_only_a_warning(applied: Path) -> None:
    """Videos are pictured side by side; a damaged one is one warning, the others still
    get their pictures, and the record names exactly those made."""
    import json
    import shutil
    from dataclasses import replace

    from vidflow.gallery.posters import RECORD_FILE, refresh_side_files
    from vidflow.state.lockfile import lockfile_path, read_lockfile

    lock = read_lockfile(lockfile_path(applied))
    fox = lock.entries["fox"]
    entries = dict(lock.entries)
    for name in ("hare", "owl", "wolf"):
        shutil.copy(applied / "out/fox.mp4", applied / f"out/{name}.mp4")
        entries[name] = replace(fox, output=f"out/{name}.mp4")
    (applied / "out/owl.mp4").write_bytes(b"not a video")
    (applied / RECORD_FILE).unlink()
    warnings = refresh_side_files(applied, replace(lock, entries=entries), lambda _: None)
    assert len(warnings) == 1 and warnings[0].startswith("owl: no poster")
    made = json.loads((applied / RECORD_FILE).read_text())
    assert sorted(made) == ["out/fox.mp4", "out/hare.mp4", "out/wolf.mp4"]
    for name in ("fox", "hare", "wolf"):
        assert (applied / f"out/{name}.poster.jpg").is_file()
    assert not (applied / "out/owl.poster.jpg").exists()


def test_scene_spans_follow_durations_scaled_to_the_video() -> None:
    """Known durations are scaled to the real length; unknown ones split it evenly."""
    assert scene_spans([2.0, 6.0], 4.0) == [(0.0, 1.0), (1.0, 4.0)]
    assert scene_spans([None, 6.0], 4.0) == [(0.0, 2.0), (2.0, 4.0)]
    assert scene_spans([], 4.0) == []


def test_a_picture_is_the_keyframe_in_its_scene_nearest_the_middle() -> None:
    """A keyframe inside the scene is taken (nearest the middle); keyframes before or at
    the scene's end belong to other scenes; with none inside, the middle itself."""
    assert picture_time((2.0, 6.0), [0.0, 2.0, 3.5, 5.9, 6.0]) == 3.5
    assert picture_time((2.0, 6.0), [0.0, 6.0]) == 4.0
    assert picture_time((2.0, 6.0), []) == 4.0


def test_pictures_are_the_videos_own_keyframes(applied: Path) -> None:
    """Every scene of the engine's video starts on a keyframe, so each tile is a keyframe
    decoded alone, and the same pixels as decoding the video up to that moment."""
    import numpy as np

    video = applied / "out/fox.mp4"
    keyframes = keyframe_times(video)
    assert len(keyframes) >= 3 and keyframes[0] == 0.0
    alone = grab_frames(video, keyframes[1:3], keyframes=keyframes)
    decoded = grab_frames(video, [k - 1e-4 for k in keyframes[1:3]])
    for a, b in zip(alone, decoded, strict=True):
        assert np.array_equal(np.asarray(a), np.asarray(b))


def test_side_file_through_a_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    """A poster path planted as a symlink leading outside is never written through."""
    root = tmp_path / "p"
    (root / "out").mkdir(parents=True)
    outside = tmp_path / "elsewhere.jpg"
    (root / "out/a.poster.jpg").symlink_to(outside)
    with pytest.raises(UnsafePath, match="outside the project"):
        side_files_for(root, "out/a.mp4", address="a")


def test_http_provider_videos_get_pictures_too(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Through `vidflow serve` on loopback: the same poster and a tile per scene, made
    from the downloaded file with the durations the server's storyboard gives."""
    from vidflow.testing import story_server

    monkeypatch.delenv("CI", raising=False)
    with story_server() as (base_url, api_key, _engine):
        monkeypatch.setenv("VF_POSTER_KEY", api_key)
        spec = SPEC.replace("{type: local}", f"{{type: http, base_url: '{base_url}', "
                                             "api_key_env: VF_POSTER_KEY}")
        root = project(tmp_path / "videos", spec)
        result = run("apply", "--auto-approve", str(root))
    assert result.code == 0, result.err
    assert api_key not in (root / ".vidflow" / "side-files.json").read_text()
    with Image.open(root / "out/fox.poster.jpg") as poster:
        assert poster.width > 0
    with Image.open(root / f"out/fox{STRIP_SUFFIX}") as strip:
        assert round(strip.width / (TILE_WIDTH + 6)) == 3
