"""The whole `vidflow plan --no-refresh` command: a 100x100 variant matrix, 10,000 entries.

Target: under 1 s and under 200 MB for the whole process on the 2-core machine.

    .venv/bin/python benchmarks/plan.py [--stories 10000] [--runs 3]

A spec with one story and a variant matrix (tone x angle) is written with its lockfile as
a successful apply of it would leave it; then 100 stories change idea and 100 change
title (through --var), and the command runs as users run it, in a subprocess, timed with
time.perf_counter; its peak RSS is resource.getrusage(RUSAGE_CHILDREN).ru_maxrss, read in
a fresh child per run so each figure is that run's own. Medians of --runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from installed import compile_package

ROOT = Path(__file__).resolve().parents[1]

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
EDITS = ["--var", "title_edit= v2", "--var", "idea_edit= Edited."]


def write_spec(folder: Path, stories: int) -> None:
    side = max(1, round(stories ** 0.5))
    text = SPEC.replace("TONES", ", ".join(f"t{i}" for i in range(side)))
    text = text.replace("ANGLES", ", ".join(f"a{i}" for i in range(side)))
    (folder / "videos.yaml").write_text(text)


def write_applied_lock(folder: Path) -> None:
    """The lockfile a successful apply of the unedited project leaves (in-process)."""
    sys.path.insert(0, str(ROOT))
    from vidflow.apply.simulate import simulate_apply
    from vidflow.plan.planner import make_plan
    from vidflow.spec.project import load_project
    from vidflow.state.lockfile import Lockfile, write_lockfile

    empty = Lockfile(lineage="")
    plan = make_plan(load_project(folder), empty)
    write_lockfile(folder / "vidflow.lock", simulate_apply(plan, empty))


def env() -> dict[str, str]:
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join([str(ROOT), out.get("PYTHONPATH", "")]).rstrip(
        os.pathsep)
    return out


PROBE = """\
import resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(wall, peak, proc.returncode)
sys.stderr.write(proc.stdout.decode()[-400:] + proc.stderr.decode()[-2000:])
"""


def run_once(folder: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, output tail) of one `vidflow plan --no-refresh`."""
    script = Path(sys.executable).with_name("vidflow")
    cmd = [str(script)] if script.is_file() else [sys.executable, "-m", "vidflow"]
    # A fresh parent per run: RUSAGE_CHILDREN's maximum is then this plan's alone.
    probe = subprocess.run([sys.executable, "-c", PROBE, *cmd, "plan", "--no-refresh",
                            *EDITS, str(folder)], capture_output=True, text=True,
                           env=env(), check=True)
    wall, peak_kb, code = probe.stdout.split()
    if int(code) not in (0, 2):  # 2: changes pending (--detailed-exitcode style)
        raise SystemExit(f"vidflow plan failed (exit {code}):\n{probe.stderr}")
    return float(wall), int(peak_kb) / 1024, probe.stderr  # Linux: kilobytes


PHASES = """\
import contextlib, gc, io, sys, time
from pathlib import Path
started = time.perf_counter()
import vidflow.cli, vidflow.commands.plan  # what `vidflow plan` imports before it plans
import vidflow.apply.outputs, vidflow.apply.session, vidflow.plan.cost, vidflow.plan.planfile
import vidflow.providers.factory, vidflow.ui.events
from vidflow.apply.workspace import open_workspace
from vidflow.plan.planner import make_plan
from vidflow.plan.render import show_plan
from vidflow.spec.project import load_project
imported = time.perf_counter() - started
from vidflow.bulk import one_command_process
folder, runs = Path(sys.argv[1]), int(sys.argv[2])
edits = dict(v.split("=", 1) for v in sys.argv[3:])
one_command_process()  # the collector as the `vidflow` process has it
best = {}
for _ in range(runs):
    gc.unfreeze()
    gc.collect()
    t0 = time.perf_counter()
    project = load_project(folder, vars=edits)
    t1 = time.perf_counter()
    with open_workspace(project) as ws:
        t2 = time.perf_counter()
        result = make_plan(project, ws.lock)
    t3 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        show_plan(result, None)
    t4 = time.perf_counter()
    for name, value in (("load specs", t1 - t0), ("read lockfile", t2 - t1),
                        ("plan", t3 - t2), ("print", t4 - t3)):
        best[name] = min(best.get(name, value), value)
    del project, ws, result
print(f"imports {imported:.3f} s (one process), " + ", ".join(
    f"{name} {value:.3f} s" for name, value in best.items()) + f" (best of {runs})")
"""


def phases(folder: Path, runs: int) -> str:
    """The command's parts timed in one process (best of `runs`): where the time goes."""
    edits = [value for value in EDITS if value != "--var"]
    return subprocess.run([sys.executable, "-c", PHASES, str(folder), str(runs), *edits],
                          capture_output=True, text=True, env=env(), check=True,
                          cwd=folder).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--phases", action="store_true",
                        help="also time the command's parts in one process (best of --runs)")
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        write_applied_lock(args.write)
        return 0
    with tempfile.TemporaryDirectory(prefix="vidflow-plan-bench-") as tmp:
        folder = Path(tmp)
        write_spec(folder, args.stories)
        subprocess.run([sys.executable, __file__, "--write", str(folder)], check=True,
                       env=env())
        lock_mb = (folder / "vidflow.lock").stat().st_size / 1e6
        entries = len(json.loads((folder / "vidflow.lock").read_text())["entries"])
        compile_package()  # as installed: no module compiled again in every run
        print(f"cores: {os.cpu_count()}, load average: "
              f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        walls, peaks, tail = [], [], ""
        for _ in range(args.runs):
            wall, peak, tail = run_once(folder)
            walls.append(wall)
            peaks.append(peak)
        summary = [line for line in tail.splitlines() if line.startswith("Plan:")]
        wall, peak = statistics.median(walls), statistics.median(peaks)
        print(f"vidflow plan --no-refresh: {args.stories} variant stories, lockfile "
              f"{entries} entries ({lock_mb:.1f} MB)")
        print(f"  {summary[-1] if summary else tail.strip().splitlines()[-1:]}")
        print(f"  wall median {wall:.2f} s (runs {', '.join(f'{w:.2f}' for w in walls)}), "
              f"peak RSS median {peak:.0f} MB (target < 1 s, < 200 MB)")
        if args.phases:
            print(f"  in one process: {phases(folder, args.runs)}")
    ok = wall < 1.0 and peak < 200
    print("OK" if ok else "OVER TARGET")
    return 0  # a figure to read, like render.py's: `make bench` runs every benchmark


if __name__ == "__main__":
    sys.exit(main())
