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

import dataclasses
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from vidflow.contract import prices
from vidflow.contract.captions import CAPTION_URL_FIELDS
from vidflow.contract.params import DEFAULTS, MAX_IMAGES, OPERATIONS, SPEC_MODES
from vidflow.contract.storyboard import ELEMENT_KINDS, narration_on
from vidflow.engine import fetch, notes, outbound, pipeline, settings, steps, work
from vidflow.engine import idempotency as idem
from vidflow.engine import validation as v
from vidflow.engine.assets import file_digest
from vidflow.engine.cluster import JOB_THREADS, Cluster
from vidflow.engine.idempotency import keyed
from vidflow.engine.jobs import JobControl, JobRunner
from vidflow.engine.store import MEDIA_PREFIX, KeyRecord, Store, StoryRow, new_story_id
from vidflow.errors import BadRequest, MediaError, NotFound, StoryApiError, ValidationFailed

log = logging.getLogger(__name__)

D = DEFAULTS  # the reference's defaults, for the signatures below
DEFAULT_IMAGES_IDEA = OPERATIONS["images_to_video"].default("idea")


@dataclass
class EngineConfig:
    data_dir: Path
    credits: int = 1_000_000  # starting balance per account
    max_concurrent: int = 4  # running jobs per account before TooManyRequests
    workers: int = 2  # background pipeline threads
    fps: int = settings.DEFAULT_QUALITY["fps"]
    scale: float = settings.DEFAULT_QUALITY["scale"]  # a resolution multiplier: drafts
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
    # tcp://host:port of a Dask scheduler that renders clips and compositions (cluster.py)
    dask_scheduler: str | None = None


