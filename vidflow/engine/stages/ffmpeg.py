"""The one FFmpeg runner, a raw-frame encoder pipe, and `probe` (PyAV, no ffprobe needed).

Every stage that shells out to FFmpeg goes through `run_ffmpeg` or `RawVideoEncoder`, so
there is one place that finds the binary, one way failures become `MediaError` (carrying
the tail of FFmpeg's log, which is where the real reason is), and one place to tune.
"""

from __future__ import annotations

import collections
import contextlib

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]
import functools
import os
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

from vidflow.errors import MediaError

LOG_TAIL_LINES = 15


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the FFmpeg binary shipped by the imageio-ffmpeg wheel."""
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise MediaError("imageio-ffmpeg is not installed",
                         hint="pip install imageio-ffmpeg") from exc
    return os.environ.get("IMAGEIO_FFMPEG_EXE") or _bundled() or imageio_ffmpeg.get_ffmpeg_exe()


def _bundled() -> str | None:
    """The wheel's own binary, found without get_ffmpeg_exe's trial `ffmpeg -version` run
    (0.1 s before the first encode can start; a broken binary fails its first real run
    with FFmpeg's message anyway)."""
    try:
        from imageio_ffmpeg import _utils
        from imageio_ffmpeg.binaries import __file__ as binaries

        name = _utils.FNAME_PER_PLATFORM.get(_utils.get_platform(), "")
    except (ImportError, AttributeError):  # another imageio-ffmpeg layout: ask it
        return None
    exe = Path(binaries).parent / name
    return str(exe) if name and exe.is_file() and os.access(exe, os.X_OK) else None


def _base_cmd() -> list[str]:
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]


def _tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    kept = [ln for ln in text.strip().splitlines() if ln.strip()][-lines:]
    return "\n".join(kept)


def run_ffmpeg(args: Sequence[str | os.PathLike[str]], *, what: str = "ffmpeg",
               timeout: float | None = None) -> None:
    """Run FFmpeg with `args` (everything after the binary); MediaError on failure.

    `what` names the job in the error message ("compose story", "animate scene 2").
    """
    _run([*_base_cmd(), *(os.fspath(a) for a in args)], what=what, timeout=timeout)


