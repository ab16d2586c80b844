"""VIDFLOW_DASK_SCHEDULER: scene clips and compositions render on a real Dask cluster.

A real `dask scheduler` and two `dask worker` processes on loopback (one thread each,
free ports), started here and always killed at the end. Stories rendered there succeed,
their tasks ran on the workers, a worker SIGKILLed mid-render costs nothing but time, and
every clip and the final video are the same bytes as a local render. A scheduler nobody
answers is a clear error within seconds, for a story and for `vidflow serve`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vidflow.engine.cluster import CLIP_KEY, FADE_KEY, FINAL_KEY
from vidflow.engine.service import EngineConfig, StoryEngine
from vidflow.engine.settings import DASK_SCHEDULER_ENV, dask_scheduler, engine_overrides
from vidflow.errors import VidflowError

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Big enough that a clip takes a second or two on one core (a kill lands mid-render),
# small enough that the whole file stays well under a minute.
RENDER = {"scale": 0.5, "fps": 30, "x264_preset": "veryfast"}
STORIES = (
    {"idea": "A calm winter walk through a snowy pine forest at dawn", "scene_count": 2,
     "is_transition": True, "aspect_ratio": "9:16",
     "audio_option": {"has_bg_music": True, "has_narration": True}},
    {"idea": "A fun promo for a lemonade stand on a sunny beach", "scene_count": 2,
     "aspect_ratio": "16:9", "audio_option": {"has_bg_music": True, "has_narration": False}},
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


@dataclass
class DaskCluster:
    address: str
    workers: dict[str, subprocess.Popen[bytes]]  # worker address -> its process
    client: Any  # the test's own client, to watch the scheduler


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[DaskCluster]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs: list[subprocess.Popen[bytes]] = []
    workers: dict[str, subprocess.Popen[bytes]] = {}
    log = (tmp_path / "dask.log").open("wb")

    def start(*args: str) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen([str(BIN / "dask"), *args], env=env, cwd=tmp_path,
                                stdout=log, stderr=subprocess.STDOUT)
        procs.append(proc)
        return proc

    client = None
    try:
        start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
        for _ in range(2):
            worker_port = free_port()
            # --no-nanny: SIGKILL takes the worker itself away (a nanny would restart it)
            workers[f"tcp://127.0.0.1:{worker_port}"] = start(
                "worker", address, "--host", "127.0.0.1", "--worker-port", str(worker_port),
                "--nthreads", "1", "--no-nanny", "--no-dashboard", "--death-timeout", "30")
        client = distributed.Client(address, timeout=20, set_as_default=False)
        client.wait_for_workers(2, timeout=30)
        client.get_task_stream()  # the scheduler records its task stream from now on
        yield DaskCluster(address, workers, client)
    finally:
        if client is not None:
            client.close(timeout=5)
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
        log.close()


# what the film is made of: scenes' cuts between crossfades, or whole clips without them
SCENE_PIECES = ("clip-", "cut-")


def start_story(engine: StoryEngine, params: dict[str, Any]) -> str:
    return str(engine.idea_to_video(**params)["id"])


def finished(engine: StoryEngine, story_id: str, timeout: float = 60) -> dict[str, Any]:
    wait_until(lambda: engine.get_story(story_id)["status"] in ("success", "fail"), timeout,
               f"story {story_id}")
    return engine.get_story(story_id)


def rendered(engine: StoryEngine, story_id: str) -> dict[str, bytes]:
    """The story's scene pieces, crossfades and final video: name -> bytes (names are
    content hashes)."""
    folder = engine.store.story_dir(story_id)
    files = {p.name: p.read_bytes() for p in (folder / "assets").glob("*.mp4")
             if p.name.startswith((*SCENE_PIECES, "fade-"))}
    return {**files, "final.mp4": (folder / "final.mp4").read_bytes()}


def task_stream(client: Any) -> list[dict[str, Any]]:
    return [t for t in client.get_task_stream(start=0)
            if str(t.get("key", "")).startswith((CLIP_KEY, FADE_KEY, FINAL_KEY))]


def test_stories_render_on_the_cluster_survive_a_lost_worker_and_match_a_local_render(
        tmp_path: Path, dask_cluster: DaskCluster) -> None:
    engine = StoryEngine(EngineConfig(data_dir=tmp_path / "cluster", **RENDER,
                                      dask_scheduler=dask_cluster.address))
    try:
        ids = [start_story(engine, params) for params in STORIES]
        # SIGKILL the first worker seen rendering one of our clips, while it renders it
        victim: list[str] = []
        victim_key: list[str] = []  # the clip it was rendering: finished by the other one

        def rendering() -> bool:
            # asked of the workers themselves: a task they execute, not one queued for them
            # (a lambda: cloudpickle sends it by value; workers cannot import this module)
            running = dask_cluster.client.run(
                lambda dask_worker: [str(ts.key) for ts in dask_worker.state.executing])
            for worker, keys in running.items():
                clips = [k for k in keys if k.startswith(CLIP_KEY)]
                if worker in dask_cluster.workers and clips:
                    victim.append(worker)
                    victim_key.append(clips[0])
                    return True
            return False

        wait_until(rendering, 30, "a worker rendering a clip")
        dask_cluster.workers[victim[0]].send_signal(signal.SIGKILL)
        stories = [finished(engine, story_id) for story_id in ids]
        assert [s["status"] for s in stories] == ["success", "success"], [
            s["message"] for s in stories]
        assert dask_cluster.workers[victim[0]].wait(timeout=5) == -signal.SIGKILL
        cluster_files = [rendered(engine, story_id) for story_id in ids]
    finally:
        engine.close()

    # every piece, the crossfade and both compositions ran on the cluster's workers
    stream = task_stream(dask_cluster.client)
    assert stream and {t["worker"] for t in stream} <= set(dask_cluster.workers)
    redone = {t["worker"] for t in stream if t["key"] == victim_key[0]}
    assert redone and victim[0] not in redone  # the lost clip was rendered again elsewhere
    clips = sum(len([n for n in f if n.startswith(SCENE_PIECES)]) for f in cluster_files)
    assert clips == 4
    assert len({t["key"] for t in stream if str(t["key"]).startswith(CLIP_KEY)}) == clips
    assert len({t["key"] for t in stream if str(t["key"]).startswith(FINAL_KEY)}) == 2
    # the crossfaded story's one crossfade too, the same file in the story's assets
    fades = sum(len([n for n in f if n.startswith("fade-")]) for f in cluster_files)
    assert fades == 1
    assert len({t["key"] for t in stream if str(t["key"]).startswith(FADE_KEY)}) == fades

    # the same stories rendered in process: the very same bytes, clip by clip
    local = StoryEngine(EngineConfig(data_dir=tmp_path / "local", **RENDER))
    try:
        local_ids = [start_story(local, params) for params in STORIES]
        for story_id, remote in zip(local_ids, cluster_files, strict=True):
            assert finished(local, story_id)["status"] == "success"
            here = rendered(local, story_id)
            assert sorted(here) == sorted(remote)
            assert all(here[name] == remote[name] for name in here), [
                name for name in here if here[name] != remote[name]]
    finally:
        local.close()


def test_an_unreachable_scheduler_fails_the_story_with_a_clear_message_in_seconds(
        tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"  # nobody listens there
    engine = StoryEngine(EngineConfig(data_dir=tmp_path / "data", scale=0.25, fps=10,
                                      x264_preset="ultrafast", dask_scheduler=address))
    try:
        started = time.monotonic()
        story_id = start_story(engine, {**STORIES[1], "scene_count": 1})
        story = finished(engine, story_id, timeout=30)
        assert story["status"] == "fail"
        assert f"cannot reach the Dask scheduler at {address}" in story["message"]
        assert time.monotonic() - started < 20
    finally:
        engine.close()


def test_vidflow_serve_refuses_to_start_without_its_scheduler(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    env = {**os.environ, DASK_SCHEDULER_ENV: address, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "vidflow", "serve", "--dev", "--port", "0",
         "--data", str(tmp_path / "serve")],
        env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert f"cannot reach the Dask scheduler at {address}" in done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started < 30


def test_without_the_setting_dask_is_never_imported() -> None:
    code = ("import sys, vidflow.engine.service, vidflow.commands.serve, "
            "vidflow.providers.factory; "
            "assert not {'distributed', 'dask'} & set(sys.modules), 'imported'")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(DASK_SCHEDULER_ENV, None)
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)


@pytest.mark.parametrize("value", ["127.0.0.1:8786", "http://h:8786", "tcp://h", "tcp://h:0",
                                   "tcp://h:99999", "tcp://a b:1"])
def test_a_malformed_scheduler_address_is_refused_naming_the_setting(value: str) -> None:
    with pytest.raises(VidflowError, match=DASK_SCHEDULER_ENV):
        engine_overrides({DASK_SCHEDULER_ENV: value})


def test_the_setting_reaches_the_engine_config() -> None:
    assert engine_overrides({DASK_SCHEDULER_ENV: " tcp://10.0.0.5:8786 "}) == {
        "dask_scheduler": "tcp://10.0.0.5:8786"}
    assert dask_scheduler("tls://[::1]:8786") == "tls://[::1]:8786"
    assert "dask_scheduler" not in engine_overrides({})


def test_the_local_provider_reads_the_setting_and_apply_names_the_scheduler(
        tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    (tmp_path / "videos.yaml").write_text(
        "version: 1\nprovider: {type: local}\nstories:\n  fox:\n    mode: idea\n"
        "    idea: A fox in the snow\n    scene_count: 1\n")
    env = {**os.environ, DASK_SCHEDULER_ENV: address, "PYTHONPATH": str(ROOT),
           "VIDFLOW_ENGINE_SCALE": "0.25", "VIDFLOW_ENGINE_FPS": "10"}
    done = subprocess.run([sys.executable, "-m", "vidflow", "apply", "--auto-approve",
                           str(tmp_path)], env=env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"cannot reach the Dask scheduler at {address}" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
