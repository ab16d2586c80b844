"""Options shared by the lifecycle commands, as decorators, and loading a project with them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from vidflow.errors import VidflowError

F = TypeVar("F", bound=Callable[..., Any])


def path_argument(func: F) -> F:
    return click.argument("path", default=".", type=click.Path(path_type=Path))(func)


def _var_pairs(ctx: click.Context, param: click.Parameter,
               values: Sequence[str]) -> dict[str, str]:
    """`--var k=v` pairs as a dict; a pair without `=` is a usage error (exit 2)."""
    out: dict[str, str] = {}
    for pair in values:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE (e.g. --var tone=fun)",
                                     ctx=ctx, param=param)
        out[key.strip()] = value
    return out


def var_options(func: F) -> F:
    func = click.option("--var-file", "var_files", multiple=True, metavar="FILE",
                        type=click.Path(path_type=Path, exists=True, dir_okay=False),
                        help="YAML mapping of template variables (repeatable).")(func)
    return click.option("--var", "vars_", multiple=True, metavar="KEY=VALUE",
                        callback=_var_pairs,
                        help="Set a template variable; wins over vars: and "
                             "--var-file (repeatable).")(func)


def target_option(func: F) -> F:
    from vidflow.commands._complete import addresses

    return click.option("--target", "targets", multiple=True, metavar="ADDR",
                        shell_complete=addresses,
                        help="Only this address, or all variants of a story name "
                             "(repeatable).")(func)


def replace_option(func: F) -> F:
    from vidflow.commands._complete import addresses

    return click.option("--replace", "replace_addresses", multiple=True, metavar="ADDR",
                        shell_complete=addresses,
                        help="Make this story again from the same inputs (a new video); "
                             "the old one is deleted once the new one succeeded "
                             "(repeatable).")(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True,
                        help="Machine-readable: one JSON event per line, in Terraform's "
                             "shapes.")(func)


def max_credits_option(func: F) -> F:
    return click.option("--max-credits", type=click.IntRange(min=0), metavar="N",
                        help="Refuse, before any paid call, a plan costing more than N "
                             "credits (default: max_credits in the provider block).")(func)


def lock_timeout_option(func: F) -> F:
    return click.option("--lock-timeout", type=float, default=0.0, show_default=True,
                        metavar="SECONDS",
                        help="Wait this long for another vidflow on this project.")(func)


def parallelism_option(func: F) -> F:
    return click.option("--parallelism", type=click.IntRange(min=1), default=4,
                        show_default=True, help="Stories worked on at once.")(func)


def auto_approve_option(func: F) -> F:
    return click.option("--auto-approve", is_flag=True,
                        help="Skip the confirmation (required when not on a terminal "
                             "or when CI is set).")(func)


def load(path: Path, vars_: Mapping[str, str] | None = None,
         var_files: Sequence[Path] = ()) -> Any:
    """The resolved Project at `path` (a folder of specs or one spec file)."""
    from vidflow.spec import load_project

    if not path.exists():
        raise VidflowError(f"{path}: no such file or folder",
                           hint="give the folder holding your videos.yaml")
    return load_project(path, vars=dict(vars_ or {}) or None, var_files=tuple(var_files))


def existing_path_argument(func: F) -> F:
    return click.argument("path", default=".",
                          type=click.Path(path_type=Path, exists=True))(func)
