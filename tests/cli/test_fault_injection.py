"""Kill the apply at every boundary of a paid call and check vidflow pays once.

Each case runs `vidflow apply` as a real process with VIDFLOW_FAULT set (vidflow.faults),
so it sends itself SIGKILL or SIGTERM at one boundary: after the intent is written, as
the paid request goes out, when its answer is in hand, after a lockfile write, after the
download. Then a plain `vidflow apply` recovers, and for every case: exactly one story per
address exists, the credits spent equal a clean run's, the lockfile is valid and names
that story, and a plan after is a no-op. Both providers: the embedded engine (local), and
`vidflow serve` on loopback (http), which honours idempotency keys.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lifecycle_helpers import SMALL_RENDER

from vidflow.server.auth import account_id, generate_key
from vidflow.state.lockfile import lockfile_path, read_lockfile
from vidflow.testing import story_server

STORY = """\
  promo:
    title: Promo
    idea: {idea}
    scene_count: 1
    audio_option: {{has_bg_music: false, has_narration: false}}
"""
BOARD = """\
  promo:
    mode: storyboard
    title: Promo
    idea: A fox
    audio_option: {{has_bg_music: false, has_narration: false}}
    storyboard:
      characters: []
      environments: []
      objects: []
      scenes:
        - {{name: One, image_description: "{scene}", narrator: ""}}
"""


@dataclass
class Target:
    """Where the project's stories are made, and how to count them and their credits."""

    provider: str  # the spec's provider block
    env: dict[str, str]
    count: object  # () -> (stories, credits spent)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, object]]:
    keys = [generate_key() for _ in range(64)]
    with story_server(api_keys=keys) as (base, _, engine):
        yield base, engine, iter(keys)


