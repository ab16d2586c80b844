"""Scene animations and compositions rendered on a Dask distributed cluster (optional).

With `VIDFLOW_DASK_SCHEDULER=tcp://host:port` the engine submits each scene's
animation, each crossfade and each story's composition to that scheduler instead of
encoding them in process. Media travel as bytes, so workers need no shared folder, only
vidflow (with FFmpeg) installed: the task gets the scene images' PNG bytes (or the
pieces', narration and music WAVs' bytes) and the encoder parameters, renders in a
temporary folder and returns the MP4's bytes, which the engine writes into the story's
content-addressed assets as if it had rendered them itself.

The tasks are pure functions of their arguments, so a worker lost mid-render costs only
the render: the scheduler gives the task to another worker (and `retries` re-runs one
that raised). Every encoder thread count is fixed by the submitting engine (x264's
output depends on it; "auto" would follow each worker's core count), so a clip is the
same bytes whichever worker made it, and the same bytes as a local render on the
submitting machine.

`distributed` is imported only when a scheduler is configured (`pip install
'vidflow-iac[dask]'`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from vidflow.engine.jobs import Cancelled
from vidflow.errors import MediaError, VidflowError

CONNECT_TIMEOUT = 5.0  # seconds to reach the scheduler before the render fails
RETRIES = 2  # re-runs of a task that raised on a worker (a lost worker is rescheduled anyway)
WAIT_SLICE = 0.5  # seconds between checks for a closing engine while a task runs
JOB_THREADS = 16  # stories an engine renders at once on a cluster (vs EngineConfig.workers)
# task name prefixes (dashboards)
CLIP_KEY, FADE_KEY, FINAL_KEY = "vidflow-clip", "vidflow-fade", "vidflow-final"


def x264_threads(threads: int) -> int:
    """`threads`, with 0 ("auto") resolved as x264 does it on this machine (1.5 per core),
    so a worker with more or fewer cores encodes exactly what this machine would."""
    if threads > 0:
        return threads
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, cores * 3 // 2)


# --- what runs on a worker (module-level: pickled by reference) ----------------------------

def render_clip(image: bytes, suffix: str, params: dict[str, Any]) -> bytes:
    """One scene's clip (stages.animate.animate_scene) from the image's bytes."""
    from vidflow.engine.stages import animate

    with tempfile.TemporaryDirectory(prefix="vidflow-dask-") as folder:
        source, out = Path(folder) / f"scene{suffix}", Path(folder) / "clip.mp4"
        source.write_bytes(image)
        animate.animate_scene(source, out, **params)
        return out.read_bytes()


def render_crossfades(images: Sequence[tuple[bytes, str]], shots: Sequence[dict[str, Any]],
                      params: dict[str, Any]) -> bytes:
    """Crossfades between shots (stages.animate.encode_crossfades) from the images' bytes
    (and file suffixes); `shots`: each Shot's fields but the image."""
    from vidflow.engine.stages import animate

    with tempfile.TemporaryDirectory(prefix="vidflow-dask-") as folder:
        paths = []
        for i, (data, suffix) in enumerate(images):
            paths.append(Path(folder) / f"scene-{i}{suffix}")
            paths[-1].write_bytes(data)
        out = Path(folder) / "fades.mp4"
        animate.encode_crossfades([animate.Shot(p, **shot) for p, shot in
                                   zip(paths, shots, strict=True)], out, **params)
        return out.read_bytes()


def render_final(clips: Sequence[bytes], narrations: Sequence[tuple[bytes, float]],
                 music: bytes | None, ambient: bytes | None, params: dict[str, Any],
                 soundtrack: tuple[bytes, str] | None = None) -> bytes:
    """A story's composition (stages.compose.compose_story) from its media's bytes;
    `soundtrack`: the one the engine mixed while animating (bytes, file suffix), so the
    composition only copies, as a local one does."""
    from vidflow.engine.stages import compose

    with tempfile.TemporaryDirectory(prefix="vidflow-dask-") as folder:
        root = Path(folder)

        def put(name: str, data: bytes) -> Path:
            (root / name).write_bytes(data)
            return root / name

        out = root / "final.mp4"
        if soundtrack is not None:
            params["soundtrack"] = put("soundtrack" + soundtrack[1], soundtrack[0])
        compose.compose_story(
            [put(f"clip-{i}.mp4", c) for i, c in enumerate(clips)], out,
            narrations=[(put(f"voice-{i}.wav", w), t) for i, (w, t) in enumerate(narrations)],
            music=put("music.wav", music) if music is not None else None,
            ambient=put("ambient.wav", ambient) if ambient is not None else None, **params)
        return out.read_bytes()


# --- the engine's side -----------------------------------------------------------------------

