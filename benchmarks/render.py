"""Benchmark the shipped path: `vidflow apply` of a 5-scene 9:16 story, against the floor.

    .venv/bin/python benchmarks/render.py [--runs 3] [--keep DIR] [--profile FILE]

Each run is the whole command as users run it (`vidflow apply --auto-approve` in a fresh
project folder, as a subprocess, default full-quality engine settings), once for a narrated
story (narration, music, crossfades) and once for the same story unnarrated (music and
crossfades, 5 s scenes). The floor is a plain x264 `veryfast` encode of the same finished
frames (same count, size and fps) through the same bundled FFmpeg: the produced MP4 is
decoded to raw frames once, and each floor run pipes them to `ffmpeg -c:v libx264 -preset
veryfast`. Story and floor runs alternate, since the machine is shared; medians are
reported, and ratios are median story / median floor. The last lines are README-ready.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from installed import compile_package  # noqa: E402

from vidflow.engine.stages.ffmpeg import ffmpeg_exe, probe  # noqa: E402

IDEA = ("A fun winter commercial for SkinRevive. A skier glides down snowy slopes at dawn. "
        "She rests in a cozy cabin and applies the cream. Her skin glows in the cold wind. "
        "The SkinRevive jar shines on the table at night.")
SPEC = """\
version: 1
provider: {{type: local}}
stories:
  promo:
    mode: idea
    title: SkinRevive winter
    idea: "{idea}"
    scene_count: 5
    scene_duration: "5"
    aspect_ratio: "9:16"
    is_transition: true
    audio_option: {{has_bg_music: true, has_narration: {narrated}, narrator: Rachel}}
    output: out/promo.mp4
"""
STORIES = {"narrated": "true", "unnarrated": "false"}


def vidflow_cmd() -> list[str]:
    """The project's console script beside this interpreter, else `python -m vidflow`."""
    script = Path(sys.executable).with_name("vidflow")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "vidflow"]


def children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    return cpu.ru_utime + cpu.ru_stime


def apply_once(work: Path, story: str, *, profile: Path | None = None) -> tuple[float, Path]:
    """Wall time of one `vidflow apply` in a fresh project folder; the produced MP4."""
    project = work / f"{story}-project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    (project / "videos.yaml").write_text(SPEC.format(idea=IDEA, narrated=STORIES[story]))
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDFLOW_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep)
    cmd = vidflow_cmd()
    if profile is not None:
        cmd = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "vidflow"]
    start = time.perf_counter()
    subprocess.run([*cmd, "apply", "--auto-approve", str(project)], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, project / "out" / "promo.mp4"


def decode_raw(video: Path, raw: Path) -> None:
    """The finished video's frames as raw yuv420p, once (the floor's input)."""
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
                    "-i", str(video), "-an", "-f", "rawvideo", "-pix_fmt", "yuv420p",
                    str(raw)], check=True)


def floor_once(raw: Path, *, width: int, height: int, fps: float, out: Path) -> float:
    """Wall time of piping the raw frames to a plain x264 veryfast encode."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
           "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}",
           "-r", f"{fps:g}", "-i", "pipe:0", "-c:v", "libx264", "-preset", "veryfast",
           "-pix_fmt", "yuv420p", str(out)]
    start = time.perf_counter()
    with raw.open("rb") as src:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
        assert proc.stdin is not None
        shutil.copyfileobj(src, proc.stdin, 1 << 22)
        proc.stdin.close()
        if proc.wait() != 0:
            raise SystemExit(f"floor encode failed (exit {proc.returncode})")
    return time.perf_counter() - start


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (median)")
    parser.add_argument("--story", choices=sorted(STORIES), action="append",
                        help="only this story (repeatable; default both)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--profile", type=Path,
                        help="cProfile one extra narrated apply into this file")
    args = parser.parse_args()
    stories = args.story or list(STORIES)
    tmp = tempfile.mkdtemp(prefix="vidflow-bench-")
    work = args.keep or Path(tmp)
    work.mkdir(parents=True, exist_ok=True)
    compile_package()  # as installed: no module compiled again in every run
    print(f"cores: {os.cpu_count()}, load average at start: {load()}", flush=True)
    try:
        if args.profile:
            seconds, _ = apply_once(work, "narrated", profile=args.profile)
            print(f"profiled narrated apply: {seconds:.2f} s → {args.profile}")
            return 0
        times: dict[str, list[float]] = {s: [] for s in stories}
        floors: dict[str, list[float]] = {s: [] for s in stories}
        # CPU seconds too: on a shared machine they move less than wall times do
        cpus: dict[str, list[float]] = {s: [] for s in stories}
        floor_cpus: dict[str, list[float]] = {s: [] for s in stories}
        info: dict[str, tuple[int, int, float, int, float]] = {}
        for n in range(args.runs):
            for story in stories:
                before = children_cpu()
                seconds, video = apply_once(work, story)
                cpus[story].append(children_cpu() - before)
                times[story].append(seconds)
                if story not in info:
                    meta = probe(video)
                    fps = float(meta.fps or 30)
                    info[story] = (meta.width, meta.height, fps, meta.frames, meta.duration)
                    decode_raw(video, work / f"{story}.yuv")
                width, height, fps, _, _ = info[story]
                before = children_cpu()
                floors[story].append(floor_once(work / f"{story}.yuv", width=width,
                                                height=height, fps=fps,
                                                out=work / "floor.mp4"))
                floor_cpus[story].append(children_cpu() - before)
                print(f"  run {n + 1} {story:<10} apply {seconds:6.2f} s "
                      f"({cpus[story][-1]:5.1f} CPU s)   floor {floors[story][-1]:5.2f} s "
                      f"({floor_cpus[story][-1]:4.1f} CPU s)   (load {load()})", flush=True)
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"children's CPU: user {cpu.ru_utime:.1f} s, system {cpu.ru_stime:.1f} s; "
              f"load average at end: {load()}")
        worst = 0.0
        for story in stories:
            width, height, fps, frames, duration = info[story]
            apply_s, floor_s = statistics.median(times[story]), statistics.median(floors[story])
            ratio = apply_s / floor_s
            worst = max(worst, ratio)
            print(f"{story}: {duration:.1f} s video, {frames} frames {width}x{height}@{fps:g}: "
                  f"vidflow apply median {apply_s:.2f} s, floor median {floor_s:.2f} s "
                  f"→ {ratio:.2f}x the floor (runs: "
                  f"{', '.join(f'{t:.1f}' for t in times[story])} / "
                  f"{', '.join(f'{t:.1f}' for t in floors[story])}); CPU "
                  f"{statistics.median(cpus[story]):.1f} s against the floor's "
                  f"{statistics.median(floor_cpus[story]):.1f} s → "
                  f"{statistics.median(cpus[story]) / statistics.median(floor_cpus[story]):.2f}x")
        print("OK" if worst <= 1.5 else "OVER TARGET (1.5x the floor)")
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
