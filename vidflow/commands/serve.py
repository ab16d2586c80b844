"""`vidflow serve`: the Story API over HTTP, backed by the embedded engine."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from vidflow import output
from vidflow.errors import VidflowError

DEFAULT_DATA = Path(".vidflow/serve")


def engine_options(environ: Mapping[str, str], allow_network: Sequence[str]) -> dict[str, Any]:
    """The engine settings of the environment, plus the networks --allow-network opens."""
    from vidflow.engine.settings import allow_networks, engine_overrides

    options = engine_overrides(environ)
    # --dev opens nothing: a developer's laptop has a loopback and a LAN worth protecting too
    options["allow_networks"] = (*options.get("allow_networks", ()),
                                 *allow_networks(allow_network, "--allow-network"))
    return options


def serve(*, host: str, port: int, data: Path, dev: bool, keys_file: Path | None,
          public_url: str | None, allow_network: tuple[str, ...] = ()) -> int:
    """Run the server until Ctrl-C; the exit code."""
    from vidflow.server.auth import KEYS_ENV, generate_key, load_keys
    from vidflow.server.runner import build, uvicorn_server

    keys = load_keys(keys_file, dict(os.environ))
    dev_key = generate_key() if dev else None
    if dev_key:
        keys.append(dev_key)
    if not keys:
        raise VidflowError("No API keys configured",
                           hint=f"set {KEYS_ENV}=key1,key2, pass --keys-file FILE, or use "
                                "--dev for a generated key")
    served = build(host=host, port=port, data_dir=data, keys=keys, public_base_url=public_url,
                   **engine_options(os.environ, allow_network))
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # access log lines appear as they happen
    try:
        if served.engine.cluster is not None:  # refuse to start rather than fail every story
            served.engine.cluster.connect()
            output.echo(f"Rendering on the Dask cluster at {served.engine.cluster.address}")
        output.echo(f"Story API on {served.base_url} (data in {data})")
        if dev_key:
            # the one place a key is ever printed: the developer asked for one
            output.echo(f"API key: {dev_key}")
        server = uvicorn_server(served.app)
        server.run(sockets=[served.sock])
    finally:
        served.sock.close()
        served.engine.close()
    return 0


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port).")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_DATA, show_default=True, help="Stories database and media.")
@click.option("--dev", is_flag=True, help="Generate an API key and print it at start.")
@click.option("--keys-file", type=click.Path(dir_okay=False, path_type=Path),
              help="File with one accepted API key per line.")
@click.option("--public-url", help="Base URL clients use to reach this server "
                                   "(default: http://HOST:PORT).")
@click.option("--allow-network", "allow_network", multiple=True, metavar="CIDR",
              help="A network (e.g. 10.0.0.0/8), address or host name that fetched URLs and "
                   "webhooks may reach although it is not public (repeatable; adds to "
                   "VIDFLOW_ALLOW_NETWORKS). Default: public addresses only.")
def command(host: str, port: int, data: Path, dev: bool, keys_file: Path | None,
            public_url: str | None, allow_network: tuple[str, ...]) -> int:
    """Serve the Story API (the reference's routes) over the embedded engine.

    Keys come from --keys-file and the VIDFLOW_SERVER_API_KEYS environment variable
    (comma-separated); clients send one as the X-Api-Key header. Media URLs
    (/media/...) need no key. Render quality (VIDFLOW_ENGINE_SCALE, VIDFLOW_ENGINE_FPS)
    and a storyboard model (VIDFLOW_STORYBOARD_ENDPOINT, VIDFLOW_STORYBOARD_MODEL, key in
    OPENAI_API_KEY) come from the environment, as for the local provider.

    URLs clients name (image_urls, url-2-video pages, element images, concat inputs,
    webhooks) may only reach public addresses: loopback, private, link-local and other
    special addresses are refused, in every mode, --dev included, unless opened with
    --allow-network or VIDFLOW_ALLOW_NETWORKS.

    \b
    Example:
      vidflow serve --dev
      curl -H "X-Api-Key: $KEY" -d idea="A fox in the snow" -d scene_count=2 \\
           http://127.0.0.1:8000/story/idea-2-video
    """
    return serve(host=host, port=port, data=data, dev=dev, keys_file=keys_file,
                 public_url=public_url, allow_network=allow_network)
