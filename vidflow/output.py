"""All terminal output goes through here, so tests capture it in one place.

Lines go through rich (`stdout`, `stderr`: rich Consoles). When nothing can be styled (not
a terminal, nothing forcing colour) rich prints the plain text of the markup, and getting
there costs it ~0.1 s for a 10,000-story plan's 900 lines (and ~30 ms to import): then the
plain text is worked out here instead, by rich's own rules (tags, escapes, emoji codes,
control codes), and rich is not imported at all. tests/cli/test_plain_output.py checks the
two agree.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

_CONSOLES: dict[str, Console] = {}


def _console(name: str) -> Console:
    """The rich Console `stdout` or `stderr`, made on first use."""
    console = _CONSOLES.get(name)
    if console is None:
        from rich.console import Console

        console = Console(stderr=name == "stderr", highlight=False, soft_wrap=True)
        _CONSOLES[name] = console
    return console


def __getattr__(name: str) -> Any:
    """`output.stdout` / `output.stderr`: the Consoles, made when first asked for."""
    if name in ("stdout", "stderr"):
        return _console(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def echo(message: str = "", *, markup: bool = False) -> None:
    """A line for the user (stdout). Markup only where the caller asks for it."""
    if _plain("stdout"):
        text = plain_text(message, markup=markup)
        if text is not None:
            sys.stdout.write(text + "\n")
            sys.stdout.flush()
            return
    _console("stdout").print(message, markup=markup)


def warn(message: str) -> None:
    _console("stderr").print(f"[yellow]Warning:[/yellow] {message}", markup=True)


def error(message: str) -> None:
    _console("stderr").print(f"[red]Error:[/red] {escape(message)}", markup=True)


def raw(text: str) -> None:
    """Machine-readable output (JSON): exactly the text, nothing styled."""
    sys.stdout.write(text)
    if not text.endswith("\n"):
        sys.stdout.write("\n")
    sys.stdout.flush()


# rich.markup's own patterns (tests/cli/test_plain_output.py holds them to rich's results)
_ESCAPE = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")
_TAG = re.compile(r"((\\*)\[([a-z#/@][^[]*?)])")
_EMOJI = re.compile(r":\S*?:")  # every emoji code `:name:` (or :name-emoji:) matches it
_CONTROL = re.compile("[\x07\x08\x0b\x0c\r]")  # what rich's Text strips
_CONTROL_TABLE = dict.fromkeys((7, 8, 11, 12, 13))
# The styles vidflow's markup uses; any other tag (or a stray one in user text) goes to rich
STYLES = frozenset({"bold", "dim", "red", "green", "yellow", "cyan", "blue", "magenta"})


def escape(text: str) -> str:
    """`text` with rich markup neutralised, for a caller that prints with markup=True
    (rich.markup.escape, without importing rich)."""

    def escape_backslashes(match: re.Match[str]) -> str:
        backslashes, tag = match.groups()
        return f"{backslashes}{backslashes}\\{tag}"

    text = _ESCAPE.sub(escape_backslashes, text)
    if text.endswith("\\") and not text.endswith("\\\\"):
        return text + "\\"
    return text


_escape = escape  # the old private name, kept for any caller still using it


def problems(lines: list[str]) -> None:
    """Spec problems, one per line exactly as given (no markup), then how many."""
    stderr = _console("stderr")
    for line in lines:
        stderr.print(line, markup=False, emoji=False, highlight=False)
    count = f"{len(lines)} problem" + ("" if len(lines) == 1 else "s")
    stderr.print(f"{count} found; the spec is not valid", markup=False)


def plain_stdout() -> bool:
    """Whether stdout takes plain text only (no terminal, nothing forcing colour): what
    rich would decide, without making a Console."""
    return _plain("stdout")


def _plain(name: str) -> bool:
    """Whether rich would print only plain text to stdout now (no terminal, no forced
    colour, no Jupyter), decided without making a Console. Once one is made (a live
    display, a test), it is used as is."""
    if name in _CONSOLES or sys.stdout is None or hasattr(sys.stdout, "rich_proxied_file"):
        return False
    if "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ:
        return False
    import builtins

    if hasattr(builtins, "get_ipython"):  # rich treats Jupyter as a colour terminal
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        return isatty is not None and not isatty()
    except ValueError:  # a closed file: rich says "not a terminal" too
        return True


def plain_text(message: str, *, markup: bool) -> str | None:
    """What rich prints for `message` when it cannot style it (its trailing newline
    aside), or None where this does not follow rich (a tag vidflow does not write, a tab):
    then rich prints it."""
    if not isinstance(message, str):
        return None
    pieces = _pieces(message) if markup else [message]
    if pieces is None:
        return None
    text = "".join(_emoji(piece) for piece in pieces)
    if _CONTROL.search(text):
        text = text.translate(_CONTROL_TABLE)
    return None if "\t" in text else text  # rich expands tabs to its tab stops


def _pieces(markup: str) -> list[str] | None:
    """The text pieces of `markup` as rich.markup.render parses them (their emoji codes
    replaced separately, as rich does); None for a tag outside STYLES or unbalanced."""
    if "[" not in markup:
        return [markup]  # rich: no tag parsing, no `\[` unescaping either
    pieces: list[str] = []
    open_tags: list[str] = []
    position = 0
    for match in _TAG.finditer(markup):
        full, escapes, tag = match.groups()
        start, end = match.span()
        if start > position:
            pieces.append(markup[position:start].replace("\\[", "["))
        if escapes:
            backslashes, escaped = divmod(len(escapes), 2)
            if backslashes:
                pieces.append("\\" * backslashes)
            if escaped:
                pieces.append(full[len(escapes):].replace("\\[", "["))
                position = end
                continue
        if not _tag(tag, open_tags):
            return None
        position = end
    if position < len(markup):
        pieces.append(markup[position:].replace("\\[", "["))
    return pieces


def _tag(tag: str, open_tags: list[str]) -> bool:
    """Follow one style tag; False where rich would do more than style (or fail)."""
    if not tag.startswith("/"):
        if tag not in STYLES:
            return False
        open_tags.append(tag)
        return True
    name = tag[1:]
    if name not in STYLES or name not in open_tags:
        return False  # `[/]`, a stray or unknown closing tag: rich decides (or raises)
    del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name)]
    return True


def _emoji(text: str) -> str:
    if ":" not in text or not _EMOJI.search(text):
        return text
    from rich._emoji_replace import _emoji_replace

    return _emoji_replace(text)
