"""The reference's 7 steps over the stages, content-addressed so unchanged work is reused.

    1 storyboard   2 element images   3 scene images   4 narration
    5 music / native sound            6 animation      7 composition

Each function here takes a `Run` (where files go, how to report progress) and plain
values; which of them a job runs, and in which order, is `steps.py`'s table, and each
reports progress as a fraction of whichever step is running (`Run.step`). A scene's
image, narration and cut (its part of the film) are assets named by the hash of their
inputs, so regenerating a story re-renders only the scenes whose inputs changed, and a
resumed story redoes only what was not finished.
"""

from __future__ import annotations

import copy
import logging
import math
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidflow.contract.storyboard import AUDIO_DEFAULTS, ELEMENT_KINDS, narration_on
from vidflow.engine import fetch, outbound
from vidflow.engine.assets import AssetStore, file_digest
from vidflow.engine.jobs import JobControl
from vidflow.engine.stages.compose import total_duration
from vidflow.errors import MediaError

log = logging.getLogger(__name__)

NARRATION_PAD = 0.5  # seconds of quiet after a scene's narration
MIN_SCENE = 1.5  # seconds; a scene never flashes by shorter than this
TRANSITION = 0.5  # seconds of xfade between scenes when is_transition
ANIMATION_WORKERS = 2  # scenes animated at once (the machines here have 2 cores)
IMAGE_WORKERS = 2  # scene images drawn at once (Pillow and NumPy release the GIL)
OUTPUT_KEYS = ("image_url", "narration_url", "video_url", "duration", "narration_duration")
SPOKEN_KEYS = ("narrator", "narration")  # a scene's narration text (the reference's name first)

def render_size(aspect_ratio: str, scale: float) -> tuple[int, int]:
    """The aspect ratio's resolution times `scale`, even numbers (yuv420p)."""
    from vidflow.engine.stages.canvas import aspect_size

    return aspect_size(aspect_ratio, scale=scale)


def scene_durations(narration: Sequence[float | None], *, nominal: float, fps: int,
                    transition: float = 0.0) -> list[float]:
    """Seconds per scene: narration length + pad (+ the xfade overlap), else `nominal`.

    Rounded up to whole frames so starts computed here match the clips exactly.
    """
    out = []
    for seconds in narration:
        wanted = nominal if seconds is None else max(seconds + NARRATION_PAD + transition,
                                                     MIN_SCENE)
        # Up to a whole frame (never down: the narration must fit), ignoring float dust.
        out.append(math.ceil(wanted * fps - 1e-6) / fps)
    return out


def transition_for(durations: Sequence[float], enabled: bool) -> float:
    """The xfade length: TRANSITION, but never more than a third of the shortest scene."""
    if not enabled or len(durations) < 2:
        return 0.0
    return min(TRANSITION, min(durations) / 3)


def scene_starts(durations: Sequence[float], transition: float) -> list[float]:
    starts, t = [], 0.0
    for d in durations:
        starts.append(round(t, 6))
        t += d - transition
    return starts


@dataclass
class Run:
    """Everything a step needs from outside: folders, settings, reporting, saving."""

    story_dir: Path
    size: tuple[int, int]
    fps: int
    preset: str
    url_for: Callable[[Path], str]
    resolve: fetch.LocalResolver
    opening: outbound.Opening = outbound.CLOSED  # non-public networks the operator opened
    save: Callable[..., None] = lambda **fields: None
    control: JobControl | None = None
    allow_local_files: bool = True
    storyboard_endpoint: str | None = None
    storyboard_model: str = "gpt-4o-mini"
    storyboard_api_key_env: str = "OPENAI_API_KEY"
    # Measured while animating; predicts how long composition takes, for progress.
    seconds_per_frame: float = 0.003
    step: str = ""  # the step running now (steps.execute sets it); progress is its share
    # Time the narration's words as it is spoken (a captioned story): one synthesis
    # gives both the WAV and the words, which the captions then read.
    words: bool = False
    # Renders clips and compositions elsewhere (cluster.ClusterStages); None: in process.
    cluster: Any = None
    assets: AssetStore = field(init=False)
    # Assets a later step needs, made ahead on a thread while an earlier step runs.
    background: dict[str, Future[object]] = field(default_factory=dict, init=False)
    # Scene pieces and crossfades, ANIMATION_WORKERS at a time, by asset name: a piece
    # started while the images are drawn is the same future the animation step waits for.
    _encoders: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _encoding: dict[str, Future[Path]] = field(default_factory=dict, init=False, repr=False)
    _encoders_lock: threading.Lock = field(default_factory=threading.Lock, init=False,
                                           repr=False)

    def __post_init__(self) -> None:
        self.assets = AssetStore(self.story_dir / "assets")

    def prefetch(self, key: str, make: Callable[[], object]) -> None:
        """Start making content-addressed assets now, on a thread, unless already started.
        The step that needs them calls `settle(key)` and then asks the asset store as
        usual: a hit when the prefetch finished, the same work redone (and its error
        reported by that step) when it failed."""
        if key in self.background:
            return
        future: Future[object] = Future()

        def work() -> None:
            try:
                future.set_result(make())
            except BaseException as exc:  # reported by the step that needs it
                future.set_exception(exc)

        threading.Thread(target=work, daemon=True, name=f"vidflow-prefetch-{key}").start()
        self.background[key] = future

    def encode(self, key: str, make: Callable[[], Path]) -> Future[Path]:
        """`make()` on the run's encoder pool, once per `key` (an asset's name)."""
        with self._encoders_lock:
            future = self._encoding.get(key)
            if future is None:
                if self._encoders is None:
                    self._encoders = ThreadPoolExecutor(max_workers=ANIMATION_WORKERS,
                                                        thread_name_prefix="vidflow-animate")
                future = self._encoders.submit(make)
                self._encoding[key] = future
            return future

    def close_encoders(self) -> None:
        """Let the encoder pool's threads go (what was submitted still finishes)."""
        with self._encoders_lock:
            pool, self._encoders = self._encoders, None
            self._encoding.clear()
        if pool is not None:
            pool.shutdown(wait=False)

    def settle(self, key: str) -> None:
        """Wait for the prefetch `key` (if any) to end, successfully or not."""
        future = self.background.pop(key, None)
        if future is not None:
            future.exception()

    def progress(self, fraction: float) -> None:
        """`fraction` (0..1) of the running step is done."""
        if self.control is not None and self.step:
            self.control.progress(self.step, fraction)

    def check(self) -> None:
        if self.control is not None:
            self.control.check()


