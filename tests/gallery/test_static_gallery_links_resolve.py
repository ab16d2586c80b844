"""`vidflow gallery --out` writes a static site whose every link resolves inside it."""

from __future__ import annotations

import html.parser
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from support.gallery import FOX_VARIANTS

from vidflow.gallery import story_slug

pytestmark = pytest.mark.slow


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if k in ("href", "src", "poster") and v]


def links_of(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def test_every_href_and_src_resolves_to_a_file_of_the_site(site: Path) -> None:
    """Each link of each page is relative and names a file inside the folder."""
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 1 + 6 + 1  # index, six stories, fox's comparison
    checked = 0
    for page in pages:
        for link in links_of(page):
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc and not link.startswith("/"), \
                f"{page.relative_to(site)}: {link} is not a relative link"
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_relative_to(site.resolve()), f"{link} leaves the site"
            assert target.is_file(), f"{page.relative_to(site)}: {link} does not resolve"
            checked += 1
    assert checked > 30


def test_thumbnails_follow_the_published_layout(site: Path) -> None:
    """stories/<story_slug(address)>/poster.jpg: the path the markdown plan links to."""
    for address in (*FOX_VARIANTS, "owl"):
        folder = site / "stories" / story_slug(address)
        assert (folder / "poster.jpg").stat().st_size > 0
        assert (folder / "storyboard.jpg").stat().st_size > 0
        assert (folder / "video.mp4").stat().st_size > 0
    assert story_slug("fox[aspect_ratio=16:9,tone=fun]") == "fox-aspect_ratio-16-9-tone-fun"
    assert re.fullmatch(r"[a-z0-9_-]+", story_slug("Ünïcode [k=a/b?c#d]"))


def test_grid_cells_say_status_credits_and_plan_state(site: Path,
                                                      applied_project: Path) -> None:
    """Applied variants are in sync with their recorded credits; the new story shows
    "not applied", no credits and the create the plan would make."""
    import json

    index = (site / "index.html").read_text(encoding="utf-8")
    entries = json.loads((applied_project / "vidflow.lock").read_text())["entries"]
    for address in FOX_VARIANTS:
        cell = _cell(index, address)
        assert ">success<" in cell and ">in sync<" in cell
        assert f'class="credits">{entries[address]["used_credits"]}<' in cell
    hare = _cell(index, "hare")
    assert ">not applied<" in hare and 'class="credits">—<' in hare
    assert "would change: + create" in hare
    story = (site / "stories/hare/index.html").read_text(encoding="utf-8")
    assert "videos.yaml:" in story  # the spec's source location


def test_user_text_is_escaped(site: Path) -> None:
    """A title with markup is shown as text, never run as a script."""
    page = (site / "stories/owl/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;owl&#39;)&lt;/script&gt; &amp; co" in page
    assert "<script>alert" not in page


def _cell(index: str, address: str) -> str:
    from html import escape

    start = index.index(f'data-address="{escape(address)}"')
    return index[start:index.index("</dl>", start)]
