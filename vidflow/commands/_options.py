"""Options shared by the lifecycle commands, as decorators, and loading a project with them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from vidflow.errors import VidflowError

F = TypeVar("F", bound=Callable[..., Any])


def path_argument(func: F) -> F:
    return click.argument("path", default=".", type=click.Path(path_type=Path))(func)


def var_options(func: F) -> F:
    func = click.option("--var-file", "var_files", multiple=True, metavar="FILE",
                        type=click.Path(path_type=Path),
                        help="YAML file of variables (repeatable).")(func)
    return click.option("--var", "vars_", multiple=True, metavar="KEY=VALUE",
                        help="Set a template variable (repeatable).")(func)


def target_option(func: F) -> F:
    return click.option("--target", "targets", multiple=True, metavar="ADDR",
                        help="Only this address, or all variants of a story name "
                             "(repeatable).")(func)


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


def parse_vars(pairs: Sequence[str]) -> dict[str, str]:
    """`--var k=v` pairs as a dict; a pair without `=` is a user error."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise VidflowError(f"--var {pair!r} is not KEY=VALUE", hint="e.g. --var tone=fun")
        out[key.strip()] = value
    return out


def load(path: Path, vars_: Sequence[str] = (), var_files: Sequence[Path] = ()) -> Any:
    """The resolved Project at `path` (a folder of specs or one spec file)."""
    from vidflow.spec import load_project

    if not path.exists():
        raise VidflowError(f"{path}: no such file or folder",
                           hint="give the folder holding your videos.yaml")
    return load_project(path, vars=parse_vars(vars_) or None, var_files=tuple(var_files))
