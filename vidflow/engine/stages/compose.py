"""Composition: scene clips + narration + music + ambience → one MP4 (H.264/AAC, faststart).

Video: clips back to back (stream-copied when they already match, which costs no
re-encode) or cross-faded with xfade, each overlap `transition` seconds long, so the total
is sum(durations) - (n - 1) * transition. Audio: each narration starts at its scene's start
(adelay), music sits under it and ducks while narration plays (sidechaincompress keyed by
the narration), ambience is mixed in, and the mix is normalized to about -16 LUFS
(single-pass loudnorm). No audio input at all → no audio stream.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vidflow.engine.stages.ffmpeg import MediaInfo, probe, run_ffmpeg
from vidflow.errors import MediaError

Size = tuple[int, int]
AUDIO_FMT = "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo"
LOUDNESS = "loudnorm=I=-16:TP=-1.5:LRA=11"
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
    return f"[{index}:v]{geom},setsar=1,fps={fps},format=yuv420p[{label}]"


def _video_graph(clips: Sequence[Clip], size: Size, fps: float, transition: float
                 ) -> list[str]:
    count = len(clips)
    durations = [c.duration for c in clips]
    # clips already in the output format skip the scaler: it would only copy pixels
    parts = [f"[{i}:v]null[v{i}]" if _copyable([c], size, fps) else _fit(i, size, fps, f"v{i}")
             for i, c in enumerate(clips)]
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


def _audio_graph(first: int, narrations: Sequence[tuple[Path, float]], music: Path | None,
                 ambient: Path | None, total: float) -> tuple[list[str], list[Path]]:
    """Filter chains mixing the audio inputs (numbered from `first`) into [aout]."""
    inputs: list[Path] = []
    parts: list[str] = []
    beds: list[str] = []
    voice = None
    for k, (wav, start) in enumerate(narrations):
        idx = first + len(inputs)
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
        idx = first + len(inputs)
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
        idx = first + len(inputs)
        inputs.append(Path(ambient))
        parts.append(f"[{idx}:a]{AUDIO_FMT},volume={AMBIENT_GAIN}[amb]")
        beds.append("amb")
    layers = ([voice] if voice else []) + beds
    if not layers:
        return [], []
    mix = "".join(f"[{x}]" for x in layers)
    pre = (f"{mix}amix=inputs={len(layers)}:normalize=0:duration=longest,"
           if len(layers) > 1 else f"{mix}anull,")
    parts.append(f"{pre}apad,atrim=0:{total:.6f},{LOUDNESS},aresample=48000,"
                 f"{AUDIO_FMT}[aout]")
    return parts, inputs


def compose_story(clips: Sequence[Path], out: Path, *, size: Size, fps: float = 30,
                  transition: float = 0.0,
                  narrations: Sequence[tuple[Path, float]] = (),
                  music: Path | None = None, ambient: Path | None = None,
                  preset: str = "veryfast", threads: int = 0) -> float:
    """The final story MP4; returns its duration in seconds (probed)."""
    scene_clips = _clips(clips)
    durations = [c.duration for c in scene_clips]
    transition = _fit_transition(transition, durations, fps)
    total = total_duration(durations, transition)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".part" + out.suffix)
    with tempfile.TemporaryDirectory(prefix="vidflow-compose-") as work:
        args: list[str | Path] = []
        graph: list[str] = []
        if transition == 0 and _copyable(scene_clips, size, fps):
            listing = Path(work) / "clips.txt"
            listing.write_text("".join(f"file '{_quote(c.path)}'\n" for c in scene_clips))
            args += ["-f", "concat", "-safe", "0", "-i", listing]
            video_map, video_codec = "0:v", ["-c:v", "copy"]
            first_audio = 1
        else:
            for c in scene_clips:
                args += ["-i", c.path]
            graph += _video_graph(scene_clips, size, fps, transition)
            video_map = "[vout]"
            video_codec = ["-c:v", "libx264", "-preset", preset, "-threads", str(threads),
                           "-pix_fmt", "yuv420p", "-r", f"{fps}"]
            first_audio = len(scene_clips)
        audio_graph, audio_inputs = _audio_graph(first_audio, narrations, music, ambient,
                                                 total)
        for a in audio_inputs:
            args += ["-i", a]
        graph += audio_graph
        if graph:
            args += ["-filter_complex", ";".join(graph)]
        args += ["-map", video_map, *video_codec]
        if audio_graph:
            args += ["-map", "[aout]", "-c:a", "aac", "-b:a", "160k", "-ar", "48000"]
        else:
            args += ["-an"]
        args += ["-t", f"{total:.6f}", "-movflags", "+faststart", tmp]
        run_ffmpeg(args, what=f"compose {out.name}")
    tmp.replace(out)
    return probe(out).duration


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
