"""One live `vidflow serve` app per test session (real engine, small renders), and an
image host for image_urls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server_support import OTHER_KEY, Live, image_bytes

from vidflow.testing import serve_files, story_server


@pytest.fixture(scope="session")
def live() -> Iterator[Live]:
    # the image host and webhook receivers listen on loopback: opened explicitly
    with story_server(api_keys=[OTHER_KEY], allow_networks=("127.0.0.1/32",)) as (
            base_url, key, engine):
        yield Live(base_url, key, engine)


@pytest.fixture(scope="session")
def image_host() -> Iterator[str]:
    """http(s) images for image_urls, served on loopback."""
    files = {f"/img{i}.png": image_bytes(color=(40 * i, 120, 200 - 30 * i)) for i in range(1, 5)}
    files["/photo.jpg"] = image_bytes("JPEG")
    with serve_files(files) as base:
        yield base
