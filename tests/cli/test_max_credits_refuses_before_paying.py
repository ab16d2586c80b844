"""A budget (`--max-credits N`, or `max_credits:` in the provider block) refuses a plan
whose cost is above it, with exit 1, naming the total, the limit and the biggest changes,
before any paid call: against a real `vidflow serve` on loopback, no POST arrives."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from lifecycle_helpers import lock_entries, vidflow

from vidflow.testing import story_server

pytestmark = pytest.mark.slow
KEY_ENV = "VIDFLOW_TEST_STORY_KEY"
STORY = """\
  {name}:
    idea: {idea}
    scene_count: {scenes}
    scene_duration: "5"
    audio_option: {{has_bg_music: false, has_narration: false}}
"""


class Requests(logging.Handler):
    """uvicorn's access log, kept: one (method, path) per request the server answered."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        # uvicorn.access args: (client, method, path, http version, status)
        self.seen.append((str(record.args[1]), str(record.args[2])))

    def posts(self) -> list[str]:
        return [path for method, path in self.seen if method == "POST"]


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[tuple[str, Path, Requests]]:
    monkeypatch.delenv("CI", raising=False)
    data = tmp_path / "server-data"
    with story_server(data, log_level="info") as (base_url, api_key, _):
        monkeypatch.setenv(KEY_ENV, api_key)
        access = logging.getLogger("uvicorn.access")
        requests = Requests()
        access.addHandler(requests)
        try:
            yield base_url, data, requests
        finally:
            access.removeHandler(requests)


def write(root: Path, base_url: str, *, settings: str = "") -> None:
    stories = (STORY.format(name="big", idea="A long fox story.", scenes=3)
               + STORY.format(name="small", idea="A short one.", scenes=1))
    provider = (f"provider:\n  type: http\n  base_url: '{base_url}'\n"
                f"  api_key_env: {KEY_ENV}\n{settings}")
    (root / "videos.yaml").write_text(f"version: 1\n{provider}stories:\n{stories}",
                                      encoding="utf-8")


def planned_total(root: Path, *options: str) -> tuple[int, dict[str, int]]:
    result = vidflow("plan", *options, "--out", str(root / "plan.json"), str(root))
    assert result.code == 0, result.err
    cost = json.loads((root / "plan.json").read_text())["cost"]
    return cost["total"], cost["credits"]


def server_state(data: Path) -> tuple[int, int]:
    """(stories, credits spent) as the server's engine recorded them."""
    with contextlib.closing(sqlite3.connect(data / "engine.sqlite3")) as conn:
        stories = conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0]
        row = conn.execute("SELECT COALESCE(SUM(spent), 0) FROM accounts").fetchone()
    return int(stories), int(row[0])


def assert_refused(result, total: int, limit: int, credits: dict[str, int]) -> None:
    assert result.code == 1, result.out + result.err
    assert f"{total} credits" in result.err and f"limit of {limit}" in result.err
    assert f"big ({credits['big']} credits)" in result.err
    assert result.err.index("big (") < result.err.index("small (")
    assert "Traceback" not in result.err


def test_apply_over_the_limit_sends_no_paid_request(root: Path, served) -> None:
    base_url, data, requests = served
    write(root, base_url)
    total, credits = planned_total(root)
    assert credits["big"] > credits["small"] > 0

    result = vidflow("apply", "--auto-approve", "--max-credits", str(total - 1), str(root))
    assert_refused(result, total, total - 1, credits)
    assert requests.posts() == []
    assert server_state(data) == (0, 0)
    assert not (root / "vidflow.lock").exists() or not json.loads(
        (root / "vidflow.lock").read_text()).get("entries")

    # the control: at the limit the same apply goes ahead, and its POSTs are seen
    applied = vidflow("apply", "--auto-approve", "--max-credits", str(total), str(root))
    assert applied.code == 0, applied.out + applied.err
    assert len(requests.posts()) == 2
    assert server_state(data) == (2, total)
    # what each story used is recorded, and teaches the next estimate its credits per scene
    used = {a: e["used_credits"] for a, e in lock_entries(root).items()}
    assert used == credits
    (root / "videos.yaml").write_text((root / "videos.yaml").read_text() + STORY.format(
        name="more", idea="Two more scenes.", scenes=2), encoding="utf-8")
    _, more = planned_total(root)
    assert json.loads((root / "plan.json").read_text())["cost"]["basis"] == "lockfile-average"
    assert more == {"more": math.ceil(2 * sum(used.values()) / 4)}  # 2 of the 4 scenes


def test_the_project_limit_refuses_a_saved_plan_too(root: Path, served) -> None:
    base_url, data, requests = served
    # the provider's own prices make the estimate; here big enough to pass the limit
    write(root, base_url, settings="  max_credits: 100\n  prices: {video_second: 20}\n")
    # --max-credits wins over the project's: this plan is saved
    total, credits = planned_total(root, "--max-credits", "100000")
    assert total > 100

    result = vidflow("apply", str(root / "plan.json"))
    assert_refused(result, total, 100, credits)
    assert "max_credits in the provider block" in result.err
    assert "estimated" in result.err  # an http provider's cost is an estimate
    assert requests.posts() == []
    assert server_state(data) == (0, 0)

    planned = vidflow("plan", str(root))
    assert_refused(planned, total, 100, credits)
    assert "Estimated cost" in planned.out  # the plan is shown before the refusal


def test_plan_refuses_with_exit_1_on_the_local_engine(root: Path) -> None:
    (root / "videos.yaml").write_text(
        "version: 1\nprovider: {type: local}\nstories:\n"
        + STORY.format(name="big", idea="A long fox story.", scenes=3)
        + STORY.format(name="small", idea="A short one.", scenes=1), encoding="utf-8")
    total, credits = planned_total(root)
    result = vidflow("plan", "--max-credits", str(total - 1), str(root))
    assert_refused(result, total, total - 1, credits)
    assert "costs" in result.err  # exact here, not an estimate
    assert vidflow("plan", "--max-credits", str(total), str(root)).code == 0
