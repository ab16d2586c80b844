"""One builder of resolved stories for planner, executor and apply tests."""

from __future__ import annotations

from typing import Any

from vidflow.spec.canonical import fingerprint, storyboard_fingerprint
from vidflow.spec.model import Lifecycle, ResolvedStory


def story(address: str, idea: str = "a winter walk", *, mode: str = "idea",
          title: str = "Title", description: str = "", visibility: str = "0",
          output: str | None = None, prevent_destroy: bool = False,
          storyboard: dict[str, Any] | None = None, **params: Any) -> ResolvedStory:
    """A story as the spec language resolves it, fingerprints included; extra keywords are
    generation params. `output` defaults to a path derived from the address."""
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
