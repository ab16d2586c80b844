"""The background jobs of the engine: what automatic modes, create_videos and concat run.

A job is described by a small JSON spec saved on the story row (`job`): its kind, its own
parameters, and, once it has started, the steps done and the state they left (see
steps.py). `build_job` turns the spec back into a function of a JobControl, so a new
engine process resumes the job after its last finished step.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from vidflow.engine import steps
from vidflow.engine.jobs import JobControl
from vidflow.engine.pipeline import Run
from vidflow.engine.steps import Context, State, Step
from vidflow.engine.store import Store

RunFactory = Callable[[str, JobControl | None], Run]


def missing_inputs(store: Store, story_id: str, job: dict[str, Any],
                   params: dict[str, Any]) -> list[str]:
    """Local files a job needs that are gone (a resumed job cannot run without them)."""
    folder = store.story_dir(story_id)
    needed = list(params.get("uploads") or [])
    needed += [v["upload"] for v in job.get("videos", []) + job.get("audios", [])
               if "upload" in v]
    return [rel for rel in needed if not (folder / rel).is_file()]


def build_job(store: Store, make_run: RunFactory, story_id: str, job: dict[str, Any],
              table: Sequence[Step]) -> Callable[[JobControl], None]:
    def work(control: JobControl) -> None:
        row = store.get(story_id)
        if row is None:
            return
        run = make_run(story_id, control)
        ctx = Context(run, row.mode, row.params, row.title, job,
                      save=lambda **fields: store.update(story_id, **fields),
                      note=lambda text: add_to_message(store, story_id, text))
        done, state = resume_point(ctx, row.job or {})
        if not done:
            state = {"board": copy.deepcopy(row.storyboard) if row.storyboard else None}

        def saved(finished: list[str], now: State) -> None:
            store.update(story_id, job={**job, "done": finished, "state": now})

        steps.execute(table, ctx, state, done=done, saved=saved)

    return work


def add_to_message(store: Store, story_id: str, text: str) -> None:
    """A note the story's message keeps (after the notes it was accepted with)."""
    row = store.get(story_id)
    if row is not None and text not in (row.message or ""):
        store.update(story_id, message=f"{row.message} {text}" if row.message else text)


def resume_point(ctx: Context, saved: dict[str, Any]) -> tuple[list[str], State]:
    """(steps done, their state) a previous process saved; nothing if a file is gone."""
    done, state = list(saved.get("done") or []), saved.get("state")
    if not done or not isinstance(state, dict):
        return [], {}
    if any(not ctx.path(rel).is_file() for rel in steps.files_in(state)):
        return [], {}  # start over: the content-addressed cache still saves the work
    return done, state


def pipeline_url(params: dict[str, Any]) -> str | None:
    from vidflow.engine.validation import first_url

    return params.get("url") or first_url(params.get("idea", ""))


def scene_inputs(run: Run, board: dict[str, Any], params: dict[str, Any]) -> None:
    """/scenes: element images, scene images and narration, before the call returns."""
    ctx = Context(run, "storyboard", params)
    steps.execute(steps.SCENE_INPUTS, ctx, {"board": board, "base": params.get("uploads") or []})
