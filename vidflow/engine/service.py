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

Admission order for every request: validate (400/422) → story found (404) → a job slot
for the account (429) → credits charged (402) → only then is anything created.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from vidflow.engine import credits, fetch, outbound, pipeline, work
from vidflow.engine import validation as v
from vidflow.engine.assets import file_digest
from vidflow.engine.jobs import JobControl, JobRunner
from vidflow.engine.store import MEDIA_PREFIX, Store, StoryRow
from vidflow.errors import BadRequest, MediaError, NotFound, ValidationFailed

log = logging.getLogger(__name__)

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
    # May element "image"/"image_path" fields name local files? Yes for in-process callers
    # (the local provider passes spec files so); a served engine must not let clients read
    # the server's files. None (default): allowed only when public_base_url is "", i.e.
    # when the engine is not behind HTTP.
    allow_local_files: bool | None = None
    # Re-queue stories a previous process left unfinished (as the owning engine)? False
    # opens the store to read it only, e.g. for `vidflow plan`/`refresh`, which must not
    # start renders they would stop again a moment later.
    resume: bool = True
    # Networks, addresses or host names (outbound.Opening entries) that fetched URLs and
    # webhooks may reach although they are not public; empty: public addresses only.
    allow_networks: tuple[str, ...] = ()


class StoryEngine:
    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.opening = outbound.Opening.parse(config.allow_networks)  # ValueError first
        Path(config.data_dir).mkdir(parents=True, exist_ok=True)
        self.store = Store(Path(config.data_dir), starting_balance=config.credits)
        self.jobs = JobRunner(self.store, workers=config.workers,
                              max_concurrent=config.max_concurrent, opening=self.opening)
        self._story_locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._resolve = fetch.local_media_resolver(config.public_base_url, self.media_path)
        # Only the first live engine on a data folder resumes unfinished stories; a second
        # one (a CLI beside a server, say) must not run the same story twice.
        self._owner = FileLock(str(Path(config.data_dir) / "engine.lock"))
        if config.resume:
            self._claim_and_resume()

    def _claim_and_resume(self) -> None:
        try:
            self._owner.acquire(timeout=0)
        except Timeout:
            log.info("another engine owns %s; not resuming its stories", self.config.data_dir)
        else:
            self._resume()

    def close(self) -> None:
        """Stop workers; interrupted stories stay `processing` and resume on next start."""
        self.jobs.close()
        self.store.close()
        if self._owner.is_locked:
            self._owner.release()

    def __enter__(self) -> StoryEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- automatic mode -------------------------------------------------------------
    def idea_to_video(self, *, account: str = "local", idea: str, scene_count: int = 3,
                      image_tool: str = "Seedream", video_tool: str = "Auto",
                      scene_duration: str | int = "5", aspect_ratio: str = "16:9",
                      is_transition: bool = False, elements: dict | None = None,
                      audio_option: dict | None = None, language: str = "English",
                      title: str = "", webhook_url: str | None = None) -> dict[str, Any]:
        params = self._automatic_params(
            idea=idea, scene_count=scene_count, image_tool=image_tool, video_tool=video_tool,
            scene_duration=scene_duration, aspect_ratio=aspect_ratio,
            is_transition=is_transition, elements=elements, audio_option=audio_option,
            language=language, title=title, webhook_url=webhook_url)
        return self._start_automatic(account, "idea", params)

    def url_to_video(self, *, account: str = "local", idea: str, scene_count: int = 3,
                     image_tool: str = "Seedream", video_tool: str = "Auto",
                     scene_duration: str | int = "5", aspect_ratio: str = "16:9",
                     is_transition: bool = False, elements: dict | None = None,
                     audio_option: dict | None = None, language: str = "English",
                     title: str = "", webhook_url: str | None = None) -> dict[str, Any]:
        idea = v.require_idea(idea)
        url = v.first_url(idea)
        if url is None:
            raise ValidationFailed("idea: must contain the website's http(s) URL", details=[{
                "loc": ["body", "idea"], "type": "value_error",
                "msg": "must contain the website's http(s) URL, e.g. 'A video for "
                       "https://www.example.com'"}])
        params = self._automatic_params(
            idea=idea, scene_count=scene_count, image_tool=image_tool, video_tool=video_tool,
            scene_duration=scene_duration, aspect_ratio=aspect_ratio,
            is_transition=is_transition, elements=elements, audio_option=audio_option,
            language=language, title=title, webhook_url=webhook_url)
        params["url"] = url
        return self._start_automatic(account, "url", params)

    def images_to_video(self, *, account: str = "local", idea: str = DEFAULT_IMAGES_IDEA,
                        image_urls: Sequence[str] = (), image_files: Sequence[Path] = (),
                        video_tool: str = "Auto", is_transition: bool = False,
                        scene_duration: str | int = "5", aspect_ratio: str = "16:9",
                        audio_option: dict | None = None, language: str = "English",
                        title: str = "", webhook_url: str | None = None) -> dict[str, Any]:
        idea = DEFAULT_IMAGES_IDEA if idea is None else idea
        params = self._automatic_params(
            idea=idea, scene_count=1, image_tool="Seedream", video_tool=video_tool,
            scene_duration=scene_duration, aspect_ratio=aspect_ratio,
            is_transition=is_transition, elements=None, audio_option=audio_option,
            language=language, title=title, webhook_url=webhook_url)
        files, urls = self._image_inputs(image_urls, image_files, required=True)
        params["scene_count"] = len(files) or len(urls)
        params["image_urls"] = [] if files else urls  # image_files win when both are given
        return self._start_automatic(account, "images", params, files=files)

    # --- advanced mode --------------------------------------------------------------
    def create_storyboard(self, *, account: str = "local", idea: str, scene_count: int = 3,
                          language: str = "English", aspect_ratio: str = "16:9",
                          audio_option: dict | None = None, elements: dict | None = None,
                          image_urls: Sequence[str] = (), image_files: Sequence[Path] = (),
                          story_id: str | None = None, title: str = "") -> dict[str, Any]:
        idea = v.require_idea(idea)
        p = v.Problems()
        params = {
            "idea": idea, "scene_count": v.as_int(p, "scene_count", scene_count, 1, v.MAX_SCENES),
            "language": v.enum(p, "language", language, v.LANGUAGES),
            "aspect_ratio": v.enum(p, "aspect_ratio", aspect_ratio or "16:9", v.ASPECT_RATIOS),
            "audio": v.audio_option(p, audio_option), "elements": v.elements(p, elements),
        }
        title = v.title(p, title)
        p.raise_if_any()
        files, urls = self._image_inputs(image_urls, image_files, required=False)
        existing = self._own(story_id, account) if story_id else None
        with self._story_lock(existing.id if existing else None):
            if existing is not None:
                self._not_busy(existing)
            self.store.charge(account, credits.storyboard_price())
            row = existing or self.store.create(account=account, mode="storyboard",
                                                params=params, title=title)
            try:
                run = self._make_run(row.id, aspect_ratio=params["aspect_ratio"])
                params["uploads"] = self._save_uploads(row.id, files)
                base = [run.story_dir / rel for rel in params["uploads"]]
                if urls and not files:
                    base = pipeline.fetch_images(run, urls)
                    params["uploads"] = [b.relative_to(run.story_dir).as_posix() for b in base]
                board = pipeline.write_storyboard(
                    run, idea=idea, scene_count=params["scene_count"],
                    language=params["language"], elements=params["elements"],
                    image_count=len(base) or None, url=None)
            except MediaError as exc:
                self.store.refund(account, credits.storyboard_price())
                if existing is None:
                    self.store.delete(row.id)
                raise BadRequest(str(exc)) from exc
            params["scenes_ready"] = False  # a new storyboard needs /scenes again
            fields: dict[str, Any] = {"params": {**row.params, **params}, "storyboard": board,
                                      "scenes": [], "status": "new", "video_url": None,
                                      "progress_percentage": 0, "message": None}
            if title or existing is None:
                fields["title"] = title
            self.store.update(row.id, **fields)
            self.store.add_used_credits(row.id, credits.storyboard_price())
        return self.get_story(row.id, account=account)

    def generate_elements(self, story_id: str, *, account: str = "local",
                          option: str = "Seedream", aspect_ratio: str | None = None,
                          storyboard: dict | None = None,
                          enhance_image: bool = False) -> dict[str, Any]:
        p = v.Problems()
        aspect, board = self._image_step_inputs(p, option, aspect_ratio, storyboard,
                                                enhance_image)
        p.raise_if_any()
        row = self._own(story_id, account)
        with self._story_lock(row.id):
            row = self._fresh(row)
            board = self._board_to_work_on(row, board)
            price = credits.elements_price(
                sum(len(board.get(k, [])) for k in pipeline.ELEMENT_KINDS))
            run = self._make_run(row.id, aspect_ratio=aspect or row.params.get("aspect_ratio"))
            with self._paid(account, price):
                pipeline.element_images(run, board)
            params = {**row.params, "image_option": option}
            self.store.update(row.id, storyboard=board, params=params)
            self.store.add_used_credits(row.id, price)
        return self.get_story(row.id, account=account)

    def generate_scenes(self, story_id: str, *, account: str = "local",
                        option: str = "Seedream", aspect_ratio: str | None = None,
                        storyboard: dict | None = None, enhance_image: bool = False,
                        audio_option: dict | None = None) -> dict[str, Any]:
        p = v.Problems()
        aspect, board = self._image_step_inputs(p, option, aspect_ratio, storyboard,
                                                enhance_image)
        audio = v.audio_option(p, audio_option) if audio_option is not None else None
        p.raise_if_any()
        row = self._own(story_id, account)
        with self._story_lock(row.id):
            row = self._fresh(row)
            board = self._board_to_work_on(row, board)
            params = {**row.params, "image_option": option}
            if aspect:
                params["aspect_ratio"] = aspect
            if audio is not None:
                params["audio"] = audio
            price = credits.scenes_price(scenes=len(board["scenes"]), audio=params["audio"])
            run = self._make_run(row.id, aspect_ratio=params["aspect_ratio"])
            with self._paid(account, price):
                work.scene_inputs(self.store, run, board, params, row.id)
            params["scenes_ready"] = True
            self.store.update(row.id, storyboard=board, params=params,
                              scenes=pipeline.scene_records(board))
            self.store.add_used_credits(row.id, price)
        return self.get_story(row.id, account=account)

    def _image_step_inputs(self, p: v.Problems, option: str, aspect_ratio: str | None,
                           storyboard: dict | None,
                           enhance_image: bool) -> tuple[str | None, dict | None]:
        """The checks /elements and /scenes share: (aspect ratio or None, new storyboard)."""
        v.enum(p, "option", option, v.IMAGE_OPTIONS)
        aspect = v.enum(p, "aspect_ratio", aspect_ratio, v.ASPECT_RATIOS) if aspect_ratio else None
        board = self._inbound_board(v.storyboard(p, storyboard))
        v.as_bool(p, "enhance_image", enhance_image)
        return aspect, board

    def _board_to_work_on(self, row: StoryRow, board: dict | None) -> dict:
        """The given storyboard, else the story's own; refused while the story is busy."""
        self._not_busy(row)
        board = board or row.storyboard
        if not board:
            raise BadRequest("The story has no storyboard: create one with POST /story first")
        return board

    @contextmanager
    def _paid(self, account: str, price: int) -> Iterator[None]:
        """Charge up front; a media failure refunds and becomes the caller's 400."""
        self.store.charge(account, price)
        try:
            yield
        except MediaError as exc:
            self.store.refund(account, price)
            raise BadRequest(str(exc)) from exc

    def create_videos(self, story_id: str, *, account: str = "local", title: str = "",
                      storyboard: dict | None = None, is_transition: bool = False,
                      motion_type: str = "Auto", duration: int = 5, loop: int = 1,
                      webhook_url: str | None = None) -> dict[str, Any]:
        p = v.Problems()
        job = {"kind": "videos",
               "motion_type": v.enum(p, "motion_type", motion_type, v.MOTION_TYPES),
               "duration": v.as_int(p, "duration", duration, *v.DURATION_RANGE),
               "loop": v.as_int(p, "loop", loop, *v.LOOP_RANGE),
               "is_transition": v.as_bool(p, "is_transition", is_transition)}
        board = self._inbound_board(v.storyboard(p, storyboard))
        title = v.title(p, title)
        hook = v.webhook(p, webhook_url)
        p.raise_if_any()
        row = self._own(story_id, account)
        with self._story_lock(row.id):
            row = self._fresh(row)
            self._not_busy(row)
            if not row.params.get("scenes_ready") or not row.storyboard:
                raise BadRequest("Scenes have not been generated for this story yet: call "
                                 f"POST /story/{row.id}/scenes first, then /videos")
            board = board or row.storyboard
            job["rescene"] = board != row.storyboard
            audio = row.params["audio"]
            price = credits.videos_price(scenes=len(board["scenes"]), seconds=job["duration"],
                                         loop=job["loop"], transition=job["is_transition"],
                                         audio=audio)
            if job["rescene"]:
                price += credits.scenes_price(scenes=len(board["scenes"]), audio=audio)
            params = {**row.params, "webhook_url": hook, "video": {
                k: job[k] for k in ("motion_type", "duration", "loop", "is_transition")}}
            fields = {"storyboard": board, "params": params}
            if title:
                fields["title"] = title
            return self._submit(row, job, price, hook, fields)

    def concat(self, story_id: str, *, account: str = "local",
               concat_video_urls: Sequence[str] | None = None,
               audio_urls: Sequence[str] | None = None,
               concat_video_files: Sequence[Path] = (),
               audio_files: Sequence[Path] = ()) -> dict[str, Any]:
        p = v.Problems()
        video_urls = v.url_list(p, "concat_video_urls", concat_video_urls, limit=50)
        audio_list = v.url_list(p, "audio_urls", audio_urls, limit=10)
        video_files = self._check_files(p, "concat_video_files", concat_video_files)
        audio_paths = self._check_files(p, "audio_files", audio_files)
        p.raise_if_any()
        row = self._own(story_id, account)
        with self._story_lock(row.id):
            row = self._fresh(row)
            self._not_busy(row)
            videos: list[dict[str, str]] = [{"url": u} for u in video_urls]
            if not videos and not video_files:
                videos = [{"url": s["video_url"]} for s in row.scenes if s.get("video_url")]
                if not videos:
                    raise BadRequest("The story has no scene videos yet: call POST "
                                     f"/story/{row.id}/videos first, or pass concat_video_urls")
            audios: list[dict[str, str]] = [{"url": u} for u in audio_list]
            price = credits.concat_price(videos=len(videos) + len(video_files),
                                         audios=len(audios) + len(audio_paths))
            job = {"kind": "concat", "videos": videos, "audios": audios}

            def add_files(story_dir: Path) -> None:
                job["videos"] += [{"upload": r} for r in self._save_uploads(
                    story_dir.name, video_files, prefix="video")]
                job["audios"] += [{"upload": r} for r in self._save_uploads(
                    story_dir.name, audio_paths, prefix="audio")]

            return self._submit(row, job, price, None, {}, before=add_files)

    # --- records ----------------------------------------------------------------------
    def get_story(self, story_id: str, *, account: str = "local") -> dict[str, Any]:
        return self._present(self._own(story_id, account))

    def update_story(self, story_id: str, *, account: str = "local", title: str | None = None,
                     description: str | None = None,
                     visibility_status: str | None = None) -> dict[str, Any]:
        p = v.Problems()
        fields: dict[str, Any] = {}
        if title is not None:
            fields["title"] = v.title(p, title)
        if description is not None:
            if not isinstance(description, str):
                p.add("description", "must be a string", "string_type")
            elif len(description) > 5000:
                p.add("description", "must be at most 5000 characters", "string_too_long")
            else:
                fields["description"] = description
        if visibility_status is not None:
            fields["visibility_status"] = v.enum(p, "visibility_status", str(visibility_status)
                                                 if isinstance(visibility_status, int)
                                                 else visibility_status, v.VISIBILITY)
        p.raise_if_any()
        row = self._own(story_id, account)
        self.store.update(row.id, **fields)
        return self.get_story(row.id, account=account)

    def delete_story(self, story_id: str, *, account: str = "local") -> dict[str, Any]:
        row = self._own(story_id, account)
        with self._story_lock(row.id):  # not in the middle of a synchronous step
            before = self._present(self._fresh(row))
            self.jobs.cancel(row.id)  # a running job stops at its next check
            self.store.delete(row.id)
        with self._locks_guard:
            self._story_locks.pop(row.id, None)
        if self.jobs.is_active(row.id):
            # The job may still write a file before it notices; sweep once it has stopped.
            folder = self.store.story_dir(row.id)
            threading.Thread(target=self._sweep_after, args=(row.id, folder),
                             daemon=True).start()
        return before

    def _sweep_after(self, story_id: str, folder: Path) -> None:
        self.jobs.wait_idle(story_id, timeout=600)
        shutil.rmtree(folder, ignore_errors=True)

    def wait(self, story_id: str, *, account: str = "local",
             timeout: float | None = None) -> dict[str, Any]:
        """Block until the story's job ends (success or fail) and return the story.

        A story with no job running (e.g. after create_storyboard) is returned at once; on
        timeout the current record is returned, so check its status.
        """
        row = self._own(story_id, account)
        deadline = None if timeout is None else time.monotonic() + timeout
        self.jobs.wait_idle(row.id, timeout)
        story = self.get_story(row.id, account=account)
        while story["status"] == "processing" and self.jobs.is_active(row.id) and (
                deadline is None or time.monotonic() < deadline):
            time.sleep(0.05)
            story = self.get_story(row.id, account=account)
        return story

    def media_path(self, url_path: str) -> Path:
        """The file behind a "/media/..." URL path; NotFound for anything outside."""
        return self.store.media_path(url_path)

    # --- account ----------------------------------------------------------------------
    def balance(self, account: str = "local") -> int:
        """The account's remaining credits."""
        return self.store.balance(account)

    # --- internals: admission ----------------------------------------------------------
    def _automatic_params(self, *, idea: Any, scene_count: Any, image_tool: Any,
                          video_tool: Any, scene_duration: Any, aspect_ratio: Any,
                          is_transition: Any, elements: Any, audio_option: Any, language: Any,
                          title: Any, webhook_url: Any) -> dict[str, Any]:
        idea = v.require_idea(idea)
        p = v.Problems()
        params = {
            "idea": idea,
            "scene_count": v.as_int(p, "scene_count", scene_count, 1, v.MAX_SCENES),
            "image_tool": v.enum(p, "image_tool", image_tool, v.IMAGE_TOOLS),
            "video_tool": v.enum(p, "video_tool", video_tool, v.VIDEO_TOOLS),
            "scene_duration": v.scene_duration(p, scene_duration),
            "aspect_ratio": v.enum(p, "aspect_ratio", aspect_ratio, v.ASPECT_RATIOS),
            "is_transition": v.as_bool(p, "is_transition", is_transition),
            "elements": v.elements(p, elements),
            "audio": v.audio_option(p, audio_option),
            "language": v.enum(p, "language", language, v.LANGUAGES),
            "title": v.title(p, title),
            "webhook_url": v.webhook(p, webhook_url),
        }
        p.raise_if_any()
        return params

    def _image_inputs(self, urls: Sequence[str] | None, files: Sequence[Path] | None, *,
                      required: bool) -> tuple[list[Path], list[str]]:
        p = v.Problems()
        checked_files = self._check_files(p, "image_files", files or (), images=True)
        checked_urls = [] if checked_files else v.url_list(p, "image_urls", urls)
        if len(checked_files) > v.MAX_IMAGES:
            p.add("image_files", f"at most {v.MAX_IMAGES} images; got {len(checked_files)}",
                  "too_long")
        p.raise_if_any()
        if required and not checked_files and not checked_urls:
            raise BadRequest("Missing required parameters: give image_urls or image_files "
                             "(at least one image)")
        return checked_files, checked_urls

    def _check_files(self, p: v.Problems, name: str, files: Sequence[Path] | None, *,
                     images: bool = False) -> list[Path]:
        out = []
        for i, item in enumerate(files or ()):
            path = Path(item)
            if not path.is_file():
                p.add([name, i], f"file not found: {path}", "file_missing")
                continue
            if images:
                try:
                    pipeline.verify_image(path, str(path))
                except MediaError as exc:
                    p.add([name, i], str(exc), "image_invalid")
                    continue
            out.append(path)
        return out

    def _start_automatic(self, account: str, mode: str, params: dict[str, Any], *,
                         files: Sequence[Path] = ()) -> dict[str, Any]:
        scenes = len(files) or params["scene_count"]
        price = credits.automatic_price(scenes=scenes, seconds=params["scene_duration"],
                                        transition=params["is_transition"],
                                        audio=params["audio"], user_images=mode == "images")
        with self.jobs.slot(account) as slot:
            self.store.charge(account, price)
            title = params.pop("title")
            row = self.store.create(account=account, mode=mode, params=params, title=title,
                                    used_credits=price)
            params["uploads"] = self._save_uploads(row.id, files)
            job = {"kind": "auto", "price": price}
            self.store.update(row.id, params=params, job=job)
            # The record as accepted ("new"): the worker may start before we return.
            accepted = self.get_story(row.id, account=account)
            self.jobs.submit(row.id, account, work.steps_for(job, mode),
                             work.build_job(self.store, self._job_run, row.id, job),
                             webhook_url=params.get("webhook_url"), slot=slot, price=price)
        return accepted

    def _submit(self, row: StoryRow, job: dict[str, Any], price: int, hook: str | None,
                fields: dict[str, Any], before: Any = None) -> dict[str, Any]:
        """Charge, record the job on the story, queue it; the story as accepted."""
        job["price"] = price
        with self.jobs.slot(row.account) as slot:
            self.store.charge(row.account, price)
            if before is not None:
                before(self.store.story_dir(row.id))
            self.store.update(row.id, job=job, status="new", progress_percentage=0,
                              message=None, video_url=None, **fields)
            self.store.add_used_credits(row.id, price)
            accepted = self.get_story(row.id, account=row.account)
            self.jobs.submit(row.id, row.account, work.steps_for(job, row.mode),
                             work.build_job(self.store, self._job_run, row.id, job),
                             webhook_url=hook, slot=slot, price=price)
        return accepted

    def _save_uploads(self, story_id: str, files: Sequence[Path], prefix: str = "file"
                      ) -> list[str]:
        """Copy the caller's files into the story's folder, named by content."""
        folder = self.store.story_dir(story_id) / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        saved = []
        for path in files:
            suffix = Path(path).suffix.lower()[:8] if Path(path).suffix else ""
            target = folder / f"{prefix}-{file_digest(Path(path))[:32]}{suffix}"
            if not target.exists():
                shutil.copyfile(path, target)
            saved.append(target.relative_to(self.store.story_dir(story_id)).as_posix())
        return saved

    # --- internals: stories ---------------------------------------------------------------
    def _own(self, story_id: str | None, account: str) -> StoryRow:
        v.check_story_id(story_id)
        row = self.store.get(str(story_id))
        if row is None or row.account != account:
            raise NotFound(f"Story {story_id} not found (or it belongs to another account)")
        return row

    def _fresh(self, row: StoryRow) -> StoryRow:
        again = self.store.get(row.id)
        if again is None:
            raise NotFound(f"Story {row.id} not found")
        return again

    def _not_busy(self, row: StoryRow) -> None:
        if self.jobs.is_active(row.id):
            raise BadRequest(f"Story {row.id} is being generated; wait until its status is "
                             "success or fail (GET /story/{story_id}), then retry")

    @contextmanager
    def _story_lock(self, story_id: str | None) -> Iterator[None]:
        """One synchronous step at a time per story (two /scenes calls must not race)."""
        if story_id is None:
            yield
            return
        with self._locks_guard:
            lock = self._story_locks.setdefault(story_id, threading.Lock())
        with lock:
            yield

    def _make_run(self, story_id: str, *, aspect_ratio: str | None,
                  control: JobControl | None = None) -> pipeline.Run:
        cfg = self.config
        return pipeline.Run(
            story_dir=self.store.story_dir(story_id),
            size=pipeline.render_size(aspect_ratio or "16:9", cfg.scale), fps=cfg.fps,
            preset=cfg.x264_preset, url_for=self.store.url_for, resolve=self._resolve,
            opening=self.opening, control=control, allow_local_files=(not cfg.public_base_url
                                                if cfg.allow_local_files is None
                                                else cfg.allow_local_files),
            storyboard_endpoint=cfg.storyboard_endpoint, storyboard_model=cfg.storyboard_model,
            storyboard_api_key_env=cfg.storyboard_api_key_env)

    def _job_run(self, story_id: str, control: JobControl | None) -> pipeline.Run:
        row = self.store.get(story_id)
        aspect = row.params.get("aspect_ratio") if row else None
        return self._make_run(story_id, aspect_ratio=aspect, control=control)

    def _resume(self) -> None:
        """Re-queue stories a previous process left unfinished; fail those that cannot run."""
        for row in self.store.unfinished():
            job = row.job or {}
            gone = work.missing_inputs(self.store, row.id, job, row.params)
            if gone or job.get("kind") not in ("auto", "videos", "concat"):
                reason = (f"its input files are gone ({', '.join(gone)})" if gone
                          else "its job could not be understood")
                self.store.update(row.id, status="fail", job=None, message=(
                    f"The engine restarted and could not resume this story: {reason}; "
                    "create it again"))
                continue
            log.info("resuming story %s (%s)", row.id, job.get("kind"))
            hook = row.params.get("webhook_url")
            self.jobs.submit(row.id, row.account, work.steps_for(job, row.mode),
                             work.build_job(self.store, self._job_run, row.id, job),
                             webhook_url=hook, price=int(job.get("price") or 0))

    # --- internals: presentation --------------------------------------------------------
    def _inbound_board(self, board: dict[str, Any] | None) -> dict[str, Any] | None:
        """A caller's storyboard, with our absolute media URLs made relative again."""
        base = self.config.public_base_url.rstrip("/")
        if board is None or not base:
            return board
        return _map_strings(board, lambda s: s[len(base):]
                            if s.startswith(base + MEDIA_PREFIX) else s)

    def _present(self, row: StoryRow) -> dict[str, Any]:
        p = row.params
        board = row.storyboard
        story = {
            "id": row.id, "status": row.status, "progress_percentage": row.progress_percentage,
            "message": row.message, "title": row.title, "description": row.description,
            "visibility_status": row.visibility_status, "used_credits": row.used_credits,
            "created_at": row.created_at, "updated_at": row.updated_at,
            "video_url": row.video_url, "storyboard": board, "scenes": row.scenes,
            "scene_count": len(board["scenes"]) if board else p.get("scene_count", 0),
            "aspect_ratio": p.get("aspect_ratio", "16:9"), "mode": row.mode,
            "idea": p.get("idea", ""), "language": p.get("language", "English"),
            "audio_option": p.get("audio"), "is_transition": p.get("is_transition", False),
        }
        base = self.config.public_base_url.rstrip("/")
        if base:
            story = _map_strings(story, lambda s: base + s if s.startswith(MEDIA_PREFIX) else s)
        return story


def _map_strings(value: Any, fn: Any) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: _map_strings(x, fn) for k, x in value.items()}
    if isinstance(value, list):
        return [_map_strings(x, fn) for x in value]
    return value
