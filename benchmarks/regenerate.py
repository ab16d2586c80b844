"""Benchmark: fixing one scene of a story costs a fraction of making it.

    .venv/bin/python benchmarks/regenerate.py [--scenes 5] [--keep DIR]

A 5-scene narrated idea story through `vidflow apply` (a subprocess, the shipped path, the
local engine at its default quality unless VIDFLOW_ENGINE_SCALE/FPS say otherwise), then
one scene's narration overridden (`overrides: {scenes: {3: {narrator: ...}}}`) and applied
again: the same story, only that scene rendered anew (assets are content-addressed), the
video composed again. Prints both wall times and their ratio (target: at most 1/3).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def apply(root: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "vidflow", "apply", "--auto-approve", str(root)],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def story_id(root: Path) -> str:
    return json.loads((root / "vidflow.lock").read_text())["entries"]["winter"]["story_id"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Make the project here and keep it.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        (root / "videos.yaml").write_text(spec(args.scenes, None), encoding="utf-8")
        first = apply(root)
        made = story_id(root)
        print(f"create ({args.scenes} scenes):       {first:6.2f} s", flush=True)
        (root / "videos.yaml").write_text(spec(args.scenes, (args.scenes + 1) // 2),
                                          encoding="utf-8")
        second = apply(root)
        assert story_id(root) == made, "the override made a new story"
        print(f"one scene's narration fixed: {second:6.2f} s (same story {made})")
        ratio = second / first
        verdict = "meets" if ratio <= 1 / 3 else "misses"
        print(f"ratio: {ratio:.2f} ({verdict} the 1/3 target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
