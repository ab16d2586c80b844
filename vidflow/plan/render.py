"""A plan for people: each change with its symbol, the fields that changed, the summary.

`render_plan` returns rich markup (user text escaped); `print_plan` sends it through
vidflow.output. No-ops are left out; "No changes. Your videos match the specs." when
nothing is pending.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from vidflow import output
from vidflow.plan.cost import credits_text
from vidflow.plan.model import Action, Change, FieldChange, Plan

escape = output.escape  # rich's escape, without importing rich

if TYPE_CHECKING:
    from vidflow.ui.events import EventStream

NO_CHANGES = "No changes. Your videos match the specs."
_MAX_VALUE = 80

_STYLE = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.REPLACE: "red",
    Action.REGENERATE: "cyan",
    Action.DELETE: "red",
    Action.MOVE: "blue",
    Action.RESUME: "blue",
    Action.UNKNOWN: "magenta",
    Action.FORGET: "blue",
    Action.NOOP: "dim",
}


def render_plan(plan: Plan) -> str:
    """The whole plan as rich markup, ending with the summary line (and any errors)."""
    pending = plan.pending
    lines: list[str] = []
    if pending:
        lines += ["vidflow will perform the following actions:", ""]
        for change in pending:
            lines += render_change(change, plan.cost.of(change) if plan.cost else 0,
                                   plan.cost.unsure(change) if plan.cost else 0)
        lines.append(f"[bold]{escape(plan.summary())}[/bold]")
        if plan.cost is not None:
            lines.append(escape(plan.cost.line()))
    elif not plan.errors:
        lines.append(f"[green]{NO_CHANGES}[/green]")
    if plan.errors:
        if lines:
            lines.append("")
        lines.append("[red]The plan has errors; apply refuses it until they are fixed:[/red]")
        lines += [f"  [red]-[/red] {escape(e)}" for e in plan.errors]
    return "\n".join(lines)


def render_change(change: Change, credits: int = 0, unsure: int = 0) -> list[str]:
    """One change: "  -/+ address (story id)" then reasons, changed fields and its credits
    (when it costs any; `unsure` of them only if its interrupted call never arrived),
    indented."""
    style = _STYLE[change.action]
    symbol = escape(change.action.symbol)
    head = f"  [{style}]{symbol:>3}[/{style}] [bold]{escape(change.address)}[/bold]"
    notes = []
    if change.deposed:
        notes.append(f"deposed story {change.deposed}")
    elif change.story_id:
        notes.append(f"story {change.story_id}")
    elif change.before is not None:  # created again: the old story is gone or failed
        notes.append(f"was story {change.before.story_id}")
    if change.moved_from:
        notes.append(f"moved from {change.moved_from}")
    if notes:
        head += f" [dim]({escape(', '.join(notes))})[/dim]"
    lines = [head]
    lines += [f"        [dim]# {escape(r.sentence)}[/dim]" for r in change.reasons]
    if change.replay is not None:
        lines.append(f"        [dim]# {escape(change.replay.operation)} sent at "
                     f"{escape(change.replay.at)}, key {escape(change.replay.key)}[/dim]")
    if change.action is Action.UNKNOWN:
        address = escape(change.address)
        lines.append(f"        [magenta]# decide: `vidflow import '{address}' STORY_ID` if you "
                     f"find the story, or `vidflow state forget-intent '{address}'` to create "
                     "it again (paying again if it was made)[/magenta]")
    lines += [render_field(f) for f in change.fields]
    if change.scenes is not None:
        rerendered, count = change.scenes
        lines.append(f"        [dim]# {len(rerendered)} of {count} scenes re-rendered"
                     + (f" ({', '.join(str(n) for n in rerendered)})" if rerendered else "")
                     + "[/dim]")
    if credits:
        lines.append(f"        [dim]# {credits_text(credits, unsure)}[/dim]")
    lines.append("")
    return lines


def render_field(field: FieldChange) -> str:
    mark = " [red]# forces replacement[/red]" if field.forces_replacement else ""
    before, after = clip_pair(_json(field.before), _json(field.after))
    return (f"        {escape(field.path)}: {escape(before)} [yellow]→[/yellow] "
            f"{escape(after)}{mark}")


def _json(value: Any) -> str:
    return "null" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def clip_pair(before: str, after: str, width: int = _MAX_VALUE) -> tuple[str, str]:
    """Both values cut to about `width`, each window starting a little before the first
    character where they differ, so a long value never shows the same text on both sides."""
    if len(before) <= width and len(after) <= width:
        return before, after
    first = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
                 min(len(before), len(after)))
    start = max(0, first - width // 4)
    return _window(before, start, width), _window(after, start, width)


def _window(text: str, start: int, width: int) -> str:
    head = "…" if start else ""
    piece = text[start:start + width]
    tail = "…" if start + width < len(text) else ""
    return head + piece + tail


def show_plan(plan: Plan, events: EventStream | None, *, operation: str = "plan") -> None:
    """The plan for whoever reads it: JSON events (`--json`), else the terminal."""
    if events is not None:
        events.plan(plan, operation=operation)
    else:
        print_plan(plan)


def print_plan(plan: Plan) -> None:
    output.echo(render_plan(plan), markup=True)
