"""Engine fixtures: small real engines on temp data folders, a real loopback HTTP server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.images import png_bytes
from support.loopback import LoopbackServer, Route, recording_server

from vidflow.engine.service import EngineConfig, StoryEngine

__all__ = ["LOOPBACK_OPEN", "SMALL", "LoopbackServer", "Route", "png_bytes"]

LOOPBACK_OPEN = ("127.0.0.1/32",)

# The image, page and webhook servers of these tests listen on 127.0.0.1, which the engine
# refuses unless opened: opened here as an operator would (VIDFLOW_ALLOW_NETWORKS). The
# tests of the refusal itself make engines with allow_networks=().
SMALL = {"scale": 0.25, "fps": 10, "x264_preset": "ultrafast",
         "allow_networks": LOOPBACK_OPEN}


@pytest.fixture
def make_engine(tmp_path: Path) -> Iterator[Callable[..., StoryEngine]]:
    """StoryEngine factory at test size; every engine made is closed at the end."""
    made: list[StoryEngine] = []

    def make(data_dir: Path | None = None, **overrides: object) -> StoryEngine:
        options = {**SMALL, **overrides}
        engine = StoryEngine(EngineConfig(data_dir=data_dir or tmp_path / "data", **options))
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()


@pytest.fixture
def png() -> Callable[..., bytes]:
    return png_bytes


@pytest.fixture
def engine(make_engine: Callable[..., StoryEngine]) -> StoryEngine:
    return make_engine()


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    with recording_server() as server:
        yield server
