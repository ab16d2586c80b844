"""Planning 10,000 variant stories against a 10,000-entry lockfile, without refresh.

Target (issue 5): under 2 s and under 300 MB on the 2-core machine. Prints the time of each
step (read the lockfile, plan, render the JSON document) and the peak memory: the process's
peak RSS (everything: Python, imports, data) and tracemalloc's peak for the plan step alone.

    .venv/bin/python benchmarks/plan.py [--stories 10000] [--changed 100]

By default the project is built synthetically as `vidflow.spec.load_project` would resolve
a spec with one story and a 100x100 variant matrix (each story: canonical params,
fingerprint, title, output), so the figures are the planner's, not the YAML loader's.
`--changed N` edits the generation input of N stories and the title of N others, so the
plan is not all no-ops. `--loader` instead writes that spec as YAML and resolves it through
`load_project` (timed on its own line; 100 stories change idea, 100 change title).
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

from vidflow.apply.simulate import simulate_apply
from vidflow.plan.planner import make_plan
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


SPEC = """\
version: 1
provider: {type: local}
vars: {brand: SkinRevive, title_edit: "", idea_edit: ""}
stories:
  promo:
    mode: idea
    title: "{{ brand }} {{ variant.tone }} {{ variant.angle }}\
{{ title_edit if variant.tone == 't0' else '' }}"
    idea: "A {{ variant.tone }} winter commercial for {{ brand }}, camera {{ variant.angle }}.\
{{ idea_edit if variant.tone == 't1' else '' }}"
    scene_count: 5
    aspect_ratio: "9:16"
    is_transition: true
    audio_option: {has_bg_music: true, has_narration: true, narrator: Rachel}
    variants:
      matrix:
        tone: [TONES]
        angle: [ANGLES]
"""


def write_spec(folder: Path, stories: int) -> None:
    side = max(1, round(stories ** 0.5))
    text = SPEC.replace("TONES", ", ".join(f"t{i}" for i in range(side)))
    text = text.replace("ANGLES", ", ".join(f"a{i}" for i in range(side)))
    (folder / "videos.yaml").write_text(text)


def load_spec(folder: Path, *, edited: bool) -> Project:
    from vidflow.spec.project import load_project

    edits = {"title_edit": " v2", "idea_edit": " Edited."} if edited else {}
    return load_project(folder, vars=edits)


def write_applied_lock(path: Path, stories: int, *, loader: bool = False) -> None:
    """The lockfile a successful apply of the unedited project leaves."""
    if loader:
        applied = load_spec(path.parent, edited=False)
    else:
        applied = build_project(stories, root=str(path.parent))
    empty = Lockfile(lineage="")
    write_lockfile(path, simulate_apply(make_plan(applied, empty), empty))


def measure(lock_path: Path, desired: Project) -> tuple[list[float], int, str, int]:
    """Wall times of (read, plan, JSON), CPU times of (read, plan), entries, summary, size."""
    t0, c0 = time.perf_counter(), time.process_time()
    lock = read_lockfile(lock_path)
    t1, c1 = time.perf_counter(), time.process_time()
    plan = make_plan(desired, lock)
    t2, c2 = time.perf_counter(), time.process_time()
    document = plan.dumps()
    t3 = time.perf_counter()
    times = [t1 - t0, t2 - t1, t3 - t2, c1 - c0, c2 - c1]
    return times, len(lock.entries), plan.summary(), len(document)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--loader", action="store_true",
                        help="resolve a generated YAML spec through load_project")
    parser.add_argument("--write-lock", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_lock:
        write_applied_lock(args.write_lock, args.stories, loader=args.loader)
        return

    with tempfile.TemporaryDirectory() as tmp:
        lock_path = Path(tmp) / "vidflow.lock"
        # A child process writes the lockfile, so this process's peak RSS is planning only.
        if args.loader:
            write_spec(Path(tmp), args.stories)
        subprocess.run([sys.executable, __file__, "--stories", str(args.stories),
                        "--write-lock", str(lock_path), *(["--loader"] * args.loader)],
                       check=True)
        size_mb = lock_path.stat().st_size / 1e6
        t_load = time.perf_counter()
        if args.loader:
            desired = load_spec(Path(tmp), edited=True)
        else:
            desired = build_project(args.stories, edit=args.changed, root=tmp)
        load_s = time.perf_counter() - t_load
        times, entries, summary, json_size = measure(lock_path, desired)
        read_s, plan_s, json_s, read_cpu, plan_cpu = times
        rss = peak_rss_mb()
        tracemalloc.start()
        measure(lock_path, desired)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    total = read_s + plan_s
    print(f"stories: {len(desired.stories)}, lockfile entries: {entries} ({size_mb:.1f} MB)")
    how = "load_project (YAML, templates, matrix)" if args.loader else "synthetic project"
    print(f"build the project:              {load_s:.3f} s  ({how}; not part of planning)")
    print(f"read lockfile (parse + schema): {read_s:.3f} s  (CPU {read_cpu:.3f} s)")
    print(f"make_plan:                      {plan_s:.3f} s  (CPU {plan_cpu:.3f} s)")
    print(f"read + plan:                    {total:.3f} s  (CPU {read_cpu + plan_cpu:.3f} s;"
          " target < 2 s)")
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