# --- 1. storyboard --------------------------------------------------------------------

def write_storyboard(run: Run, *, idea: str, scene_count: int, language: str,
                     elements: dict[str, Any] | None, image_count: int | None = None,
                     url: str | None = None,
                     warn: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The storyboard; url mode reads the page first and, when that fails, says so in the
    storyboard's notes and through `warn` (the story's message): never a silent success."""
    from vidflow.engine.stages import storyboard as stage

    notes: list[str] = []
    page_text = None
    if url:
        try:
            page_text = fetch.page_text(url, opening=run.opening)
            notes.append(f"Page text read from {outbound.display_url(url)}.")
        except MediaError as exc:
            notes.append(f"Could not read the page ({exc}); the storyboard follows the idea "
                         "alone.")
            if warn is not None:
                warn(notes[-1])
    chat = None
    if run.storyboard_endpoint:
        chat = stage.ChatStoryboardWriter(run.storyboard_endpoint, run.storyboard_model,
                                          api_key=os.environ.get(run.storyboard_api_key_env))
    write = chat.write_storyboard if chat else stage.write_storyboard
    board = write(idea, scene_count=scene_count, language=language,
                  elements=copy.deepcopy(elements) if elements else None,
                  page_text=page_text, image_count=image_count)
    if chat is not None:
        notes.append(f"Storyboard endpoint failed ({chat.last_fallback}); the rule-based "
                     "writer wrote this storyboard." if chat.last_fallback
                     else f"Storyboard written by {run.storyboard_model}.")
    if notes:
        board["notes"] = notes
    run.progress(1.0)
    return board


# --- user images ------------------------------------------------------------------------

def verify_image(path: Path, label: str) -> Path:
    """MediaError unless Pillow can read the file as an image of at most MAX_IMAGE_PIXELS."""
    problem = fetch.image_size_problem(path)
    if problem is not None:
        raise MediaError(f"{label} {problem}")
    return path


def fetch_images(run: Run, urls: Sequence[str]) -> list[Path]:
    """Download image_urls into the story's uploads folder (one file per URL, reused)."""
    folder = run.story_dir / "uploads"
    paths = []
    for i, url in enumerate(urls):
        out = folder / f"url-{_short_hash(url)}.img"
        if not out.is_file():
            fetch.fetch_to(url, out, local=run.resolve, opening=run.opening)
        paths.append(verify_image(out, f"Image {i + 1} ({outbound.display_url(url)})"))
        run.check()
    return paths


def _short_hash(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:32]


# --- 2. element images ------------------------------------------------------------------

