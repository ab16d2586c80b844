"""Fetching user URLs: http(s) only, size limits, one generic message, our own media read
from disk. The loopback test server is reached through an explicit opening."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidflow.engine import fetch
from vidflow.errors import MediaError, NotFound


def test_only_http_schemes() -> None:
    for url in ("file:///etc/passwd", "ftp://example.com/x", "gopher://x"):
        with pytest.raises(MediaError, match=r"could not fetch .*only http and https"):
            fetch.fetch_bytes(url, max_bytes=10)


def test_size_limit(http_server) -> None:
    url = http_server.route("/big", body=b"x" * 5000)
    with pytest.raises(MediaError, match="larger than 1000 bytes"):
        fetch.fetch_bytes(url, max_bytes=1000, opening=http_server.opening)
    assert fetch.fetch_bytes(url, max_bytes=5000, opening=http_server.opening)[0] == b"x" * 5000


def test_http_error_is_not_named(http_server) -> None:
    """A 404 reads like any other failure: a client must not learn what is behind a URL."""
    url = http_server.url("/nothing")
    with pytest.raises(MediaError) as caught:
        fetch.fetch_bytes(url, max_bytes=10, opening=http_server.opening)
    assert str(caught.value) == f"could not fetch {url}"


def test_page_text_strips_markup(http_server) -> None:
    url = http_server.route("/p", content_type="text/html; charset=utf-8", body=(
        "<html><head><style>b{}</style><title>Café Luna</title></head><body>"
        "<script>alert(1)</script><h1>Fresh bread</h1><p>Baked at 5&nbsp;am.</p>"
        "</body></html>").encode())
    text = fetch.page_text(url, opening=http_server.opening)
    assert "Café Luna" in text and "Fresh bread" in text and "Baked at 5" in text
    assert "alert" not in text and "<" not in text


def test_own_media_urls_resolve_to_files(tmp_path: Path) -> None:
    media = tmp_path / "m.png"
    media.write_bytes(b"png")

    def media_path(url_path: str) -> Path:
        if url_path != "/media/s/m.png":
            raise NotFound(url_path)
        return media

    resolve = fetch.local_media_resolver("http://127.0.0.1:8000", media_path)
    assert resolve("http://127.0.0.1:8000/media/s/m.png") == media
    assert resolve("/media/s/m.png") == media
    assert resolve("https://example.com/media/s/m.png") is None
    with pytest.raises(MediaError):
        resolve("/media/s/other.png")
