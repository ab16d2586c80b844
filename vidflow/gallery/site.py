"""The gallery as a static site: the pages, the pictures and the videos in one folder.

Every link is relative, so the folder can be opened from disk, published as a CI
artifact or served by `vidflow gallery`. Videos and pictures are hard-linked when the
folder is on the same filesystem (no copy of a big MP4), copied otherwise.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from importlib import resources
from pathlib import Path

from vidflow.errors import VidflowError
from vidflow.gallery import POSTER, STRIP, VIDEO
from vidflow.gallery.model import Card, Group, cards, groups
from vidflow.gallery.pages import comparable, compare_page, index_page, story_page
from vidflow.spec.model import Project
from vidflow.state.lockfile import Lockfile

ASSETS = ("gallery.css", "gallery.js")


def asset_text(name: str) -> str:
    """A file of vidflow/gallery/static/ (the page's CSS and JS)."""
    return resources.files("vidflow.gallery").joinpath("static", name).read_text("utf-8")


def write_site(project: Project, lock: Lockfile, out: Path) -> list[Path]:
    """Write the gallery of `project` to `out`; the pages written."""
    all_cards = cards(project, lock)
    _check_unique_slugs(all_cards)
    laid_out = groups(all_cards)
    out = Path(out)
    (out / "assets").mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        _write(out / "assets" / name, asset_text(name))
    pages = [_write(out / "index.html", index_page(laid_out,
                                                   title=f"{Path(project.root).name}: "
                                                         "vidflow gallery"))]
    for group in laid_out:
        for card in group.cards:
            pages.append(_story(out, card, group))
        if len(comparable(group)) >= 2:
            pages.append(_write(out / "compare" / f"{group.slug}.html", compare_page(group)))
    return pages


def _story(out: Path, card: Card, group: Group) -> Path:
    folder = out / "stories" / card.slug
    folder.mkdir(parents=True, exist_ok=True)
    for source, name in ((card.video, VIDEO), (card.poster, POSTER), (card.strip, STRIP)):
        target = folder / name
        if source is None:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()  # a picture of an older video must not linger
        else:
            _place(source, target)
    return _write(folder / "index.html", story_page(card, group))


def _check_unique_slugs(all_cards: list[Card]) -> None:
    seen: dict[str, str] = {}
    for card in all_cards:
        other = seen.setdefault(card.slug, card.address)
        if other != card.address:
            raise VidflowError(f"the gallery cannot tell {other!r} from {card.address!r}: "
                               f"both are stories/{card.slug}/",
                               hint="rename one of the variant values (they differ only "
                                    "in case or punctuation)")


def _place(source: Path, target: Path) -> None:
    """`target` becomes `source`'s bytes: a hard link, else a copy (atomically either way)."""
    tmp = target.with_name(f".{target.name}.part")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
