"""`vidflow refresh`: bring the lockfile's statuses up to date from the provider."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from vidflow import output
from vidflow.commands._options import load, lock_timeout_option, path_argument, var_options


def refresh(path: Path, *, lock_timeout: float = 0.0, vars_: Mapping[str, str] | None = None,
            var_files: Sequence[Path] = ()) -> int:
    from vidflow.apply.session import lock_path, refresh_remote
    from vidflow.providers.factory import make_provider
    from vidflow.state.lock import state_lock
    from vidflow.state.lockfile import read_lockfile, write_lockfile
    from vidflow.state.transitions import merge_remote

    project = load(path, vars_, var_files)
    with state_lock(lock_path(project), lock_timeout):
        lock = read_lockfile(lock_path(project))
        if not lock.entries:
            output.echo("The lockfile records no stories yet: nothing to refresh.")
            return 0
        provider = make_provider(project)
        try:
            remote = refresh_remote(provider, lock)
        finally:
            provider.close()
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
            write_lockfile(lock_path(project), updated)
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
