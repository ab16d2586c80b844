"""Benchmark: fixing one scene of a story costs a fraction of making it.

    .venv/bin/python benchmarks/regenerate.py [--scenes 5] [--runs 3] [--keep DIR]

A 5-scene narrated idea story through `vidflow apply` (a subprocess, the shipped path, the
local engine at its default quality unless VIDFLOW_ENGINE_SCALE/FPS say otherwise), then
one scene's narration overridden (`overrides: {scenes: {3: {narrator: ...}}}`) and applied
again: the same story, only that scene rendered anew (assets are content-addressed), the
video composed again. Prints both wall times and their ratio (target: at most 1/3);
with --runs, each run in a fresh project, and the median of the runs' ratios (the
machine is shared: a pair of applies moments apart is the steadier measure).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from installed import compile_package

IDEA = ("A fun winter commercial for SkinRevive. A skier glides down snowy slopes at dawn. "
        "She rests in a cozy cabin and applies the cream. Her skin glows in the cold wind. "
        "The SkinRevive jar shines on the table at night.")
NEW_LINE = "Outside, the first snow settles on the pines."


def spec(scenes: int, override: int | None) -> str:
    text = (f"version: 1\nprovider: {{type: local}}\nstories:\n  winter:\n"
            f"    idea: {json.dumps(IDEA)}\n    scene_count: {scenes}\n"
            "    aspect_ratio: '9:16'\n")
    if override is not None:
        text += f"    overrides:\n      scenes:\n        {override}: {{narrator: {NEW_LINE!r}}}\n"
    return text


CPU: list[float] = []  # CPU seconds (user + system) of each apply, its FFmpegs included


def apply(root: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "vidflow", "apply", "--auto-approve", str(root)],
                   check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return seconds


def story_id(root: Path) -> str:
    return json.loads((root / "vidflow.lock").read_text())["entries"]["winter"]["story_id"]


def once(root: Path, scenes: int) -> tuple[float, float]:
    """(create, fix one scene) wall times in the project folder `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "videos.yaml").write_text(spec(scenes, None), encoding="utf-8")
    first = apply(root)
    made = story_id(root)
    (root / "videos.yaml").write_text(spec(scenes, (scenes + 1) // 2), encoding="utf-8")
    second = apply(root)
    assert story_id(root) == made, "the override made a new story"
    return first, second


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3, help="fresh projects (median ratio)")
    parser.add_argument("--keep", type=Path, help="Make the projects here and keep them.")
    args = parser.parse_args()
    compile_package()  # as installed: no module compiled again in every run
    print(f"cores: {os.cpu_count()}, load average at start: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        ratios, firsts, seconds, cpu_ratios = [], [], [], []
        for n in range(args.runs):
            first, second = once(base / f"run{n + 1}", args.scenes)
            firsts.append(first)
            seconds.append(second)
            ratios.append(second / first)
            cpu_ratios.append(CPU[-1] / CPU[-2])
            print(f"  run {n + 1}: create ({args.scenes} scenes) {first:6.2f} s "
                  f"({CPU[-2]:.1f} CPU s), one scene's narration fixed {second:6.2f} s "
                  f"({CPU[-1]:.1f} CPU s), ratio {ratios[-1]:.2f} (CPU {cpu_ratios[-1]:.2f})",
                  flush=True)
    ratio = statistics.median(ratios)
    verdict = "meets" if ratio <= 1 / 3 else "misses"
    print(f"create median {statistics.median(firsts):.2f} s, fix median "
          f"{statistics.median(seconds):.2f} s; ratio median {ratio:.2f} over {args.runs} "
          f"runs ({verdict} the 1/3 target); CPU ratio median "
          f"{statistics.median(cpu_ratios):.2f}; load average at end: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
