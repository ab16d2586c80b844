"""The outbound guard against real listeners on loopback: a refused URL never reaches the
listener (its accept count stays 0), in any spelling, through fetches, redirects and
webhooks, and the caller learns nothing but one of two generic messages."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from outbound_support import (
    LOOPBACK_SPELLINGS,
    SECRET,
    closed_port,
    listening,
    pixel_bomb,
)

from vidflow.engine import fetch
from vidflow.engine.outbound import REFUSED, Opening, OutboundRefused
from vidflow.engine.service import StoryEngine
from vidflow.engine.webhooks import Delivery, deliver
from vidflow.errors import BadRequest, MediaError

NO_AUDIO = {"has_narration": False, "has_bg_music": False}


@pytest.mark.parametrize("spelling", LOOPBACK_SPELLINGS)
def test_every_spelling_of_loopback_is_refused_before_connecting(spelling: str) -> None:
    with listening() as victim:
        with pytest.raises(OutboundRefused) as caught:
            fetch.fetch_bytes(victim.url(spelling), max_bytes=1000)
        assert str(caught.value) == REFUSED
        assert victim.accepts == 0


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
def test_ipv6_loopback_is_refused() -> None:
    with listening("::1") as victim:
        with pytest.raises(OutboundRefused):
            fetch.fetch_bytes(f"http://[::1]:{victim.port}/", max_bytes=1000)
        assert victim.accepts == 0


def test_closed_and_open_ports_read_the_same() -> None:
    with listening() as victim:
        messages = set()
        for port in (victim.port, closed_port()):
            with pytest.raises(MediaError) as caught:
                fetch.fetch_bytes(f"http://127.1:{port}/", max_bytes=1000)
            messages.add(str(caught.value))
        assert messages == {REFUSED}
        assert victim.accepts == 0


def test_opened_failures_do_not_tell_what_went_wrong(http_server) -> None:
    """Within an opening too: a closed port and an HTTP 404 read the same."""
    for url in (f"http://127.0.0.1:{closed_port()}/x", http_server.url("/missing")):
        with pytest.raises(MediaError) as caught:
            fetch.fetch_bytes(url, max_bytes=1000, opening=http_server.opening)
        assert str(caught.value) == f"could not fetch {url}"


def test_the_opening_admits_exactly_the_named_network() -> None:
    opening = Opening.parse(["127.0.0.1/32"])
    with listening("127.0.0.1") as allowed, listening("127.0.0.2") as other:
        body, _ = fetch.fetch_bytes(allowed.url(), max_bytes=10_000, opening=opening)
        assert SECRET.encode() in body and allowed.accepts == 1
        with pytest.raises(OutboundRefused):
            fetch.fetch_bytes(other.url(), max_bytes=10_000, opening=opening)
        assert other.accepts == 0


def test_a_redirect_from_an_opened_host_to_a_private_one_is_refused() -> None:
    opening = Opening.parse(["127.0.0.1/32"])
    with listening("127.0.0.2") as victim:
        for target in (victim.url(), victim.url("0x7f000002"), victim.url("[::ffff:127.0.0.2]")):
            with listening("127.0.0.1", location=target) as bouncer:
                with pytest.raises(OutboundRefused):
                    fetch.fetch_bytes(bouncer.url(), max_bytes=10_000, opening=opening)
                assert bouncer.accepts == 1
        assert victim.accepts == 0


def test_redirects_are_bounded() -> None:
    opening = Opening.parse(["127.0.0.1/32"])
    with listening() as loop:
        loop.location = loop.url(path="/again")
        with pytest.raises(MediaError, match=r"^could not fetch"):
            fetch.fetch_bytes(loop.url(), max_bytes=100, opening=opening)
        assert loop.accepts == 6  # the first request and 5 redirects, then no more


def test_a_slow_drip_is_cut_at_the_total_time_limit() -> None:
    """One byte every 0.2 s never trips a per-read timeout; the total limit stops it."""
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        stop = threading.Event()

        def drip() -> None:
            conn, _ = srv.accept()
            with conn:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                while not stop.is_set():
                    try:
                        conn.sendall(b"x")
                    except OSError:
                        return
                    time.sleep(0.2)

        thread = threading.Thread(target=drip, daemon=True)
        thread.start()
        started = time.monotonic()
        with pytest.raises(MediaError, match=r"^could not fetch"):
            fetch.fetch_bytes(f"http://127.0.0.1:{srv.getsockname()[1]}/", max_bytes=10**6,
                              opening=Opening.parse(["127.0.0.1"]), total_timeout=1.0)
        assert time.monotonic() - started < 2.0
        stop.set()
        thread.join(5)


def test_webhook_to_a_private_address_is_never_sent() -> None:
    with listening() as victim:
        for spelling in ("127.0.0.1", "2130706433", "localhost", "[::ffff:127.0.0.1]"):
            started = time.monotonic()
            assert not deliver(Delivery(victim.url(spelling, "/hook"), "a", "s", "success"),
                               attempts=3, backoff=(1.0,))
            assert time.monotonic() - started < 0.5  # refused at once, not retried
        assert victim.accepts == 0


def test_engine_refuses_private_urls_in_every_field(make_engine: Callable[..., StoryEngine],
                                                    png: Callable[..., bytes]) -> None:
    engine = make_engine(allow_networks=())
    with listening() as victim:
        with pytest.raises(BadRequest, match=f"^{REFUSED}$"):
            engine.create_storyboard(idea="A fox", image_urls=[victim.url("127.1")])
        story = engine.create_storyboard(idea="A fox", scene_count=1, elements={
            "characters": [{"name": "Fox", "description": "red", "image_url": victim.url()}]})
        with pytest.raises(BadRequest, match=f"^{REFUSED}$"):
            engine.generate_elements(story["id"])
        page = engine.url_to_video(idea=f"A promo for {victim.url('localhost', '/admin')}",
                                   scene_count=1, audio_option=NO_AUDIO,
                                   webhook_url=victim.url("0177.0.0.1", "/hook"))
        images = engine.images_to_video(image_urls=[victim.url("2130706433", "/a.png")],
                                        audio_option=NO_AUDIO)
        page, images = (engine.wait(s["id"], timeout=180) for s in (page, images))
        assert page["status"] == "success", page["message"]
        assert any(REFUSED in n for n in page["storyboard"]["notes"])
        assert SECRET not in json.dumps(page)
        assert images["status"] == "fail" and images["message"].endswith(REFUSED)
        time.sleep(0.3)  # a webhook would be on its way by now
        assert victim.accepts == 0


def test_a_pixel_bomb_url_is_refused_before_decoding(tmp_path: Path) -> None:
    """Run where memory can be measured: a fresh interpreter's peak RSS stays small."""
    code = """
import json, re, sys
from pathlib import Path
from vidflow.engine import fetch, pipeline
from vidflow.engine.outbound import Opening
from vidflow.errors import MediaError
out = Path(sys.argv[2])
fetch.fetch_to(sys.argv[1], out, opening=Opening.parse(["127.0.0.1/32"]))
try:
    pipeline.verify_image(out, "Image 1")
    message = None
except MediaError as exc:
    message = str(exc)
# VmHWM: this process's own peak (ru_maxrss would include the parent's, across exec)
peak_kb = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
print(json.dumps({"message": message, "peak_mb": peak_kb / 1024}))
"""
    bomb = pixel_bomb()
    assert len(bomb) < 64 * 1024
    with listening(body=bomb, content_type="image/png") as host:
        proc = subprocess.run([sys.executable, "-c", code, host.url(), str(tmp_path / "b.png")],
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["message"] == (
        "Image 1 is too large (12000x12000; at most 40000000 pixels)")
    assert result["peak_mb"] < 120  # decoding it would take 144-432 MB on top