def ffmpeg_report(args: Sequence[str | os.PathLike[str]], *, what: str = "ffmpeg",
                  timeout: float | None = None) -> str:
    """Run FFmpeg like `run_ffmpeg`, at log level info; its log (filters such as
    ebur128 print their measurements there)."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-y", "-loglevel", "info",
           *(os.fspath(a) for a in args)]
    return _run(cmd, what=what, timeout=timeout)


def _run(cmd: list[str], *, what: str, timeout: float | None) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise MediaError(f"{what}: FFmpeg did not finish within {timeout} s") from exc
    except OSError as exc:
        raise MediaError(f"{what}: cannot start FFmpeg: {exc}") from exc
    if proc.returncode != 0:
        raise MediaError(f"{what}: FFmpeg failed (exit {proc.returncode}):\n"
                         f"{_tail(proc.stderr)}")
    return proc.stderr


class RawVideoEncoder:
    """One FFmpeg/x264 process fed raw yuv420p frames on stdin.

    Use as a context manager; `write(frame)` takes any buffer of exactly one frame
    (width*height*3/2 bytes, planar Y then U then V) and hands it to the pipe without a
    copy. FFmpeg's log is drained by a thread so a chatty encoder can never block us.
    """

    def __init__(self, out: Path, *, width: int, height: int, fps: float,
                 frames: int, preset: str = "veryfast", crf: int = 23,
                 threads: int = 0, keyframes: Sequence[int] = (),
                 bframes: int | None = None, what: str = "encode") -> None:
        self.out = Path(out)
        self.frame_bytes = width * height * 3 // 2
        self.frames_expected = frames
        self.what = what
        self._frames_written = 0
        self._log: collections.deque[str] = collections.deque(maxlen=200)
        cmd = [
            *_base_cmd(), "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}",
            "-r", _rate(fps), "-i", "pipe:0",
            "-frames:v", str(frames),
            "-c:v", "libx264", "-preset", preset, "-crf", str(crf),
            "-threads", str(threads), "-pix_fmt", "yuv420p",
            *_force_keyframes(keyframes),
            *(["-bf", str(bframes)] if bframes is not None else []),
            "-movflags", "+faststart", "-an", os.fspath(self.out),
        ]
        try:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                                          bufsize=0)
        except OSError as exc:
            raise MediaError(f"{what}: cannot start FFmpeg: {exc}") from exc
        assert self._proc.stderr is not None and self._proc.stdin is not None
        _widen_pipe(self._proc.stdin.fileno(), self.frame_bytes)
        self._drain = threading.Thread(target=self._read_log, args=(self._proc.stderr,),
                                       daemon=True)
        self._drain.start()

    def _read_log(self, stream: IO[bytes]) -> None:
        for line in stream:
            self._log.append(line.decode("utf-8", "replace"))

    def write(self, frame: memoryview | bytes | bytearray) -> None:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(frame)
        except (BrokenPipeError, ValueError) as exc:
            self._proc.wait()
            self._drain.join(timeout=5)
            raise MediaError(f"{self.what}: FFmpeg stopped reading frames:\n"
                             f"{_tail(''.join(self._log))}") from exc
        self._frames_written += 1

    def close(self) -> None:
        if self._proc.stdin and not self._proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self._proc.stdin.close()
        code = self._proc.wait()
        self._drain.join(timeout=5)
        if code != 0:
            raise MediaError(f"{self.what}: FFmpeg failed (exit {code}):\n"
                             f"{_tail(''.join(self._log))}")

    def abort(self) -> None:
        self._proc.kill()
        self._proc.wait()
        self._drain.join(timeout=5)

    def __enter__(self) -> RawVideoEncoder:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _widen_pipe(fd: int, frame_bytes: int) -> None:
    """Let the pipe hold a whole frame where the system allows (Linux: up to
    /proc/sys/fs/pipe-max-size): a 64 KiB pipe hands a 720x1280 frame over in 21 pieces,
    each a pair of context switches between us and the encoder."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if set_size is None:
        return
    try:
        limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    except (OSError, ValueError):
        limit = 1 << 20
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, set_size, min(limit, max(frame_bytes, 1 << 16)))


def _force_keyframes(frames: Sequence[int]) -> list[str]:
    """IDR frames at these frame numbers (closed GOPs: cut points for stream copy)."""
    if not frames:
        return []
    return ["-force_key_frames", "expr:" + "+".join(f"eq(n,{n})" for n in sorted(frames))]


@dataclass(frozen=True)
class VideoLayout:
    """How a video's frames are laid out, read from its packets (no decoding): what
    deciding a join by copy needs, with one open of the file."""

    frames: int
    keyframes: frozenset[int]  # frame numbers
    setup: bytes  # the codec setup (H.264 SPS/PPS); equal setups can be joined by copy


def video_layout(path: Path | str) -> VideoLayout:
    """MediaError when the file cannot be read or holds no video."""
    import av

    try:
        return _layout(av.open(os.fspath(path)))
    except (av.FFmpegError, OSError, IndexError) as exc:
        raise MediaError(f"cannot read the video in {path}: {exc}") from exc


def _layout(opened: Any) -> VideoLayout:
    with opened as container:
        stream = container.streams.video[0]
        setup = bytes(stream.codec_context.extradata or b"")
        rate = stream.average_rate or stream.guessed_rate
        tb = stream.time_base
        start = stream.start_time or 0
        frames, keys = 0, set()
        for packet in container.demux(stream):
            if not packet.size:
                continue  # the demuxer's flush packet
            frames += 1
            if packet.is_keyframe and packet.pts is not None:
                keys.add(round(float((packet.pts - start) * tb * rate)))
        return VideoLayout(frames, frozenset(keys), setup)


def keyframe_indexes(path: Path | str) -> list[int]:
    """Frame numbers of the video's keyframes, read from packets (no decoding)."""
    return sorted(video_layout(path).keyframes)


def _rate(fps: float) -> str:
    frac = Fraction(fps).limit_denominator(1001)
    return f"{frac.numerator}/{frac.denominator}"