def element_source(run: Run, element: dict[str, Any]) -> Path | None:
    """A user-supplied image for an element (local file or URL); None: render one."""
    for key in ("image", "image_path"):
        value = element.get(key)
        if isinstance(value, dict):  # the spec's {"path", "sha256"} form
            value = value.get("path")
        if value and run.allow_local_files:
            path = Path(str(value)).expanduser()
            if not path.is_file():
                raise MediaError(f"Element '{element.get('name')}': image file {value} "
                                 "does not exist")
            return verify_image(path, f"Element '{element.get('name')}' image {value}")
    for key in ("image_url", "URL", "url"):
        value = element.get(key)
        if not value:
            continue
        local = run.resolve(str(value))
        if local is not None:
            if local.parent == run.assets.folder and local.name.startswith("element-"):
                return None  # our own earlier render: render again from the description
            return verify_image(local, f"Element '{element.get('name')}' image")
        out = run.story_dir / "uploads" / f"url-{_short_hash(str(value))}.img"
        if not out.is_file():
            fetch.fetch_to(str(value), out, local=run.resolve, opening=run.opening)
        return verify_image(out, f"Element '{element.get('name')}' image "
                                 f"{outbound.display_url(str(value))}")
    return None


def _element_inputs(element: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in element.items() if k not in ("image_url", "URL", "url", "image",
                                                          "image_path")}


def each(run: Run, count: int, one: Callable[[int], Path], *, workers: int,
         name: str) -> list[Path]:
    """`one(i)` for every i below `count`, `workers` at a time (the stages release the
    GIL), the step's progress reported as each ends; results in order."""
    done = 0
    lock = threading.Lock()

    def tracked(i: int) -> Path:
        nonlocal done
        path = one(i)
        with lock:
            done += 1
            fraction = done / count
        run.progress(fraction)
        return path

    with ThreadPoolExecutor(max_workers=max(1, min(workers, count)),
                            thread_name_prefix=name) as pool:
        return list(pool.map(tracked, range(count)))


def _drawing() -> Any:
    """The drawing stage, loaded when a picture is really drawn (a cached story draws
    none, and its backdrops, figures and storyboard writer are 40 ms of imports)."""
    from vidflow.engine.stages import images

    return images


def element_images(run: Run, board: dict[str, Any]) -> dict[str, Path]:
    """Render (or reuse) an image per element; generated ones get an image_url."""
    items = [(kind, el) for kind in ELEMENT_KINDS for el in board.get(kind, [])]
    sources = [element_source(run, element) for _, element in items]  # may download

    def one(n: int) -> Path:
        (kind, element), source = items[n], sources[n]
        inputs = {"kind": kind, "element": _element_inputs(element), "size": run.size,
                  "source": file_digest(source) if source else None}
        # The stage sees no image fields: which user image is used is decided here.
        bare = _element_inputs(element)
        return run.assets.get("element", inputs, "png", lambda tmp: _drawing().render_element(
            bare, kind, run.size, tmp, source=source))

    paths = each(run, len(items), one, workers=IMAGE_WORKERS, name="vidflow-element")
    out: dict[str, Path] = {}
    for (_, element), source, path in zip(items, sources, paths, strict=True):
        out[str(element.get("name"))] = path
        if source is None or not any(element.get(k) for k in ("image_url", "URL", "url")):
            element["image_url"] = run.url_for(path)
    run.progress(1.0)
    return out


# --- 3. scene images ----------------------------------------------------------------------

def _scene_inputs(scene: dict[str, Any]) -> dict[str, Any]:
    """What a scene's picture is drawn from, and named by: not its narration (a changed
    line re-speaks the scene, it does not redraw it) nor what a render wrote back."""
    return {k: v for k, v in scene.items() if k not in OUTPUT_KEYS and k not in SPOKEN_KEYS}


def scene_images(run: Run, board: dict[str, Any], element_paths: dict[str, Path],
                 base_images: Sequence[Path] = (),
                 ready: Callable[[int, Path], None] | None = None) -> list[Path]:
    """Render (or reuse) each scene's image; `ready(i, path)` as each is there (the
    engine starts animating that scene while the others are drawn)."""
    scenes = board["scenes"]
    # Elements without image fields: the user's images arrive only via element_paths.
    clean = {**board, **{k: [_element_inputs(e) for e in board.get(k, [])]
                         for k in ELEMENT_KINDS}}

    def one(i: int) -> Path:
        scene = scenes[i]
        shown = [str(n) for n in scene.get("elements", [])] + [str(scene.get("environment"))]
        used = {n: element_paths[n] for n in shown if n in element_paths}
        base = base_images[i] if i < len(base_images) else None
        inputs = {"scene": _scene_inputs(scene), "size": run.size,
                  "elements": {n: file_digest(p) for n, p in sorted(used.items())},
                  "element_text": [_element_inputs(e) for kind in ELEMENT_KINDS
                                   for e in board.get(kind, []) if e.get("name") in used],
                  "base": file_digest(base) if base else None}
        # drawn from the very fields it is named by (the layout's seed among them)
        path = run.assets.get(
            "scene", inputs, "png", lambda tmp, sc=inputs["scene"], b=base:
            _drawing().render_scene(sc, clean, run.size, tmp,
                                    element_images=dict(element_paths), base_image=b))
        if ready is not None:
            ready(i, path)
        return path

    out = each(run, len(scenes), one, workers=IMAGE_WORKERS, name="vidflow-scene")
    for scene, path in zip(scenes, out, strict=True):
        scene["image_url"] = run.url_for(path)
    return out


