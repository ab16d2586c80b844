"""`vidflow plan --format markdown`: the plan as a pull-request comment, parsed back with
a CommonMark renderer (markdown-it, as GitHub's is CommonMark) to check what a reviewer
would see, and that nothing a spec says can become HTML, a link or a mention."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest
from markdown_it import MarkdownIt
from plan_helpers import applied, empty_lock, project, story

from vidflow.errors import VidflowError
from vidflow.plan.markdown import poster_relpath, render_markdown
from vidflow.plan.planner import make_plan

HOSTILE = ('<img src=x onerror=alert(1)> </details><script>alert(2)</script> @octocat '
           '[click](https://evil.example) ``` **bold** | cell')


def html_of(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


def board(*narrators: str) -> dict:
    return {"scenes": [{"name": f"s{i}", "narrator": n} for i, n in enumerate(narrators, 1)]}


def test_a_summary_a_row_per_change_the_cost_and_scene_diffs():
    lock = applied(project(story("b", mode="storyboard", storyboard=board("one", "two")),
                           story("gone")))
    plan = make_plan(project(story("a"),
                             story("b", mode="storyboard", storyboard=board("one", "TWO"))),
                     lock)
    text = render_markdown(plan)
    page = html_of(text)
    assert text.startswith("### vidflow plan: Plan")
    assert f"Estimated cost: {plan.cost.total} credits" in page
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*"
                      r"<td[^>]*>(.*?)</td>", page, re.S)
    assert [(r[1], r[2], int(r[3])) for r in rows] == [
        ("a", "create", plan.cost.credits["a"]), ("b", "regenerate", plan.cost.credits["b"]),
        ("gone", "delete", 0)]
    assert "<details>" in page and "1 of 2 scenes re-rendered (2)" in page
    diffs = re.findall(r'<code class="language-diff">(.*?)</code>', page, re.S)
    assert '- scenes[2].narrator: &quot;two&quot;\n+ scenes[2].narrator: &quot;TWO&quot;' in (
        diffs[1])


def test_spec_text_cannot_inject_html_links_or_mentions():
    hostile = story("a", HOSTILE, title=HOSTILE)
    lock = applied(project(story("b", mode="storyboard", storyboard=board("calm"))))
    plan = make_plan(project(hostile, story("b", mode="storyboard",
                                            storyboard=board(HOSTILE))), lock)
    plan = dataclasses.replace(plan, errors=(HOSTILE,))
    text = render_markdown(plan, gallery_url="https://example.org/g")
    page = html_of(text)
    assert "<script" not in page and "<img src=x" not in page
    assert "<strong>bold</strong>" not in page
    assert 'href="https://evil.example"' not in page
    # every <details> opened is closed: the hostile text did not end one early
    assert page.count("<details>") == page.count("</details>") == 2
    # still there for the reader (in the diff, and inert in the errors), but no mention
    assert "@octocat" in page and "@\u2060octocat" in html.unescape(page)
    assert not re.search(r"@\w", html.unescape(page.split("<ul>")[-1]))


def test_thumbnails_of_the_changed_stories_link_to_the_gallery():
    lock = applied(project(story("gone")))
    plan = make_plan(project(story("promo[tone=fun]"), story("promo[tone=calm]")), lock)
    text = render_markdown(plan, gallery_url="https://example.org/pr-12/")
    for address in ("promo[tone=fun]", "promo[tone=calm]"):
        assert f'src="https://example.org/pr-12/{poster_relpath(address)}"' in text
    assert poster_relpath("promo[tone=fun]") == "stories/promo-tone-fun/poster.jpg"
    assert "stories/gone/" not in text  # a deleted story has no new poster
    assert "<img" not in render_markdown(plan)  # no gallery, no thumbnails


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://u:secret@example.org/g",
                                 "https://example.org/g?x=1\"><script>"])
def test_a_gallery_url_that_is_not_a_plain_http_address_is_refused(url):
    plan = make_plan(project(story("a")), empty_lock())
    with pytest.raises(VidflowError) as caught:
        render_markdown(plan, gallery_url=url)
    assert "secret" not in str(caught.value)


def test_url_credentials_in_values_are_scrubbed():
    lock = applied(project(story("a", mode="images",
                                 image_urls=["https://example.org/1.png"])))
    plan = make_plan(project(story("a", mode="images",
                                   image_urls=["https://user:hunter2@example.org/2.png"])),
                     lock)
    assert "hunter2" not in render_markdown(plan)


def test_no_changes_says_so():
    proj = project(story("a"))
    text = render_markdown(make_plan(proj, applied(proj)))
    assert "No changes" in text and "<table" not in html_of(text)


def test_a_comment_on_a_plan_that_pays_for_nothing_says_so():
    lock = applied(project(story("gone"), story("kept")))
    page = html_of(render_markdown(make_plan(project(story("kept")), lock)))
    assert "<strong>Cost: nothing to pay (no change here is charged)</strong>" in page
    assert "exact" not in page and "Estimated cost" not in page
