"""A poster frame and a storyboard strip made from a downloaded video, beside it.

    out/promo.mp4             the video
    out/promo.poster.jpg      one frame of the scene playing at the middle of the video
    out/promo.storyboard.jpg  one thumbnail per scene, each with its number and narration

Made from the file itself (PyAV decodes, Pillow composes), so they are the same for the
local engine and any http provider. Scene times come from the storyboard the provider
returns (each scene's `duration`, scaled to the video's real length: crossfades overlap
scenes); without durations (the lockfile keeps the storyboard without them) the video is
split evenly. Each picture is the keyframe inside its scene nearest the scene's middle
(the poster's scene: the one at the video's middle), so a picture costs one decoded frame;
a scene with no keyframe inside (a hosted video's sparse ones) has its middle decoded
exactly. A record in `.vidflow/side-files.json` (local data, never the lockfile) keeps the
video's sha256 the pictures were made from, so an unchanged video is never decoded again.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import textwrap
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from vidflow.errors import VidflowError
from vidflow.paths import STATE_DIR, checked_side_file
from vidflow.state.lockfile import Lockfile
from vidflow.state.records import read_record, write_record

StoryboardSource = Callable[[str], Mapping[str, Any] | None]

POSTER_SUFFIX = ".poster.jpg"
STRIP_SUFFIX = ".storyboard.jpg"
RECORD_FILE = Path(STATE_DIR) / "side-files.json"
TILE_WIDTH = 240  # px of one scene's thumbnail in the strip
CAPTION_LINES = 3
_JPEG_QUALITY = 85


@dataclass(frozen=True)
class Scene:
    """What a strip tile shows: the scene's number (from 1), its narration, its length."""

    number: int
    narration: str
    duration: float | None = None


@dataclass(frozen=True)
class SideFiles:
    poster: Path
    strip: Path


def scenes_of(storyboard: Mapping[str, Any] | None) -> list[Scene]:
    """The scenes of a storyboard (the provider's, or the lockfile's reference shape)."""
    out = []
    for i, scene in enumerate((storyboard or {}).get("scenes") or []):
        if not isinstance(scene, Mapping):
            continue
        duration = scene.get("duration")
        seconds = float(duration) if isinstance(duration, int | float) and duration > 0 \
            else None
        out.append(Scene(i + 1, str(scene.get("narrator") or scene.get("narration") or ""),
                         seconds))
    return out


def scene_spans(durations: Sequence[float | None], video_seconds: float
                ) -> list[tuple[float, float]]:
    """(start, end) of each scene, in seconds of a video `video_seconds` long. Known
    durations are scaled to the video (crossfades make it shorter than their sum); any
    unknown one makes the split even."""
    if not durations:
        return []
    if any(d is None for d in durations):
        lengths = [video_seconds / len(durations)] * len(durations)
    else:
        total = sum(d for d in durations if d is not None)
        lengths = [d * video_seconds / total for d in durations if d is not None]
    out, start = [], 0.0
    for length in lengths:
        out.append((start, start + length))
        start += length
    return out


def picture_time(span: tuple[float, float], keyframes: Sequence[float]) -> float:
    """When the picture of `span` is taken: the keyframe inside it nearest its middle
    (decoding it needs no other frame), else the middle itself."""
    start, end = span
    middle = (start + end) / 2
    inside = [k for k in keyframes if start <= k < end]
    return min(inside, key=lambda k: abs(k - middle)) if inside else middle


def video_seconds(video: Path) -> float:
    import av

    with av.open(str(video)) as container:
        return _seconds(container)


def keyframe_times(video: Path) -> list[float]:
    """When the video's keyframes are (seconds), from its packets: nothing is decoded."""
    import av

    with av.open(str(video)) as container:
        return _keyframes(container)


def grab_frames(video: Path, times: Sequence[float], *, keyframes: Sequence[float] = (),
                width: int | None = None) -> list[Image.Image]:
    """The first frame at or after each time (seconds), decoded by PyAV, `width` pixels
    wide if given (scaled as it is converted). Times that are among `keyframes` decode one
    frame each; any other time decodes from its keyframe."""
    import av

    with av.open(str(video)) as container:
        found = _decoded(container, times, keyframes, video)
    return [_picture(found[t], width) for t in times]


