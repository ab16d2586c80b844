"""Composition: scene clips + narration + music + ambience → one MP4 (H.264/AAC, faststart).

Video: clips back to back (stream-copied when they already match, which costs no
re-encode) or cross-faded with xfade, each overlap `transition` seconds long, so the total
is sum(durations) - (n - 1) * transition. Audio: each narration starts at its scene's start
(adelay), music sits under it and ducks while narration plays (sidechaincompress keyed by
the narration), ambience is mixed in, and the mix is brought to -16 LUFS integrated: its
loudness is measured (ebur128) as it is mixed, then one gain and a -1.5 dBFS peak limiter
are applied as it is encoded (loudnorm's single pass did the same by resampling the whole
mix to 192 kHz: half the soundtrack's CPU). No audio input at all → no audio stream.
"""

from __future__ import annotations

import logging
import math
import re
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from vidflow.engine.stages.ffmpeg import (
    MediaInfo,
    ffmpeg_report,
    probe,
    run_ffmpeg,
    video_layout,
)
from vidflow.errors import MediaError

log = logging.getLogger(__name__)

Size = tuple[int, int]
AUDIO_FMT = "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo"
LOUDNESS_TARGET = -16.0  # LUFS, integrated (EBU R128)
PEAK_LIMIT = 10 ** (-1.5 / 20)  # -1.5 dBFS: what the limiter lets through
MAX_GAIN_DB = 40.0  # a near-silent mix is raised this much at most, never to noise
MUSIC_GAIN = 0.45  # music sits under the voice before any ducking
AMBIENT_GAIN = 0.5


@dataclass(frozen=True)
class Clip:
    path: Path
    info: MediaInfo

    @property
    def duration(self) -> float:
        video = self.info.video
        if video and video.frames and video.fps:
            return video.frames / video.fps  # exact for our constant-rate clips
        return self.info.duration


def transition_offsets(durations: Sequence[float], transition: float) -> list[float]:
    """Where each xfade starts: clip k+1 begins `transition` before clip k ends."""
    offsets, t = [], 0.0
    for d in durations[:-1]:
        t += d - transition
        offsets.append(t)
    return offsets


