"""Options of the spec commands (validate, render): --var as a checked KEY=VALUE pair."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _pairs(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in values:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE (e.g. --var tone=fun)",
                                     ctx=ctx, param=param)
        out[key.strip()] = value
    return out


def spec_var_options(func: F) -> F:
    func = click.option("--var-file", "var_files", multiple=True, metavar="FILE",
                        type=click.Path(path_type=Path, exists=True, dir_okay=False),
                        help="YAML mapping of template variables (repeatable).")(func)
    return click.option("--var", "variables", multiple=True, metavar="KEY=VALUE",
                        callback=_pairs,
                        help="Set a template variable; wins over vars: and "
                             "--var-file (repeatable).")(func)


def path_argument(func: F) -> F:
    return click.argument("path", default=".",
                          type=click.Path(path_type=Path, exists=True))(func)
