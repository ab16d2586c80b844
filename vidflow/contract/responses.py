"""The story object every operation returns, as `{"data": story}`."""

from __future__ import annotations

STATUSES = ("new", "processing", "success", "fail")
FINAL_STATUSES = ("success", "fail")

# Get Story Detail's response fields; the engine adds the rest of STORY_FIELDS
REFERENCE_FIELDS = ("id", "status", "progress_percentage", "video_url", "storyboard", "scenes",
                    "used_credits", "created_at", "updated_at")
STORY_FIELDS = (*REFERENCE_FIELDS, "message", "title", "description", "visibility_status",
                "scene_count", "aspect_ratio")