def _fit_transition(transition: float, durations: Sequence[float], fps: float) -> float:
    """Whole frames, and at most half the shortest clip (a middle clip overlaps twice)."""
    if transition <= 0 or len(durations) < 2:
        return 0.0
    frames = min(round(transition * fps), int(min(durations) * fps) // 2)
    return max(0, frames) / fps


def crossfade_frames(durations: Sequence[float], transition: float, fps: float) -> int:
    """How many frames each crossfade of compose_story lasts (0: none)."""
    return round(_fit_transition(transition, durations, fps) * fps)


def total_duration(durations: Sequence[float], transition: float) -> float:
    return sum(durations) - max(0, len(durations) - 1) * transition


def _clips(paths: Sequence[Path]) -> list[Clip]:
    if not paths:
        raise MediaError("nothing to compose: no scene clips")
    clips = []
    for p in paths:
        info = probe(p)
        if not info.has_video:
            raise MediaError(f"{p} has no video stream")
        clips.append(Clip(Path(p), info))
    return clips


def _copyable(clips: Sequence[Clip], size: Size, fps: float) -> bool:
    """Clips already in the output format can be joined without re-encoding."""
    return all(c.info.video_codec == "h264" and c.info.pix_fmt == "yuv420p"
               and (c.info.width, c.info.height) == tuple(size)
               and abs(c.info.fps - fps) < 1e-3 for c in clips)


def _fit(index: int, size: Size, fps: float, label: str, *, pad: bool = False) -> str:
    w, h = size
    if pad:  # whole picture, letterboxed (concat of foreign videos)
        geom = (f"scale={w}:{h}:force_original_aspect_ratio=decrease,"
                f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2")
    else:  # fill the frame (scene clips are already the right size; this is a no-op)
        geom = f"scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h}"
    # one time base for all inputs: xfade refuses to join streams whose bases differ
    return f"[{index}:v]{geom},setsar=1,fps={fps},format=yuv420p,settb=AVTB[{label}]"


def _video_graph(clips: Sequence[Clip], size: Size, fps: float, transition: float
                 ) -> list[str]:
    count = len(clips)
    durations = [c.duration for c in clips]
    # clips already in the output format skip the scaler: it would only copy pixels
    parts = [f"[{i}:v]settb=AVTB[v{i}]" if _copyable([c], size, fps)
             else _fit(i, size, fps, f"v{i}") for i, c in enumerate(clips)]
    if count == 1:
        parts.append("[v0]null[vout]")
    elif transition > 0:
        prev = "v0"
        for k, offset in enumerate(transition_offsets(durations, transition), start=1):
            label = "vout" if k == count - 1 else f"x{k}"
            parts.append(f"[{prev}][v{k}]xfade=transition=fade:duration={transition:.6f}"
                         f":offset={offset:.6f}[{label}]")
            prev = label
    else:
        parts.append("".join(f"[v{i}]" for i in range(count)) + f"concat=n={count}:v=1:a=0[vout]")
    return parts


def _audio_graph(narrations: Sequence[tuple[Path, float]], music: Path | None,
                 ambient: Path | None, total: float) -> tuple[list[str], list[Path]]:
    """Filter chains mixing the audio inputs (numbered from 0) into [aout]."""
    inputs: list[Path] = []
    parts: list[str] = []
    beds: list[str] = []
    voice = None
    for k, (wav, start) in enumerate(narrations):
        idx = len(inputs)
        inputs.append(Path(wav))
        ms = max(0, round(start * 1000))
        parts.append(f"[{idx}:a]{AUDIO_FMT},adelay=delays={ms}:all=1[n{k}]")
    if narrations:
        n = len(narrations)
        mix = "".join(f"[n{k}]" for k in range(n))
        if n > 1:
            parts.append(f"{mix}amix=inputs={n}:normalize=0:duration=longest[voice]")
        else:
            parts.append("[n0]anull[voice]")
        voice = "voice"
    if music is not None:
        idx = len(inputs)
        inputs.append(Path(music))
        parts.append(f"[{idx}:a]{AUDIO_FMT},volume={MUSIC_GAIN}[music]")
        if voice:
            parts.append("[voice]asplit=2[voicemix][key]")
            # duck the music by ~12 dB while the narration speaks, recover in 0.4 s
            parts.append("[music][key]sidechaincompress=threshold=0.02:ratio=8:attack=20"
                         ":release=400:makeup=1[ducked]")
            beds.append("ducked")
            voice = "voicemix"
        else:
            beds.append("music")
    if ambient is not None:
        idx = len(inputs)
        inputs.append(Path(ambient))
        parts.append(f"[{idx}:a]{AUDIO_FMT},volume={AMBIENT_GAIN}[amb]")
        beds.append("amb")
    layers = ([voice] if voice else []) + beds
    if not layers:
        return [], []
    mix = "".join(f"[{x}]" for x in layers)
    pre = (f"{mix}amix=inputs={len(layers)}:normalize=0:duration=longest,"
           if len(layers) > 1 else f"{mix}anull,")
    # measured on the way out; ebur128 passes the samples through unchanged
    parts.append(f"{pre}apad,atrim=0:{total:.6f},{AUDIO_FMT},ebur128=framelog=quiet,"
                 f"{AUDIO_FMT}[aout]")
    return parts, inputs


def _gain_db(report: str) -> float:
    """The gain that brings the measured mix to LOUDNESS_TARGET (0 for silence: below
    the absolute gate there is nothing to normalize)."""
    found = re.findall(r"I:\s+(-?[\d.]+|-?inf|nan) LUFS", report)
    try:
        measured = float(found[-1]) if found else math.nan
    except ValueError:
        measured = math.nan
    if not math.isfinite(measured) or measured <= -70.0:
        return 0.0
    return min(LOUDNESS_TARGET - measured, MAX_GAIN_DB)


def mix_audio(out: Path, *, narrations: Sequence[tuple[Path, float]] = (),
              music: Path | None = None, ambient: Path | None = None,
              total: float) -> Path | None:
    """The story's soundtrack as AAC in `out`, exactly `total` seconds; None if silent."""
    graph, inputs = _audio_graph(narrations, music, ambient, total)
    if not graph:
        return None
    out = Path(out)
    args: list[str | Path] = []
    for a in inputs:
        args += ["-i", a]
    with tempfile.TemporaryDirectory(prefix="vidflow-mix-") as folder:
        mixed = Path(folder) / "mix.wav"  # 32-bit float: nothing lost before the gain
        args += ["-filter_complex", ";".join(graph), "-map", "[aout]", "-c:a", "pcm_f32le",
                 "-t", f"{total:.6f}", mixed]
        gain = _gain_db(ffmpeg_report(args, what=f"mix audio {out.name}"))
        level = (f"volume={gain:.2f}dB,alimiter=limit={PEAK_LIMIT:.4f}:level=0:latency=1,"
                 if gain else "")
        # the fast AAC coder: half the CPU of the default two-loop search (0.22 against
        # 0.48 s for 17 s of stereo), the same 160 kb/s, no audible difference for voice
        # over synthesized music
        run_ffmpeg(["-i", mixed, "-af", f"{level}{AUDIO_FMT}", "-c:a", "aac",
                    "-aac_coder", "fast", "-b:a", "160k", "-ar", "48000", "-t", f"{total:.6f}",
                    out], what=f"encode audio {out.name}")
    return out


def compose_story(clips: Sequence[Path], out: Path, *, size: Size, fps: float = 30,
                  transition: float = 0.0,
                  narrations: Sequence[tuple[Path, float]] = (),
                  music: Path | None = None, ambient: Path | None = None,
                  preset: str = "veryfast", threads: int = 0, copy: bool = True,
                  soundtrack: Path | None = None) -> float:
    """The final story MP4; returns its duration in seconds (probed).

    `soundtrack`: mix_audio's output for these narrations, music and ambience, already
    made (the engine mixes it while the scenes are animated); else it is mixed here.

    The soundtrack is mixed by its own FFmpeg while the video is made, then both are
    muxed without re-encoding. The video copies the clips wherever it can: back to back
    when there is no transition and they share one encoder setup (the engine's film: the
    scenes' cuts and the crossfades between them, all encoded alike); between crossfades
    when the clips have keyframes where the crossfades start and end (animate_scene puts
    them there), only the crossfades being encoded. Anything else, or `copy=False`,
    encodes the whole video once.
    """
    scene_clips = _clips(clips)
    durations = [c.duration for c in scene_clips]
    transition = _fit_transition(transition, durations, fps)
    total = total_duration(durations, transition)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".part" + out.suffix)
    with tempfile.TemporaryDirectory(prefix="vidflow-compose-") as tmpdir:
        work = Path(tmpdir)
        with ThreadPoolExecutor(max_workers=1) as pool:  # the soundtrack, alongside
            mixed = pool.submit(mix_audio, work / "audio.m4a", narrations=narrations,
                                music=music, ambient=ambient, total=total
                                ) if soundtrack is None else None
            video = work / "video.mp4"
            # a soundtrack made already is muxed in the very pass that copies the video
            joined = tmp if soundtrack is not None else video
            copied = copy and _copyable(scene_clips, size, fps) and _video_by_copy(
                scene_clips, joined, work, fps=fps, transition=transition, preset=preset,
                threads=threads, audio=soundtrack, total=total)
            if copy and not copied:
                log.debug("compose %s: encoding the whole video", out.name)
            if not copied:
                _video_by_encoding(scene_clips, video, size=size, fps=fps,
                                   transition=transition, preset=preset, threads=threads)
            audio = mixed.result() if mixed is not None else soundtrack
        if not (copied and joined == tmp):
            run_ffmpeg(["-i", video, *_muxed(audio, total), tmp], what=f"compose {out.name}")
    tmp.replace(out)
    return probe(out).duration


def _muxed(audio: Path | None, total: float) -> list[str | Path]:
    """Output arguments after the video input: the soundtrack (input 1) by copy, the
    film's length, the index up front so players start before the download ends."""
    args: list[str | Path] = ["-i", audio, "-map", "0:v", "-map", "1:a"] if audio else []
    return [*args, "-c", "copy", "-t", f"{total:.6f}", "-movflags", "+faststart"]


def _video_by_encoding(clips: Sequence[Clip], out: Path, *, size: Size, fps: float,
                       transition: float, preset: str, threads: int) -> None:
    args: list[str | Path] = []
    for c in clips:
        args += ["-i", c.path]
    graph = _video_graph(clips, size, fps, transition)
    args += ["-filter_complex", ";".join(graph), "-map", "[vout]", "-c:v", "libx264",
             "-preset", preset, "-threads", str(threads), "-pix_fmt", "yuv420p",
             "-r", f"{fps}", "-an", out]
    run_ffmpeg(args, what=f"encode {out.name}")


def _video_by_copy(clips: Sequence[Clip], out: Path, work: Path, *, fps: float,
                   transition: float, preset: str, threads: int,
                   audio: Path | None = None, total: float = 0.0) -> bool:
    """Join the clips by stream copy (plus encoded crossfades), with `audio` muxed in
    (`total` seconds) when given; False if it cannot be done frame-exactly, so the caller
    encodes instead."""
    if transition > 0:
        lines = _crossfade_listing(clips, work, fps=fps, transition=transition,
                                   preset=preset, threads=threads)
        if lines is None:
            return False
    elif len({c.info.video.setup for c in clips if c.info.video}) > 1:
        # one stream's parameter sets describe every frame the copy joins
        log.warning("compose: the clips were encoded with different settings; encoding")
        return False
    else:
        lines = [f"file '{_quote(c.path)}'\n" for c in clips]
    listing = work / "segments.txt"
    listing.write_text("".join(lines))
    try:
        tail = _muxed(audio, total) if audio else ["-map", "0:v", "-c", "copy"]
        run_ffmpeg(["-f", "concat", "-safe", "0", "-i", listing, *tail, out],
                   what=f"join {out.name}")
        if _complete(out, [c.duration for c in clips], transition, fps):
            return True
        reason = "it was not frame-exact"
    except MediaError as exc:
        reason = str(exc)
    # copying is only an optimization: say why, then encode the whole video instead
    log.warning("compose: stream-copy join failed (%s); encoding instead", reason)
    return False


def _complete(path: Path, durations: Sequence[float], transition: float, fps: float) -> bool:
    expected = sum(round(d * fps) for d in durations) - (len(durations) - 1) * round(
        transition * fps)
    info = probe(path, count_frames=True)
    seconds = info.video.duration if info.video and info.video.duration else info.duration
    return info.frames == expected and abs(seconds - expected / fps) < 1.5 / fps


def _crossfade_listing(clips: Sequence[Clip], work: Path, *, fps: float, transition: float,
                       preset: str, threads: int) -> list[str] | None:
    """Concat-listing lines joining copied clip middles and freshly encoded crossfades.

    Only when every clip has keyframes exactly where the crossfades start and end and all
    share one codec setup (else None). The crossfades are encoded with the clips'
    settings and must come out with the same setup too.
    """
    k = round(transition * fps)
    frames = [round(c.duration * fps) for c in clips]
    layouts = [video_layout(c.path) for c in clips]
    setup = layouts[0].setup
    for i, layout in enumerate(layouts):
        needed = ({k} if i > 0 else set()) | ({frames[i] - k} if i < len(clips) - 1 else set())
        if not needed <= layout.keyframes or layout.setup != setup:
            return None
    count = len(clips) - 1
    fades = work / "fades.mp4"
    _encode_fades(clips, fades, k=k, fps=fps, preset=preset, threads=threads)
    if video_layout(fades).setup != setup:
        return None
    pieces = [(fades, i * k) for i in range(count)]
    lines = []
    for i, c in enumerate(clips):
        start = k if i > 0 else 0
        end = frames[i] - k if i < count else frames[i]
        lines.append(_listing_entry(c.path, start, end, fps))
        if i < count:
            path, first = pieces[i]
            lines.append(_listing_entry(path, first, first + k, fps))
    return lines


def _listing_entry(path: Path, first: int, end: int, fps: float) -> str:
    """Frames [first, end) of `path` by stream copy. The concat demuxer reads times in
    whole microseconds and a segment lasts outpoint - inpoint: the in point is rounded up
    (its seek then lands on the keyframe at `first`, not the one before), the out point
    down (rounding it up would let frame `end` through, one frame too many)."""
    rate = Fraction(fps).limit_denominator(1001)
    inpoint = math.ceil(Fraction(first) * 10**6 / rate)
    outpoint = math.floor(Fraction(end) * 10**6 / rate)
    return f"file '{_quote(path)}'\ninpoint {inpoint}us\noutpoint {outpoint}us\n"


def _encode_fades(clips: Sequence[Clip], out: Path, *, k: int, fps: float, preset: str,
                  threads: int) -> None:
    """Every crossfade, back to back in one file, each starting on a keyframe: clip i's
    last k frames into clip i+1's first k. One encoder (x264 start-up is not free), the
    clips' settings and no B-frames, so the pieces join the clips by copy."""
    seconds = f"{k / fps:.6f}"
    args: list[str | Path] = []
    graph = []
    n = len(clips) - 1
    for i in range(n):
        start = round(clips[i].duration * fps) - k
        args += ["-ss", f"{start / fps:.6f}", "-i", clips[i].path,
                 "-t", seconds, "-i", clips[i + 1].path]
        graph.append(f"[{2 * i}:v]setpts=PTS-STARTPTS[a{i}];"
                     f"[{2 * i + 1}:v]setpts=PTS-STARTPTS[b{i}];"
                     f"[a{i}][b{i}]xfade=transition=fade:duration={seconds}:offset=0,"
                     f"trim=end_frame={k}[f{i}]")
    joined = "".join(f"[f{i}]" for i in range(n))
    graph.append(f"{joined}concat=n={n}:v=1:a=0,format=yuv420p[v]")
    keys = "+".join(f"eq(n,{i * k})" for i in range(n))
    args += ["-filter_complex", ";".join(graph), "-map", "[v]", "-frames:v", str(n * k),
             "-c:v", "libx264", "-preset", preset, "-crf", "23", "-bf", "0",
             "-threads", str(threads), "-force_key_frames", f"expr:{keys}",
             "-pix_fmt", "yuv420p", "-r", f"{fps}", "-an", out]
    run_ffmpeg(args, what="encode crossfades")


def _quote(path: Path) -> str:
    return str(Path(path).resolve()).replace("'", r"'\''")


def concat_videos(videos: Sequence[Path], out: Path, *, size: Size | None = None,
                  audio: Sequence[Path] = (), fps: float = 30,
                  preset: str = "veryfast") -> float:
    """Join videos end to end (scaled and letterboxed to one size), mixing `audio` over.

    Each video's own sound is kept (silence for silent ones) when any video has sound.
    Returns the output duration in seconds.
    """
    clips = _clips(videos)
    if size is None:
        first = clips[0].info
        size = (first.width - first.width % 2, first.height - first.height % 2)
    durations = [c.duration for c in clips]
    total = sum(durations)
    args: list[str | Path] = []
    for c in clips:
        args += ["-i", c.path]
    graph = [_fit(i, size, fps, f"v{i}", pad=True) for i in range(len(clips))]
    with_sound = any(c.info.has_audio for c in clips)
    if with_sound:
        for i, c in enumerate(clips):
            if c.info.has_audio:
                graph.append(f"[{i}:a]{AUDIO_FMT},apad,atrim=0:{durations[i]:.6f}[a{i}]")
            else:
                graph.append(f"anullsrc=r=48000:cl=stereo,atrim=0:{durations[i]:.6f},"
                             f"{AUDIO_FMT}[a{i}]")
        pairs = "".join(f"[v{i}][a{i}]" for i in range(len(clips)))
        graph.append(f"{pairs}concat=n={len(clips)}:v=1:a=1[vout][base]")
    else:
        graph.append("".join(f"[v{i}]" for i in range(len(clips)))
                     + f"concat=n={len(clips)}:v=1:a=0[vout]")
    layers = ["base"] if with_sound else []
    for j, a in enumerate(audio):
        idx = len(clips) + j
        args += ["-i", a]
        graph.append(f"[{idx}:a]{AUDIO_FMT}[x{j}]")
        layers.append(f"x{j}")
    has_audio = bool(layers)
    if has_audio:
        mix = "".join(f"[{x}]" for x in layers)
        pre = (f"{mix}amix=inputs={len(layers)}:normalize=0:duration=longest,"
               if len(layers) > 1 else f"{mix}anull,")
        graph.append(f"{pre}apad,atrim=0:{total:.6f},alimiter=limit=0.95,{AUDIO_FMT}[aout]")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".part" + out.suffix)
    args += ["-filter_complex", ";".join(graph), "-map", "[vout]", "-c:v", "libx264",
             "-preset", preset, "-pix_fmt", "yuv420p", "-r", f"{fps}"]
    args += (["-map", "[aout]", "-c:a", "aac", "-b:a", "160k", "-ar", "48000"] if has_audio
             else ["-an"])
    args += ["-t", f"{total:.6f}", "-movflags", "+faststart", tmp]
    run_ffmpeg(args, what=f"concat {out.name}")
    tmp.replace(out)
    return probe(out).duration
