"""The engine's steps, written once: what each job kind runs, in which order, and how much
of the job's progress each step is worth.

A step is a small function `(Context, state) -> new state keys`. The state is a JSON-able
dict (the storyboard and the files made so far, as paths relative to the story's folder),
so `execute` saves it in the story's job spec after every step: a new engine resumes a
story after the last step that finished. Files stay content-addressed (pipeline.py), so
a step run again reuses what it already made.

Weights are the relative cost of the reference's 7 steps, measured on a 5-scene 9:16 story
at full size (images 1.8 s, narration 0.2 s, music 0.1 s, animation 12 s, composition
17 s): the FFmpeg steps dominate. A job's progress is the weighted share of its steps; a
weight-0 step still runs but moves no progress (create_videos re-reads unchanged scenes
from the asset cache).
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from vidflow.contract.enums import STATIC_MOTION
from vidflow.contract.params import DEFAULTS
from vidflow.engine import pipeline
from vidflow.engine.pipeline import Run, Timing, VideoPlan
from vidflow.errors import MediaError

State = dict[str, Any]


@dataclass
class Context:
    """What a step reads besides the state: the story, its job, where its files go."""

    run: Run
    mode: str  # the story's mode (idea, url, images, storyboard)
    params: dict[str, Any]
    title: str = ""
    job: dict[str, Any] = field(default_factory=dict)
    save: Callable[..., None] = lambda **fields: None  # story fields, as they fill in
    note: Callable[[str], None] = lambda text: None  # add to the story's message

    def path(self, rel: str) -> Path:
        return self.run.story_dir / rel

    def rel(self, path: Path) -> str:
        try:
            return Path(path).relative_to(self.run.story_dir).as_posix()
        except ValueError:
            return str(path)

    def paths(self, rels: Sequence[str]) -> list[Path]:
        return [self.path(r) for r in rels]


@dataclass(frozen=True)
class Step:
    name: str
    weight: float
    run: Callable[[Context, State], State]


# --- the steps ----------------------------------------------------------------------------

def _uploads(ctx: Context) -> list[str]:
    return list(ctx.params.get("uploads") or [])


def _storyboard(ctx: Context, s: State) -> State:
    """Step 1 of the automatic modes (images mode fetches and checks its images first)."""
    p, images_mode = ctx.params, ctx.mode == "images"
    base = ctx.paths(_uploads(ctx))
    if images_mode and not base:
        base = pipeline.fetch_images(ctx.run, p.get("image_urls") or [])
    for i, path in enumerate(base):
        pipeline.verify_image(path, f"Image {i + 1}")
    board = s.get("board")
    if not board:  # a resumed story keeps the storyboard it already had
        from vidflow.engine.work import pipeline_url

        board = pipeline.write_storyboard(
            ctx.run, idea=p["idea"], scene_count=p["scene_count"], language=p["language"],
            elements=p.get("elements"), image_count=len(base) if images_mode else None,
            url=pipeline_url(p) if ctx.mode == "url" else None, warn=ctx.note)
        ctx.save(storyboard=board)
    return {"board": board, "base": [ctx.rel(b) for b in base]}


def _stored_storyboard(ctx: Context, s: State) -> State:
    """create_videos works on the story's own (possibly just updated) storyboard."""
    if not s.get("board"):
        raise MediaError("The story has no storyboard any more; create it again")
    return {"base": _uploads(ctx)}


def _prefetch_narration(ctx: Context, s: State) -> None:
    pipeline.prefetch_narrations(ctx.run, s["board"], ctx.params["audio"],
                                 ctx.params["language"])


def _elements(ctx: Context, s: State) -> State:
    _prefetch_narration(ctx, s)
    found = pipeline.element_images(ctx.run, s["board"])
    return {"elements": {name: ctx.rel(p) for name, p in found.items()}}


def _scenes(ctx: Context, s: State) -> State:
    _prefetch_narration(ctx, s)
    board = s["board"]
    elements = {name: ctx.path(r) for name, r in s.get("elements", {}).items()}
    images = pipeline.scene_images(ctx.run, board, elements, ctx.paths(s.get("base", [])),
                                   ready=_early_animation(ctx, s))
    ctx.save(storyboard=board, scenes=pipeline.scene_records(board))
    return {"images": [ctx.rel(p) for p in images]}


def _early_animation(ctx: Context, s: State) -> Callable[[int, Path], None] | None:
    """Start each scene's clip as soon as its image is drawn: drawing leaves a core
    idle, and the clip's length is known once the narration is spoken (the animation
    step then waits for the same work). The timing is film_timing's, as step 5 makes
    it; when it differs there (it cannot, from the same narration), the clip is only
    made twice, never wrong."""
    if ctx.run.cluster is not None or not _films(ctx):
        return None
    board, lock = s["board"], threading.Lock()
    timing: list[Timing | None] = []

    def ready(i: int, image: Path) -> None:
        with lock:
            if not timing:
                try:
                    voice = pipeline.spoken(ctx.run, board, ctx.params["audio"],
                                            ctx.params["language"])
                    timing.append(pipeline.film_timing(ctx.run, voice, _plan(ctx)))
                except Exception:  # the narration step reports it; nothing starts early
                    timing.append(None)
        t = timing[0]
        if t is None:
            return
        pipeline.start_clip(ctx.run, board, i, image, durations=t.durations, loop=t.loop,
                            static=_plan(ctx).static, transition=t.fade)

    return ready


