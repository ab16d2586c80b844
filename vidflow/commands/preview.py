"""`vidflow preview`: a free draft of every story, rendered locally; no key, no lockfile."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from vidflow import output
from vidflow.commands._options import load, path_argument, target_option, var_options


def preview(path: Path, *, targets: Sequence[str] = (),
            vars_: Mapping[str, str] | None = None, var_files: Sequence[Path] = ()) -> int:
    from vidflow.preview import preview as render_previews

    project = load(path, vars_, var_files)
    if project.provider.type != "local":
        output.echo(f"The specs name the {project.provider.type} provider; the preview is "
                    "rendered by the embedded engine instead (free, offline).")
    results = render_previews(project, targets,
                              on_story=lambda a: output.echo(f"Previewing {a}..."))
    output.echo()
    for result in results:
        output.echo(f"  {result.address}: {os.path.relpath(result.video)} "
                    f"({result.seconds:.1f} s; storyboard {os.path.relpath(result.strip)})")
    output.echo(f"Preview finished: {len(results)} "
                f"{'story' if len(results) == 1 else 'stories'}, 0 credits, "
                "vidflow.lock untouched.")
    return 0


@click.command("preview")
@path_argument
@target_option
@var_options
def command(path: Path, targets: tuple[str, ...], vars_: dict[str, str],
            var_files: tuple[Path, ...]) -> int:
    """Render a free draft of the stories with the embedded engine, whatever provider
    the specs name: an MP4, a poster and a storyboard strip per story under
    .vidflow/preview/. Needs no API key or network; never reads or writes vidflow.lock.

    \b
    Example:
      vidflow preview examples/promo
      vidflow preview --target 'winter-promo[aspect_ratio=9:16,tone=fun]' .
    """
    return preview(path, targets=targets, vars_=vars_, var_files=var_files)
