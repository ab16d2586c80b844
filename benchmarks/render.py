"""Benchmark: a 5-scene 9:16 idea story through every media stage, against the FFmpeg floor.

    .venv/bin/python benchmarks/render.py [--scenes 5] [--aspect 9:16] [--keep DIR]

Stages: storyboard → scene images → narration → music → animate (2 workers) → compose
(0.5 s crossfades, narration, ducked music, loudnorm). The floor is a plain FFmpeg x264
encode of the same frames at the same settings (decode the finished video, encode it again:
720x1280, 30 fps, veryfast, yuv420p); it is measured right before and right after the
render and averaged, since the machine is shared. The last two lines are README-ready.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from vidflow.engine.stages import images, music, narration, storyboard
from vidflow.engine.stages.animate import SceneJob, animate_scenes
from vidflow.engine.stages.compose import compose_story
from vidflow.engine.stages.ffmpeg import ffmpeg_exe, probe

IDEA = ("A fun winter commercial for SkinRevive. A skier glides down snowy slopes at dawn. "
        "She rests in a cozy cabin and applies the cream. Her skin glows in the cold wind. "
        "The SkinRevive jar shines on the table at night.")
T = TypeVar("T")


def timed(times: dict[str, float], stage: str, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = fn()
    times[stage] = time.perf_counter() - start
    print(f"  {stage:<11} {times[stage]:6.2f} s", flush=True)
    return result


def render(work: Path, *, scenes: int, aspect: str, fps: int, scene_s: float,
           transition: float, workers: int) -> tuple[Path, float]:
    """Every stage once, timed; returns the story MP4 and the total wall time."""
    times: dict[str, float] = {}
    size = images.aspect_size(aspect)
    board = timed(times, "storyboard",
                  lambda: storyboard.write_storyboard(IDEA, scene_count=scenes))

    def scene_images() -> list[Path]:
        paths = [work / f"scene{i}.png" for i in range(scenes)]
        for scene, path in zip(board["scenes"], paths, strict=True):
            images.render_scene(scene, board, size, path)
        return paths

    stills = timed(times, "images", scene_images)

    def narrate() -> list[tuple[Path, float]]:
        out = []
        for i, scene in enumerate(board["scenes"]):
            wav = work / f"narration{i}.wav"
            narration.synthesize(scene["narrator"], narrator="Rachel", out=wav)
            out.append((wav, i * (scene_s - transition)))
        return out

    voices = timed(times, "narration", narrate)
    total = scenes * scene_s - (scenes - 1) * transition
    bed = work / "music.wav"
    timed(times, "music", lambda: music.background_music(total, mood="fun upbeat", out=bed))
    jobs = [SceneJob(still, work / f"clip{i}.mp4", scene_s, scene["camera_movement"])
            for i, (still, scene) in enumerate(zip(stills, board["scenes"], strict=True))]
    timed(times, "animate",
          lambda: animate_scenes(jobs, size=size, fps=fps, workers=workers))
    final = work / "story.mp4"
    timed(times, "compose",
          lambda: compose_story([j.out for j in jobs], final, size=size, fps=fps,
                                transition=transition, narrations=voices, music=bed))
    times["total"] = sum(times.values())
    print(f"  {'total':<11} {times['total']:6.2f} s")
    return final, times["total"]


def floor(video: Path, work: Path) -> float:
    """Wall time of a plain x264 encode of the finished video's frames, same settings."""
    start = time.perf_counter()
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
                    "-i", str(video), "-an", "-c:v", "libx264", "-preset", "veryfast",
                    "-pix_fmt", "yuv420p", str(work / "floor.mp4")], check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=5)
    parser.add_argument("--aspect", default="9:16")
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--scene-seconds", type=float, default=5.0)
    parser.add_argument("--transition", type=float, default=0.5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep the media in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vidflow-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        print(f"cores: {os.cpu_count()}, load average: "
              f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        final, total = render(work, scenes=args.scenes, aspect=args.aspect, fps=args.fps,
                              scene_s=args.scene_seconds, transition=args.transition,
                              workers=args.workers)
        info = probe(final)
        floors = [floor(final, work), floor(final, work)]
        base = sum(floors) / len(floors)
        print(f"floors: {', '.join(f'{f:.2f} s' for f in floors)}")
        print(f"render: {args.scenes} scenes {args.aspect} {info.width}x{info.height}"
              f"@{args.fps}, {info.duration:.1f} s video, {info.frames} frames: "
              f"{total:.1f} s wall")
        print(f"floor (x264 veryfast encode of the same {info.frames} frames): {base:.1f} s"
              f" → render = {total / base:.2f}x floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