class Cluster:
    """One engine's connection to a scheduler, opened at first use (or by `connect`)."""

    def __init__(self, address: str, *, connect_timeout: float = CONNECT_TIMEOUT) -> None:
        self.address = address
        self.connect_timeout = connect_timeout
        self._client: Any = None
        self._lock = threading.Lock()
        self._closing = threading.Event()

    def connect(self) -> Any:
        """The client; VidflowError within `connect_timeout` if the scheduler is away."""
        with self._lock:
            if self._client is not None:
                return self._client
            try:
                from distributed import Client
            except ImportError as exc:
                raise VidflowError("VIDFLOW_DASK_SCHEDULER is set but Dask is not installed",
                                   hint="pip install 'vidflow-iac[dask]', or unset "
                                        "VIDFLOW_DASK_SCHEDULER") from exc
            try:
                self._client = Client(self.address, timeout=self.connect_timeout,
                                      set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise MediaError(
                    f"cannot reach the Dask scheduler at {self.address} "
                    f"(no answer in {self.connect_timeout:g} s)",
                    hint="start it (dask scheduler) or unset VIDFLOW_DASK_SCHEDULER") from exc
            return self._client

    def stop(self) -> None:
        """The engine is closing: tasks being waited for leave their stories resumable."""
        self._closing.set()

    def close(self) -> None:
        self.stop()
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close(timeout=self.connect_timeout)

    def bind(self, check: Callable[[], None]) -> ClusterStages:
        """Stage functions for one run; `check` (the job's) is called while waiting."""
        return ClusterStages(self, check)

    def run(self, prefix: str, fn: Callable[..., bytes], *args: Any,
            check: Callable[[], None]) -> bytes:
        """Submit `fn(*args)` and wait for its bytes, checking for a closing engine."""
        client = self.connect()
        # The key names the work (a pure task): two stories with the same scene share it.
        digest = hashlib.sha256(repr(_fingerprint(args)).encode()).hexdigest()[:32]
        future = client.submit(fn, *args, key=f"{prefix}-{digest}", pure=False,
                               retries=RETRIES)
        try:
            while True:
                if self._closing.is_set():
                    raise Cancelled()
                check()
                try:
                    return future.result(timeout=WAIT_SLICE)
                except TimeoutError:
                    continue
                except VidflowError:
                    raise
                except Exception as exc:  # the task's own error, or a cluster that went away
                    if self._closing.is_set():
                        raise Cancelled() from exc
                    raise MediaError(f"the Dask cluster at {self.address} could not render "
                                     f"{prefix}: {type(exc).__name__}: {exc}") from exc
        finally:
            future.release()


def _fingerprint(value: Any) -> Any:
    """`value` with bytes replaced by their digests (a short, stable task key)."""
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, (list, tuple)):
        return [_fingerprint(v) for v in value]
    if isinstance(value, dict):
        return sorted((k, _fingerprint(v)) for k, v in value.items())
    return value


class ClusterStages:
    """`animate_scene`, `encode_crossfades` and `compose_story` with the stages'
    signatures, rendered remotely:
    pipeline.py calls whichever it was given (the stage modules, or this)."""

    def __init__(self, cluster: Cluster, check: Callable[[], None]) -> None:
        self.cluster = cluster
        self.check = check

    def animate_scene(self, image: Path, out: Path, **params: Any) -> None:
        params["threads"] = x264_threads(int(params.get("threads", 0)))
        data = self.cluster.run(CLIP_KEY, render_clip, Path(image).read_bytes(),
                                Path(image).suffix, params, check=self.check)
        Path(out).write_bytes(data)

    def encode_crossfades(self, shots: Sequence[Any], out: Path, **params: Any) -> None:
        params["threads"] = x264_threads(int(params.get("threads", 0)))
        images = [(Path(s.image).read_bytes(), Path(s.image).suffix) for s in shots]
        fields = [{"frames": s.frames, "camera_movement": s.camera_movement, "loop": s.loop}
                  for s in shots]
        data = self.cluster.run(FADE_KEY, render_crossfades, images, fields, params,
                                check=self.check)
        Path(out).write_bytes(data)

    def compose_story(self, clips: Sequence[Path], out: Path, *,
                      narrations: Sequence[tuple[Path, float]] = (),
                      music: Path | None = None, ambient: Path | None = None,
                      **params: Any) -> None:
        params["threads"] = x264_threads(int(params.get("threads", 0)))
        mixed = params.pop("soundtrack", None)
        track = (Path(mixed).read_bytes(), Path(mixed).suffix) if mixed else None
        data = self.cluster.run(
            FINAL_KEY, render_final, [Path(c).read_bytes() for c in clips],
            [(Path(p).read_bytes(), float(t)) for p, t in narrations],
            Path(music).read_bytes() if music else None,
            Path(ambient).read_bytes() if ambient else None, params, track,
            check=self.check)
        Path(out).write_bytes(data)