# --- 4. narration ------------------------------------------------------------------------

def narration_text(scene: dict[str, Any]) -> str:
    return str(next((scene[k] for k in SPOKEN_KEYS if scene.get(k)), "")).strip()


def narrations(run: Run, board: dict[str, Any], audio: dict[str, Any],
               language: str) -> list[tuple[Path, float] | None]:
    """One WAV per scene with text, when narration is on (native audio turns it off)."""
    scenes = board["scenes"]
    if not narration_on(audio):
        for scene in scenes:
            scene.pop("narration_url", None)
        run.progress(1.0)
        return [None] * len(scenes)
    out = spoken(run, board, audio, language)
    for i, (scene, voice) in enumerate(zip(scenes, out, strict=True)):
        if voice is None:
            scene.pop("narration_url", None)
            continue
        scene["narration_url"] = run.url_for(voice[0])
        scene["narration_duration"] = round(voice[1], 3)
        run.progress((i + 1) / len(scenes))
    run.progress(1.0)
    return out


def spoken(run: Run, board: dict[str, Any], audio: dict[str, Any],
           language: str) -> list[tuple[Path, float] | None]:
    """(WAV, seconds) per scene with text when narration is on, else None; the board is
    left as it is (step 4 records the URLs)."""
    from vidflow.engine.stages.narration import wav_duration

    scenes = board["scenes"]
    if not narration_on(audio):
        return [None] * len(scenes)
    run.settle("narration")
    voice = str(audio.get("narrator") or AUDIO_DEFAULTS["narrator"])
    out: list[tuple[Path, float] | None] = []
    for scene in scenes:
        text = narration_text(scene)
        path = narration_asset(run, text, voice=voice, language=language) if text else None
        out.append((path, wav_duration(path)) if path else None)
    return out


def prefetch_narrations(run: Run, board: dict[str, Any], audio: dict[str, Any],
                        language: str) -> None:
    """Speak the scenes' narration on a thread while the images are drawn (step 4 then
    finds the WAVs in the asset store)."""
    if not narration_on(audio):
        return
    voice = str(audio.get("narrator") or AUDIO_DEFAULTS["narrator"])
    texts = [t for t in (narration_text(s) for s in board.get("scenes", [])) if t]
    run.prefetch("narration", lambda: [narration_asset(run, t, voice=voice, language=language)
                                       for t in texts])


def speech_inputs(text: str, *, voice: str, language: str) -> dict[str, Any]:
    """What a narration WAV and its words' timings are named by: the same text, voice and
    language speak the same samples."""
    return {"text": text, "narrator": voice, "language": language}


def narration_asset(run: Run, text: str, *, voice: str, language: str) -> Path:
    """One scene's narration WAV (content-addressed: a cache hit once it was spoken);
    with `run.words`, its words' timings too (the "words" asset), from the same synthesis."""
    from vidflow.engine.stages import narration as stage

    inputs = speech_inputs(text, voice=voice, language=language)

    def speak(tmp: Path) -> None:
        if not run.words:
            stage.synthesize(text, narrator=voice, language=language, out=tmp)
            return
        timed = tmp.with_name(tmp.name + ".words")
        try:
            stage.synthesize(text, narrator=voice, language=language, out=tmp,
                             words_out=timed)
            run.assets.make_at(run.assets.path_for("words", inputs, "json"),
                               lambda dest: os.replace(timed, dest))
        finally:
            timed.unlink(missing_ok=True)

    return run.assets.get("narration", inputs, "wav", speak)


# --- 5. music and native sound -------------------------------------------------------------

def music(run: Run, *, mood: str, seconds: float) -> Path:
    from vidflow.engine.stages import music as stage

    inputs = {"mood": mood, "seconds": round(seconds, 3)}
    return run.assets.get("music", inputs, "wav", lambda tmp: stage.background_music(
        seconds, mood=mood, out=tmp))


def environment_text(board: dict[str, Any], name: str) -> str:
    for env in board.get("environments", []):
        if env.get("name") == name:
            return f"{name}: {env.get('description', '')}".strip(": ")
    return name


