"""Engine fixtures: small real engines on temp data folders, a real loopback HTTP server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.images import png_bytes
from support.loopback import LoopbackServer, Route, recording_server

from vidflow.engine.service import EngineConfig, StoryEngine

__all__ = ["SMALL", "LoopbackServer", "Route", "png_bytes"]

SMALL = {"scale": 0.25, "fps": 10, "x264_preset": "ultrafast"}


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