def _films(ctx: Context) -> bool:
    """Whether this job goes on to animate (not /scenes' own inline run)."""
    return ctx.job.get("kind") in ("auto", "videos")


def _narration(ctx: Context, s: State) -> State:
    board = s["board"]
    voice = pipeline.narrations(ctx.run, board, ctx.params["audio"], ctx.params["language"])
    ctx.save(storyboard=board, scenes=pipeline.scene_records(board))
    return {"voice": [[ctx.rel(v[0]), v[1]] if v else None for v in voice]}


def _plan(ctx: Context) -> VideoPlan:
    """create_videos' own parameters, or the automatic modes' scene_duration."""
    job, p = ctx.job, ctx.params
    if job.get("kind") == "videos":
        return VideoPlan(nominal=float(job["duration"]), loop=int(job.get("loop", 1)),
                         transition=bool(job.get("is_transition")),
                         static=job.get("motion_type") == STATIC_MOTION)
    return VideoPlan(nominal=float(p["scene_duration"]), transition=bool(p["is_transition"]))


def _voice(ctx: Context, s: State) -> list[tuple[Path, float] | None]:
    return [(ctx.path(v[0]), float(v[1])) if v else None for v in s["voice"]]


def _mood(ctx: Context) -> str:
    from vidflow.engine.stages.looks import mood_of  # the one table of tones

    return mood_of(f"{ctx.params.get('idea', '')} {ctx.title}")


def _music(ctx: Context, s: State) -> State:
    """Step 5: the scenes' timing, then music and native sound over it."""
    timing = pipeline.film_timing(ctx.run, _voice(ctx, s), _plan(ctx))
    music, ambient = pipeline.beds(ctx.run, s["board"], ctx.params["audio"], timing,
                                   mood=_mood(ctx))
    return {"timing": asdict(timing), "music": ctx.rel(music) if music else None,
            "ambient": ctx.rel(ambient) if ambient else None}


def _placed(ctx: Context, s: State, timing: Timing) -> list[tuple[Path, float]]:
    return [(v[0], timing.starts[i]) for i, v in enumerate(_voice(ctx, s)) if v is not None]


def _mix_kwargs(ctx: Context, s: State) -> dict[str, Any]:
    timing = Timing(**s["timing"])
    return {"transition": timing.fade, "narration": _placed(ctx, s, timing),
            "music_path": ctx.path(s["music"]) if s["music"] else None,
            "ambient_path": ctx.path(s["ambient"]) if s["ambient"] else None}


def _animation(ctx: Context, s: State) -> State:
    timing = Timing(**s["timing"])
    # Composition probes the clips with PyAV, 0.2 s to import and mostly under the GIL:
    # imported while FFmpeg encodes the clips, not after them on the way to the film.
    if "av" not in sys.modules:  # once per process, not once per job of a server
        threading.Thread(target=importlib.import_module, args=("av",), daemon=True,
                         name="vidflow-import-av").start()
    # the soundtrack needs no pictures: mix it while the scenes are animated
    ctx.run.prefetch("soundtrack", lambda: pipeline.soundtrack(
        ctx.run, timing.durations, **_mix_kwargs(ctx, s)))
    pieces, fades = pipeline.animate(ctx.run, s["board"], ctx.paths(s["images"]),
                                     timing.durations, loop=timing.loop,
                                     static=_plan(ctx).static, transition=timing.fade)
    return {"pieces": [ctx.rel(c) for c in pieces], "fades": [ctx.rel(f) for f in fades],
            "seconds_per_frame": ctx.run.seconds_per_frame}


def _composition(ctx: Context, s: State) -> State:
    # a state saved by an engine whose film was whole clips: cut the scenes now
    made = {} if "pieces" in s else _animation(ctx, s)
    s = {**s, **made}
    board, timing = s["board"], Timing(**s["timing"])
    ctx.run.seconds_per_frame = s.get("seconds_per_frame", ctx.run.seconds_per_frame)
    final = pipeline.compose(ctx.run, ctx.paths(s["pieces"]), **_mix_kwargs(ctx, s),
                             fades=ctx.paths(s["fades"]), durations=timing.durations)
    final = _captions(ctx, board, timing, final)
    ctx.save(storyboard=board, scenes=pipeline.scene_records(board),
             video_url=ctx.run.url_for(final))
    return {**made, "final": ctx.rel(final)}


