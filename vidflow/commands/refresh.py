"""`vidflow refresh`: bring the lockfile's statuses up to date from the provider."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vidflow import output
from vidflow.commands._options import (
    json_option,
    load,
    lock_timeout_option,
    path_argument,
    var_options,
)

if TYPE_CHECKING:
    from vidflow.ui.events import EventStream


def refresh(path: Path, *, lock_timeout: float = 0.0, vars_: Mapping[str, str] | None = None,
            var_files: Sequence[Path] = (), as_json: bool = False) -> int:
    from vidflow.ui.events import json_ui

    with json_ui(as_json) as events:
        say = output.echo if events is None else (
            lambda text: events.emit("log", text))
        return _refresh(path, lock_timeout, vars_, var_files, events, say)


def _refresh(path: Path, lock_timeout: float, vars_: Mapping[str, str] | None,
             var_files: Sequence[Path], events: EventStream | None,
             say: Callable[[str], None]) -> int:
    from vidflow.apply.session import refresh_remote
    from vidflow.apply.workspace import open_workspace
    from vidflow.state.transitions import merge_remote

    project = load(path, vars_, var_files)
    with open_workspace(project, lock_timeout=lock_timeout) as ws:
        lock = ws.lock
        if not lock.entries:
            say("The lockfile records no stories yet: nothing to refresh.")
            return 0
        if events is not None:
            events.refresh(sorted(lock.entries), done=False)
        remote = refresh_remote(ws.provider, lock)
        ws.close()  # done with the provider: the rest only writes the lockfile
        if events is not None:
            events.refresh(sorted(remote), done=True)
        updated = lock
        for address, record in sorted(remote.items()):
            entry = lock.entries[address]
            if record is None:
                # Terraform's rule: a resource gone remotely leaves the state; the next
                # apply creates it again.
                updated = updated.without(address)
                say(f"{address}: story {entry.story_id} is gone (404); removed from the "
                    "lockfile, the next apply creates it again")
                continue
            new = merge_remote(entry, record, metadata=True)
            if new is not entry:
                updated = updated.with_entry(address, new)
                say(f"{address}: {entry.status} -> {record.status}"
                    + (f" ({record.message})" if record.message else ""))
        if updated.entries != lock.entries:
            ws.write(updated)
        else:
            say("The lockfile is up to date.")
    return 0


@click.command("refresh")
@path_argument
@lock_timeout_option
@json_option
@var_options
def command(path: Path, lock_timeout: float, as_json: bool, vars_: dict[str, str],
            var_files: tuple[Path, ...]) -> int:
    """Update the lockfile from the provider: each story's status, video URL, credits.

    Stories deleted outside vidflow leave the lockfile (the next apply makes them
    again); title, description and visibility changed outside vidflow are recorded, so
    the next plan shows the update that puts the spec's values back.

    \b
    Example:
      vidflow refresh examples/quickstart
    """
    return refresh(path, lock_timeout=lock_timeout, vars_=vars_, var_files=var_files,
                   as_json=as_json)
