"""Plan documents (a saved plan, `plan --json`): the printed hint applies a saved plan from
where it was printed, the plan records the path to its project, and webhook URLs (tokens)
never appear in them, yet a saved plan's apply still sends the webhook."""

from __future__ import annotations

import json
import re
import shlex
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lifecycle_helpers import SMALL_RENDER, lock_entries, vidflow
from support.loopback import LoopbackServer, recording_server

pytestmark = pytest.mark.slow

SECRET = "tok-3f9a1c"
HOOK_PATH = f"/hook?token={SECRET}"
SPEC = """\
version: 1
provider: {{type: local}}
stories:
  alpha:
    mode: idea
    title: Alpha
    idea: A fox in a sunny meadow.
    scene_count: 1
    scene_duration: "5"
    aspect_ratio: "16:9"
    audio_option: {{has_bg_music: false, has_narration: false}}
    webhook_url: "{hook}"
"""


@pytest.fixture
def hook_server() -> Iterator[LoopbackServer]:
    with recording_server() as server:
        server.route(HOOK_PATH)
        yield server


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            hook_server: LoopbackServer) -> Path:
    for name, value in SMALL_RENDER.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CI", raising=False)
    # the webhook receiver is on loopback, which the engine refuses unless opened
    monkeypatch.setenv("VIDFLOW_ALLOW_NETWORKS", "127.0.0.1/32")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "videos.yaml").write_text(SPEC.format(hook=hook_server.url(HOOK_PATH)))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_printed_apply_hint_applies_the_saved_plan(workdir: Path,
                                                       hook_server: LoopbackServer):
    """`plan --out sub/plan.json sub` prints a command that works, run from the same place,
    and the story's webhook gets the live URL although plan.json only says "(set)"."""
    planned = vidflow("plan", "--out", "sub/plan.json", "sub")
    assert planned.code == 0, planned.err
    hint = re.search(r"apply it with `([^`]+)`", planned.out)
    assert hint and hint.group(1) == "vidflow apply sub/plan.json"
    saved = (workdir / "sub" / "plan.json").read_text()
    assert json.loads(saved)["project"] == "."
    assert SECRET not in saved and SECRET not in planned.out
    assert json.loads(saved)["changes"][0]["after"]["webhook_url"] == "(set)"

    applied = vidflow(*shlex.split(hint.group(1))[1:])
    assert applied.code == 0, applied.out + applied.err
    assert lock_entries(workdir / "sub")["alpha"]["status"] == "success"
    assert not (workdir / "vidflow.lock").exists()
    deadline = time.monotonic() + 15
    while not hook_server.paths("POST") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert hook_server.paths("POST") == [f"/hook?token={SECRET}"]


def test_a_plan_saved_elsewhere_records_the_path_to_the_project(workdir: Path):
    (workdir / "plans").mkdir()
    assert vidflow("plan", "--out", "plans/p.json", "sub").code == 0
    plan = json.loads((workdir / "plans" / "p.json").read_text())
    assert plan["project"] == "../sub"


def test_plan_json_redacts_webhook_urls(workdir: Path):
    streamed = vidflow("plan", "--json", "sub")
    assert streamed.code == 0, streamed.err
    assert SECRET not in streamed.out and "127.0.0.1" not in streamed.out
    assert vidflow("plan", "--out", "p.json", "sub").code == 0
    result = vidflow("show", "p.json", "--json")
    assert SECRET not in result.out and "127.0.0.1" not in result.out
    [change] = json.loads(result.out)["changes"]
    assert change["after"]["params"]["webhook_url"] == "(set)"