def _seconds(container: Any) -> float:
    if container.duration:
        return container.duration / 1_000_000
    stream = container.streams.video[0]
    return float(stream.duration * stream.time_base) if stream.duration else 0.0


def _keyframes(container: Any) -> list[float]:
    stream = container.streams.video[0]
    found = [float(packet.pts * stream.time_base) for packet in container.demux(stream)
             if packet.is_keyframe and packet.pts is not None]
    container.seek(0)
    return found


def _decoded(container: Any, times: Sequence[float], keyframes: Sequence[float],
             video: Path) -> dict[float, Any]:
    """The frame at or after each distinct time, decoded once each."""
    stream = container.streams.video[0]
    if not set(times) <= set(keyframes):
        stream.thread_type = "AUTO"  # frame threads: a seek decodes up to a clip's length
    found = {}
    for t in dict.fromkeys(times):
        # a microsecond past `t`: a keyframe's time rounded down would seek the one before
        container.seek(int(max(t, 0.0) * 1_000_000) + 1, any_frame=False, backward=True)
        picked = None
        for frame in container.decode(stream):
            picked = frame
            if frame.time is not None and frame.time >= t - 1e-3:
                break
        if picked is None:
            raise ValueError(f"{video}: no video frame at {t:.2f} s")
        found[t] = picked
    return found


def _picture(frame: Any, width: int | None = None) -> Image.Image:
    """A decoded frame as a picture, `width` pixels wide if given (scaled by PyAV as it
    is converted, the aspect kept)."""
    if width is None:
        return frame.to_image()
    return frame.to_image(width=width, height=max(2, round(frame.height * width / frame.width)))


def compose_strip(frames: Sequence[Image.Image], scenes: Sequence[Scene]) -> Image.Image:
    """One tile per scene side by side: the thumbnail, its number, its narration."""
    from vidflow.engine.stages.canvas import font

    if not frames:
        raise ValueError("a storyboard strip needs at least one scene")
    width = TILE_WIDTH
    thumb_h = max(1, round(frames[0].height * width / frames[0].width))
    text_font, number_font = font(14), font(18)
    line_h, pad = 18, 6
    tile_h = thumb_h + pad * 2 + line_h * CAPTION_LINES
    strip = Image.new("RGB", (width * len(frames) + pad * (len(frames) + 1), tile_h + pad * 2),
                      (24, 24, 28))
    draw = ImageDraw.Draw(strip)
    for i, (frame, scene) in enumerate(zip(frames, scenes, strict=True)):
        x = pad + i * (width + pad)
        tile = frame.convert("RGB")
        if tile.size != (width, thumb_h):
            tile = tile.resize((width, thumb_h), reducing_gap=3.0)
        strip.paste(tile, (x, pad))
        draw.rectangle((x, pad, x + 28, pad + 24), fill=(0, 0, 0))
        draw.text((x + 6, pad + 2), str(scene.number), fill=(255, 255, 255), font=number_font)
        lines = textwrap.wrap(scene.narration, width=30)[:CAPTION_LINES] or [""]
        for j, line in enumerate(lines):
            draw.text((x, pad + thumb_h + pad + j * line_h), line, fill=(230, 230, 230),
                      font=text_font)
    return strip


def make_side_files(video: Path, scenes: Sequence[Scene], poster: Path, strip: Path) -> None:
    """Write the poster and the strip of `video` (one tile per scene; a video whose
    storyboard is unknown gets one tile), from one open of the file: the poster's frame is
    its scene's tile, decoded once."""
    import av

    shown = list(scenes) or [Scene(1, "")]
    with av.open(str(video)) as container:
        seconds = _seconds(container)
        keyframes = _keyframes(container)
        spans = scene_spans([s.duration for s in shown], seconds)
        middle = next((span for span in spans if span[0] <= seconds / 2 < span[1]),
                      (0.0, seconds))
        times = [picture_time(span, keyframes) for span in (middle, *spans)]
        # a frame a hair before the end: the last frame may start just before `seconds`
        times = [t if t in keyframes else min(t, max(seconds - 0.05, 0.0)) for t in times]
        found = _decoded(container, times, keyframes, video)
    _save_jpeg(_picture(found[times[0]]).convert("RGB"), poster)
    tiles = [_picture(found[t], TILE_WIDTH) for t in times[1:]]
    _save_jpeg(compose_strip(tiles, shown), strip)