def _captions(ctx: Context, board: dict[str, Any], timing: Timing, final: Path) -> Path:
    """The vidflow extension `captions`: sidecars written and the film re-encoded with
    them burned in; without it, no sidecars (none left from an earlier film)."""
    from vidflow.engine import captioning

    options = ctx.params.get("captions")
    if not options:
        captioning.remove_sidecars(ctx.run.story_dir)
        return final
    return captioning.caption(ctx.run, board, ctx.params, timing, final, options,
                              note=ctx.note).video


def _concat(ctx: Context, s: State) -> State:
    """concat: the given videos (or the story's scene clips, with the story's soundtrack)
    end to end, audio_urls mixed in on top."""
    job, run = ctx.job, ctx.run

    def local(item: dict[str, Any], n: int, what: str) -> Path:
        if "upload" in item:
            return ctx.path(item["upload"])
        out = run.story_dir / "uploads" / f"{what}-{pipeline._short_hash(item['url'])}"
        if not out.is_file():
            from vidflow.engine import fetch

            fetch.fetch_to(item["url"], out, max_bytes=fetch.MAX_MEDIA_BYTES, local=run.resolve,
                           opening=run.opening)
        run.progress(0.3 * (n + 1) / max(1, len(job["videos"])))
        return out

    videos = [local(v, n, "video") for n, v in enumerate(job["videos"])]
    audios = [local(a, n, "audio") for n, a in enumerate(job.get("audios", []))]
    if job.get("soundtrack") and s.get("board"):
        track = pipeline.story_soundtrack(
            run, s["board"], [int(v["scene"]) for v in job["videos"]], videos,
            ctx.params.get("audio") or {},
            language=ctx.params.get("language", DEFAULTS["language"]), mood=_mood(ctx))
        audios = [track, *audios] if track else audios
    final = pipeline.concat(run, videos, audios)
    ctx.save(video_url=run.url_for(final))
    return {"final": ctx.rel(final)}


# --- the tables ---------------------------------------------------------------------------

STORYBOARD = Step("storyboard", 1, _storyboard)
ELEMENTS = Step("elements", 3, _elements)
SCENES = Step("scenes", 5, _scenes)
NARRATION = Step("narration", 2, _narration)
MUSIC = Step("music", 1, _music)
ANIMATION = Step("animation", 40, _animation)
COMPOSITION = Step("composition", 48, _composition)
_FILM = (MUSIC, ANIMATION, COMPOSITION)


def _quiet(step: Step) -> Step:
    return replace(step, weight=0)


# /scenes runs these inline, before it returns (and create_videos again, from the cache)
SCENE_INPUTS = (ELEMENTS, SCENES, NARRATION)
_VIDEOS_START = Step("storyboard", 0, _stored_storyboard)

AUTO = (STORYBOARD, ELEMENTS, SCENES, NARRATION, *_FILM)
AUTO_IMAGES = (STORYBOARD, SCENES, NARRATION, *_FILM)  # the user's images: no elements
VIDEOS = (_VIDEOS_START, *map(_quiet, SCENE_INPUTS), *_FILM)
# a storyboard changed at /videos: its scenes are rendered (and paid) again
VIDEOS_RESCENE = (_VIDEOS_START, _quiet(ELEMENTS), SCENES, NARRATION, *_FILM)
CONCAT = (Step("composition", 48, _concat),)

KINDS = ("auto", "videos", "concat")


def table(job: Mapping[str, Any], mode: str) -> tuple[Step, ...]:
    """The steps of a job spec (MediaError for a kind this engine does not know)."""
    kind = job.get("kind")
    if kind == "auto":
        return AUTO_IMAGES if mode == "images" else AUTO
    if kind == "videos":
        return VIDEOS_RESCENE if job.get("rescene") else VIDEOS
    if kind == "concat":
        return CONCAT
    raise MediaError(f"unknown job kind {kind!r}")


def weights(steps: Sequence[Step]) -> dict[str, float]:
    return {s.name: s.weight for s in steps}


# --- the runner ---------------------------------------------------------------------------

def execute(steps: Sequence[Step], ctx: Context, state: State, *, done: Sequence[str] = (),
            saved: Callable[[list[str], State], None] | None = None) -> State:
    """Run `steps` in order, skipping those in `done` (a resumed job); after each, report
    the step complete and hand (done, state) to `saved`."""
    finished = list(done)
    for step in steps:
        ctx.run.step = step.name
        if step.name not in finished:
            ctx.run.check()
            state = {**state, **step.run(ctx, state)}
            finished.append(step.name)
            if saved is not None:
                saved(list(finished), state)
        ctx.run.progress(1.0)
    ctx.run.step = ""
    return state


_FILE_KEYS = ("base", "images", "clips", "pieces", "fades", "music", "ambient", "final")


def files_in(state: State) -> Iterator[str]:
    """Every file a saved state refers to (a resume is only as good as its files)."""
    for key in _FILE_KEYS:
        value = state.get(key)
        yield from ([value] if isinstance(value, str) else value or [])
    yield from (state.get("elements") or {}).values()
    yield from (v[0] for v in state.get("voice") or [] if v)
