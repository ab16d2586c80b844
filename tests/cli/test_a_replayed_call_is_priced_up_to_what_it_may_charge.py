"""A paid call cut off in flight is sent again with its key: the provider charges nothing
if the first attempt reached it, the full price if it never did, and the plan cannot know
which. So the plan prices the replay up to its price (`possible` in a saved plan), --max-credits
counts it whole, and what the apply then takes never exceeds the plan's total; a create's
overrides follow as a regenerate of their own, which is paid whatever happened."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from lifecycle_helpers import SMALL_RENDER

pytestmark = pytest.mark.slow

STORY = """\
version: 1
provider: {type: local}
stories:
  promo:
    idea: A fox in the snow.
    scene_count: 1
    audio_option: {has_bg_music: false, has_narration: false}
"""
OVERRIDDEN = STORY + ("    overrides:\n      scenes:\n"
                      "        1: {image_description: a fox at night}\n")


def _vidflow(root: Path, *args: str, fault: str | None = None
             ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIDFLOW_FAULT"}
    env |= {**SMALL_RENDER, "CI": "true", **({"VIDFLOW_FAULT": fault} if fault else {})}
    return subprocess.run([sys.executable, "-m", "vidflow", *args, str(root)], env=env,
                          capture_output=True, text=True, timeout=180)


def _spent(root: Path) -> int:
    db = sqlite3.connect(root / ".vidflow" / "engine" / "engine.sqlite3")
    try:
        return db.execute("SELECT coalesce(sum(spent), 0) FROM accounts").fetchone()[0]
    finally:
        db.close()


def _cut_off(tmp_path: Path, body: str, fault: str) -> Path:
    root = tmp_path / "videos"
    root.mkdir()
    (root / "videos.yaml").write_text(body, encoding="utf-8")
    done = _vidflow(root, "apply", "--auto-approve", fault=fault)
    assert done.returncode == -signal.SIGKILL, done.stdout + done.stderr
    return root


def _cost(root: Path) -> dict:
    saved = root.parent / "plan.json"
    done = _vidflow(root, "plan", "--out", str(saved))
    assert done.returncode == 0, done.stderr
    return json.loads(saved.read_text())["cost"]


def _clean_price(tmp_path: Path, body: str) -> int:
    root = tmp_path / "clean"
    root.mkdir()
    (root / "videos.yaml").write_text(body, encoding="utf-8")
    assert _vidflow(root, "apply", "--auto-approve").returncode == 0
    return _spent(root)


@pytest.mark.parametrize(("fault", "charged_before"), [
    ("request-sending:1:KILL", False),  # the create never reached the engine
    ("answer-received:1:KILL", True),  # made and charged; only the answer was lost
])
def test_a_replayed_create_is_priced_up_to_its_price_and_never_charged_more(
        tmp_path: Path, fault: str, charged_before: bool) -> None:
    price = _clean_price(tmp_path, STORY)
    root = _cut_off(tmp_path, STORY, fault)
    assert _spent(root) == (price if charged_before else 0)
    cost = _cost(root)
    assert cost["credits"] == {"promo": price} and cost["possible"] == {"promo": price}
    shown = _vidflow(root, "plan").stdout
    assert f"up to {price} credits" in shown and "never reached the provider" in shown
    events = [json.loads(line) for line in _vidflow(root, "plan", "--json").stdout.splitlines()]
    (change,) = [e["change"] for e in events if e["type"] == "planned_change"]
    (summary,) = [e["changes"] for e in events if e["type"] == "change_summary"]
    assert change["credits"] == change["possible_credits"] == price
    assert summary["credits"] == summary["possible_credits"] == price

    refused = _vidflow(root, "apply", "--auto-approve", "--max-credits", str(price - 1))
    assert refused.returncode == 1 and "may cost up to" in refused.stderr
    assert _spent(root) == (price if charged_before else 0)  # nothing was sent

    assert _vidflow(root, "apply", "--auto-approve").returncode == 0
    assert _spent(root) == price  # once, whichever way the first attempt went


def test_a_replayed_create_s_overrides_are_priced_as_sure(tmp_path: Path) -> None:
    whole = _clean_price(tmp_path, OVERRIDDEN)
    (tmp_path / "plain").mkdir()
    create = _clean_price(tmp_path / "plain", STORY)
    root = _cut_off(tmp_path, OVERRIDDEN, "answer-received:1:KILL")
    assert _spent(root) == create  # the create was charged, its answer lost
    cost = _cost(root)
    assert cost["credits"] == {"promo": whole} and cost["possible"] == {"promo": create}
    assert _vidflow(root, "apply", "--auto-approve").returncode == 0
    assert _spent(root) == whole  # the regenerate on top, the create not again
