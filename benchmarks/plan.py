"""Planning 10,000 variant stories against a 10,000-entry lockfile, without refresh.

Target (issue 5): under 2 s and under 300 MB on the 2-core machine. Prints the time of each
step (read the lockfile, plan, render the JSON document) and the peak memory: the process's
peak RSS (everything: Python, imports, data) and tracemalloc's peak for the plan step alone.

    .venv/bin/python benchmarks/plan.py [--stories 10000] [--changed 100]

The project is built synthetically as `vidflow.spec.load_project` would resolve a spec with
one story and a 100x100 variant matrix (each story: canonical params, fingerprint, title,
output), so the benchmark measures the planner, not the YAML loader. `--changed N` edits the
generation input of N stories and the title of N others, so the plan is not all no-ops.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vidflow.plan.planner import make_plan
from vidflow.plan.simulate import simulate_apply
from vidflow.spec.model import Project, ProviderConfig, ResolvedStory
from vidflow.state.lockfile import Lockfile, read_lockfile, write_lockfile


def _fingerprint(mode: str, params: dict) -> str:
    text = json.dumps({"mode": mode, "params": params}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def build_project(count: int, *, edit: int = 0, root: str = ".") -> Project:
    side = max(1, round(count ** 0.5))
    stories = {}
    for i in range(count):
        tone, angle = divmod(i, side)
        address = f"promo[angle=a{angle},tone=t{tone}]"
        idea = f"A t{tone} winter commercial for SkinRevive, camera angle a{angle}."
        if i < edit:
            idea += " Edited."
        params = {
            "idea": idea, "scene_count": 5, "image_tool": "Seedream", "video_tool": "Auto",
            "scene_duration": "5", "aspect_ratio": "9:16", "is_transition": True,
            "language": "English",
            "audio_option": {"has_bg_music": True, "has_narration": True,
                             "native_audio": False, "narrator": "Rachel"},
            "elements": {"objects": [{"name": "SkinRevive jar", "description": "a jar",
                                      "image": {"path": "assets/jar.png", "sha256": "0" * 64}}]},
        }
        title = f"SkinRevive t{tone} a{angle}" + (" v2" if edit <= i < 2 * edit else "")
        stories[address] = ResolvedStory(
            address=address, mode="idea", params=params, title=title,
            output=f"out/promo-angle-a{angle}-tone-t{tone}.mp4",
            fingerprint=_fingerprint("idea", params))
    return Project(root=root, provider=ProviderConfig(), stories=dict(sorted(stories.items())))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def write_applied_lock(path: Path, stories: int) -> None:
    """The lockfile a successful apply of the unedited project leaves."""
    applied = build_project(stories, root=str(path.parent))
    empty = Lockfile(lineage="")
    write_lockfile(path, simulate_apply(make_plan(applied, empty), empty))


def measure(lock_path: Path, desired: Project) -> tuple[list[float], int, str, int]:
    """Times of (read lockfile, make_plan, plan JSON), entries, summary, JSON size."""
    t0 = time.perf_counter()
    lock = read_lockfile(lock_path)
    t1 = time.perf_counter()
    plan = make_plan(desired, lock)
    t2 = time.perf_counter()
    document = plan.dumps()
    t3 = time.perf_counter()
    return [t1 - t0, t2 - t1, t3 - t2], len(lock.entries), plan.summary(), len(document)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--write-lock", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_lock:
        write_applied_lock(args.write_lock, args.stories)
        return

    with tempfile.TemporaryDirectory() as tmp:
        lock_path = Path(tmp) / "vidflow.lock"
        # A child process writes the lockfile, so this process's peak RSS is planning only.
        subprocess.run([sys.executable, __file__, "--stories", str(args.stories),
                        "--write-lock", str(lock_path)], check=True)
        size_mb = lock_path.stat().st_size / 1e6
        desired = build_project(args.stories, edit=args.changed, root=tmp)
        (read_s, plan_s, json_s), entries, summary, json_size = measure(lock_path, desired)
        rss = peak_rss_mb()
        tracemalloc.start()
        measure(lock_path, desired)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    total = read_s + plan_s
    print(f"stories: {args.stories}, lockfile entries: {entries} ({size_mb:.1f} MB)")
    print(f"read lockfile (parse + schema): {read_s:.3f} s")
    print(f"make_plan:                      {plan_s:.3f} s")
    print(f"read + plan:                    {total:.3f} s  (target < 2 s)")
    print(f"plan JSON document (--json):    {json_s:.3f} s ({json_size / 1e6:.1f} MB)")
    print(f"peak RSS (whole process: interpreter, project, lockfile, plan, JSON): {rss:.0f} MB"
          "  (target < 300 MB)")
    print(f"peak traced Python allocations (read + plan + JSON): {traced_peak / 1e6:.0f} MB")
    print(summary)
    ok = total < 2.0 and rss < 300
    print("OK" if ok else "OVER TARGET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
