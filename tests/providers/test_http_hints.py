"""The http provider's errors end with the fix: a server that is not there, a refused key."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from vidflow.api.client import StoryClient
from vidflow.errors import ApiConnectionError, Unauthorized
from vidflow.providers.http import HttpProvider
from vidflow.testing import story_server


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _provider(tmp_path: Path, base_url: str, key: str) -> HttpProvider:
    provider = HttpProvider(tmp_path, base_url=base_url, api_key_env="MY_STORY_KEY",
                            environ={"MY_STORY_KEY": key})
    # No retries: the hint is the point here, not the client's back-off.
    provider.client = StoryClient(base_url, api_key=key, max_retries=0)
    return provider


def test_connection_refused_says_how_to_fix_it(tmp_path: Path) -> None:
    base_url = f"http://127.0.0.1:{_closed_port()}"
    provider = _provider(tmp_path, base_url, "k")
    with pytest.raises(ApiConnectionError) as info:
        provider.get("some-story")
    text = str(info.value)
    assert "connection refused" in text
    assert f"is the server at {base_url} running?" in text
    assert "provider.base_url" in text and "--no-refresh" in text


def test_a_refused_key_names_the_variable_never_the_key(tmp_path: Path) -> None:
    with story_server(tmp_path / "server") as (base_url, _key, _engine):
        provider = _provider(tmp_path, base_url, "wrong-key-value")
        with pytest.raises(Unauthorized) as info:
            provider.get("some-story")
    text = str(info.value)
    assert "MY_STORY_KEY" in text and "wrong-key-value" not in text