def ambient(run: Run, board: dict[str, Any], durations: Sequence[float],
            starts: Sequence[float]) -> Path:
    """One ambient track: each scene's environment sound for as long as the scene shows."""
    from vidflow.engine.stages import music as stage
    from vidflow.engine.stages.ffmpeg import run_ffmpeg

    pieces = []
    for i, scene in enumerate(board["scenes"]):
        length = (starts[i + 1] - starts[i]) if i + 1 < len(starts) else durations[i]
        env = environment_text(board, str(scene.get("environment") or ""))
        inputs = {"environment": env, "seconds": round(length, 3)}
        pieces.append(run.assets.get(
            "ambient", inputs, "wav",
            lambda tmp, e=env, s=length: stage.ambient_sound(s, environment=e, out=tmp)))
    if len(pieces) == 1:
        return pieces[0]
    inputs = {"pieces": [file_digest(p) for p in pieces]}

    def join(tmp: Path) -> None:
        args: list[str | os.PathLike[str]] = []
        for p in pieces:
            args += ["-i", p]
        graph = "".join(f"[{i}:a]" for i in range(len(pieces)))
        args += ["-filter_complex", f"{graph}concat=n={len(pieces)}:v=0:a=1[a]",
                 "-map", "[a]", tmp]
        run_ffmpeg(args, what="join ambient sound")

    return run.assets.get("ambient-track", inputs, "wav", join)


# --- 6. animation --------------------------------------------------------------------------

