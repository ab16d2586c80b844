"""`plan --format text|json|markdown`: --json stays the same as --format json, markdown
goes to stdout as the comment, and options that do not go together are usage errors."""

from __future__ import annotations

import json
from pathlib import Path

from lifecycle_helpers import vidflow, write_spec


def test_markdown_is_the_comment_and_json_is_the_event_stream(root: Path) -> None:
    write_spec(root, {"alpha": ("A", "A fox.")})
    markdown = vidflow("plan", "--format", "markdown", "--gallery-url",
                       "https://example.org/g", str(root))
    assert markdown.code == 0, markdown.err
    assert markdown.out.startswith("### vidflow plan: Plan")
    assert "Estimated cost&#58; " in markdown.out
    assert 'src="https://example.org/g/stories/alpha/poster.jpg"' in markdown.out

    events = [json.loads(line) for line in vidflow("plan", "--format", "json",
                                                   str(root)).out.splitlines()]
    alias = [json.loads(line) for line in vidflow("plan", "--json", str(root)).out.splitlines()]
    assert [e["type"] for e in events] == [e["type"] for e in alias]
    assert events[-1]["changes"]["credits"] == alias[-1]["changes"]["credits"] > 0


def test_options_that_do_not_go_together_are_usage_errors(root: Path) -> None:
    write_spec(root, {"alpha": ("A", "A fox.")})
    both = vidflow("plan", "--json", "--format", "markdown", str(root))
    assert both.code == 2 and "--json is --format json" in both.err
    gallery = vidflow("plan", "--gallery-url", "https://example.org/g", str(root))
    assert gallery.code == 2 and "--format markdown" in gallery.err
    bad = vidflow("plan", "--format", "markdown", "--gallery-url", "javascript:alert(1)",
                  str(root))
    assert bad.code == 1 and "not an http(s) URL" in bad.err and "Traceback" not in bad.err
