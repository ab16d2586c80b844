"""What a reviewer sees before paying: posters and storyboard strips (posters.py), the
gallery's data (model.py), its pages (pages.py), the static site (site.py) and the local
server (server.py).

The static site's layout is a contract other pages link into (the markdown plan links
thumbnails as `<gallery-url>/stories/<slug>/poster.jpg`):

    index.html                      the grid, rows and columns by variant keys
    stories/<slug>/index.html       a story: player, storyboard strip, scenes, source
    stories/<slug>/poster.jpg       its poster        stories/<slug>/storyboard.jpg
    stories/<slug>/video.mp4        its video
    compare/<name-slug>.html        A/B: every variant of one story, played in sync
    assets/gallery.css, assets/gallery.js
"""

from __future__ import annotations

from vidflow.spec.variants import address_slug

POSTER, STRIP, VIDEO = "poster.jpg", "storyboard.jpg", "video.mp4"  # in stories/<slug>/


def story_slug(address: str) -> str:
    """The URL-safe folder name of a story's page: the address slug outputs use,
    `winter-promo[aspect_ratio=9:16,tone=fun]` → `winter-promo-aspect_ratio-9-16-tone-fun`
    (lowercase letters, digits, `_` and `-` only: safe in a URL and a file name)."""
    return address_slug(address) or "story"


def poster_relpath(address: str) -> str:
    """Where the site keeps a story's poster, relative to its root."""
    return f"stories/{story_slug(address)}/{POSTER}"


def page_relpath(address: str) -> str:
    """A story's page, relative to the site's root."""
    return f"stories/{story_slug(address)}/index.html"