@pytest.fixture(params=["local", "http"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    root = tmp_path / "videos"
    root.mkdir()
    if request.param == "local":
        def count() -> tuple[int, int]:
            path = root / ".vidflow" / "engine" / "engine.sqlite3"
            if not path.exists():
                return 0, 0
            db = sqlite3.connect(path)
            try:
                stories = db.execute("SELECT count(*) FROM stories").fetchone()[0]
                spent = db.execute("SELECT coalesce(sum(spent), 0) FROM accounts").fetchone()
                return stories, spent[0]
            finally:
                db.close()
        return Target("{type: local}", {}, count)
    base, engine, keys = request.getfixturevalue("server")
    key = next(keys)
    account = account_id(key)

    def count_remote() -> tuple[int, int]:
        stories = engine.store._execute("SELECT id FROM stories WHERE account = ?", (account,))
        spent = engine.store._execute("SELECT spent FROM accounts WHERE account = ?",
                                      (account,))
        return len(stories), spent[0][0] if spent else 0
    return Target(f"{{type: http, base_url: '{base}'}}", {"VIMMERSE_API_KEY": key},
                  count_remote)


def _write(root: Path, target: Target, body: str) -> None:
    (root / "videos.yaml").write_text(f"version: 1\nprovider: {target.provider}\n"
                                      f"stories:\n{body}")


def _vidflow(root: Path, target: Target, *args: str, fault: str | None = None
             ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **SMALL_RENDER, **target.env, "CI": "true"}
    env.pop("VIDFLOW_FAULT", None)
    if fault:
        env["VIDFLOW_FAULT"] = fault
    return subprocess.run([sys.executable, "-m", "vidflow", *args, str(root)], env=env,
                          capture_output=True, text=True, timeout=180)


def _recover_and_check(root: Path, target: Target, faulted: subprocess.CompletedProcess,
                       clean_spent: int, spent_before: int) -> None:
    read_lockfile(lockfile_path(root))  # whatever the kill hit, the lockfile is whole
    recovered = _vidflow(root, target, "apply", "--auto-approve")
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    plan = _vidflow(root, target, "plan", "--detailed-exitcode")
    assert plan.returncode == 0, plan.stdout + plan.stderr  # nothing left to do
    lock = read_lockfile(lockfile_path(root))
    assert lock.intents == {} and set(lock.entries) == {"promo"}
    stories, spent = target.count()
    assert stories == 1, (faulted.returncode, faulted.stderr[-500:])
    assert spent - spent_before == clean_spent, "paid more than a clean run"
    assert (root / "out" / "promo.mp4").stat().st_size > 0


_SPENT: dict[tuple[str, tuple[str, ...]], int] = {}


def _clean_spent(tmp_path: Path, target: Target, bodies: list[str]) -> int:
    """The credits a clean run of the same applies spends (measured once per provider
    and sequence, not assumed)."""
    kind = target.provider.split(",")[0]
    if (kind, tuple(bodies)) not in _SPENT:
        _SPENT[kind, tuple(bodies)] = _measure(tmp_path, target, bodies)
    return _SPENT[kind, tuple(bodies)]


def _measure(tmp_path: Path, target: Target, bodies: list[str]) -> int:
    clean = tmp_path / "clean"
    clean.mkdir()
    reference = Target(target.provider, target.env, target.count)
    before = target.count()[1] if target.provider != "{type: local}" else 0
    for body in bodies:
        _write(clean, reference, body)
        assert _vidflow(clean, reference, "apply", "--auto-approve").returncode == 0
    if target.provider == "{type: local}":
        db = sqlite3.connect(clean / ".vidflow" / "engine" / "engine.sqlite3")
        try:
            return db.execute("SELECT sum(spent) FROM accounts").fetchone()[0]
        finally:
            db.close()
    spent = target.count()[1] - before
    _vidflow(clean, reference, "destroy", "--auto-approve")  # its stories leave the count
    return spent


CREATE_FAULTS = [
    "intent-written:1:KILL", "request-sending:1:KILL", "answer-received:1:KILL",
    "lockfile-written:1:KILL", "lockfile-written:2:KILL", "downloaded:1:KILL",
    "intent-written:1:TERM", "request-sending:1:TERM", "answer-received:1:TERM",
    "request-sending:1:HUP",
]


@pytest.mark.parametrize("fault", CREATE_FAULTS)
def test_a_create_killed_anywhere_is_paid_once(tmp_path: Path, target: Target,
                                                fault: str) -> None:
    body = STORY.format(idea="A fox in the snow.")
    clean_spent = _clean_spent(tmp_path, target, [body])
    spent_before = target.count()[1]
    root = tmp_path / "videos"
    _write(root, target, body)
    faulted = _vidflow(root, target, "apply", "--auto-approve", fault=fault)
    signum = signal.Signals["SIG" + fault.rsplit(":", 1)[1]]
    if signum is signal.SIGKILL:
        assert faulted.returncode == -signal.SIGKILL
    else:  # TERM, HUP: calls in flight finish and are recorded; 128 + the signal
        assert faulted.returncode in (0, 128 + signum), faulted.stderr
    _recover_and_check(root, target, faulted, clean_spent, spent_before)


@pytest.mark.parametrize("fault", ["request-sending:1:KILL", "answer-received:1:KILL"])
@pytest.mark.parametrize("kind", ["replace", "regenerate"])
def test_a_replace_or_regenerate_killed_in_flight_is_paid_once(
        tmp_path: Path, target: Target, fault: str, kind: str) -> None:
    if kind == "replace":
        bodies = [STORY.format(idea="A fox in the snow."), STORY.format(idea="A hare.")]
    else:
        bodies = [BOARD.format(scene="A fox"), BOARD.format(scene="A fox at night")]
    clean_spent = _clean_spent(tmp_path, target, bodies)
    spent_before = target.count()[1]
    root = tmp_path / "videos"
    _write(root, target, bodies[0])
    assert _vidflow(root, target, "apply", "--auto-approve").returncode == 0
    _write(root, target, bodies[1])
    faulted = _vidflow(root, target, "apply", "--auto-approve", fault=fault)
    assert faulted.returncode == -signal.SIGKILL
    _recover_and_check(root, target, faulted, clean_spent, spent_before)


def test_a_second_signal_stops_at_once_with_a_whole_lockfile(tmp_path: Path) -> None:
    """TERM, then TERM again while the first waits for the render: out at once (143)."""
    target = Target("{type: local}", {}, lambda: (0, 0))
    root = tmp_path / "videos"
    root.mkdir()
    _write(root, target, STORY.format(idea="A fox in the snow."))
    env = {**os.environ, **SMALL_RENDER, "CI": "true",
           "VIDFLOW_FAULT": "answer-received:1:TERM"}
    process = subprocess.Popen([sys.executable, "-m", "vidflow", "apply", "--auto-approve",
                                str(root)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        # the first TERM comes from inside; the second from outside, once it is waiting
        for line in process.stderr:
            if "SIGTERM" in line:
                process.send_signal(signal.SIGTERM)
                break
        process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 128 + signal.SIGTERM
    lock = read_lockfile(lockfile_path(root))  # whole, whatever the instant
    # the create's answer was in hand: recorded (processing), or left as its intent
    assert "promo" in lock.entries or "promo" in lock.intents
    assert _vidflow(root, target, "apply", "--auto-approve").returncode == 0
    lock = read_lockfile(lockfile_path(root))
    assert lock.intents == {} and lock.entries["promo"].status == "success"
    db = sqlite3.connect(root / ".vidflow" / "engine" / "engine.sqlite3")
    try:
        assert db.execute("SELECT count(*) FROM stories").fetchone()[0] == 1
    finally:
        db.close()


OVERRIDE = "    overrides:\n      scenes:\n        1: {image_description: a fox at night}\n"


@pytest.mark.parametrize("kind", ["create", "replace"])
def test_an_override_after_a_replayed_create_is_written_down_and_paid_once(
        tmp_path: Path, target: Target, kind: str) -> None:
    """The create (a replace's too) is cut off with its answer in hand; the next apply
    replays it, then sends the overrides' regenerate, and is cut off again with that
    answer in hand. The regenerate is a paid call of its own: its own intent goes in the
    lockfile first, so the apply after replays it rather than paying for it again."""
    bodies = [STORY.format(idea="A fox in the snow.") + OVERRIDE]
    if kind == "replace":  # a new idea on a story made already: a replace
        bodies.append(STORY.format(idea="A hare in the snow.") + OVERRIDE)
    clean_spent = _clean_spent(tmp_path, target, bodies)
    spent_before = target.count()[1]
    root = tmp_path / "videos"
    if kind == "replace":
        _write(root, target, bodies[0])
        assert _vidflow(root, target, "apply", "--auto-approve").returncode == 0
    _write(root, target, bodies[-1])
    first = _vidflow(root, target, "apply", "--auto-approve", fault="answer-received:1:KILL")
    assert first.returncode == -signal.SIGKILL
    assert read_lockfile(lockfile_path(root)).intents["promo"].operation == kind
    # the create's replay is the first answer of this run, the regenerate's the second
    second = _vidflow(root, target, "apply", "--auto-approve", fault="answer-received:2:KILL")
    assert second.returncode == -signal.SIGKILL, second.stdout + second.stderr
    intent = read_lockfile(lockfile_path(root)).intents.get("promo")
    assert intent is not None and intent.operation == "regenerate"
    _recover_and_check(root, target, second, clean_spent, spent_before)


@pytest.mark.parametrize("fault", ["request-sending:2:KILL", "request-sending:3:KILL",
                                   "answer-received:1:KILL"])
def test_a_pinned_storyboard_create_killed_between_its_steps_is_paid_once(
        tmp_path: Path, target: Target, fault: str) -> None:
    """A pinned storyboard is made by three paid POSTs (the story, its scenes, its
    videos) under one intent, each with its own sub-key: cut off between any two, the
    replay is answered step by step and nothing is charged twice."""
    body = BOARD.format(scene="A fox")
    clean_spent = _clean_spent(tmp_path, target, [body])
    spent_before = target.count()[1]
    root = tmp_path / "videos"
    _write(root, target, body)
    faulted = _vidflow(root, target, "apply", "--auto-approve", fault=fault)
    assert faulted.returncode == -signal.SIGKILL, faulted.stdout + faulted.stderr
    _recover_and_check(root, target, faulted, clean_spent, spent_before)
