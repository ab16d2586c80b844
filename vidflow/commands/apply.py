"""`vidflow apply`: make the stories match the specs (or run a saved plan)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vidflow import output
from vidflow.commands._options import (
    auto_approve_option,
    load,
    lock_timeout_option,
    max_credits_option,
    parallelism_option,
    path_argument,
    replace_option,
    target_option,
    var_options,
)
from vidflow.errors import PlanError
from vidflow.ui.events import EventStream, json_ui

if TYPE_CHECKING:
    from vidflow.providers.base import Provider


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    """--deadline 30m as seconds; the spec's own pattern, so both read the same."""
    import re

    from vidflow.spec.rules import DURATION_PATTERN, duration_seconds

    if value is None:
        return None
    if not re.match(DURATION_PATTERN, value):
        raise click.BadParameter(f"{value!r} is not a duration such as 90s, 30m or 2h")
    return duration_seconds(value)


def is_plan_file(path: Path) -> bool:
    return path.is_file() and path.suffix == ".json"


def apply(path: Path, *, auto_approve: bool = False, parallelism: int = 4,
          targets: Sequence[str] = (), lock_timeout: float = 0.0, refresh: bool = True,
          vars_: Mapping[str, str] | None = None, var_files: Sequence[Path] = (),
          project_dir: Path | None = None, as_json: bool = False,
          deadline: float | None = None, replace_addresses: Sequence[str] = (),
          max_credits: int | None = None) -> int:
    if as_json and not auto_approve and not is_plan_file(path):
        raise PlanError("--json cannot ask for approval", hint="add --auto-approve, or apply "
                        "a plan saved by `vidflow plan --out`")
    with json_ui(as_json) as events:
        return _apply(path, auto_approve=auto_approve, parallelism=parallelism,
                      targets=targets, lock_timeout=lock_timeout, refresh=refresh,
                      vars_=vars_, var_files=var_files, project_dir=project_dir,
                      events=events, deadline=deadline,
                      replace_addresses=replace_addresses, max_credits=max_credits)


def _apply(path: Path, *, auto_approve: bool, parallelism: int, targets: Sequence[str],
           lock_timeout: float, refresh: bool, vars_: Mapping[str, str] | None,
           var_files: Sequence[Path], project_dir: Path | None,
           events: EventStream | None, deadline: float | None,
           replace_addresses: Sequence[str] = (), max_credits: int | None = None) -> int:
    from vidflow.apply.outputs import damaged_outputs
    from vidflow.apply.session import approve, check_plan, execute, refresh_remote, report
    from vidflow.apply.workspace import open_workspace
    from vidflow.plan.cost import budget, check_budget
    from vidflow.plan.planfile import load_plan, plan_project, read_plan
    from vidflow.plan.planner import make_plan
    from vidflow.plan.render import show_plan
    from vidflow.providers.factory import render_quality

    plan_file = path if is_plan_file(path) else None
    if plan_file is not None and replace_addresses:
        raise PlanError("--replace cannot change a saved plan",
                        hint="pass --replace to `vidflow plan` instead")
    if plan_file is not None and targets:
        raise PlanError("--target cannot narrow a saved plan",
                        hint="pass --target to `vidflow plan` instead")
    if plan_file is not None:
        path = project_dir or plan_project(plan_file, read_plan(plan_file))
    project = load(path, vars_, var_files)
    # resume: stories an interrupted apply left running are awaited (and, locally, their
    # renders restarted as soon as the engine opens).
    with open_workspace(project, lock_timeout=lock_timeout, resume=True) as ws:
        lock, provider = ws.lock, ws.provider
        if plan_file is not None:
            plan = load_plan(plan_file, project, lock)
        else:
            remote = refresh_remote(provider, lock) if refresh and lock.entries else None
            damaged = damaged_outputs(ws.root, lock) if refresh else ()
            plan = make_plan(project, lock, remote, targets=targets, damaged=damaged,
                             replace_addresses=replace_addresses,
                             quality=render_quality(project))
        show_plan(plan, events, operation="apply")
        check_plan(project, plan)
        # Before the question and before any paid call: a plan over budget sends nothing.
        limit, source = budget(max_credits, project.provider)
        check_budget(plan.cost, limit, source=source)
        if not plan.has_changes:
            return 0
        # A saved plan was reviewed when it was made (as with Terraform): no question.
        if plan_file is None and not approve(plan, auto_approve=auto_approve):
            output.echo("Apply cancelled.")
            return 1
        result = execute(project, plan, provider, lock, parallelism=parallelism,
                         events=events, deadline=deadline)
        if result.signum is None:  # stopped by a signal: exit now, pictures next time
            _side_files(ws.root, ws.lock_path, provider)
    return report(result, root=ws.root, events=events)


def _side_files(root: Path, lock_path: Path, provider: Provider) -> None:
    """A poster and a storyboard strip beside every new video (vidflow.gallery.posters)."""
    from vidflow.errors import VidflowError
    from vidflow.gallery.posters import refresh_side_files
    from vidflow.state.lockfile import read_lockfile

    def storyboard(story_id: str) -> dict[str, Any] | None:
        try:  # the provider's storyboard has each scene's duration; the lockfile's none
            return provider.get(story_id).storyboard
        except VidflowError:
            return None

    for warning in refresh_side_files(root, read_lockfile(lock_path), storyboard):
        output.warn(warning)


@click.command("apply")
@path_argument
@auto_approve_option
@parallelism_option
@target_option
@replace_option
@lock_timeout_option
@click.option("--refresh/--no-refresh", default=True, show_default=True,
              help="GET each locked story and check each downloaded video before "
                   "planning.")
@click.option("--json", "as_json", is_flag=True,
              help="Machine-readable: one JSON event per line, Terraform's shapes "
                   "(needs --auto-approve, or a saved plan).")
@click.option("--deadline", metavar="DURATION", callback=_duration,
              help="Stop polling a story after this long (e.g. 30m), whatever its spec's "
                   "`deadline:` says (default 60m); it stays in the lockfile, resumable.")
@max_credits_option
@click.option("--project", "project_dir", type=click.Path(path_type=Path),
              help="With a saved plan: the project folder it was made for (default: the one "
                   "recorded in the plan).")
@var_options
def command(path: Path, auto_approve: bool, parallelism: int, targets: tuple[str, ...],
            replace_addresses: tuple[str, ...], lock_timeout: float, refresh: bool,
            as_json: bool, deadline: float | None, max_credits: int | None,
            project_dir: Path | None, vars_: dict[str, str],
            var_files: tuple[Path, ...]) -> int:
    """Create, update and delete stories until they match the specs.

    Shows the plan and asks before doing anything (on a terminal; in CI or without a
    terminal, --auto-approve is required). Each story's id is saved in vidflow.lock the
    moment it exists, so an interrupted apply (Ctrl-C, crash, CI timeout) resumes it
    next time instead of paying for it twice. Videos are downloaded to each story's
    `output` (default out/<address>.mp4). PATH may also be a plan saved by
    `vidflow plan --out`, which is refused if the specs or the lockfile changed since.

    \b
    Example:
      vidflow apply examples/quickstart
      vidflow apply --auto-approve --parallelism 2 .
      vidflow plan --out plan.json . && vidflow apply plan.json
    """
    return apply(path, auto_approve=auto_approve, parallelism=parallelism, targets=targets,
                 lock_timeout=lock_timeout, refresh=refresh, vars_=vars_,
                 var_files=var_files, project_dir=project_dir, as_json=as_json,
                 deadline=deadline, replace_addresses=replace_addresses,
                 max_credits=max_credits)
