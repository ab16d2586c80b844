"""`vidflow preview`: every story rendered by the embedded engine at draft quality, free.

Whatever provider the specs name, the stories go to a throwaway local engine (a fresh
folder under `.vidflow/preview/`, deleted afterwards) at DRAFT_QUALITY, so a preview costs
nothing, needs no API key, and sends nothing anywhere (webhooks are dropped; a `url`
story still fetches its page). It never opens the lockfile or takes the state lock: a
preview is not a state of the project. What it leaves, per story, under .vidflow/preview/:

    <address_slug>.mp4  <address_slug>.poster.jpg  <address_slug>.storyboard.jpg
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from vidflow.engine.settings import DRAFT_QUALITY
from vidflow.errors import PlanError, VidflowError
from vidflow.gallery.posters import POSTER_SUFFIX, STRIP_SUFFIX, make_side_files, scenes_of
from vidflow.paths import STATE_DIR, VIDEO_SUFFIX
from vidflow.spec.model import Project, ResolvedStory
from vidflow.spec.variants import address_slug, normalize_address
from vidflow.suggest import did_you_mean

if TYPE_CHECKING:
    from vidflow.api.models import StoryRecord
    from vidflow.providers.local import LocalProvider

PREVIEW_DIR = Path(STATE_DIR) / "preview"


@dataclass(frozen=True)
class Preview:
    address: str
    video: Path
    poster: Path
    strip: Path
    seconds: float


def selected(project: Project, targets: Sequence[str]) -> list[ResolvedStory]:
    """The stories `--target` names (an address, or a story name for all its variants)."""
    if not targets:
        return list(project.stories.values())
    wanted = {normalize_address(t) for t in targets}
    known = set(project.stories) | {a.split("[", 1)[0] for a in project.stories}
    unknown = sorted(wanted - known)
    if unknown:
        raise PlanError(f"--target {unknown[0]!r} matches no story in the specs"
                        + did_you_mean(unknown[0], known))
    return [s for a, s in project.stories.items()
            if a in wanted or a.split("[", 1)[0] in wanted]


def preview_dir(root: Path) -> Path:
    """.vidflow/preview/ of the project, refused if a symlink leads it out of the project."""
    folder = Path(root) / PREVIEW_DIR
    folder.mkdir(parents=True, exist_ok=True)
    real = Path(os.path.realpath(folder))
    if not real.is_relative_to(Path(os.path.realpath(root))):
        raise VidflowError(f"{folder} leads outside the project folder",
                           hint=f"remove the symlink {PREVIEW_DIR}")
    return real


def draft(story: ResolvedStory) -> ResolvedStory:
    """The story as the preview engine gets it: no webhook, no overrides (applied after)."""
    params = {k: v for k, v in story.params.items() if k != "webhook_url"}
    return replace(story, params=params, webhook_url=None, overrides=None,
                   overrides_fingerprint=None)


def preview(project: Project, targets: Sequence[str] = (), *,
            on_story: Callable[[str], None] | None = None) -> list[Preview]:
    """Render the selected stories at draft quality; their previews, in address order."""
    from vidflow.api.poll import WaitTimeout
    from vidflow.providers.local import LocalProvider
    from vidflow.spec.overrides import apply_overrides, override_problems, reference_shape

    stories = selected(project, targets)
    root = Path(project.root)
    out_dir = preview_dir(root)
    engine_dir = Path(tempfile.mkdtemp(prefix=".engine-", dir=out_dir))
    results = []
    try:
        provider = LocalProvider(root, data_dir=str(engine_dir), overrides=DRAFT_QUALITY,
                                 resume=False)
        try:
            for story in stories:
                if on_story is not None:
                    on_story(story.address)
                plain = draft(story)
                record = provider.create(plain)
                try:
                    record = provider.wait(record.id, timeout=story.deadline)
                    if record.status == "success" and story.overrides:
                        base = reference_shape(provider.get(record.id).storyboard)
                        problems = override_problems(base, story.overrides)
                        if problems:
                            raise PlanError(f"{story.address}: overrides: " + "; ".join(
                                f"{path}: {text}" for path, text in problems))
                        board = story.storyboard if story.mode == "storyboard" else \
                            apply_overrides(base, story.overrides)
                        provider.regenerate(record.id, replace(plain, storyboard=board))
                        record = provider.wait(record.id, timeout=story.deadline)
                except WaitTimeout as exc:
                    raise VidflowError(f"{story.address}: the draft render did not finish "
                                       "within the story's deadline") from exc
                if record.status != "success":
                    raise VidflowError(f"{story.address}: the draft render failed: "
                                       f"{record.message or record.status}")
                results.append(_keep(provider, record, story.address, out_dir))
        finally:
            provider.close()
    finally:
        shutil.rmtree(engine_dir, ignore_errors=True)
    return results


def _keep(provider: LocalProvider, record: StoryRecord, address: str,
          out_dir: Path) -> Preview:
    from vidflow.gallery.posters import video_seconds

    slug = address_slug(address) or "story"
    video = out_dir / f"{slug}{VIDEO_SUFFIX}"
    provider.download(record, video)
    poster, strip = out_dir / f"{slug}{POSTER_SUFFIX}", out_dir / f"{slug}{STRIP_SUFFIX}"
    with contextlib.suppress(FileNotFoundError):
        poster.unlink()
    make_side_files(video, scenes_of(record.storyboard), poster, strip)
    return Preview(address, video, poster, strip, video_seconds(video))
