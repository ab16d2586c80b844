"""All terminal output goes through here, so tests capture it in one place."""

from __future__ import annotations

import sys

from rich.console import Console

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def echo(message: str = "", *, markup: bool = False) -> None:
    """A line for the user (stdout). Markup only where the caller asks for it."""
    stdout.print(message, markup=markup)


def warn(message: str) -> None:
    stderr.print(f"[yellow]Warning:[/yellow] {message}", markup=True)


def error(message: str) -> None:
    stderr.print(f"[red]Error:[/red] {escape(message)}", markup=True)


def raw(text: str) -> None:
    """Machine-readable output (JSON): exactly the text, nothing styled."""
    sys.stdout.write(text)
    if not text.endswith("\n"):
        sys.stdout.write("\n")
    sys.stdout.flush()


def escape(text: str) -> str:
    """`text` with rich markup neutralised, for a caller that prints with markup=True."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


_escape = escape  # the old private name, kept for any caller still using it


def problems(lines: list[str]) -> None:
    """Spec problems, one per line exactly as given (no markup), then how many."""
    for line in lines:
        stderr.print(line, markup=False, emoji=False, highlight=False)
    count = f"{len(lines)} problem" + ("" if len(lines) == 1 else "s")
    stderr.print(f"{count} found; the spec is not valid", markup=False)
