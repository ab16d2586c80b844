"""How a resolved story becomes Story API calls, and the providers' small pure parts."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import pytest

from vidflow.api.models import StoryRecord
from vidflow.engine.settings import engine_overrides
from vidflow.errors import PlanError, VidflowError
from vidflow.providers.base import ApiProvider, Interrupted, poll_until_done
from vidflow.providers.http import api_key_from_env
from vidflow.spec.model import ResolvedStory


class RecordingBackend:
    """A StoryBackend that records each call and answers with a new story."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, dict[str, Any]]] = []

    def _answer(self, name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.calls.append((name, args, kwargs))
        return {"id": args[0] if args else "new-id", "status": "new"}

    def idea_to_video(self, **kw):
        return self._answer("idea_to_video", **kw)

    def url_to_video(self, **kw):
        return self._answer("url_to_video", **kw)

    def images_to_video(self, **kw):
        return self._answer("images_to_video", **kw)

    def create_storyboard(self, **kw):
        return self._answer("create_storyboard", **kw)

    def generate_scenes(self, story_id, **kw):
        return self._answer("generate_scenes", story_id, **kw)

    def create_videos(self, story_id, **kw):
        return self._answer("create_videos", story_id, **kw)

    def get_story(self, story_id):
        return self._answer("get_story", story_id)

    def update_story(self, story_id, **kw):
        return self._answer("update_story", story_id, **kw)

    def delete_story(self, story_id):
        return self._answer("delete_story", story_id)


class Recording(ApiProvider):
    """A provider over a RecordingBackend; `calls` lists what reached the backend."""

    def __init__(self, root: Path, backend: Any = None) -> None:
        super().__init__(root, backend or RecordingBackend())
        self.recorder = backend or self.backend

    @property
    def calls(self) -> list[tuple[str, tuple, dict[str, Any]]]:
        return self.recorder.calls


def _story(mode: str, params: dict, **kw) -> ResolvedStory:
    return ResolvedStory(address="promo", mode=mode, params=params, title="Promo", **kw)


def test_idea_mode_sends_the_api_parameters_and_title(tmp_path: Path):
    """mode idea → one idea_to_video call with the API's names; None left to defaults."""
    provider = Recording(tmp_path)
    record = provider.create(_story("idea", {"idea": "a fox", "scene_count": 2,
                                             "webhook_url": None, "output": "x"}))
    assert record.id == "new-id"
    assert provider.calls == [("idea_to_video", (),
                               {"title": "Promo", "idea": "a fox", "scene_count": 2})]


def test_images_mode_sends_local_files_checked_against_their_hash(tmp_path: Path):
    """image_files references become paths under the project root, hash verified."""
    (tmp_path / "a.png").write_bytes(b"png-a")
    ref = {"path": "a.png", "sha256": hashlib.sha256(b"png-a").hexdigest()}
    provider = Recording(tmp_path)
    provider.create(_story("images", {"image_files": [ref], "aspect_ratio": "1:1"}))
    name, _, kwargs = provider.calls[0]
    assert name == "images_to_video"
    assert kwargs["image_files"] == [(tmp_path / "a.png").resolve()]
    assert kwargs["aspect_ratio"] == "1:1" and "image_urls" not in kwargs


def test_a_file_changed_since_the_plan_is_refused(tmp_path: Path):
    (tmp_path / "a.png").write_bytes(b"changed")
    ref = {"path": "a.png", "sha256": hashlib.sha256(b"original").hexdigest()}
    with pytest.raises(PlanError, match=r"image_files\[0\].*changed since the plan"):
        Recording(tmp_path).create(_story("images", {"image_files": [ref]}))


def test_storyboard_mode_runs_the_advanced_steps_in_order(tmp_path: Path):
    """create_storyboard (with the board's idea) → generate_scenes(board) → create_videos."""
    board = {"idea": "a pinned idea", "scenes": [{"name": "one"}]}
    provider = Recording(tmp_path)
    provider.create(_story("storyboard", {"scene_count": 1, "image_tool": "FluxTurbo",
                                          "duration": 3}, storyboard=board))
    assert [c[0] for c in provider.calls] == ["create_storyboard", "generate_scenes",
                                              "create_videos"]
    assert provider.calls[0][2]["idea"] == "a pinned idea"
    assert provider.calls[1][1] == ("new-id",)
    assert provider.calls[1][2]["storyboard"] == board
    assert provider.calls[1][2]["option"] == "FluxTurbo"
    assert provider.calls[2][2]["duration"] == 3


def test_regenerate_works_on_the_same_story(tmp_path: Path):
    provider = Recording(tmp_path)
    board = {"scenes": [{"name": "two"}]}
    provider.regenerate("s-1", _story("storyboard", {}, storyboard=board))
    assert [(c[0], c[1]) for c in provider.calls] == [("generate_scenes", ("s-1",)),
                                                      ("create_videos", ("s-1",))]


def test_polling_stops_when_asked_and_backs_off():
    """The wait ends with Interrupted on stop; pauses grow up to the maximum."""
    pauses: list[float] = []

    class Stop(threading.Event):
        def wait(self, timeout=None):
            pauses.append(timeout)
            return len(pauses) >= 5

    seen = []
    with pytest.raises(Interrupted):
        poll_until_done(lambda sid: StoryRecord(id=sid, status="processing"), "s", stop=Stop(),
                        on_progress=seen.append, first_interval=1, max_interval=2)
    assert pauses == [1, 1.5, 2, 2, 2] and len(seen) == 5


def test_polling_returns_the_finished_record():
    states = iter(["new", "processing", "success"])
    record = poll_until_done(lambda sid: StoryRecord(id=sid, status=next(states)), "s",
                             first_interval=0)
    assert record.status == "success"


def test_render_quality_comes_from_the_environment():
    assert engine_overrides({"VIDFLOW_ENGINE_SCALE": "0.25", "VIDFLOW_ENGINE_FPS": "10"}) == {
        "scale": 0.25, "fps": 10}
    assert engine_overrides({}) == {}
    with pytest.raises(VidflowError, match="VIDFLOW_ENGINE_FPS"):
        engine_overrides({"VIDFLOW_ENGINE_FPS": "fast"})


def test_a_missing_api_key_names_the_variable():
    with pytest.raises(VidflowError, match="MY_KEY") as info:
        api_key_from_env("MY_KEY", {"OTHER": "secret-value"})
    assert "secret-value" not in str(info.value)
    assert api_key_from_env("MY_KEY", {"MY_KEY": " k "}) == "k"


def test_too_many_requests_is_retried_because_nothing_was_accepted(tmp_path: Path):
    """429 on a create: ask again after Retry-After; the story is made once. (The local
    transport's one retry layer, the engine adapter: an engine refusing twice.)"""
    from vidflow.errors import TooManyRequests
    from vidflow.providers.local import EngineBackend

    class BusyEngine:
        refusals = 2

        def __init__(self) -> None:
            self.calls: list[tuple[str, tuple, dict[str, Any]]] = []

        def idea_to_video(self, *, account: str, **kwargs):
            if self.refusals:
                self.refusals -= 1
                raise TooManyRequests("too many requests", retry_after=0.01)
            self.calls.append(("idea_to_video", (), kwargs))
            return {"id": "new-id", "status": "new"}

    engine = BusyEngine()
    provider = Recording(tmp_path, EngineBackend(engine))
    provider.recorder = engine
    assert provider.create(_story("idea", {"idea": "a fox"})).id == "new-id"
    assert [c[0] for c in provider.calls] == ["idea_to_video"]
