"""`vidflow state list|rm|mv`: inspect and edit the lockfile without touching any story.

Each subcommand is a plain function returning an exit code; click only wires arguments.
All of them hold the state lock; rm and mv write the lockfile atomically.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from vidflow import output
from vidflow.apply.workspace import open_lockfile
from vidflow.commands._complete import addresses as complete_addresses
from vidflow.errors import LockfileError
from vidflow.plan.planner import story_name
from vidflow.spec.variants import normalize_address
from vidflow.state.lock import DEFAULT_LOCK_TIMEOUT
from vidflow.state.lockfile import Lockfile
from vidflow.suggest import did_you_mean


def project_root(path: str) -> Path:
    """The project folder PATH names (a folder, or a spec file inside it)."""
    root = Path(path)
    return root.parent if root.is_file() else root


def matching(lock: Lockfile, address: str) -> list[str]:
    """Addresses an argument names: itself if recorded, else every variant of a bare name.
    Variant keys may be typed in any order."""
    address = normalize_address(address)
    if address in lock.entries:
        return [address]
    return sorted(a for a in lock.entries if story_name(a) == address and "[" in a)


def state_list(path: str, *, as_json: bool = False,
               lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> int:
    with open_lockfile(project_root(path), lock_timeout=lock_timeout) as ws:
        file, lock = ws.lock_path, ws.lock
    if as_json:
        rows = [{"address": a, "story_id": e.story_id, "status": e.status,
                 "provider": e.provider, "output": e.output}
                for a, e in sorted(lock.entries.items())]
        output.raw(json.dumps(rows, indent=2, sort_keys=True))
        return 0
    if not lock.entries and not lock.intents:
        output.echo(f"No stories recorded in {file}.")
        return 0
    width = max((len(a) for a in lock.entries), default=0)
    for address in lock:
        entry = lock.entries[address]
        output.echo(f"{address:<{width}}  {entry.story_id}  {entry.status}")
    for address, intent in sorted(lock.intents.items()):
        output.echo(f"{address}: a {intent.operation} sent at {intent.at} has no recorded "
                    "answer (see `vidflow plan`)")
    return 0


def state_forget_intent(path: str, addresses: Sequence[str], *,
                        lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> int:
    """A person's decision on paid calls cut off in flight: create them again."""
    with open_lockfile(project_root(path), lock_timeout=lock_timeout) as ws:
        file, lock = ws.lock_path, ws.lock
        for address in map(normalize_address, addresses):
            if address not in lock.intents:
                raise LockfileError(f"no unanswered paid call for {address!r} in {file}"
                                    + did_you_mean(address, lock.intents),
                                    hint="`vidflow state list` names them")
            lock = lock.without_intent(address)
        ws.write(lock)
    for address in addresses:
        output.echo(f"Forgot the unanswered call for {escape(address)}.", markup=True)
    output.warn("the next apply creates these stories again; if the lost call had made "
                "one, it was paid for and is now unmanaged (delete it by hand)")
    return 0


