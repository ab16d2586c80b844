"""`vidflow validate`: check specs, listing every problem at file:line:col."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from vidflow import output
from vidflow.commands._options import existing_path_argument, var_options
from vidflow.errors import VidflowError


def _plural(n: int, word: str, many: str) -> str:
    return f"{n} {word if n == 1 else many}"


def validate(path: Path, *, variables: Mapping[str, str] | None = None,
             var_files: Sequence[Path] = (), as_json: bool = False) -> int:
    from vidflow.spec import load_project

    if as_json:
        return validate_json(path, variables=variables, var_files=var_files)
    project = load_project(path, vars=variables, var_files=var_files)
    output.echo(f"{_plural(len(project.blocks), 'story', 'stories')}, "
                f"{_plural(len(project.stories), 'variant', 'variants')}, valid")
    return 0


def validate_json(path: Path, *, variables: Mapping[str, str] | None,
                  var_files: Sequence[Path]) -> int:
    """Terraform's `validate -json` document: valid, counts, diagnostics with ranges."""
    from vidflow.spec import load_project
    from vidflow.ui.diagnostics import validate_document

    try:
        load_project(path, vars=variables, var_files=var_files)
    except VidflowError as exc:
        doc = validate_document(exc)
    else:
        doc = validate_document(None)
    output.raw(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False))
    return 0 if doc["valid"] else 1


@click.command("validate")
@existing_path_argument
@click.option("--json", "as_json", is_flag=True,
              help="One JSON document in Terraform's `validate -json` shape.")
@var_options
def command(path: Path, as_json: bool, vars_: dict[str, str],
            var_files: tuple[Path, ...]) -> int:
    """Check specs: YAML, schema, templates, variants, local files.

    PATH is a spec file or a folder of *.yaml / *.yml files forming one project
    (default: the current folder). Prints a one-line summary, or every problem as
    `file:line:col: field: message` and exits 1.

    \b
    Example:
      vidflow validate examples/product-promo
      vidflow validate --var brand=Acme specs/
    """
    return validate(path, variables=vars_, var_files=var_files, as_json=as_json)
