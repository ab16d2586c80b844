"""`vidflow serve` names the deprecated form fields a request sent, and the parameters the
offline engine only records, in the story's message (GET returns it too)."""

from __future__ import annotations

import requests
from server_support import Live

from vidflow.contract.params import OPERATIONS, PARAMS
from vidflow.engine import notes


def test_deprecated_fields_are_named_as_ignored(live: Live) -> None:
    story = live.post("/story", data={"idea": "A lighthouse keeper", "scene_count": 1}).json()
    path = f"/story/{story['data']['id']}"
    sent = [n for n in OPERATIONS["generate_scenes"].params if PARAMS[n].deprecated]
    assert sent  # the contract marks them; this test follows it
    resp = live.post(path + "/scenes", data={**dict.fromkeys(sent, "true"), "option": "GPTImage"})
    assert resp.status_code == 200, resp.text
    message = resp.json()["data"]["message"]
    assert f"{', '.join(sent)}: {notes.DEPRECATED}" in message
    assert f"option=GPTImage {notes.RECORDED}" in message
    assert live.get(path).json()["data"]["message"] == message


def test_update_names_additional_videos(live: Live) -> None:
    story = live.post("/story", data={"idea": "A lighthouse keeper", "scene_count": 1}).json()
    path = f"/story/{story['data']['id']}"
    resp = requests.put(live.url(path), headers=live.headers(), timeout=30,
                        data={"title": "New", "additional_videos": "x"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"]["message"] == f"additional_videos: {notes.DEPRECATED}."
    assert resp.json()["data"]["title"] == "New"


def test_nothing_sent_says_nothing(live: Live) -> None:
    story = live.post("/story", data={"idea": "A lighthouse keeper", "scene_count": 1}).json()
    resp = live.post(f"/story/{story['data']['id']}/elements")
    assert resp.status_code == 200 and resp.json()["data"]["message"] is None
