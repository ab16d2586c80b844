"""A plan as a Markdown pull-request comment (`vidflow plan --format markdown`).

A summary line, the cost, one table row per change (symbol, address, action, credits,
reasons), then a collapsible `<details>` block per change with its field and scene diffs,
and, given the gallery's URL, a thumbnail of each changed story linking to its page.

Everything that comes from a spec (addresses, element names, narration, titles, errors)
is untrusted: a reviewer reads this comment on GitHub, so text outside code blocks is
HTML-escaped and Markdown-escaped (no tag, link, image or @mention can be injected), and
diffs sit in fenced code blocks whose fence is longer than any backtick run inside, each
value JSON-encoded on one line (no raw newline can end the block). URL credentials are
scrubbed as in every other plan document.

The gallery's layout (vidflow.gallery builds it; both sides use this pattern):
    <gallery-url>/stories/<slug>/poster.jpg    the story's poster
    <gallery-url>/stories/<slug>/index.html    its page
where <slug> is `vidflow.gallery.story_slug(address)`: the gallery owns the layout.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlsplit

from vidflow.errors import VidflowError
from vidflow.gallery import page_relpath, poster_relpath
from vidflow.plan.model import Action, Change, FieldChange, Plan
from vidflow.scrub import scrub_text, scrub_urls_in

# Markdown's and HTML's punctuation and `:` (autolinks): written as numeric entities,
# which render as the character and are never read as syntax. GitHub finds @mentions in
# the rendered text, where an entity is an `@` again: a word joiner after it (invisible)
# keeps "@name" from notifying anyone.
_INERT = {ord(c): f"&#{ord(c)};" for c in "&<>\"'`*_{}[]()#+-.!|~\\:=$"}
_INERT[ord("@")] = "&#64;&#8288;"
_MAX_VALUE = 200  # characters of one value in a diff line
_NO_POSTER = (Action.DELETE, Action.FORGET, Action.UNKNOWN)


def text(value: str) -> str:
    """User text made inert for a GitHub comment, on one line: every character Markdown
    or HTML could read as syntax (and `@`, `:`) becomes a numeric entity."""
    return " ".join(str(value).split()).translate(_INERT)


def render_markdown(plan: Plan, *, gallery_url: str | None = None) -> str:
    """The plan as one Markdown comment (ends with a newline)."""
    base = _gallery_base(gallery_url) if gallery_url else None
    pending = plan.pending
    lines = [f"### vidflow plan: {text(plan.summary())}", ""]
    if plan.cost is not None and pending:
        basis = f" ({text(_cost_basis(plan))})" if plan.cost.credits else ""
        lines += [f"**{text(plan.cost.head())}**{basis}", ""]
    if not pending and not plan.errors:
        lines += ["No changes. Your videos match the specs.", ""]
    if pending:
        lines += ["| | Story | Action | Credits | Why |", "|---|---|---|---:|---|"]
        lines += [_row(plan, change) for change in pending]
        lines.append("")
        if plan.cost is not None:
            lines += _biggest(plan)
        for change in pending:
            lines += _details(change)
    if base is not None:
        lines += _thumbnails(base, pending)
    if plan.errors:
        lines += ["**The plan has errors; apply refuses it until they are fixed:**", ""]
        lines += [f"- {text(scrub_text(e))}" for e in plan.errors]
        lines.append("")
    lines.append("Merging applies these changes." if pending else "")
    return "\n".join(lines).rstrip("\n") + "\n"


def _cost_basis(plan: Plan) -> str:
    from vidflow.plan.cost import BASIS_TEXT

    assert plan.cost is not None
    return BASIS_TEXT[plan.cost.basis]


def _row(plan: Plan, change: Change) -> str:
    credits: int | str = plan.cost.of(change) if plan.cost is not None else 0
    if plan.cost is not None and plan.cost.unsure(change):
        credits = f"up to {credits}"
    where = text(change.address)
    if change.moved_from:
        where += f" (from {text(change.moved_from)})"
    why = "; ".join(text(r.sentence) for r in change.reasons)
    return (f"| <code>{text(change.action.symbol)}</code> | {where} | "
            f"{text(change.action.verb)} | {credits} | {why} |")


def _biggest(plan: Plan) -> list[str]:
    assert plan.cost is not None
    top = plan.cost.biggest(3)
    if len([c for c in plan.cost.credits.values() if c]) < 2:
        return []
    shown = ", ".join(f"{text(address)} ({credits})" for address, credits in top)
    return [f"Most credits: {shown}.", ""]


def _details(change: Change) -> list[str]:
    fields = change.fields or _new_story_fields(change)
    body = [_diff_line(f) for f in fields]
    notes = []
    if change.scenes is not None:
        rerendered, count = change.scenes
        listed = f" ({', '.join(str(n) for n in rerendered)})" if rerendered else ""
        notes.append(f"{len(rerendered)} of {count} scenes re-rendered{listed}")
    if change.story_id:
        notes.append(f"story {change.story_id}")
    if not body and not notes:
        return []
    summary = text(change.address)
    if change.fields:
        summary += f"&#58; {len(change.fields)} changed field" + (
            "s" if len(change.fields) != 1 else "")
    elif fields:
        summary += "&#58; the new story"
    lines = ["<details>", f"<summary>{summary}</summary>", ""]
    if notes:
        lines += [text("; ".join(notes)), ""]
    if body:
        fence = _fence(body)
        lines += [f"{fence}diff", *body, fence]
    lines += ["", "</details>", ""]
    return lines


def _new_story_fields(change: Change) -> tuple[FieldChange, ...]:
    """A create's inputs, as added lines: what the reviewer pays for."""
    story = change.after
    if change.action is not Action.CREATE or story is None:
        return ()
    found = [FieldChange("title", None, story.title)] if story.title else []
    found += [FieldChange(f"params.{k}", None, v) for k, v in sorted(story.params.items())
              if v not in (None, "", [], {}) and k != "webhook_url"]
    if story.storyboard:
        found += [FieldChange(f"storyboard.scenes[{i}]", None, scene)
                  for i, scene in enumerate(story.storyboard.get("scenes") or [], 1)]
    return tuple(found)


