"""`vidflow destroy`: delete the stories the lockfile records."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vidflow import output
from vidflow.commands._options import (
    auto_approve_option,
    json_option,
    load,
    lock_timeout_option,
    parallelism_option,
    path_argument,
    target_option,
    var_options,
)
from vidflow.errors import PlanError

if TYPE_CHECKING:
    from vidflow.spec.model import Project
    from vidflow.state.lockfile import Lockfile


def destroy(path: Path, *, auto_approve: bool = False, targets: Sequence[str] = (),
            lock_timeout: float = 0.0, parallelism: int = 4, vars_: Mapping[str, str] | None = None,
            var_files: Sequence[Path] = (), as_json: bool = False) -> int:
    from vidflow.apply.session import approve, check_plan, execute, report
    from vidflow.apply.workspace import open_workspace
    from vidflow.plan.planner import make_plan
    from vidflow.plan.render import show_plan
    from vidflow.ui.events import json_ui

    if as_json and not auto_approve:
        raise PlanError("--json cannot ask for approval", hint="add --auto-approve")
    with json_ui(as_json) as events:
        project = load(path, vars_, var_files)
        # Planning against no stories deletes everything locked (prevent_destroy: error).
        with open_workspace(project, lock_timeout=lock_timeout) as ws:
            lock = ws.lock
            plan = make_plan(dataclasses.replace(project, stories={}),
                             _as_specified(lock, project), targets=targets, destroy=True)
            show_plan(plan, events, operation="destroy")
            check_plan(project, plan)
            if not plan.has_changes:
                return 0
            if not approve(plan, auto_approve=auto_approve, verb="destroy"):
                output.echo("Destroy cancelled.")
                return 1
            result = execute(project, plan, ws.provider, lock, parallelism=parallelism,
                             events=events)
        return report(result, verb="Destroy", events=events)


def _as_specified(lock: Lockfile, project: Project) -> Lockfile:
    """The lockfile with each story's prevent_destroy as its spec says it now (a story just
    protected in the specs, or just unprotected, is destroyed as the specs say)."""
    entries = {
        address: dataclasses.replace(entry, prevent_destroy=story.lifecycle.prevent_destroy)
        if (story := project.stories.get(address)) is not None else entry
        for address, entry in lock.entries.items()}
    return dataclasses.replace(lock, entries=entries)


@click.command("destroy")
@path_argument
@target_option
@auto_approve_option
@parallelism_option
@lock_timeout_option
@json_option
@var_options
def command(path: Path, targets: tuple[str, ...], auto_approve: bool, parallelism: int,
            lock_timeout: float, as_json: bool, vars_: dict[str, str],
            var_files: tuple[Path, ...]) -> int:
    """Delete every story in the lockfile (or only --target ones).

    Stories with `lifecycle: {prevent_destroy: true}` are refused: the plan errors and
    nothing is deleted. Downloaded videos under out/ are left on disk.

    \b
    Example:
      vidflow destroy examples/quickstart
      vidflow destroy --target 'promo[tone=fun]' --auto-approve .
    """
    return destroy(path, auto_approve=auto_approve, targets=targets,
                   lock_timeout=lock_timeout, parallelism=parallelism, vars_=vars_,
                   var_files=var_files, as_json=as_json)
