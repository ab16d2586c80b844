"""`vidflow gallery`: the project's stories as a page, served on localhost or written out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from vidflow import output
from vidflow.commands._options import load, path_argument, var_options

SERVED_DIR = Path(".vidflow") / "gallery"


def build(path: Path, out: Path | None, *, vars_: Mapping[str, str] | None = None,
          var_files: Sequence[Path] = ()) -> Path:
    """Write the gallery of the project at `path` to `out` (default .vidflow/gallery/)."""
    from vidflow.apply.workspace import open_lockfile
    from vidflow.gallery.posters import refresh_side_files
    from vidflow.gallery.site import write_site

    project = load(path, vars_, var_files)
    root = Path(project.root)
    # read only: no state lock (the lockfile is replaced atomically), no provider
    with open_lockfile(root, lock_timeout=None) as ws:
        lock = ws.lock
    # videos applied before posters existed get theirs now, from the lockfile's storyboard
    for warning in refresh_side_files(root, lock, lambda story_id: None):
        output.warn(warning)
    folder = out if out is not None else root / SERVED_DIR
    pages = write_site(project, lock, folder)
    output.echo(f"Wrote the gallery ({len(pages)} pages) to {folder}")
    return folder


def gallery(path: Path, *, out: Path | None, port: int,
            vars_: Mapping[str, str] | None = None, var_files: Sequence[Path] = ()) -> int:
    from vidflow.gallery.server import bind, serve_folder

    folder = build(path, out, vars_=vars_, var_files=var_files)
    if out is not None:
        output.echo(f"Open {folder / 'index.html'}, or publish the folder as it is.")
        return 0
    sock = bind(port)
    try:
        output.echo(f"Gallery on http://127.0.0.1:{sock.getsockname()[1]}/ (Ctrl-C to stop)")
        serve_folder(folder, sock)
    finally:
        sock.close()
    return 0


@click.command("gallery")
@path_argument
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write the gallery as a static site to this folder (relative links: "
                   "publish it as a CI artifact) instead of serving it.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: any free port).")
@var_options
def command(path: Path, out: Path | None, port: int, vars_: dict[str, str],
            var_files: tuple[Path, ...]) -> int:
    """Show the project's stories on a page: a grid by variant keys (poster, status,
    credits, plan state), a page per story (player, storyboard strip, spec source) and
    variants side by side in synchronized playback.

    Served on 127.0.0.1 only; reads the lockfile and the specs, calls no provider.

    \b
    Example:
      vidflow gallery examples/promo                 # http://127.0.0.1:8001/
      vidflow gallery --out gallery-site .           # a static site for CI artifacts
    """
    return gallery(path, out=out, port=port, vars_=vars_, var_files=var_files)
