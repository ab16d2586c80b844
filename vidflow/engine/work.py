"""The background jobs of the engine: what automatic modes, create_videos and concat run.

A job is described by a small JSON spec saved on the story row (`job`), so a new engine
process can resume it; `build_job` turns the spec back into a function of a JobControl.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from vidflow.engine import pipeline
from vidflow.engine.jobs import JobControl
from vidflow.engine.pipeline import Run, VideoPlan
from vidflow.engine.store import Store
from vidflow.errors import MediaError

AUTO_STEPS = ("storyboard", "elements", "scenes", "narration", "music", "animation",
              "composition")
IMAGES_STEPS = ("storyboard", "scenes", "narration", "music", "animation", "composition")
VIDEO_STEPS = ("music", "animation", "composition")
RESCENE_STEPS = ("scenes", "narration", *VIDEO_STEPS)
CONCAT_STEPS = ("composition",)

RunFactory = Callable[[str, JobControl | None], Run]


def steps_for(job: dict[str, Any], mode: str) -> tuple[str, ...]:
    kind = job.get("kind")
    if kind == "auto":
        return IMAGES_STEPS if mode == "images" else AUTO_STEPS
    if kind == "videos":
        return RESCENE_STEPS if job.get("rescene") else VIDEO_STEPS
    return CONCAT_STEPS


def missing_inputs(store: Store, story_id: str, job: dict[str, Any],
                   params: dict[str, Any]) -> list[str]:
    """Local files a job needs that are gone (a resumed job cannot run without them)."""
    folder = store.story_dir(story_id)
    needed = list(params.get("uploads") or [])
    needed += [v["upload"] for v in job.get("videos", []) + job.get("audios", [])
               if "upload" in v]
    return [rel for rel in needed if not (folder / rel).is_file()]


def build_job(store: Store, make_run: RunFactory, story_id: str,
              job: dict[str, Any]) -> Callable[[JobControl], None]:
    kind = job.get("kind")
    if kind == "auto":
        return lambda control: run_automatic(store, make_run(story_id, control))
    if kind == "videos":
        return lambda control: run_videos(store, make_run(story_id, control), job)
    if kind == "concat":
        return lambda control: run_concat(store, make_run(story_id, control), job)
    raise MediaError(f"unknown job kind {kind!r}")


def _uploads(store: Store, story_id: str, params: dict[str, Any]) -> list[Path]:
    folder = store.story_dir(story_id)
    return [folder / rel for rel in params.get("uploads") or []]


def _saver(store: Store, story_id: str) -> Callable[..., None]:
    return lambda **fields: store.update(story_id, **fields)


def run_automatic(store: Store, run: Run) -> None:
    """The reference's 7 steps for idea, url and images modes."""
    story_id = run.story_dir.name
    row = store.get(story_id)
    if row is None:
        return
    p, save = row.params, _saver(store, story_id)
    images_mode = row.mode == "images"
    base: list[Path] = _uploads(store, story_id, p)
    if images_mode and not base:
        base = pipeline.fetch_images(run, p.get("image_urls") or [])
    for i, path in enumerate(base):
        pipeline.verify_image(path, f"Image {i + 1}")
    board = row.storyboard
    if not board:  # a resumed story keeps the storyboard it already had
        url = pipeline_url(p) if row.mode == "url" else None
        board = pipeline.write_storyboard(
            run, idea=p["idea"], scene_count=p["scene_count"], language=p["language"],
            elements=p.get("elements"), image_count=len(base) if images_mode else None, url=url)
        save(storyboard=board)
    run.progress("storyboard", 1.0)
    elements = {} if images_mode else pipeline.element_images(run, board)
    images = pipeline.scene_images(run, board, elements, base)
    save(storyboard=board, scenes=pipeline.scene_records(board))
    voice = pipeline.narrations(run, board, p["audio"], p["language"])
    save(storyboard=board, scenes=pipeline.scene_records(board))
    plan = VideoPlan(nominal=float(p["scene_duration"]), transition=bool(p["is_transition"]))
    final, scenes = pipeline.make_film(run, board, images, voice, p["audio"], plan=plan,
                                       mood=pipeline.mood_of(f"{p['idea']} {row.title}"))
    save(storyboard=board, scenes=scenes, video_url=run.url_for(final))


def pipeline_url(params: dict[str, Any]) -> str | None:
    from vidflow.engine.validation import first_url

    return params.get("url") or first_url(params.get("idea", ""))


def scene_inputs(store: Store, run: Run, board: dict[str, Any],
                 params: dict[str, Any], story_id: str) -> tuple[list[Path], list[Any]]:
    """Steps 2-4 for advanced mode: element images (cached), scene images, narration."""
    elements = pipeline.element_images(run, board)
    base = _uploads(store, story_id, params)
    images = pipeline.scene_images(run, board, elements, base)
    voice = pipeline.narrations(run, board, params["audio"], params["language"])
    return images, voice


def run_videos(store: Store, run: Run, job: dict[str, Any]) -> None:
    """create_videos: (re-render changed scenes,) animate, add music/sound, compose."""
    story_id = run.story_dir.name
    row = store.get(story_id)
    if row is None or not row.storyboard:
        raise MediaError("The story has no storyboard any more; create it again")
    board, p = row.storyboard, row.params
    images, voice = scene_inputs(store, run, board, p, story_id)
    store.update(story_id, storyboard=board, scenes=pipeline.scene_records(board))
    plan = VideoPlan(nominal=float(job["duration"]), loop=int(job.get("loop", 1)),
                     transition=bool(job.get("is_transition")),
                     static=job.get("motion_type") == "StaticMotion")
    final, scenes = pipeline.make_film(run, board, images, voice, p["audio"], plan=plan,
                                       mood=pipeline.mood_of(f"{p.get('idea', '')} {row.title}"))
    store.update(story_id, storyboard=board, scenes=scenes, video_url=run.url_for(final))


def run_concat(store: Store, run: Run, job: dict[str, Any]) -> None:
    """concat: the given videos (or the story's scene clips) end to end, audio mixed in."""
    story_id = run.story_dir.name
    folder = store.story_dir(story_id)

    def local(item: dict[str, Any], n: int, what: str) -> Path:
        if "upload" in item:
            return folder / item["upload"]
        out = folder / "uploads" / f"{what}-{pipeline._short_hash(item['url'])}"
        if not out.is_file():
            from vidflow.engine import fetch

            fetch.fetch_to(item["url"], out, max_bytes=fetch.MAX_MEDIA_BYTES, local=run.resolve,
                           opening=run.opening)
        run.progress("composition", 0.3 * (n + 1) / max(1, len(job["videos"])))
        return out

    videos = [local(v, n, "video") for n, v in enumerate(job["videos"])]
    audios = [local(a, n, "audio") for n, a in enumerate(job.get("audios", []))]
    final = pipeline.concat(run, videos, audios)
    store.update(story_id, video_url=run.url_for(final))
