"""`vidflow refresh`: bring the lockfile's statuses up to date from the provider."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from vidflow import output
from vidflow.commands._options import load, lock_timeout_option, path_argument, var_options


def refresh(path: Path, *, lock_timeout: float = 0.0, vars_: Mapping[str, str] | None = None,
            var_files: Sequence[Path] = ()) -> int:
    from vidflow.apply.session import refresh_remote
    from vidflow.apply.workspace import open_workspace
    from vidflow.state.transitions import merge_remote

    project = load(path, vars_, var_files)
    with open_workspace(project, lock_timeout=lock_timeout) as ws:
        lock = ws.lock
        if not lock.entries:
            output.echo("The lockfile records no stories yet: nothing to refresh.")
            return 0
        remote = refresh_remote(ws.provider, lock)
        ws.close()  # done with the provider: the rest only writes the lockfile
        updated = lock
        for address, record in sorted(remote.items()):
            entry = lock.entries[address]
            if record is None:
                # Terraform's rule: a resource gone remotely leaves the state; the next
                # apply creates it again.
                updated = updated.without(address)
                output.echo(f"{address}: story {entry.story_id} is gone (404); removed from "
                            "the lockfile, the next apply creates it again")
                continue
            new = merge_remote(entry, record, metadata=True)
            if new is not entry:
                updated = updated.with_entry(address, new)
                output.echo(f"{address}: {entry.status} -> {record.status}"
                            + (f" ({record.message})" if record.message else ""))
        if updated.entries != lock.entries:
            ws.write(updated)
        else:
            output.echo("The lockfile is up to date.")
    return 0


@click.command("refresh")
@path_argument
@lock_timeout_option
@var_options
def command(path: Path, lock_timeout: float, vars_: dict[str, str],
            var_files: tuple[Path, ...]) -> int:
    """Update the lockfile from the provider: each story's status, video URL, credits.

    Stories deleted outside vidflow leave the lockfile (the next apply makes them
    again); title, description and visibility changed outside vidflow are recorded, so
    the next plan shows the update that puts the spec's values back.

    \b
    Example:
      vidflow refresh examples/quickstart
    """
    return refresh(path, lock_timeout=lock_timeout, vars_=vars_, var_files=var_files)
