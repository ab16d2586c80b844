"""Printing without rich (not a terminal) gives exactly what rich prints there."""

from __future__ import annotations

import io
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.markup import escape as rich_escape
from support.stories import story

from vidflow import output
from vidflow.apply.simulate import simulate_apply
from vidflow.plan.planner import make_plan
from vidflow.plan.render import render_plan
from vidflow.spec.model import Project, ProviderConfig, ResolvedStory
from vidflow.state.lockfile import Lockfile

# the characters rich's markup, emoji codes and control-code stripping act on
_ALPHABET = st.sampled_from([*"ab [/]=\\:@#-_\r\x07\x0b\t\n.", "smile", "red", "bold", "dim",
                             "→", "é"])
TEXT = st.lists(_ALPHABET, max_size=12).map("".join)


def rich_prints(message: str, *, markup: bool) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, highlight=False, soft_wrap=True, force_terminal=False,
                      force_jupyter=False, _environ={})
    console.print(message, markup=markup)
    return buffer.getvalue()


def assert_same(message: str, *, markup: bool) -> None:
    try:
        expected = rich_prints(message, markup=markup)
    except Exception:  # rich refuses this markup: the plain path must hand it to rich
        assert output.plain_text(message, markup=markup) is None
        return
    plain = output.plain_text(message, markup=markup)
    if plain is not None:
        assert plain + "\n" == expected


@given(TEXT)
def test_escape_is_richs(text: str) -> None:
    assert output.escape(text) == rich_escape(text)


@given(st.lists(st.tuples(TEXT, st.sampled_from([None, *sorted(output.STYLES)])),
                max_size=6))
def test_vidflow_markup_prints_as_rich_prints_it(parts: list[tuple[str, str | None]]) -> None:
    markup = "".join(f"[{style}]{output.escape(text)}[/{style}]" if style
                     else output.escape(text) for text, style in parts)
    assert_same(markup, markup=True)


@given(TEXT)
def test_any_markup_prints_as_rich_prints_it(text: str) -> None:
    assert_same(text, markup=True)
    assert_same(text, markup=False)


def test_plain_text_of_common_lines_is_known() -> None:
    """The fast path really is taken for what plans print (brackets, colons, arrows)."""
    line = (f"  [yellow]  ~[/yellow] [bold]{output.escape('promo[tone=t0]')}[/bold] "
            "[dim](story ab12)[/dim]\n        title: \"a\" [yellow]→[/yellow] \"b :x\"")
    assert output.plain_text(line, markup=True) == (
        "    ~ promo[tone=t0] (story ab12)\n        title: \"a\" → \"b :x\"")
    assert output.plain_text("ok :smile: [red]x[/red]", markup=True) == \
        rich_prints("ok :smile: [red]x[/red]", markup=True)[:-1]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "p[tone=x]", "q:smile:"]), TEXT), max_size=4))
def test_a_printed_plan_is_what_rich_prints(stories: list[tuple[str, str]]) -> None:
    names = dict(stories)
    before = project(*(story(n, title="old") for n in names))
    lock = simulate_apply(make_plan(before, Lockfile(lineage="")), Lockfile(lineage=""))
    plan = make_plan(project(*(story(n, title=t) for n, t in names.items())), lock)
    assert_same(render_plan(plan), markup=True)


def project(*stories: ResolvedStory) -> Project:
    return Project(root="/project", provider=ProviderConfig(),
                   stories={s.address: s for s in stories})


def test_echo_writes_plain_text_to_a_pipe(capsys, monkeypatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.setattr(output, "_CONSOLES", {})
    output.echo(f"[bold]{output.escape('x[a=b]')}[/bold] :thumbs_up:", markup=True)
    assert capsys.readouterr().out == "x[a=b] 👍\n"
    assert "stdout" not in output._CONSOLES  # no Console was needed
    assert output._plain("stdout") is (not sys.stdout.isatty())
