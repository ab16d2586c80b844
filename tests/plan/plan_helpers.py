"""Building projects and lockfiles for planner tests, with the spec's own fingerprints."""

from __future__ import annotations

from typing import Any

from vidflow.apply.simulate import simulate_apply
from vidflow.plan.planner import make_plan
from vidflow.spec.canonical import fingerprint, storyboard_fingerprint
from vidflow.spec.model import Lifecycle, Moved, Project, ProviderConfig, ResolvedStory
from vidflow.state.lockfile import Lockfile

LOCAL = ProviderConfig()


def story(address: str, idea: str = "a winter walk", *, mode: str = "idea",
          title: str = "Title", description: str = "", visibility: str = "0",
          output: str | None = None, prevent_destroy: bool = False,
          storyboard: dict[str, Any] | None = None, **params: Any) -> ResolvedStory:
    full = {"idea": idea, "scene_count": 3, "aspect_ratio": "16:9",
            "audio_option": {"has_bg_music": True, "narrator": "Rachel"}, **params}
    slug = address.replace("[", "-").replace("]", "").replace("=", "-").replace(",", "-")
    return ResolvedStory(
        address=address, mode=mode, params=full, title=title, description=description,
        visibility_status=visibility, storyboard=storyboard,
        output=f"out/{slug}.mp4" if output is None else output,
        lifecycle=Lifecycle(prevent_destroy=prevent_destroy),
        fingerprint=fingerprint(mode, full),
        storyboard_fingerprint=storyboard_fingerprint(storyboard))


def project(*stories: ResolvedStory, moved: tuple[tuple[str, str], ...] = (),
            provider: ProviderConfig = LOCAL) -> Project:
    return Project(root="/project", provider=provider,
                   stories={s.address: s for s in sorted(stories, key=lambda s: s.address)},
                   moved=tuple(Moved(a, b) for a, b in moved))


def empty_lock() -> Lockfile:
    return Lockfile(lineage="")


def applied(proj: Project, lock: Lockfile | None = None) -> Lockfile:
    """The lockfile after a successful apply of `proj`."""
    lock = lock if lock is not None else empty_lock()
    return simulate_apply(make_plan(proj, lock), lock)
