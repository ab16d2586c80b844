"""The Story API's operations as one Python service layer (no HTTP here).

CONTRACT (the server, the local provider and tests code against these signatures):
every method returns the story object as the API's JSON would carry it (a plain dict with
at least: id, status, progress_percentage, message, title, description, visibility_status,
used_credits, created_at, updated_at, video_url, storyboard, scenes, scene_count,
aspect_ratio). Media URLs are paths under "/media/..." prefixed by
`EngineConfig.public_base_url` (the server sets it; "" gives relative paths, which
`media_path` maps back to files). Errors are vidflow.errors.StoryApiError subclasses.

Automatic modes and create_videos/concat return at once (status "new"/"processing") and
finish in the background; create_storyboard, generate_elements and generate_scenes run to
completion before they return, as the reference's examples read their results at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_IMAGES_IDEA = (
    "Create a stunning video showcasing these images with a compelling narrative"
)


@dataclass
class EngineConfig:
    data_dir: Path
    credits: int = 1_000_000  # starting balance per account
    max_concurrent: int = 4  # running jobs per account before TooManyRequests
    workers: int = 2  # background pipeline threads
    fps: int = 30
    scale: float = 1.0  # resolution multiplier; tests render small
    x264_preset: str = "veryfast"
    public_base_url: str = ""
    storyboard_endpoint: str | None = None  # OpenAI-compatible base URL, optional
    storyboard_model: str = "gpt-4o-mini"
    storyboard_api_key_env: str = "OPENAI_API_KEY"


class StoryEngine:
    def __init__(self, config: EngineConfig) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # --- automatic mode -------------------------------------------------------------
    def idea_to_video(self, *, account: str = "local", idea: str, scene_count: int = 3,
                      image_tool: str = "Seedream", video_tool: str = "Auto",
                      scene_duration: str | int = "5", aspect_ratio: str = "16:9",
                      is_transition: bool = False, elements: dict | None = None,
                      audio_option: dict | None = None, language: str = "English",
                      title: str = "", webhook_url: str | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def url_to_video(self, *, account: str = "local", idea: str, scene_count: int = 3,
                     image_tool: str = "Seedream", video_tool: str = "Auto",
                     scene_duration: str | int = "5", aspect_ratio: str = "16:9",
                     is_transition: bool = False, elements: dict | None = None,
                     audio_option: dict | None = None, language: str = "English",
                     title: str = "", webhook_url: str | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def images_to_video(self, *, account: str = "local", idea: str = DEFAULT_IMAGES_IDEA,
                        image_urls: Sequence[str] = (), image_files: Sequence[Path] = (),
                        video_tool: str = "Auto", is_transition: bool = False,
                        scene_duration: str | int = "5", aspect_ratio: str = "16:9",
                        audio_option: dict | None = None, language: str = "English",
                        title: str = "", webhook_url: str | None = None) -> dict[str, Any]:
        raise NotImplementedError

    # --- advanced mode --------------------------------------------------------------
    def create_storyboard(self, *, account: str = "local", idea: str, scene_count: int = 3,
                          language: str = "English", aspect_ratio: str = "16:9",
                          audio_option: dict | None = None, elements: dict | None = None,
                          image_urls: Sequence[str] = (), image_files: Sequence[Path] = (),
                          story_id: str | None = None, title: str = "") -> dict[str, Any]:
        raise NotImplementedError

    def generate_elements(self, story_id: str, *, account: str = "local",
                          option: str = "Seedream", aspect_ratio: str | None = None,
                          storyboard: dict | None = None,
                          enhance_image: bool = False) -> dict[str, Any]:
        raise NotImplementedError

    def generate_scenes(self, story_id: str, *, account: str = "local",
                        option: str = "Seedream", aspect_ratio: str | None = None,
                        storyboard: dict | None = None, enhance_image: bool = False,
                        audio_option: dict | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def create_videos(self, story_id: str, *, account: str = "local", title: str = "",
                      storyboard: dict | None = None, is_transition: bool = False,
                      motion_type: str = "Auto", duration: int = 5, loop: int = 1,
                      webhook_url: str | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def concat(self, story_id: str, *, account: str = "local",
               concat_video_urls: Sequence[str] | None = None,
               audio_urls: Sequence[str] | None = None,
               concat_video_files: Sequence[Path] = (),
               audio_files: Sequence[Path] = ()) -> dict[str, Any]:
        raise NotImplementedError

    # --- records ----------------------------------------------------------------------
    def get_story(self, story_id: str, *, account: str = "local") -> dict[str, Any]:
        raise NotImplementedError

    def update_story(self, story_id: str, *, account: str = "local", title: str | None = None,
                     description: str | None = None,
                     visibility_status: str | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def delete_story(self, story_id: str, *, account: str = "local") -> dict[str, Any]:
        raise NotImplementedError

    def wait(self, story_id: str, *, account: str = "local",
             timeout: float | None = None) -> dict[str, Any]:
        """Block until the story is success or fail (in-process convenience)."""
        raise NotImplementedError

    def media_path(self, url_path: str) -> Path:
        """The file behind a "/media/..." URL path; NotFound for anything outside."""
        raise NotImplementedError