def side_files_for(root: Path, output: str, *, address: str) -> SideFiles:
    """Where the poster and strip of the video at `output` go (checked by vidflow.paths)."""
    source = f"{address}: output"
    return SideFiles(checked_side_file(root, output, POSTER_SUFFIX, source=source),
                     checked_side_file(root, output, STRIP_SUFFIX, source=source))


def refresh_side_files(root: Path, lock: Lockfile, get_storyboard: StoryboardSource, *,
                       workers: int = 2) -> list[str]:
    """Posters and strips for every downloaded video of `lock` that has none made from its
    bytes yet, `workers` videos at a time (PyAV and Pillow release the GIL), the record
    written once; `get_storyboard(story_id)` gives the provider's storyboard (with scene
    durations), or None to use the lockfile's. Returns one warning per video that failed:
    the video is paid for and downloaded, a picture must never fail the apply."""
    root = Path(root)
    record = _read_record(root)
    due, warnings = _due(root, lock, record)

    def make(address: str) -> str | None:
        entry = lock.entries[address]
        try:
            files = side_files_for(root, str(entry.output), address=address)
            board = get_storyboard(entry.story_id) or entry.storyboard
            make_side_files(root / str(entry.output), scenes_of(board), files.poster,
                            files.strip)
        except Exception as exc:  # reported, never fatal (see above)
            return f"{address}: no poster or storyboard strip: {exc}"
        return None

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="vidflow-poster"
                            ) as pool:
        failed = list(pool.map(make, due))
    for address, warning in zip(due, failed, strict=True):
        if warning is None:
            entry = lock.entries[address]
            record[str(entry.output)] = str(entry.output_sha256)
        else:
            warnings.append(warning)
    if due:
        _write_record(root, record)
    _forget_stale(root, lock)
    return warnings


def _due(root: Path, lock: Lockfile, record: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """(addresses whose downloaded video has no pictures made from its bytes, warnings for
    those whose picture paths are refused)."""
    from vidflow.state.transitions import is_downloaded

    due, warnings = [], []
    for address in lock:
        entry = lock.entries[address]
        if not is_downloaded(entry) or entry.output is None or entry.output_sha256 is None:
            continue
        try:
            files = side_files_for(root, entry.output, address=address)
        except VidflowError as exc:
            warnings.append(f"{address}: no poster or storyboard strip: {exc}")
            continue
        if record.get(entry.output) != entry.output_sha256 or not files.poster.is_file() \
                or not files.strip.is_file():
            due.append(address)
    return due, warnings


def _forget_stale(root: Path, lock: Lockfile) -> None:
    """Pictures of a video no entry has at that path any more (moved, deleted): removed
    with their record, so no old poster lingers beside a folder's new videos."""
    record = _read_record(root)
    current = {e.output for e in lock.entries.values() if e.output}
    stale = [output for output in record if output not in current]
    for output in stale:
        with contextlib.suppress(VidflowError, OSError):
            files = side_files_for(root, output, address=output)
            for picture in (files.poster, files.strip):
                picture.unlink(missing_ok=True)
        del record[output]
    if stale:
        _write_record(root, record)


def _save_jpeg(image: Image.Image, dest: Path) -> None:
    """Atomically: a reader (the gallery) never sees half a picture."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            image.save(out, "JPEG", quality=_JPEG_QUALITY)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _read_record(root: Path) -> dict[str, str]:
    data = read_record(root / RECORD_FILE)
    try:
        return {str(k): str(v) for k, v in data.items()}
    except AttributeError:
        return {}  # no record: the pictures are made again, nothing else lost


def _write_record(root: Path, record: dict[str, str]) -> None:
    write_record(root / RECORD_FILE, dict(sorted(record.items())))
