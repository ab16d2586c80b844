"""`vidflow serve --dev` as a real process: it prints its key, and the key works."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from vidflow.api.client import StoryClient


def _lines(proc: subprocess.Popen[str], everything: list[str]) -> queue.Queue[str]:
    out: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            everything.append(line)
            out.put(line.rstrip("\n"))

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return out


def _read_until(lines: queue.Queue[str], pattern: str, timeout: float = 30) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(line)
        if match := re.fullmatch(pattern, line):
            return match
    raise AssertionError(f"no line matching {pattern!r} in {seen}")


def test_dev_prints_a_working_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "VIDFLOW_SERVER_API_KEYS"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "vidflow", "serve", "--dev", "--port", "0",
         "--data", str(tmp_path / "data")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    stdout: list[str] = []
    try:
        lines = _lines(proc, stdout)
        base_url = _read_until(lines, r"Story API on (http://127\.0\.0\.1:\d+) .*").group(1)
        key = _read_until(lines, r"API key: (\S+)").group(1)
        deadline = time.monotonic() + 30
        while True:  # the key line comes just before uvicorn starts accepting
            try:
                requests.get(base_url + "/openapi.json", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "server never answered"
                time.sleep(0.1)
        story = StoryClient(base_url, api_key=key).create_storyboard(
            idea="A paper boat on a rainy street", scene_count=2)
        assert story.status in ("new", "success")
        assert len(story.storyboard["scenes"]) == 2
        wrong = requests.get(f"{base_url}/story/{story.id}", timeout=5,
                             headers={"X-Api-Key": key + "x"})
        assert wrong.status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        stderr = proc.stderr.read()  # stdout belongs to the pump thread
    assert proc.returncode in (0, 130, -signal.SIGINT)
    time.sleep(0.2)  # let the pump read the last lines
    access = [line for line in stdout if '"GET /story/' in line or '"POST /story' in line]
    assert access, stdout  # the access log ran, line by line...
    assert [line for line in stdout if key in line] == [f"API key: {key}\n"]  # ...keyless
    assert key not in stderr


def test_refuses_to_start_without_keys(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "VIDFLOW_SERVER_API_KEYS"}
    proc = subprocess.run(
        [sys.executable, "-m", "vidflow", "serve", "--port", "0", "--data", str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1
    assert "No API keys configured" in proc.stderr
    assert "VIDFLOW_SERVER_API_KEYS" in proc.stderr


def test_a_busy_port_is_a_user_error_not_a_crash(tmp_path: Path) -> None:
    """Another server on the port: exit 1 with the fix, no traceback, nothing left behind."""
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "vidflow", "serve", "--dev", "--port", str(port),
             "--data", str(tmp_path / "data")],
            capture_output=True, text=True, timeout=60, cwd=tmp_path,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.returncode == 1, proc.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in proc.stderr
    assert "--port 0" in proc.stderr
    assert "Traceback" not in proc.stderr and "unexpected" not in proc.stderr