def _diff_line(field: FieldChange) -> str:
    path = json.dumps(field.path, ensure_ascii=False)[1:-1]
    mark = "  # forces replacement" if field.forces_replacement else ""
    added = f"+ {path}: {_value(field.after)}{mark}"
    if field.before is None and field.after is not None:
        return added
    return f"- {path}: {_value(field.before)}\n{added}"


def _value(value: Any) -> str:
    shown = "null" if value is None else json.dumps(scrub_urls_in(value), sort_keys=True,
                                                    ensure_ascii=False)
    return shown if len(shown) <= _MAX_VALUE else shown[:_MAX_VALUE] + "…"


def _fence(lines: list[str]) -> str:
    """A backtick fence longer than any run of backticks in `lines` (CommonMark: a
    block only ends at a fence at least as long as its opening one)."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    return "`" * max(3, longest + 1)


def _thumbnails(base: str, changes: tuple[Change, ...]) -> list[str]:
    shown = [c for c in changes if c.action not in _NO_POSTER and not c.deposed]
    if not shown:
        return []
    lines = ["#### Changed stories", ""]
    for change in shown:
        alt = text(change.address)
        poster = base + poster_relpath(change.address)
        page = base + page_relpath(change.address)
        lines.append(f'<a href="{page}"><img src="{poster}" alt="{alt}" title="{alt}" '
                     'width="240"></a>')
    lines.append("")
    return lines


def _gallery_base(url: str) -> str:
    """The gallery URL as a safe attribute value ending in "/": http(s) only, no
    credentials, every character outside a URL's own percent-encoded."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise VidflowError(f"--gallery-url {scrub_text(url)!r} is not an http(s) URL",
                           hint="give the gallery's address, e.g. https://example.org/gallery")
    if parts.query or parts.fragment:
        raise VidflowError(f"--gallery-url {scrub_text(url)!r} has a query or fragment",
                           hint="give the gallery's folder, e.g. https://example.org/gallery")
    if parts.username or parts.password:
        raise VidflowError("--gallery-url must not carry credentials: it is printed in a "
                           "pull-request comment", hint="give the gallery's public address")
    safe = quote(url.strip(), safe=":/%~.,-_+")
    return safe if safe.endswith("/") else safe + "/"
