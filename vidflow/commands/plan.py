"""`vidflow plan`: what apply would do, without doing it."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from vidflow import output
from vidflow.commands._options import (
    load,
    lock_timeout_option,
    max_credits_option,
    path_argument,
    replace_option,
    target_option,
    var_options,
)

FORMATS = ("text", "json", "markdown")


def plan(path: Path, *, out: Path | None = None, as_json: bool = False,
         detailed_exitcode: bool = False, targets: Sequence[str] = (), refresh: bool = True,
         vars_: Mapping[str, str] | None = None, var_files: Sequence[Path] = (),
         lock_timeout: float = 0.0, replace_addresses: Sequence[str] = (),
         max_credits: int | None = None, fmt: str = "text",
         gallery_url: str | None = None) -> int:
    """`fmt` "markdown" prints the plan as a pull-request comment (vidflow.plan.markdown),
    with thumbnails of the changed stories when `gallery_url` is given."""
    import contextlib

    from vidflow.bulk import paused_gc

    # A plan from the lockfile alone is one bulk build, its imports included: no
    # collection walks the modules, stories and entries while it runs (a refresh's
    # thousands of HTTP calls leave garbage worth collecting: the collector stays on).
    with contextlib.nullcontext() if refresh else paused_gc():
        return _plan(path, out=out, as_json=as_json, detailed_exitcode=detailed_exitcode,
                     targets=targets, refresh=refresh, vars_=vars_, var_files=var_files,
                     lock_timeout=lock_timeout, replace_addresses=replace_addresses,
                     max_credits=max_credits, fmt=fmt, gallery_url=gallery_url)


def _plan(path: Path, *, out: Path | None, as_json: bool, detailed_exitcode: bool,
          targets: Sequence[str], refresh: bool, vars_: Mapping[str, str] | None,
          var_files: Sequence[Path], lock_timeout: float, replace_addresses: Sequence[str],
          max_credits: int | None, fmt: str, gallery_url: str | None) -> int:
    from vidflow.apply.outputs import damaged_outputs
    from vidflow.apply.session import EXIT_CHANGES, check_plan, refresh_remote
    from vidflow.apply.workspace import open_workspace
    from vidflow.bulk import keep_until_exit
    from vidflow.plan.cost import budget, check_budget
    from vidflow.plan.planfile import save_plan
    from vidflow.plan.planner import make_plan
    from vidflow.plan.render import show_plan
    from vidflow.providers.factory import render_quality
    from vidflow.ui.events import json_ui

    as_json = as_json or fmt == "json"
    with json_ui(as_json) as events:
        project = load(path, vars_, var_files)
        # Held as Terraform does: a plan made while an apply runs would be stale at once,
        # and a refresh must not poll (or, locally, resume) stories an apply works on.
        with open_workspace(project, lock_timeout=lock_timeout) as ws:
            lock = ws.lock
            remote = refresh_remote(ws.provider, lock) if refresh and lock.entries else None
            # --no-refresh plans from the lockfile alone: no API call and no look at out/
            # (a CI checkout has no videos; they are not missing, only elsewhere).
            damaged = damaged_outputs(ws.root, lock) if refresh else ()
            result = make_plan(project, lock, remote, targets=targets, damaged=damaged,
                               replace_addresses=replace_addresses,
                               quality=render_quality(project))
        if fmt == "markdown":
            from vidflow.plan.markdown import render_markdown

            output.raw(render_markdown(result, gallery_url=gallery_url))
        else:
            show_plan(result, events)
        check_plan(project, result)
        limit, source = budget(max_credits, project.provider)
        check_budget(result.cost, limit, source=source)
        if out is not None:
            save_plan(out, result, path)
            if events is None and fmt == "text":
                output.echo(f"\nSaved the plan to {out}; apply it with "
                            f"`{apply_hint(out, vars_, var_files)}`.")
    keep_until_exit(project, lock, result)
    if detailed_exitcode and result.has_changes:
        return EXIT_CHANGES
    return 0


def apply_hint(out: Path, vars_: Mapping[str, str] | None, var_files: Sequence[Path]) -> str:
    """The command applying a saved plan: the same variables, or its spec digest differs."""
    words = ["vidflow", "apply", str(out)]
    words += [f"--var-file={file}" for file in var_files]
    words += [f"--var={key}={value}" for key, value in (vars_ or {}).items()]
    return shlex.join(words)


@click.command("plan")
@path_argument
@click.option("--out", type=click.Path(path_type=Path), help="Save the plan for apply.")
@click.option("--json", "as_json", is_flag=True,
              help="Machine-readable: one JSON event per line, Terraform's shapes (the "
                   "whole plan as one document: --out, then `vidflow show PLAN.json`). "
                   "The same as --format json.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True,
              help="text for people, json (events, as --json), or markdown: the plan as a "
                   "pull-request comment (changes, scene diffs, cost).")
@click.option("--gallery-url", metavar="URL",
              help="With --format markdown: the published gallery, for thumbnails of the "
                   "changed stories (URL/stories/<slug>/poster.jpg).")
@max_credits_option
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 0 when nothing changes, 2 when something would, 1 on error.")
@target_option
@replace_option
@click.option("--refresh/--no-refresh", default=True, show_default=True,
              help="GET each locked story and check each downloaded video first, so "
                   "stories deleted or failed outside vidflow are made again and videos "
                   "missing or changed on disk are downloaded again.")
@lock_timeout_option
@var_options
def command(path: Path, out: Path | None, as_json: bool, fmt: str, gallery_url: str | None,
            max_credits: int | None, detailed_exitcode: bool,
            targets: tuple[str, ...], replace_addresses: tuple[str, ...], refresh: bool,
            lock_timeout: float, vars_: dict[str, str], var_files: tuple[Path, ...]) -> int:
    """Show what `vidflow apply` would change, and why.

    Each story gets a symbol: + create, ~ update in place, -/+ replace, * regenerate on
    the same story, - delete, -> move, <= resume. Nothing is created or paid for. Each
    paid change shows its credits, and the plan its total: exact on the local engine, an
    estimate on an http provider.

    \b
    Example:
      vidflow plan examples/quickstart
      vidflow plan --detailed-exitcode --out plan.json .   # exit 2: changes pending
      vidflow plan --format markdown --max-credits 500 . > plan.md   # a PR comment
    """
    if as_json and fmt not in ("text", "json"):
        raise click.UsageError("--json is --format json; give one of them")
    if gallery_url and fmt != "markdown":
        raise click.UsageError("--gallery-url is for --format markdown")
    return plan(path, out=out, as_json=as_json, detailed_exitcode=detailed_exitcode,
                targets=targets, refresh=refresh, vars_=vars_, var_files=var_files,
                lock_timeout=lock_timeout, replace_addresses=replace_addresses,
                max_credits=max_credits, fmt=fmt, gallery_url=gallery_url)
