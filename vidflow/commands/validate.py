"""`vidflow validate`: check specs, listing every problem at file:line:col."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from vidflow import output
from vidflow.commands._options import existing_path_argument, var_options
from vidflow.errors import SpecError, SpecErrors


def _plural(n: int, word: str, many: str) -> str:
    return f"{n} {word if n == 1 else many}"


def validate(path: Path, *, variables: Mapping[str, str] | None = None,
             var_files: Sequence[Path] = ()) -> int:
    from vidflow.spec import load_project

    try:
        project = load_project(path, vars=variables, var_files=var_files)
    except SpecErrors as exc:
        report_errors(exc.errors)
        return 1
    except SpecError as exc:
        report_errors([exc])
        return 1
    output.echo(f"{_plural(len(project.blocks), 'story', 'stories')}, "
                f"{_plural(len(project.stories), 'variant', 'variants')}, valid")
    return 0


def report_errors(errors: Sequence[SpecError]) -> None:
    """One problem per line (file:line:col: field: message), then how many."""
    for err in errors:
        output.stderr.print(str(err), markup=False, emoji=False)
    output.stderr.print(f"{_plural(len(errors), 'problem', 'problems')} found; "
                        "the spec is not valid", markup=False, emoji=False)


@click.command("validate")
@existing_path_argument
@var_options
def command(path: Path, vars_: dict[str, str], var_files: tuple[Path, ...]) -> int:
    """Check specs: YAML, schema, templates, variants, local files.

    PATH is a spec file or a folder of *.yaml / *.yml files forming one project
    (default: the current folder). Prints a one-line summary, or every problem as
    `file:line:col: field: message` and exits 1.

    \b
    Example:
      vidflow validate examples/product-promo
      vidflow validate --var brand=Acme specs/
    """
    return validate(path, variables=vars_, var_files=var_files)
