"""`vidflow import`: adopt a story made outside vidflow under a spec's address."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from vidflow import output
from vidflow.commands._complete import addresses
from vidflow.commands._options import load, lock_timeout_option, var_options
from vidflow.errors import NotFound, VidflowError


def import_story(address: str, story_id: str, path: Path, *, lock_timeout: float = 0.0,
                 vars_: Mapping[str, str] | None = None, var_files: Sequence[Path] = ()) -> int:
    from vidflow.apply.workspace import open_workspace
    from vidflow.spec.variants import normalize_address
    from vidflow.state.transitions import downloaded, imported, output_path
    from vidflow.suggest import did_you_mean

    address = normalize_address(address)  # variant keys may be typed in any order
    project = load(path, vars_, var_files)
    story = project.stories.get(address)
    if story is None:
        raise VidflowError(f"no story {address!r} in the specs"
                           + did_you_mean(address, project.stories),
                           hint="write its spec first; `vidflow render` lists addresses")
    with open_workspace(project, lock_timeout=lock_timeout) as ws:
        lock = ws.lock
        intent = lock.intents.get(address)  # a paid call cut off: this is its story
        if address in lock and intent is None:
            raise VidflowError(f"{address!r} is already in the lockfile "
                               f"(story {lock.entries[address].story_id})",
                               hint=f"forget it first with `vidflow state rm '{address}'`")
        provider = ws.provider
        try:
            record = provider.get(story_id)
        except NotFound as exc:
            raise VidflowError(f"story {story_id} not found on {provider.identity}",
                               hint="check the id (and the API key for http)") from exc
        entry = imported(story, record, provider=provider.identity)
        if record.status == "success":
            target = output_path(story)
            entry = downloaded(entry, target, provider.download(record, ws.root / target))
        ws.close()  # done with the provider: the rest only writes the lockfile
        old = lock.get(address)
        if intent is not None and old is not None and old.story_id != entry.story_id:
            entry = dataclasses.replace(entry, deposed=[*old.deposed, old.story_id])
        ws.write(lock.with_entry(address, entry).without_intent(address))
    output.echo(f"Imported story {story_id} as {address} (status {record.status}).")
    return 0


@click.command("import")
@click.argument("address", shell_complete=addresses)
@click.argument("story_id")
@click.argument("path", default=".", type=click.Path(path_type=Path))
@lock_timeout_option
@var_options
def command(address: str, story_id: str, path: Path, lock_timeout: float,
            vars_: dict[str, str], var_files: tuple[Path, ...]) -> int:
    """Adopt an existing story (made by hand or another tool) under ADDR.

    The story is recorded with the spec's current fingerprint, so the next plan is clean
    or shows only metadata updates; its video is downloaded when it is finished.

    \b
    Example:
      vidflow import intro 5f2c9a1e-... examples/quickstart
    """
    return import_story(address, story_id, path, lock_timeout=lock_timeout, vars_=vars_,
                        var_files=var_files)
