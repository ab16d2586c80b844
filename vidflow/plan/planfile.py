"""Saved plans (`vidflow plan --out plan.json`, `vidflow apply plan.json`).

A saved plan records the lockfile serial and lineage and a digest of the resolved specs it
was made from; `load_plan` refuses it once any of them moved on, as Terraform does. It also
records the project it was made for, relative to the plan file's folder, so
`vidflow apply sub/plan.json` finds `sub/` from anywhere (`plan_project`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vidflow.errors import PlanError
from vidflow.paths import ProjectPaths, input_problem, output_problem
from vidflow.plan.model import Plan, story_to_json, with_live_webhooks
from vidflow.plan.planner import spec_digest
from vidflow.scrub import scrub_urls_in
from vidflow.spec.model import Project, ResolvedStory
from vidflow.state import safe_json
from vidflow.state.lockfile import Lockfile, atomic_write_text

_FIX = "run vidflow plan again"


def save_plan(path: str | os.PathLike[str], plan: Plan,
              project: str | os.PathLike[str] | None = None) -> None:
    """Write the plan as JSON (sorted keys, stable), atomically, recording `project` (the
    folder or spec file it was made from) relative to the plan file's folder."""
    if plan.errors:
        raise PlanError("refusing to save a plan with errors: " + "; ".join(plan.errors))
    path = Path(path)
    if project is not None:
        folder = path.resolve().parent
        relative = os.path.relpath(Path(project).resolve(), folder)
        plan = dataclasses.replace(plan, project=Path(relative).as_posix())
    atomic_write_text(path, plan.dumps())


def plan_project(path: str | os.PathLike[str], plan: Plan) -> Path:
    """The project a saved plan was made for, as a path from the current folder ("." for
    plans saved before the project was recorded)."""
    if plan.project is None:
        return Path(".")
    return Path(path).parent / plan.project


def read_plan(path: str | os.PathLike[str]) -> Plan:
    """The saved plan at `path`, unchecked (see `load_plan`)."""
    path = Path(path)
    try:
        data = safe_json.loads(safe_json.read_text(path))
        return Plan.from_json(data)
    except FileNotFoundError as exc:
        raise PlanError(f"{path}: no such plan file", hint=_FIX) from exc
    except PlanError as exc:
        raise PlanError(f"{path}: {exc.message}", hint=_FIX) from exc
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PlanError(f"{path}: not a vidflow plan file ({exc})", hint=_FIX) from exc


def load_plan(path: str | os.PathLike[str], project: Project, lock: Lockfile) -> Plan:
    """The saved plan at `path`, if it still applies to `project` and `lock`.

    Raises PlanError (ending with "run vidflow plan again") if the specs or the lockfile
    changed since the plan was made. Webhook URLs, redacted in the file, come from `project`.
    Its cost is worked out again, never read from the file (a budget must not trust it).
    """
    from vidflow.plan.planner import with_cost

    plan = read_plan(path)
    check_plan_current(plan, project, lock, source=str(path))
    check_plan_paths(plan, project, source=str(path))
    return with_cost(with_live_stories(plan, project), project.provider, lock)


def check_plan_paths(plan: Plan, project: Project, *, source: str = "the plan") -> None:
    """A saved plan is input like a spec (anyone can edit plan.json): every path in it is
    checked with the specs' rule (vidflow.paths), on the text and on the disk, and each
    story it would make must be the one the specs resolve to now (so an edited output,
    image file or parameter is refused, not applied). PlanError naming the field."""
    disk = ProjectPaths(project.root)
    problems: list[str] = []
    for i, change in enumerate(plan.changes):
        where = f"changes[{i}] ({change.address})"
        if change.before is not None and change.before.output:
            problems += _path_problems(disk, f"{where}.before.output", change.before.output,
                                       output=True)
        story = change.after
        if story is None:
            continue
        problems += _path_problems(disk, f"{where}.after.output", story.output or "",
                                   output=True) if story.output else []
        for field, text in _file_paths({"params": story.params,
                                        "storyboard": story.storyboard}):
            problems += _path_problems(disk, f"{where}.after.{field}", text, output=False)
        if not problems:
            problems += _differs(where, story, project.stories.get(change.address))
    if problems:
        listed = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise PlanError(f"{source}: the saved plan was edited or is not for these specs; "
                        f"nothing was applied:\n  {listed}{more}", hint=_FIX)


def _path_problems(disk: ProjectPaths, field: str, text: object, *,
                   output: bool) -> list[str]:
    problem = output_problem(text) if output else input_problem(text)
    if problem is None and isinstance(text, str):
        problem = disk.problem(text, output=output)
    return [f"{field}: {text!r} {problem}"] if problem else []


def _file_paths(value: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """(field, path) of every local file reference ({"path", "sha256"}) inside `value`."""
    if isinstance(value, dict):
        if "path" in value and "sha256" in value:
            yield where, value["path"]
            return
        for key, item in value.items():
            yield from _file_paths(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _file_paths(item, f"{where}[{i}]")
    elif isinstance(value, str) and where.startswith("params.image_files"):
        yield where, value  # a bare path where a reference belongs


def _differs(where: str, story: ResolvedStory, live: ResolvedStory | None) -> list[str]:
    """The fields in which a plan's story is not what the specs resolve to now."""
    if live is None:
        return [f"{where}: no story {story.address!r} in the specs"]
    saved, now = _comparable(story), _comparable(live)
    fields = sorted(k for k in saved.keys() | now.keys() if saved.get(k) != now.get(k))
    if not fields:
        return []
    return [f"{where}.after: differs from the specs in {', '.join(fields)}"]


def _comparable(story: ResolvedStory) -> dict[str, Any]:
    """The story as the plan file holds it (webhook redacted, URLs scrubbed), where it was
    declared left out (the same spec may be read from another folder)."""
    data = scrub_urls_in(story_to_json(story))
    return {k: v for k, v in data.items() if k not in ("location", "root_location")}


def with_live_stories(plan: Plan, project: Project) -> Plan:
    """The plan with each story taken from the specs (`check_plan_paths` showed they are
    the same): the file's copies have their webhook and URL secrets redacted."""
    live = with_live_webhooks(plan, project.stories)
    changes = tuple(
        dataclasses.replace(c, after=project.stories[c.address])
        if c.after is not None and c.address in project.stories else c
        for c in live.changes)
    return dataclasses.replace(live, changes=changes)


def check_plan_current(plan: Plan, project: Project, lock: Lockfile, *,
                       source: str = "the plan") -> None:
    if plan.lock_lineage != lock.lineage:
        raise PlanError(f"{source} was made for another lockfile (lineage "
                        f"{plan.lock_lineage or 'none'}, now {lock.lineage or 'none'})",
                        hint=_FIX)
    if plan.lock_serial != lock.serial:
        raise PlanError(f"{source} is stale: the lockfile changed since it was made "
                        f"(serial {plan.lock_serial}, now {lock.serial})", hint=_FIX)
    if plan.spec_digest != spec_digest(project):
        raise PlanError(f"{source} is stale: the specs changed since it was made", hint=_FIX)
    for change in plan.changes:  # a replayed key must be the one the lockfile recorded
        if change.replay is not None and change.replay != lock.intents.get(change.address):
            raise PlanError(f"{source}: the change for {change.address!r} replays an intent "
                            "the lockfile does not hold", hint=_FIX)
