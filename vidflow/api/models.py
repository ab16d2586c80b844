"""The story record every Story API response carries, as a typed value.

Both sides of the contract produce it: the HTTP client from `{"data": {...}}`, the local
provider from the engine's dict. `raw` keeps the whole server document for `show --json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("new", "processing", "success", "fail")
TERMINAL = frozenset({"success", "fail"})


@dataclass(frozen=True)
class StoryRecord:
    id: str
    status: str
    progress_percentage: int = 0
    video_url: str | None = None
    title: str = ""
    description: str = ""
    visibility_status: str = "0"
    used_credits: int = 0
    message: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    storyboard: dict[str, Any] | None = None
    scenes: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> StoryRecord:
        """Build from the API's story object; unknown fields stay in `raw`."""
        return cls(
            id=str(data["id"]),
            status=str(data.get("status") or "new"),
            progress_percentage=int(data.get("progress_percentage") or 0),
            video_url=data.get("video_url") or None,
            title=data.get("title") or "",
            description=data.get("description") or "",
            visibility_status=str(data.get("visibility_status") or "0"),
            used_credits=int(data.get("used_credits") or 0),
            message=data.get("message") or None,
            created_at=data.get("created_at"),
            updated_at=data.get("updated_at"),
            storyboard=data.get("storyboard") or None,
            scenes=list(data.get("scenes") or []),
            raw=dict(data),
        )