class StoryEngine:
    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.opening = outbound.Opening.parse(config.allow_networks)  # ValueError first
        Path(config.data_dir).mkdir(parents=True, exist_ok=True)
        self.store = Store(Path(config.data_dir), starting_balance=config.credits)
        self.cluster = Cluster(config.dask_scheduler) if config.dask_scheduler else None
        # With a cluster a job thread mostly waits for its remote renders: run more at once.
        workers = config.workers if self.cluster is None else max(config.workers, JOB_THREADS)
        self.jobs = JobRunner(self.store, workers=workers,
                              max_concurrent=config.max_concurrent, opening=self.opening)
        self._story_locks: dict[str, threading.Lock] = {}
        self._key_locks: dict[tuple[str, str], threading.Lock] = {}
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
        if self.cluster is not None:
            self.cluster.stop()  # jobs waiting for the cluster stop now, resumable
        self.jobs.close()
        if self.cluster is not None:
            self.cluster.close()
        self.store.close()
        if self._owner.is_locked:
            self._owner.release()

    def __enter__(self) -> StoryEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- automatic mode -------------------------------------------------------------
    @keyed
    def idea_to_video(self, *, account: str = "local", idea: str,
                      scene_count: int = D["scene_count"],
                      image_tool: str = D["image_tool"], video_tool: str = D["video_tool"],
                      scene_duration: str | int = D["scene_duration"],
                      aspect_ratio: str = D["aspect_ratio"],
                      is_transition: bool = False, elements: dict | None = None,
                      audio_option: dict | None = None, language: str = D["language"],
                      title: str = "", webhook_url: str | None = None,
                      captions: Any = None) -> dict[str, Any]:
        params = self._automatic_params(
            idea=idea, scene_count=scene_count, image_tool=image_tool, video_tool=video_tool,
            scene_duration=scene_duration, aspect_ratio=aspect_ratio,
            is_transition=is_transition, elements=elements, audio_option=audio_option,
            language=language, title=title, webhook_url=webhook_url, captions=captions)
        return self._start_automatic(account, "idea", params)

    @keyed
    def url_to_video(self, *, account: str = "local", idea: str,
                     scene_count: int = D["scene_count"],
                     image_tool: str = D["image_tool"], video_tool: str = D["video_tool"],
                     scene_duration: str | int = D["scene_duration"],
                     aspect_ratio: str = D["aspect_ratio"],
                     is_transition: bool = False, elements: dict | None = None,
                     audio_option: dict | None = None, language: str = D["language"],
                     title: str = "", webhook_url: str | None = None,
                     captions: Any = None) -> dict[str, Any]:
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
            language=language, title=title, webhook_url=webhook_url, captions=captions)
        params["url"] = url
        return self._start_automatic(account, "url", params)

    @keyed
    def images_to_video(self, *, account: str = "local", idea: str = DEFAULT_IMAGES_IDEA,
                        image_urls: Sequence[str] = (), image_files: Sequence[Path] = (),
                        video_tool: str = D["video_tool"], is_transition: bool = False,
                        scene_duration: str | int = D["scene_duration"],
                        aspect_ratio: str = D["aspect_ratio"],
                        audio_option: dict | None = None, language: str = D["language"],
                        title: str = "", webhook_url: str | None = None,
                        captions: Any = None) -> dict[str, Any]:
        idea = DEFAULT_IMAGES_IDEA if idea is None else idea
        params = self._automatic_params(
            idea=idea, scene_count=1, image_tool=D["image_tool"], video_tool=video_tool,
            scene_duration=scene_duration, aspect_ratio=aspect_ratio,
            is_transition=is_transition, elements=None, audio_option=audio_option,
            language=language, title=title, webhook_url=webhook_url, captions=captions)
        files, urls = self._image_inputs(image_urls, image_files, required=True)
        params["scene_count"] = len(files) or len(urls)
        params["image_urls"] = [] if files else urls  # image_files win when both are given
        return self._start_automatic(account, "images", params, files=files)

    # --- advanced mode --------------------------------------------------------------
    @keyed
    def create_storyboard(self, *, account: str = "local", idea: str,
                          scene_count: int = D["scene_count"],
                          language: str = D["language"], aspect_ratio: str = D["aspect_ratio"],
                          audio_option: dict | None = None, elements: dict | None = None,
                          image_urls: Sequence[str] = (), image_files: Sequence[Path] = (),
                          story_id: str | None = None, title: str = "") -> dict[str, Any]:
        idea = v.require_idea(idea)
        p = v.Problems()
        params = {
            "idea": idea, "scene_count": v.integer(p, "scene_count", scene_count),
            "language": v.choice(p, "language", language),
            "aspect_ratio": v.choice(p, "aspect_ratio", aspect_ratio or DEFAULTS["aspect_ratio"]),
            "audio": v.audio_option(p, audio_option), "elements": v.elements(p, elements),
        }
        title = v.title(p, title)
        p.raise_if_any()
        files, urls = self._image_inputs(image_urls, image_files, required=False)
        existing = self._own(story_id, account) if story_id else None
        with self._story_lock(existing.id if existing else None):
            if existing is not None:
                self._not_busy(existing)
            existing = existing or self._made_before()
            story_id = existing.id if existing else self._new_story_id()
            self._charge(account, prices.storyboard_price(), story_id=story_id)
            row = existing or self.store.create(account=account, mode="storyboard",
                                                params=params, title=title, story_id=story_id)
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
                self.store.refund(account, prices.storyboard_price())
                if existing is None:
                    self.store.delete(row.id)
                raise BadRequest(str(exc)) from exc
            params["scenes_ready"] = False  # a new storyboard needs /scenes again
            message = self._notes("create_storyboard", params)
            fields: dict[str, Any] = {"params": {**row.params, **params}, "storyboard": board,
                                      "scenes": [], "status": "new", "video_url": None,
                                      "progress_percentage": 0, "message": message}
            if title or existing is None:
                fields["title"] = title
            self.store.update(row.id, **fields)
            self.store.add_used_credits(row.id, prices.storyboard_price())
        return self.get_story(row.id, account=account)

    @keyed
    def generate_elements(self, story_id: str, *, account: str = "local",
                          option: str = D["option"], aspect_ratio: str | None = None,
                          storyboard: dict | None = None, enhance_image: bool = False,
                          deprecated: Sequence[str] = ()) -> dict[str, Any]:
        """`deprecated`: the deprecated fields the caller sent (named in the message)."""
        p = v.Problems()
        aspect, board, enhance = self._image_step_inputs(p, option, aspect_ratio, storyboard,
                                                         enhance_image)
        p.raise_if_any()
        message = self._notes("generate_elements", {"option": option, "enhance_image": enhance},
                              sent=deprecated)
        row = self._own(story_id, account)
        with self._story_lock(row.id):
            row = self._fresh(row)
            board = self._board_to_work_on(row, board)
            price = prices.elements_price(
                sum(len(board.get(k, [])) for k in ELEMENT_KINDS))
            run = self._make_run(row.id, aspect_ratio=aspect or row.params.get("aspect_ratio"))
            with self._paid(account, price, row.id):
                pipeline.element_images(run, board)
            params = {**row.params, "image_option": option}
            self.store.update(row.id, storyboard=board, params=params,
                              **self._step_message(row, message))
            self.store.add_used_credits(row.id, price)
        return self.get_story(row.id, account=account)

    @keyed
    def generate_scenes(self, story_id: str, *, account: str = "local",
                        option: str = D["option"], aspect_ratio: str | None = None,
                        storyboard: dict | None = None, enhance_image: bool = False,
                        audio_option: dict | None = None,
                        deprecated: Sequence[str] = ()) -> dict[str, Any]:
        """`deprecated`: the deprecated fields the caller sent (named in the message)."""
        p = v.Problems()
        aspect, board, enhance = self._image_step_inputs(p, option, aspect_ratio, storyboard,
                                                         enhance_image)
        audio = v.audio_option(p, audio_option) if audio_option is not None else None
        p.raise_if_any()
        message = self._notes("generate_scenes", {"option": option, "enhance_image": enhance},
                              sent=deprecated)
        row = self._own(story_id, account)
        with self._story_lock(row.id):
            row = self._fresh(row)
            board = self._board_to_work_on(row, board)
            params = {**row.params, "image_option": option}
            if aspect:
                params["aspect_ratio"] = aspect
            if audio is not None:
                params["audio"] = audio
            price = prices.scenes_price(scenes=len(board["scenes"]), audio=params["audio"])
            run = self._make_run(row.id, aspect_ratio=params["aspect_ratio"],
                                 captions=bool(params.get("captions")))
            with self._paid(account, price, row.id):
                work.scene_inputs(run, board, params)
            params["scenes_ready"] = True
            self.store.update(row.id, storyboard=board, params=params,
                              scenes=pipeline.scene_records(board),
                              **self._step_message(row, message))
            self.store.add_used_credits(row.id, price)
        return self.get_story(row.id, account=account)

    def _image_step_inputs(self, p: v.Problems, option: str, aspect_ratio: str | None,
                           storyboard: dict | None,
                           enhance_image: bool) -> tuple[str | None, dict | None, bool]:
        """The checks /elements and /scenes share: (aspect ratio or None, new storyboard,
        enhance_image)."""
        v.choice(p, "option", option)
        aspect = v.choice(p, "aspect_ratio", aspect_ratio) if aspect_ratio else None
        board = self._inbound_board(v.storyboard(p, storyboard))
        return aspect, board, v.as_bool(p, "enhance_image", enhance_image)

    def _step_message(self, row: StoryRow, message: str | None) -> dict[str, Any]:
        """A synchronous step's notes become the message, unless a failure is reported."""
        return {} if row.status == "fail" else {"message": message}

    def _board_to_work_on(self, row: StoryRow, board: dict | None) -> dict:
        """The given storyboard, else the story's own; refused while the story is busy."""
        self._not_busy(row)
        board = board or row.storyboard
        if not board:
            raise BadRequest("The story has no storyboard: create one with POST /story first")
        return board

    @contextmanager
    def _paid(self, account: str, price: int, story_id: str) -> Iterator[None]:
        """Charge up front; a media failure refunds and becomes the caller's 400."""
        self._charge(account, price, story_id=story_id)
        try:
            yield
        except MediaError as exc:
            self.store.refund(account, price)
            raise BadRequest(str(exc)) from exc

    @keyed
    def create_videos(self, story_id: str, *, account: str = "local", title: str = "",
                      storyboard: dict | None = None, is_transition: bool = False,
                      motion_type: str = D["motion_type"], duration: int = D["duration"],
                      loop: int = D["loop"], webhook_url: str | None = None,
                      captions: Any = None,
                      deprecated: Sequence[str] = ()) -> dict[str, Any]:
        """`deprecated`: the deprecated fields the caller sent (named in the message).
        `captions` (a vidflow extension), when sent, sets the story's; else it keeps its own."""
        p = v.Problems()
        captions_sent = captions is not None and captions != ""
        options = v.captions(p, captions) if captions_sent else None
        job = {"kind": "videos",
               "motion_type": v.choice(p, "motion_type", motion_type),
               "duration": v.integer(p, "duration", duration),
               "loop": v.integer(p, "loop", loop),
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
            price = prices.videos_price(scenes=len(board["scenes"]), seconds=job["duration"],
                                         loop=job["loop"], transition=job["is_transition"],
                                         audio=audio)
            if job["rescene"]:
                price += prices.scenes_price(scenes=len(board["scenes"]), audio=audio)
            params = {**row.params, "webhook_url": hook, "video": {
                k: job[k] for k in ("motion_type", "duration", "loop", "is_transition")}}
            if captions_sent:
                params.pop("captions", None)
                if options is not None:
                    params["captions"] = options
            fields = {"storyboard": board, "params": params, "message": self._notes(
                "create_videos", job, narrated=narration_on(audio), sent=deprecated)}
            if title:
                fields["title"] = title
            return self._submit(row, job, price, hook, fields)

    @keyed
    def concat(self, story_id: str, *, account: str = "local",
               concat_video_urls: Sequence[str] | None = None,
               audio_urls: Sequence[str] | None = None,
               concat_video_files: Sequence[Path] = (),
               audio_files: Sequence[Path] = ()) -> dict[str, Any]:
        p = v.Problems()
        video_urls = v.url_list(p, "concat_video_urls", concat_video_urls)
        audio_list = v.url_list(p, "audio_urls", audio_urls)
        video_files = self._check_files(p, "concat_video_files", concat_video_files)
        audio_paths = self._check_files(p, "audio_files", audio_files)
        p.raise_if_any()
        row = self._own(story_id, account)
        with self._story_lock(row.id):
            row = self._fresh(row)
            self._not_busy(row)
            videos: list[dict[str, Any]] = [{"url": u} for u in video_urls]
            job: dict[str, Any] = {"kind": "concat"}
            if not videos and not video_files:
                # the story's own scene videos: composed with the story's own soundtrack
                videos = [{"url": s["video_url"], "scene": int(s.get("index", i))}
                          for i, s in enumerate(row.scenes) if s.get("video_url")]
                if not videos:
                    raise BadRequest("The story has no scene videos yet: call POST "
                                     f"/story/{row.id}/videos first, or pass concat_video_urls")
                job["soundtrack"] = True
            audios: list[dict[str, str]] = [{"url": u} for u in audio_list]
            price = prices.concat_price(videos=len(videos) + len(video_files),
                                         audios=len(audios) + len(audio_paths))
            job.update(videos=videos, audios=audios)

            def add_files(story_dir: Path) -> None:
                job["videos"] += [{"upload": r} for r in self._save_uploads(
                    story_dir.name, video_files, prefix="video")]
                job["audios"] += [{"upload": r} for r in self._save_uploads(
                    story_dir.name, audio_paths, prefix="audio")]

            return self._submit(row, job, price, None, {}, before=add_files)

    # --- records ----------------------------------------------------------------------
    def get_story(self, story_id: str, *, account: str = "local") -> dict[str, Any]:
        return self._present(self._own(story_id, account))

    def list_stories(self, *, account: str = "local", limit: int = 500) -> list[dict[str, Any]]:
        """The account's stories as get_story shows them, newest first. Not a Story API
        route (the reference has no list): only `vidflow serve`'s gallery page uses it."""
        return [self._present(row) for row in self.store.of_account(account, limit=limit)]

    def update_story(self, story_id: str, *, account: str = "local", title: str | None = None,
                     description: str | None = None,
                     visibility_status: str | None = None,
                     deprecated: Sequence[str] = ()) -> dict[str, Any]:
        """`deprecated`: fields sent that are ignored; named in this response's message only
        (a records call does not overwrite what the story's generation reported)."""
        ignored = notes.deprecated(OPERATIONS["update_story"], deprecated)
        p = v.Problems()
        fields: dict[str, Any] = {}
        if title is not None:
            fields["title"] = v.title(p, title)
        if description is not None:
            fields["description"] = v.text(p, "description", description)
        if visibility_status is not None:
            fields["visibility_status"] = v.choice(p, "visibility_status", str(visibility_status)
                                                   if isinstance(visibility_status, int)
                                                   else visibility_status)
        p.raise_if_any()
        row = self._own(story_id, account)
        self.store.update(row.id, **fields)
        story = self.get_story(row.id, account=account)
        if ignored:
            story["message"] = notes.message([*ignored, *filter(None, [story["message"]])])
        return story

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
        """The file behind a "/media/..." URL path; NotFound for anything outside. A
        scene's whole clip, deferred by the animation step, is made at its first request."""
        place = self.store.media_place(url_path)
        if place.is_file() or pipeline.make_deferred_clip(place):
            return place
        return self.store.media_path(url_path)  # NotFound, in the store's words

    # --- account ----------------------------------------------------------------------
    def balance(self, account: str = "local") -> int:
        """The account's remaining credits."""
        return self.store.balance(account)

    # --- internals: admission ----------------------------------------------------------
    def _automatic_params(self, *, idea: Any, scene_count: Any, image_tool: Any,
                          video_tool: Any, scene_duration: Any, aspect_ratio: Any,
                          is_transition: Any, elements: Any, audio_option: Any, language: Any,
                          title: Any, webhook_url: Any, captions: Any = None
                          ) -> dict[str, Any]:
        idea = v.require_idea(idea)
        p = v.Problems()
        params = {
            "idea": idea,
            "scene_count": v.integer(p, "scene_count", scene_count),
            "image_tool": v.choice(p, "image_tool", image_tool),
            "video_tool": v.choice(p, "video_tool", video_tool),
            "scene_duration": v.scene_duration(p, scene_duration),
            "aspect_ratio": v.choice(p, "aspect_ratio", aspect_ratio),
            "is_transition": v.as_bool(p, "is_transition", is_transition),
            "elements": v.elements(p, elements),
            "audio": v.audio_option(p, audio_option),
            "language": v.choice(p, "language", language),
            "title": v.title(p, title),
            "webhook_url": v.webhook(p, webhook_url),
        }
        options = v.captions(p, captions)
        if options is not None:  # absent without captions: older stories' params unchanged
            params["captions"] = options
        p.raise_if_any()
        return params

    def _image_inputs(self, urls: Sequence[str] | None, files: Sequence[Path] | None, *,
                      required: bool) -> tuple[list[Path], list[str]]:
        p = v.Problems()
        checked_files = self._check_files(p, "image_files", files or (), images=True)
        checked_urls = [] if checked_files else v.url_list(p, "image_urls", urls)
        if len(checked_files) > MAX_IMAGES:
            p.add("image_files", f"at most {MAX_IMAGES} images; got {len(checked_files)}",
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
        price = prices.automatic_price(scenes=scenes, seconds=params["scene_duration"],
                                        transition=params["is_transition"],
                                        audio=params["audio"], user_images=mode == "images")
        made = self._made_before()
        if made is not None:  # the first attempt made it and died before answering
            return self.get_story(made.id, account=account)
        with self.jobs.slot(account) as slot:
            story_id = self._new_story_id()
            self._charge(account, price, story_id=story_id)
            title = params.pop("title")
            message = self._notes(SPEC_MODES[mode][0], params,
                                  narrated=narration_on(params["audio"]))
            row = self.store.create(account=account, mode=mode, params=params, title=title,
                                    used_credits=price, message=message, story_id=story_id)
            params["uploads"] = self._save_uploads(row.id, files)
            job = {"kind": "auto", "price": price}
            self.store.update(row.id, params=params, job=job)
            # The record as accepted ("new"): the worker may start before we return.
            accepted = self.get_story(row.id, account=account)
            self._queue(row, job, params.get("webhook_url"), slot=slot, price=price)
        return accepted

    def _submit(self, row: StoryRow, job: dict[str, Any], price: int, hook: str | None,
                fields: dict[str, Any], before: Any = None) -> dict[str, Any]:
        """Charge, record the job on the story, queue it; the story as accepted."""
        job["price"] = price
        with self.jobs.slot(row.account) as slot:
            self._charge(row.account, price, story_id=row.id)
            if before is not None:
                before(self.store.story_dir(row.id))
            self.store.update(row.id, job=job, status="new", progress_percentage=0,
                              video_url=None, **{"message": None, **fields})
            self.store.add_used_credits(row.id, price)
            accepted = self.get_story(row.id, account=row.account)
            self._queue(row, job, hook, slot=slot, price=price)
        return accepted

    # --- internals: idempotency keys (vidflow.engine.idempotency) ------------------------
    def _once(self, account: str, operation: str, key: str, digest: str,
              call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Serve a keyed request: the recorded answer, or the work (its charge recorded
        with the key), done again without a charge if a first attempt died half-way."""
        idem.check_key(key)
        with self._key_lock(account, key):
            prior = self.store.key_get(account, key)
            if prior is not None and (prior.digest, prior.operation) != (digest, operation):
                raise idem.mismatch(key)
            if prior is not None and prior.done and prior.story_id:
                return self.get_story(prior.story_id, account=account)
            token = idem.CURRENT.set(idem.KeyedRequest(
                account, key, operation, digest, story_id=prior.story_id if prior else None,
                prepaid=prior is not None))
            try:
                answer = call()
            except StoryApiError:
                self.store.key_forget(account, key)  # refused or refunded: nothing held
                raise
            finally:
                idem.CURRENT.reset(token)
            self.store.key_done(account, key, answer["id"])
            return answer

    def _charge(self, account: str, price: int, *, story_id: str) -> None:
        """Take the price, and under a key record the key in the same transaction; a
        request replaying a key whose charge was taken pays nothing."""
        request = idem.CURRENT.get()
        if request is None or request.account != account:
            self.store.charge(account, price)
            return
        if not request.prepaid:
            self.store.charge(account, price, key=KeyRecord(
                account, request.key, request.operation, request.digest, story_id))
        idem.CURRENT.set(dataclasses.replace(request, prepaid=True, story_id=story_id))

    def _new_story_id(self) -> str:
        """The id a create gives its story: a keyed replay reuses the one charged for."""
        request = idem.CURRENT.get()
        return request.story_id if request and request.story_id else new_story_id()

    def _made_before(self) -> StoryRow | None:
        """A keyed replay's story, when the first attempt got as far as making it."""
        request = idem.CURRENT.get()
        if request is None or not request.story_id:
            return None
        return self.store.get(request.story_id)

    @contextmanager
    def _key_lock(self, account: str, key: str) -> Iterator[None]:
        with self._locks_guard:
            lock = self._key_locks.setdefault((account, key), threading.Lock())
        with lock:
            yield

    def _queue(self, row: StoryRow, job: dict[str, Any], hook: str | None, *,
               slot: Any = None, price: int) -> None:
        """Hand the job's steps (steps.py's table for its kind) to the runner."""
        table = steps.table(job, row.mode)
        self.jobs.submit(row.id, row.account, steps.weights(table),
                         work.build_job(self.store, self._job_run, row.id, job, table),
                         webhook_url=hook, slot=slot, price=price)

    def _notes(self, op_name: str, values: dict[str, Any], *, narrated: bool = False,
               sent: Sequence[str] = ()) -> str | None:
        """The story's message for parameters accepted but not acted on (notes.py)."""
        op = OPERATIONS[op_name]
        return notes.message([
            *notes.recorded_only(op, values),
            *notes.with_narration(op, values, narrated=narrated),
            *notes.language(op, values.get("language"),
                            rule_based=not self.config.storyboard_endpoint),
            *notes.deprecated(op, sent)])

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
                  control: JobControl | None = None, captions: bool = False
                  ) -> pipeline.Run:
        cfg = self.config
        return pipeline.Run(
            story_dir=self.store.story_dir(story_id),
            size=pipeline.render_size(aspect_ratio or D["aspect_ratio"], cfg.scale), fps=cfg.fps,
            preset=cfg.x264_preset, url_for=self.store.url_for, resolve=self._resolve,
            opening=self.opening, control=control, allow_local_files=(not cfg.public_base_url
                                                if cfg.allow_local_files is None
                                                else cfg.allow_local_files),
            storyboard_endpoint=cfg.storyboard_endpoint, storyboard_model=cfg.storyboard_model,
            storyboard_api_key_env=cfg.storyboard_api_key_env,
            cluster=self.cluster.bind(control.check if control else lambda: None)
            if self.cluster else None, words=captions)

    def _job_run(self, story_id: str, control: JobControl | None) -> pipeline.Run:
        row = self.store.get(story_id)
        aspect = row.params.get("aspect_ratio") if row else None
        return self._make_run(story_id, aspect_ratio=aspect, control=control,
                              captions=bool(row and row.params.get("captions")))

    def _resume(self) -> None:
        """Re-queue stories a previous process left unfinished; fail those that cannot run."""
        for row in self.store.unfinished():
            job = row.job or {}
            gone = work.missing_inputs(self.store, row.id, job, row.params)
            if gone or job.get("kind") not in steps.KINDS:
                reason = (f"its input files are gone ({', '.join(gone)})" if gone
                          else "its job could not be understood")
                self.store.update(row.id, status="fail", job=None, message=(
                    f"The engine restarted and could not resume this story: {reason}; "
                    "create it again"))
                continue
            log.info("resuming story %s (%s)", row.id, job.get("kind"))
            self._queue(row, job, row.params.get("webhook_url"),
                        price=int(job.get("price") or 0))

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
            "aspect_ratio": p.get("aspect_ratio", D["aspect_ratio"]), "mode": row.mode,
            "idea": p.get("idea", ""), "language": p.get("language", D["language"]),
            "audio_option": p.get("audio"), "is_transition": p.get("is_transition", False),
        }
        if p.get("captions"):  # the extension's fields: only on a story that asked for it
            story["captions"] = p["captions"]
            story.update(self._caption_urls(row))
        base = self.config.public_base_url.rstrip("/")
        if base:
            story = _map_strings(story, lambda s: base + s if s.startswith(MEDIA_PREFIX) else s)
        return story


    def _caption_urls(self, row: StoryRow) -> dict[str, str]:
        """The sidecars' media URLs, once the finished film has them."""
        from vidflow.engine.captioning import sidecar_paths

        if row.status != "success" or not row.video_url:
            return {}
        paths = sidecar_paths(self.store.story_dir(row.id))
        return {CAPTION_URL_FIELDS[suffix]: self.store.url_for(path)
                for suffix, path in paths.items() if path.is_file()}


def _map_strings(value: Any, fn: Any) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: _map_strings(x, fn) for k, x in value.items()}
    if isinstance(value, list):
        return [_map_strings(x, fn) for x in value]
    return value