@dataclass(frozen=True)
class StreamInfo:
    kind: str  # "video" | "audio" | other PyAV stream types
    codec: str
    width: int = 0
    height: int = 0
    fps: float = 0.0
    pix_fmt: str | None = None
    frames: int = 0
    sample_rate: int = 0
    channels: int = 0
    duration: float = 0.0
    setup: bytes = b""  # a video's codec setup (H.264 SPS/PPS), as VideoLayout.setup


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    duration: float
    streams: tuple[StreamInfo, ...] = field(default_factory=tuple)

    @property
    def video(self) -> StreamInfo | None:
        return next((s for s in self.streams if s.kind == "video"), None)

    @property
    def audio(self) -> StreamInfo | None:
        return next((s for s in self.streams if s.kind == "audio"), None)

    @property
    def has_video(self) -> bool:
        return self.video is not None

    @property
    def has_audio(self) -> bool:
        return self.audio is not None

    @property
    def width(self) -> int:
        return self.video.width if self.video else 0

    @property
    def height(self) -> int:
        return self.video.height if self.video else 0

    @property
    def fps(self) -> float:
        return self.video.fps if self.video else 0.0

    @property
    def frames(self) -> int:
        return self.video.frames if self.video else 0

    @property
    def pix_fmt(self) -> str | None:
        return self.video.pix_fmt if self.video else None

    @property
    def video_codec(self) -> str | None:
        return self.video.codec if self.video else None

    @property
    def audio_codec(self) -> str | None:
        return self.audio.codec if self.audio else None


def probe(path: Path | str, *, count_frames: bool = False) -> MediaInfo:
    """Read a media file's container and stream facts with PyAV.

    The frame count comes from the container index (exact for our MP4s); pass
    `count_frames=True` to decode-count when a container does not carry it.
    """
    import av

    path = Path(path)
    try:
        with av.open(os.fspath(path)) as container:
            streams = tuple(_stream_info(s, container, count_frames)
                            for s in container.streams)
            duration = (container.duration / 1_000_000 if container.duration
                        else max((s.duration for s in streams), default=0.0))
    except (av.FFmpegError, OSError) as exc:
        raise MediaError(f"cannot read media file {path}: {exc}") from exc
    return MediaInfo(path=path, duration=float(duration), streams=streams)


def _stream_info(stream: object, container: object, count_frames: bool) -> StreamInfo:
    s = stream  # PyAV stream; typed loosely because PyAV's stubs vary by version
    tb = s.time_base  # type: ignore[attr-defined]
    duration = float(s.duration * tb) if s.duration and tb else 0.0  # type: ignore[attr-defined]
    codec = s.codec_context.name if s.codec_context else "unknown"  # type: ignore[attr-defined]
    if s.type == "video":  # type: ignore[attr-defined]
        frames = int(s.frames or 0)  # type: ignore[attr-defined]
        if count_frames or not frames:
            frames = _count_frames(container, s)
        rate = s.average_rate or s.guessed_rate  # type: ignore[attr-defined]
        fmt = s.codec_context.format  # type: ignore[attr-defined]
        return StreamInfo("video", codec, width=s.codec_context.width,  # type: ignore[attr-defined]
                          height=s.codec_context.height,  # type: ignore[attr-defined]
                          fps=float(rate) if rate else 0.0,
                          pix_fmt=fmt.name if fmt else None, frames=frames,
                          duration=duration,
                          setup=bytes(s.codec_context.extradata or b""))  # type: ignore[attr-defined]
    if s.type == "audio":  # type: ignore[attr-defined]
        ctx = s.codec_context  # type: ignore[attr-defined]
        channels = getattr(ctx, "channels", 0) or (ctx.layout.nb_channels if ctx.layout else 0)
        return StreamInfo("audio", codec, sample_rate=int(ctx.sample_rate or 0),
                          channels=int(channels), duration=duration)
    return StreamInfo(str(s.type), codec, duration=duration)  # type: ignore[attr-defined]


def _count_frames(container: object, stream: object) -> int:
    container.seek(0)  # type: ignore[attr-defined]
    count = sum(1 for packet in container.demux(stream)  # type: ignore[attr-defined]
                if packet.size)
    container.seek(0)  # type: ignore[attr-defined]
    return count
