"""Scene animation: Ken Burns motion by sub-pixel affine warps, piped to one x264 encoder.

FFmpeg's zoompan rounds the crop window to whole pixels (visible jitter) and rescales
every frame in software; here each frame is one `cv2.warpAffine` with a float matrix
(bilinear, sub-pixel exact), eased, written straight into a reused yuv420p buffer and
handed to the encoder's stdin without a copy. The source is converted to planar YUV once
and each plane is warped on its own, so per frame we warp 1.5 bytes per pixel, not 3.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vidflow.engine.stages.ffmpeg import RawVideoEncoder
from vidflow.engine.stages.looks import split_speed
from vidflow.errors import MediaError

Size = tuple[int, int]

ZOOM = 1.18  # how far zoom moves go; pans and tilts run at this zoom to have room to move
PAN_ZOOM = 1.15


@dataclass(frozen=True)
class View:
    """What the camera sees: a zoom factor (>= 1) and a centre, in source fractions."""

    zoom: float
    cx: float = 0.5
    cy: float = 0.5


def _ends(camera_movement: str) -> tuple[View, View]:
    # "slow_zoom_in", "fast pan left": the story's look sets how far the camera travels
    move, speed = split_speed(camera_movement)
    zoom, pan_zoom = 1 + (ZOOM - 1) * speed, 1 + (PAN_ZOOM - 1) * speed
    lo, hi = 0.5 - (1 - 1 / pan_zoom) / 2, 0.5 + (1 - 1 / pan_zoom) / 2
    table = {
        "zoom_in": (View(1.0), View(zoom)),
        "zoom_out": (View(zoom), View(1.0)),
        # camera pans left = the view's centre moves left across the picture
        "pan_left": (View(pan_zoom, hi), View(pan_zoom, lo)),
        "pan_right": (View(pan_zoom, lo), View(pan_zoom, hi)),
        "tilt_up": (View(pan_zoom, cy=hi), View(pan_zoom, cy=lo)),
        "tilt_down": (View(pan_zoom, cy=lo), View(pan_zoom, cy=hi)),
        "static": (View(1.0), View(1.0)),
    }
    return table.get(move, table["zoom_in"])


def ease(t: float) -> float:
    """Smooth start and stop (cosine ease-in-out), 0 → 0, 1 → 1."""
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, t)))


def progress(i: int, frames: int, loop: int) -> float:
    """Eased motion progress at frame i; `loop` > 1 ping-pongs the move that many times."""
    if frames <= 1:
        return 0.0
    u = i / (frames - 1) * max(1, loop)
    leg = min(int(u), max(1, loop) - 1)
    t = ease(u - leg)
    return 1.0 - t if leg % 2 else t


def view_at(camera_movement: str, p: float) -> View:
    a, b = _ends(camera_movement)
    # zoom interpolates geometrically, so a zoom's speed looks constant to the eye
    zoom = a.zoom * (b.zoom / a.zoom) ** p
    return View(zoom, a.cx + (b.cx - a.cx) * p, a.cy + (b.cy - a.cy) * p)


def affine(view: View, src: Size, dst: Size) -> np.ndarray:
    """The 2x3 matrix mapping source pixels to output pixels for `view` (cover + zoom)."""
    sw, sh = src
    dw, dh = dst
    scale = max(dw / sw, dh / sh) * view.zoom
    # keep the window inside the picture so no border ever shows
    half_w, half_h = dw / (2 * scale), dh / (2 * scale)
    cx = min(max(view.cx * sw, half_w), sw - half_w)
    cy = min(max(view.cy * sh, half_h), sh - half_h)
    # pixel centres: output (x+0.5) = scale * (src x + 0.5 - cx) + dw/2
    tx = dw / 2 - scale * cx + 0.5 * scale - 0.5
    ty = dh / 2 - scale * cy + 0.5 * scale - 0.5
    return np.array([[scale, 0.0, tx], [0.0, scale, ty]], dtype=np.float64)


def _chroma(m: np.ndarray) -> np.ndarray:
    """The same motion on a half-resolution plane (centre-sited chroma)."""
    # Same scale; the translation halves once pixel-centre offsets are accounted for.
    c = m.copy()
    c[:, 2] = (m[:, 2] + 0.5 * np.diag(m[:, :2]) - 0.5) / 2
    return c


def _load_yuv(image: Path, size: Size) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source image as Y, U, V planes, pre-scaled so the largest zoom needs no upscale."""
    bgr = cv2.imread(str(image), cv2.IMREAD_COLOR)
    if bgr is None:
        raise MediaError(f"cannot read scene image {image}", hint="render the scene again")
    dw, dh = size
    sh, sw = bgr.shape[:2]
    # Shrink big sources to what the tightest view needs; downscale once, with INTER_AREA.
    need = max(dw / sw, dh / sh) * max(ZOOM, PAN_ZOOM)
    if need < 1.0:
        target = (_even(sw * need), _even(sh * need))
        bgr = cv2.resize(bgr, target, interpolation=cv2.INTER_AREA)
    elif sw % 2 or sh % 2:
        bgr = cv2.resize(bgr, (_even(sw), _even(sh)), interpolation=cv2.INTER_LINEAR)
    h, w = bgr.shape[:2]
    i420 = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420).reshape(-1)
    y = i420[: w * h].reshape(h, w)
    u = i420[w * h: w * h * 5 // 4].reshape(h // 2, w // 2)
    v = i420[w * h * 5 // 4:].reshape(h // 2, w // 2)
    return y, u, v


def _even(x: float) -> int:
    return max(2, round(x / 2) * 2)


def frame_count(duration: float, fps: float) -> int:
    return max(1, round(duration * fps))


def render_frames(image: Path, *, frames: int, camera_movement: str, size: Size,
                  loop: int = 1, start: int = 0, stop: int | None = None
                  ) -> Iterator[memoryview]:
    """Yield frames [start, stop) of the scene's `frames` as yuv420p buffers; the same
    buffer is reused (consume at once)."""
    y, u, v = _load_yuv(image, size)
    dw, dh = size
    src = (y.shape[1], y.shape[0])
    buf = np.empty(dw * dh * 3 // 2, np.uint8)
    out_y = buf[: dw * dh].reshape(dh, dw)
    out_u = buf[dw * dh: dw * dh * 5 // 4].reshape(dh // 2, dw // 2)
    out_v = buf[dw * dh * 5 // 4:].reshape(dh // 2, dw // 2)
    view = memoryview(buf)
    flags = cv2.INTER_LINEAR
    still = _ends(camera_movement)[0] == _ends(camera_movement)[1]
    for i in range(start, frames if stop is None else min(stop, frames)):
        if i == start or not still:
            m = affine(view_at(camera_movement, progress(i, frames, loop)), src, size)
            mc = _chroma(m)
            cv2.warpAffine(y, m, (dw, dh), dst=out_y, flags=flags,
                           borderMode=cv2.BORDER_REPLICATE)
            cv2.warpAffine(u, mc, (dw // 2, dh // 2), dst=out_u, flags=flags,
                           borderMode=cv2.BORDER_REPLICATE)
            cv2.warpAffine(v, mc, (dw // 2, dh // 2), dst=out_v, flags=flags,
                           borderMode=cv2.BORDER_REPLICATE)
        yield view


def cut_points(frames: int, fps: float, margin: float) -> list[int]:
    """Keyframe positions `margin` seconds from each end, where a crossfade would start
    and end; compose stream-copies the clip between them instead of re-encoding it."""
    k = round(margin * fps)
    return [k, frames - k] if margin > 0 and 0 < k < frames - k else []


def animate_scene(image: Path, out: Path, *, duration: float, camera_movement: str,
                  size: Size, fps: float = 30, loop: int = 1, preset: str = "veryfast",
                  threads: int = 0, transition: float = 0.5, first: int = 0,
                  end: int | None = None, check: Callable[[], None] | None = None) -> None:
    """A silent H.264 yuv420p clip of frames [first, end) of the round(duration*fps)
    frames `image` shows for (the whole scene by default).

    `first`/`end`: a cut of the scene, the part the film shows between its crossfades
    (encode_crossfades makes those), so no frame of the film is encoded twice.
    `transition`: for a whole clip, a crossfade length compose_story could use; keyframes
    are put there so it can copy this clip's middle rather than encode it again.
    `check`: called every second of frames; what it raises (a cancelled job) ends the
    encode, which leaves no file.
    """
    width, height = size
    if width % 2 or height % 2:
        raise MediaError(f"video size {width}x{height} must be even for yuv420p")
    frames = frame_count(duration, fps)
    end = frames if end is None else end
    if not 0 <= first < end <= frames:
        raise MediaError(f"no frames {first}..{end} in a scene of {frames}")
    whole = first == 0 and end == frames
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".part" + out.suffix)
    try:
        with RawVideoEncoder(tmp, width=width, height=height, fps=fps, frames=end - first,
                             preset=preset, threads=threads,
                             keyframes=cut_points(frames, fps, transition) if whole else [],
                             # no B-frames: decode order = display order, so a copy can cut
                             # exactly at those keyframes (the concat demuxer cuts by DTS)
                             bframes=0,
                             what=f"animate {Path(image).name}") as encoder:
            for i, frame in enumerate(render_frames(Path(image), frames=frames,
                                                    camera_movement=camera_movement, size=size,
                                                    loop=loop, start=first, stop=end)):
                encoder.write(frame)
                if check is not None and i % max(1, round(fps)) == 0:
                    check()
    except BaseException:  # a failed or cancelled encode leaves nothing behind
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(out)


@dataclass(frozen=True)
class Shot:
    """What one scene's frames are made from (as animate_scene is given them)."""

    image: Path
    frames: int
    camera_movement: str
    loop: int = 1


def encode_crossfades(shots: Sequence[Shot], out: Path, *, k: int, size: Size,
                      fps: float = 30, preset: str = "veryfast", threads: int = 0) -> None:
    """Every crossfade between neighbouring shots, back to back in one file: shot i's last
    k frames fading into shot i+1's first k, each crossfade starting on a keyframe, with
    animate_scene's encoder settings, so compose_story joins them to the cuts by copy.

    The frames are rendered again (a warp costs less than decoding them from a clip) and
    blended as FFmpeg's xfade=fade blends: frame j is (1 - j/k) of the old shot and j/k of
    the new one."""
    count = len(shots) - 1
    if count < 1 or k < 1 or any(s.frames < k for s in shots):
        raise MediaError(f"no crossfades of {k} frames between {len(shots)} shots")
    width, height = size
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".part" + out.suffix)
    mixed = np.empty(width * height * 3 // 2, np.uint8)
    with RawVideoEncoder(tmp, width=width, height=height, fps=fps, frames=count * k,
                         preset=preset, threads=threads,
                         keyframes=[i * k for i in range(count)], bframes=0,
                         what="encode crossfades") as encoder:
        for a, b in itertools.pairwise(shots):
            tail = render_frames(a.image, frames=a.frames, camera_movement=a.camera_movement,
                                 size=size, loop=a.loop, start=a.frames - k)
            head = render_frames(b.image, frames=b.frames, camera_movement=b.camera_movement,
                                 size=size, loop=b.loop, stop=k)
            for j, (old, new) in enumerate(zip(tail, head, strict=True)):
                w = j / k
                cv2.addWeighted(np.frombuffer(old, np.uint8), 1 - w,
                                np.frombuffer(new, np.uint8), w, 0, dst=mixed)
                encoder.write(mixed)
    tmp.replace(out)


@dataclass(frozen=True)
class SceneJob:
    image: Path
    out: Path
    duration: float
    camera_movement: str
    loop: int = 1


def animate_scenes(jobs: Sequence[SceneJob], *, size: Size, fps: float = 30,
                   workers: int = 2, preset: str = "veryfast",
                   transition: float = 0.5) -> None:
    """Animate several scenes at once; OpenCV and x264 release the GIL, so threads scale.

    With `workers` encoders running side by side, each x264 gets an equal share of threads.
    """
    cores = os.cpu_count() or 2
    threads = max(1, cores // max(1, workers))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(animate_scene, j.image, j.out, duration=j.duration,
                               camera_movement=j.camera_movement, size=size, fps=fps,
                               loop=j.loop, preset=preset, threads=threads,
                               transition=transition) for j in jobs]
        for future in futures:
            future.result()
