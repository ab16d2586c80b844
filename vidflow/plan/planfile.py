"""Saved plans (`vidflow plan --out plan.json`, `vidflow apply plan.json`).

A saved plan records the lockfile serial and lineage and a digest of the resolved specs it
was made from; `load_plan` refuses it once any of them moved on, as Terraform does. It also
records the project it was made for, relative to the plan file's folder, so
`vidflow apply sub/plan.json` finds `sub/` from anywhere (`plan_project`).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from vidflow.errors import PlanError
from vidflow.plan.model import Plan, with_live_webhooks
from vidflow.plan.planner import spec_digest
from vidflow.spec.model import Project
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
    """
    plan = read_plan(path)
    check_plan_current(plan, project, lock, source=str(path))
    return with_live_webhooks(plan, project.stories)


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