def state_rm(path: str, addresses: Sequence[str], *,
             lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> int:
    with open_lockfile(project_root(path), lock_timeout=lock_timeout) as ws:
        file, lock = ws.lock_path, ws.lock
        removed: list[tuple[str, str]] = []
        for address in addresses:
            found = matching(lock, address)
            if not found:
                raise LockfileError(f"no story {address!r} in {file}"
                                    + did_you_mean(address, lock.entries),
                                    hint="run `vidflow state list` to see the addresses")
            for name in found:
                removed.append((name, lock.entries[name].story_id))
                lock = lock.without(name)
        ws.write(lock)
    for name, story_id in removed:
        output.echo(f"Removed {escape(name)} (story {story_id}) from the lockfile.",
                    markup=True)
    output.warn("the stories themselves were not deleted; vidflow no longer manages them "
                "(`vidflow import ADDR STORY_ID` takes one back)")
    return 0


def state_mv(path: str, source: str, destination: str, *,
             lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> int:
    with open_lockfile(project_root(path), lock_timeout=lock_timeout) as ws:
        file, lock = ws.lock_path, ws.lock
        renames = _renames(lock, source, destination)
        if not renames:
            raise LockfileError(f"no story {source!r} in {file}",
                                hint="run `vidflow state list` to see the addresses")
        for old, new in renames:
            lock = lock.renamed(old, new)
        ws.write(lock)
    for old, new in renames:
        output.echo(f"Moved {escape(old)} → {escape(new)}.", markup=True)
    output.echo("Add a `moved` block to the specs (or rename the story there) so the next "
                "plan does not create or delete it.")
    return 0


def _renames(lock: Lockfile, source: str, destination: str) -> list[tuple[str, str]]:
    """(old, new) pairs: one address, or every variant of a bare story name."""
    source, destination = normalize_address(source), normalize_address(destination)
    if source in lock.entries:
        return [(source, destination)]
    if "[" in destination:
        return []
    return [(old, destination + old[len(story_name(old)):]) for old in matching(lock, source)]


_path_option = click.option(
    "--path", "-C", "path", default=".", show_default=True,
    type=click.Path(exists=True, file_okay=True, dir_okay=True),
    help="Project folder (or a spec file in it); the lockfile is vidflow.lock there.")


def _timeout_option(default: float | None) -> Callable[[Any], Any]:
    return click.option(
        "--lock-timeout", type=click.FloatRange(min=0), default=default,
        show_default=default is not None,
        help="Seconds to wait for another vidflow on this project to finish.")


def _timeout(ctx: click.Context, given: float | None) -> float:
    if given is not None:
        return given
    parent = ctx.find_object(dict) or {}
    return float(parent.get("lock_timeout", DEFAULT_LOCK_TIMEOUT))


@click.group(name="state")
@_timeout_option(DEFAULT_LOCK_TIMEOUT)
@click.pass_context
def command(ctx: click.Context, lock_timeout: float) -> None:
    """Inspect and edit the lockfile (vidflow.lock) without touching any story.

    \b
    Example:
      vidflow state list examples/quickstart
      vidflow state mv -C examples/quickstart promo winter-promo
      vidflow state rm -C examples/quickstart 'promo[tone=fun]'
    """
    ctx.obj = {"lock_timeout": lock_timeout}


@command.command(name="list")
@click.argument("path", required=False, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="One JSON document, for scripts.")
@click.option("--path", "-C", "path_option", type=click.Path(exists=True),
              help="Project folder (or a spec file in it), as for rm and mv; or give PATH.")
@_timeout_option(None)
@click.pass_context
def list_command(ctx: click.Context, path: str | None, as_json: bool, path_option: str | None,
                 lock_timeout: float | None) -> int:
    """List the recorded addresses with their story ids and last known status.

    \b
    Example:
      vidflow state list examples/quickstart
      vidflow state list -C examples/quickstart --json
    """
    if path is not None and path_option is not None and path != path_option:
        raise click.UsageError("give the project folder once: PATH or -C PATH")
    return state_list(path or path_option or ".", as_json=as_json,
                      lock_timeout=_timeout(ctx, lock_timeout))


@command.command(name="rm")
@click.argument("addresses", nargs=-1, required=True, shell_complete=complete_addresses)
@_path_option
@_timeout_option(None)
@click.pass_context
def rm_command(ctx: click.Context, addresses: tuple[str, ...], path: str,
               lock_timeout: float | None) -> int:
    """Forget stories (an address, or a story name for all its variants) without deleting them.

    \b
    Example:
      vidflow state rm -C examples/quickstart 'promo[tone=fun]'
    """
    return state_rm(path, addresses, lock_timeout=_timeout(ctx, lock_timeout))


@command.command(name="forget-intent")
@click.argument("addresses", nargs=-1, required=True, shell_complete=complete_addresses)
@_path_option
@_timeout_option(None)
@click.pass_context
def forget_intent_command(ctx: click.Context, addresses: tuple[str, ...], path: str,
                          lock_timeout: float | None) -> int:
    """Give up on a paid call cut off before its answer: the next apply creates it again.

    Only for a provider that cannot replay the call (`vidflow plan` shows it as `?`): the
    lost call may have made (and charged for) a story. If you find that story, adopt it
    with `vidflow import ADDR STORY_ID` instead.

    \b
    Example:
      vidflow state forget-intent -C videos 'promo[tone=fun]'
    """
    return state_forget_intent(path, addresses, lock_timeout=_timeout(ctx, lock_timeout))


@command.command(name="mv")
@click.argument("source")
@click.argument("destination")
@_path_option
@_timeout_option(None)
@click.pass_context
def mv_command(ctx: click.Context, source: str, destination: str, path: str,
               lock_timeout: float | None) -> int:
    """Rename a recorded address (a story name renames all its variants); no API call.

    \b
    Example:
      vidflow state mv -C examples/quickstart promo winter-promo
    """
    return state_mv(path, source, destination, lock_timeout=_timeout(ctx, lock_timeout))