@dataclass(frozen=True)
class Animation:
    """How each scene's part of the film and each crossfade is made: the same whether a
    scene is started as soon as its image is drawn or by the animation step.

    The film is each scene's cut (its frames between the crossfades) and the crossfades,
    joined by copy, so no frame is encoded twice; a scene's whole clip (its video_url) is
    not part of it and is made when someone asks for it (`make_deferred_clip`)."""

    run: Run
    images: list[Path]
    durations: list[float]
    cameras: list[str]
    loop: int
    k: int  # frames per crossfade (0: none)

    @classmethod
    def of(cls, run: Run, board: dict[str, Any], images: Sequence[Path],
           durations: Sequence[float], *, loop: int = 1, static: bool = False,
           transition: float = 0.0) -> Animation:
        from vidflow.engine.stages.compose import crossfade_frames

        scenes = board["scenes"]
        cameras = ["static" if static else str(scenes[i].get("camera_movement") or "zoom_in")
                   for i in range(len(images))]
        k = crossfade_frames(durations, transition, run.fps) if len(images) > 1 else 0
        return cls(run, list(images), list(durations), cameras, loop, k)

    @property
    def threads(self) -> int:
        """x264 threads per encoder: the encoders' share of the cores, but at least two
        where there are two, so a clip encoded alone (one changed scene, the last clip
        of a story) does not leave a core idle; two such encoders side by side cost about
        4% more CPU than single-threaded ones. Fixed per machine, never by what else runs,
        so the same inputs give the same bytes."""
        cores = os.cpu_count() or 2
        return min(cores, max(2, cores // ANIMATION_WORKERS))

    def frames(self, i: int) -> int:
        from vidflow.engine.stages.animate import frame_count

        return frame_count(self.durations[i], self.run.fps)

    def span(self, i: int) -> tuple[int, int]:
        """The frames [first, end) of scene i the film shows outside its crossfades."""
        last = len(self.durations) - 1
        return (self.k if i > 0 else 0), self.frames(i) - (self.k if i < last else 0)

    @property
    def whole(self) -> bool:
        """Without crossfades, the film shows every scene whole: its cut is its clip."""
        return self.k == 0

    def clip_inputs(self, i: int, image: Path | None = None) -> dict[str, Any]:
        run = self.run
        return {"image": file_digest(image or self.images[i]), "seconds": self.durations[i],
                "camera": self.cameras[i], "size": run.size, "fps": run.fps,
                "loop": self.loop, "preset": run.preset}

    def clip_params(self, i: int) -> dict[str, Any]:
        """animate_scene's parameters for scene i's whole clip (all but the image)."""
        run = self.run
        return {"duration": self.durations[i], "camera_movement": self.cameras[i],
                "size": run.size, "fps": run.fps, "loop": self.loop,
                "preset": run.preset, "threads": self.threads, "transition": 0.0}

    def piece(self, i: int, image: Path | None = None) -> tuple[str, Callable[[], Path]]:
        """(the asset name, a function making) scene i's part of the film: its cut, or
        its whole clip when there are no crossfades."""
        from vidflow.engine.stages import animate as stage

        run, image = self.run, image or self.images[i]
        render = run.cluster or stage
        first, end = self.span(i)
        stage_name = "clip" if self.whole else "cut"
        inputs = self.clip_inputs(i, image) | ({} if self.whole else {"span": [first, end]})
        params = self.clip_params(i)

        def draw(tmp: Path) -> None:
            render.animate_scene(image, tmp, **params,
                                 **({} if self.whole else {"first": first, "end": end}),
                                 # in process, a cancelled job stops the encode
                                 **({"check": run.check} if run.cluster is None else {}))

        def make() -> Path:
            run.check()
            return run.assets.get(stage_name, inputs, "mp4", draw)

        return run.assets.path_for(stage_name, inputs, "mp4").name, make

    def clip(self, i: int) -> Path:
        """Scene i's whole clip: made already when it is the film's piece, else deferred
        (its recipe beside it) until someone asks for it."""
        run = self.run
        inputs = self.clip_inputs(i)
        if self.whole:
            return run.assets.path_for("clip", inputs, "mp4")
        if self.images[i].parent != run.assets.folder:  # a recipe names its own folder's
            return self.whole_clip_now(i)
        return run.assets.defer("clip", inputs, "mp4",
                                {"image": self.images[i].name, "params": self.clip_params(i)})

    def whole_clip_now(self, i: int) -> Path:
        from vidflow.engine.stages import animate as stage

        params = self.clip_params(i)
        return self.run.assets.get("clip", self.clip_inputs(i), "mp4", lambda tmp:
                                   stage.animate_scene(self.images[i], tmp, **params))

    def crossfade(self, i: int) -> tuple[str, Callable[[], Path]]:
        """(the asset name, a function making) the crossfade from scene i into i + 1; named
        by both scenes' inputs, so a changed scene re-makes only its two crossfades."""
        from vidflow.engine.stages import animate as stage

        run = self.run
        inputs = {"from": self.clip_inputs(i), "to": self.clip_inputs(i + 1), "frames": self.k}
        shots = [stage.Shot(self.images[j], self.frames(j), self.cameras[j], self.loop)
                 for j in (i, i + 1)]

        render = run.cluster or stage

        def fade(tmp: Path) -> None:
            render.encode_crossfades(shots, tmp, k=self.k, size=run.size, fps=run.fps,
                                     preset=run.preset, threads=self.threads)

        def make() -> Path:
            run.check()
            return run.assets.get("fade", inputs, "mp4", fade)

        return run.assets.path_for("fade", inputs, "mp4").name, make


_CLIP_PARAMS = frozenset({"duration", "camera_movement", "size", "fps", "loop", "preset",
                          "threads", "transition"})
_deferred_lock = threading.Lock()


def make_deferred_clip(path: Path) -> bool:
    """Make the deferred asset at `path` (a scene's whole clip) from the recipe beside
    it; False when there is none. The recipe names an image in the same folder and
    animate_scene's parameters, nothing else."""
    from vidflow.engine.assets import deferred_recipe
    from vidflow.engine.stages import animate as stage

    recipe = deferred_recipe(path)
    if recipe is None or not isinstance(recipe.get("params"), dict):
        return False
    image = path.parent / str(recipe.get("image"))
    params = recipe["params"]
    if (image.parent != path.parent or not image.is_file()
            or not set(params) <= _CLIP_PARAMS):
        return False
    params = {**params, "size": tuple(params.get("size") or ())}  # JSON made it a list
    with _deferred_lock:  # two requests for one clip make it once
        AssetStore(path.parent).make_at(path, lambda tmp: stage.animate_scene(
            image, tmp, **params))
    return True


def animate(run: Run, board: dict[str, Any], images: Sequence[Path], durations: Sequence[float],
            *, loop: int = 1, static: bool = False, transition: float = 0.0
            ) -> tuple[list[Path], list[Path]]:
    """(each scene's piece of the film, each crossfade between neighbours): two encoders
    side by side (OpenCV and x264 release the GIL), or every piece at once on a cluster.
    The scenes' video_url are their whole clips, made when first asked for."""
    plan = Animation.of(run, board, images, durations, loop=loop, static=static,
                        transition=transition)
    count = len(images)
    pairs = count - 1 if plan.k else 0
    started = time.monotonic()
    if run.cluster is not None:
        with ThreadPoolExecutor(max_workers=max(1, count),
                                thread_name_prefix="vidflow-animate") as pool:
            futures = [pool.submit(plan.piece(i)[1]) for i in range(count)]
            futures += [pool.submit(plan.crossfade(i)[1]) for i in range(pairs)]
            made = _gathered(run, futures)
    else:
        # Longest first, the short crossfades last: they fill in while the last pieces
        # end, so neither encoder idles (pieces started while the images were drawn are
        # the same futures).
        order = sorted(range(count), key=lambda i: -plan.frames(i))
        by_scene = {i: run.encode(*plan.piece(i)) for i in order}
        futures = [by_scene[i] for i in range(count)]
        futures += [run.encode(*plan.crossfade(i)) for i in range(pairs)]
        try:
            made = _gathered(run, futures)
        finally:
            run.close_encoders()
    pieces, fades = made[:count], made[count:]
    frames = sum(round(d * run.fps) for d in durations)
    if frames and time.monotonic() - started > 0.5:  # a real render, not cache hits
        run.seconds_per_frame = (time.monotonic() - started) / frames
    for i in range(count):
        board["scenes"][i]["video_url"] = run.url_for(plan.clip(i))
        board["scenes"][i]["duration"] = durations[i]
    return pieces, fades


def _gathered(run: Run, futures: Sequence[Future[Path]]) -> list[Path]:
    """The futures' results in order, the step's progress reported as each ends."""
    from concurrent.futures import as_completed

    for n, future in enumerate(as_completed(futures), start=1):
        future.result()  # the first failure ends the step
        run.progress(n / len(futures))
    return [f.result() for f in futures]


def start_clip(run: Run, board: dict[str, Any], i: int, image: Path, *,
               durations: Sequence[float], loop: int, static: bool,
               transition: float) -> None:
    """Start animating scene i's piece now (its image is drawn, its length known), on the
    run's encoders; the animation step then waits for the same work instead of redoing it."""
    if run.cluster is not None:
        return  # a cluster takes all the scenes at once, in the animation step
    images = [image] * len(durations)  # only scene i's image is used
    plan = Animation.of(run, board, images, durations, loop=loop, static=static,
                        transition=transition)
    run.encode(*plan.piece(i, image))


# --- 7. composition ------------------------------------------------------------------------

def soundtrack(run: Run, durations: Sequence[float], *, transition: float,
               narration: Sequence[tuple[Path, float]], music_path: Path | None,
               ambient_path: Path | None) -> Path | None:
    """The film's mixed soundtrack (an asset; None when silent), exactly as long as
    compose_story makes the film of clips with these durations."""
    from vidflow.engine.stages import compose as stage

    if not narration and music_path is None and ambient_path is None:
        return None
    fade = stage.crossfade_frames(durations, transition, run.fps) / run.fps
    total = stage.total_duration(durations, fade if len(durations) > 1 else 0.0)
    inputs = {"narration": [(file_digest(p), start) for p, start in narration],
              "music": file_digest(music_path) if music_path else None,
              "ambient": file_digest(ambient_path) if ambient_path else None,
              "seconds": round(total, 6)}
    return run.assets.get("mix", inputs, "m4a", lambda tmp: stage.mix_audio(
        tmp, narrations=narration, music=music_path, ambient=ambient_path, total=total))


def compose(run: Run, pieces: Sequence[Path], *, transition: float,
            narration: Sequence[tuple[Path, float]], music_path: Path | None,
            ambient_path: Path | None, fades: Sequence[Path] = (),
            durations: Sequence[float] | None = None) -> Path:
    """The final MP4 (an asset, then published as the story's final.mp4): the scenes'
    pieces with the crossfades between them (`transition` long) joined back to back. With
    the scenes' `durations`, the soundtrack comes from `soundtrack` (premixed while
    animating)."""
    from vidflow.engine.stages import compose as stage

    film = [p for n, piece in enumerate(pieces) for p in (piece, *fades[n:n + 1])]
    frames = sum(probe_frames(p) for p in film) if durations is None else (
        sum(round(d * run.fps) for d in durations)
        - (len(durations) - 1) * stage.crossfade_frames(durations, transition, run.fps))
    inputs = {"clips": [file_digest(c) for c in film], "transition": transition,
              "narration": [(file_digest(p), start) for p, start in narration],
              "music": file_digest(music_path) if music_path else None,
              "ambient": file_digest(ambient_path) if ambient_path else None,
              "size": run.size, "fps": run.fps, "preset": run.preset}

    def mixed() -> Path | None:
        run.settle("soundtrack")
        return soundtrack(run, durations, transition=transition, narration=narration,
                          music_path=music_path, ambient_path=ambient_path) if durations else None

    # Measured: composing takes about as long as animating the same frames did.
    render = run.cluster or stage
    with ticking(run, expected=frames * run.seconds_per_frame):
        path = run.assets.get("final", inputs, "mp4", lambda tmp: render.compose_story(
            film, tmp, size=run.size, fps=run.fps, narrations=list(narration),
            music=music_path, ambient=ambient_path, preset=run.preset,
            soundtrack=mixed()))
    run.progress(0.97)
    return publish(run, path)


def publish(run: Run, asset: Path, name: str = "final.mp4") -> Path:
    """Give the finished asset its stable name in the story folder (atomically)."""
    final = run.story_dir / name
    tmp = final.with_name(f".{name}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(asset, tmp)
    except OSError:
        shutil.copyfile(asset, tmp)
    os.replace(tmp, final)
    return final


def concat(run: Run, videos: Sequence[Path], audios: Sequence[Path]) -> Path:
    from vidflow.engine.stages import compose as stage

    inputs = {"videos": [file_digest(v) for v in videos],
              "audio": [file_digest(a) for a in audios], "size": run.size}
    frames = sum(probe_frames(v) for v in videos)
    with ticking(run, expected=frames * run.seconds_per_frame):
        path = run.assets.get("concat", inputs, "mp4", lambda tmp: stage.concat_videos(
            list(videos), tmp, size=run.size, audio=list(audios),
            fps=run.fps, preset=run.preset))
    run.progress(0.97)
    return publish(run, path)


def probe_frames(path: Path) -> int:
    from vidflow.engine.stages.ffmpeg import probe

    info = probe(path)
    return info.frames or round(info.duration * (info.fps or 30))


@contextmanager
def ticking(run: Run, *, expected: float) -> Iterator[None]:
    """Progress for a step with no progress of its own (one long FFmpeg run): an estimate
    from the expected time (about 75% of the step at `expected` seconds) that approaches,
    and never passes, 95%; the step's real end reports the rest."""
    stop = threading.Event()

    def tick() -> None:
        started = time.monotonic()
        while not stop.wait(0.5):
            elapsed = time.monotonic() - started
            try:
                run.progress(0.95 * (1 - math.exp(-1.5 * elapsed / max(expected, 0.5))))
            except Exception:  # a closing engine: the main thread notices it too
                return

    thread = threading.Thread(target=tick, daemon=True, name=f"vidflow-tick-{run.step}")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


# --- the whole film ------------------------------------------------------------------------

@dataclass
class VideoPlan:
    """How scenes become a film: create_videos' parameters or the automatic defaults."""

    nominal: float  # seconds per scene when there is no narration
    loop: int = 1
    transition: bool = False
    static: bool = False


@dataclass(frozen=True)
class Timing:
    """When each scene shows: what music, animation and composition agree on."""

    durations: list[float]
    fade: float  # seconds of crossfade between scenes
    starts: list[float]
    loop: int
    seconds: float  # the whole film


def film_timing(run: Run, voice: Sequence[tuple[Path, float] | None], plan: VideoPlan
                ) -> Timing:
    """Scene lengths: the narration's when narrated (duration and loop are then ignored, as
    the reference says), else the plan's nominal length times its loop."""
    narrated = any(v is not None for v in voice)
    loop = 1 if narrated else plan.loop
    lengths = [v[1] if v else None for v in voice] if narrated else [None] * len(voice)
    guess = transition_for([plan.nominal * loop] * len(voice), plan.transition)
    durations = scene_durations(lengths, nominal=plan.nominal * loop, fps=run.fps,
                                transition=guess)
    fade = transition_for(durations, plan.transition)
    return Timing(durations, fade, scene_starts(durations, fade), loop,
                  total_duration(durations, fade))


def beds(run: Run, board: dict[str, Any], audio: dict[str, Any], timing: Timing, *,
         mood: str) -> tuple[Path | None, Path | None]:
    """Step 5: (background music, native ambient sound), each when audio_option asks."""
    music_path = (music(run, mood=mood, seconds=timing.seconds) if audio.get("has_bg_music")
                  else None)
    ambient_path = (ambient(run, board, timing.durations, timing.starts)
                    if audio.get("native_audio") else None)
    return music_path, ambient_path


def story_soundtrack(run: Run, board: dict[str, Any], scene_indexes: Sequence[int],
                     clips: Sequence[Path], audio: dict[str, Any], *, language: str,
                     mood: str) -> Path | None:
    """The story's own soundtrack for its scene clips joined end to end (concat): each
    scene's narration at its clip's start, music and ambience under it; None if silent."""
    from vidflow.engine.stages.compose import Clip, mix_audio
    from vidflow.engine.stages.ffmpeg import probe

    scenes = [board["scenes"][k] for k in scene_indexes if 0 <= k < len(board["scenes"])]
    if len(scenes) != len(clips):
        return None  # the storyboard changed under the clips: nothing to line up
    durations = [Clip(Path(c), probe(c)).duration for c in clips]
    starts = scene_starts(durations, 0.0)
    voice = str(audio.get("narrator") or AUDIO_DEFAULTS["narrator"])
    placed = [(narration_asset(run, narration_text(s), voice=voice, language=language),
               starts[i]) for i, s in enumerate(scenes)
              if narration_on(audio) and narration_text(s)]
    timing = Timing(durations, 0.0, starts, 1, sum(durations))
    music_path, ambient_path = beds(run, {**board, "scenes": scenes}, audio, timing, mood=mood)
    if not placed and music_path is None and ambient_path is None:
        return None
    inputs = {"narration": [(file_digest(p), t) for p, t in placed],
              "music": file_digest(music_path) if music_path else None,
              "ambient": file_digest(ambient_path) if ambient_path else None,
              "seconds": round(timing.seconds, 6)}
    return run.assets.get("soundtrack", inputs, "m4a", lambda tmp: mix_audio(
        tmp, narrations=placed, music=music_path, ambient=ambient_path,
        total=timing.seconds))


def scene_records(board: dict[str, Any]) -> list[dict[str, Any]]:
    """The story's `scenes` array: each scene's name, text and media URLs."""
    records = []
    for i, scene in enumerate(board.get("scenes", [])):
        record = {"index": i, "name": scene.get("name", f"Scene {i + 1}"),
                  "narration": narration_text(scene)}
        for key in OUTPUT_KEYS:
            if key in scene:
                record[key] = scene[key]
        records.append(record)
    return records
