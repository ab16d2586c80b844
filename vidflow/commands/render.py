"""`vidflow render`: the fully resolved stories, what would be sent to the Story API."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click
import yaml

from vidflow import output
from vidflow.commands._options import existing_path_argument, var_options

RENDER_FORMAT = 1


def render_document(project: Any) -> dict[str, Any]:
    """The stable document `render --json` prints."""
    provider = project.provider
    return {
        "format_version": RENDER_FORMAT,
        "provider": {"type": provider.type, "base_url": provider.base_url,
                     "api_key_env": provider.api_key_env, "data_dir": provider.data_dir},
        "stories": {address: story.to_dict() for address, story in project.stories.items()},
        "moved": [{"from": m.from_address, "to": m.to_address} for m in project.moved],
    }


def render_json(project: Any) -> str:
    return json.dumps(render_document(project), sort_keys=True, indent=2,
                      ensure_ascii=False) + "\n"


def render_text(project: Any) -> str:
    """YAML, one block per address, in address order, for people."""
    parts = []
    for address, story in project.stories.items():
        body = story.to_dict()
        where = body.pop("location")
        body.pop("address")
        text = yaml.safe_dump({address: body}, sort_keys=False, allow_unicode=True,
                              default_flow_style=False, width=100)
        parts.append(f"# {where}\n{text}")
    return "\n".join(parts)


def render(path: Path, *, as_json: bool = False, variables: Mapping[str, str] | None = None,
           var_files: Sequence[Path] = ()) -> int:
    from vidflow.spec import load_project

    project = load_project(path, vars=variables, var_files=var_files)
    output.raw(render_json(project) if as_json else render_text(project))
    return 0


@click.command("render")
@existing_path_argument
@click.option("--json", "as_json", is_flag=True,
              help="One JSON document with stable key order, for scripts.")
@var_options
def command(path: Path, as_json: bool, vars_: dict[str, str],
            var_files: tuple[Path, ...]) -> int:
    """Print the fully resolved stories, one per address.

    Templates rendered, variants expanded, the Story API's defaults filled in, local
    files shown with their sha256: exactly what apply would send. `fingerprint` hashes
    the generation inputs (a change there means a new video); title, description and
    visibility change in place.

    \b
    Example:
      vidflow render examples/product-promo
      vidflow render --json --var brand=Acme examples/product-promo > stories.json
    """
    return render(path, as_json=as_json, variables=vars_, var_files=var_files)
