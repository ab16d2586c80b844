"""The Story API reference's own Python examples, run against `vidflow serve`.

Each test keeps the example's code (requests calls, payloads, the polling loop) and
changes only BASE_URL and API_KEY, plus what must stay on loopback here: the sample image,
page and webhook URLs point at local servers, and polling waits 0.3 s instead of 30 s.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
import requests
from server_support import Live, image_bytes
from support.loopback import QuietHandler, serve

from vidflow.testing import serve_files

POLL = 0.3  # the reference polls every 30 s
MAX_ATTEMPTS = 400


def poll_until_done(BASE_URL: str, API_KEY: str, story_id: str) -> dict:
    """The reference's "Example 3: Polling for Story Completion" loop, as a function."""

    def get_story_status(story_id):
        url = f"{BASE_URL}/story/{story_id}"
        headers = {"X-Api-Key": API_KEY}
        response = requests.get(url, headers=headers, timeout=30)
        response.raise_for_status()
        return response.json()["data"]

    attempt = 0
    while attempt < MAX_ATTEMPTS:
        story_data = get_story_status(story_id)
        status = story_data.get("status")
        progress = story_data.get("progress_percentage", 0)
        print(f"Status: {status} | Progress: {progress}%")
        if status in ("success", "fail"):
            return story_data
        time.sleep(POLL)
        attempt += 1
    pytest.fail("Timeout: Story generation is taking longer than expected.")


def download(video_url: str, output_path: Path) -> int:
    """The reference's download step; returns the byte count."""
    video_response = requests.get(video_url, stream=True, timeout=60)
    video_response.raise_for_status()
    total_size = int(video_response.headers.get("content-length", 0))
    downloaded = 0
    with open(output_path, "wb") as f:
        for chunk in video_response.iter_content(chunk_size=8192):
            if chunk:
                f.write(chunk)
                downloaded += len(chunk)
    assert downloaded == total_size
    return downloaded


def probe(path: Path) -> tuple[int, int, bool, float]:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        has_audio = bool(container.streams.audio)
        duration = float(container.duration or 0) / av.time_base
        return video.width, video.height, has_audio, duration


class WebhookReceiver:
    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.arrived = threading.Event()
        owner = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.calls.append(json.loads(body))
                owner.arrived.set()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.handler = Handler
        self.url = ""  # set once the server listens


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    with serve(receiver.handler) as base:
        receiver.url = base + "/webhook/callback"
        yield receiver


def test_example_1_idea_to_video_then_poll_and_download(live: Live, webhook: WebhookReceiver,
                                                         tmp_path: Path) -> None:
    """Quick Start Example 1 (create), Example 3 (poll) and the download step."""
    BASE_URL = live.base_url
    API_KEY = live.key

    # Step 1: Create a story from an idea
    url = f"{BASE_URL}/story/idea-2-video"
    headers = {"X-Api-Key": API_KEY}

    payload = {
        "idea": "Create a promotional video where cute animals play musical instruments in a "
                "sunny meadow",
        "title": "Musical Animals Story",
        "aspect_ratio": "9:16",
        "scene_count": 4,
        "image_tool": "Seedream",
        "video_tool": "Auto",
        "scene_duration": "5",
        "audio_option": json.dumps({
            "has_bg_music": True,
            "has_narration": True,
            "native_audio": False,
            "narrator": "Rachel"
        }),
        "language": "English",
        "webhook_url": webhook.url,
    }

    response = requests.post(url, headers=headers, data=payload, timeout=60)
    response.raise_for_status()

    result = response.json()
    story_data = result["data"]
    story_id = story_data["id"]
    assert story_data["status"] == "new"
    assert story_data["progress_percentage"] == 0
    assert story_data["title"] == "Musical Animals Story"

    story_data = poll_until_done(BASE_URL, API_KEY, story_id)
    assert story_data["status"] == "success", story_data.get("message")
    video_url = story_data.get("video_url")
    assert video_url.startswith(BASE_URL + "/media/")

    output_path = tmp_path / "story_video.mp4"
    assert download(video_url, output_path) > 1000
    width, height, has_audio, _ = probe(output_path)
    assert height > width  # 9:16
    assert has_audio  # narration and music
    assert len(story_data["scenes"]) == 4
    assert story_data["used_credits"] > 0

    assert webhook.arrived.wait(15), "the webhook was never called"
    assert webhook.calls[0]["batch_id"] == story_id
    assert webhook.calls[0]["status"] == "success"
    assert set(webhook.calls[0]) == {"customer_id", "batch_id", "status"}
    assert API_KEY not in json.dumps(webhook.calls)


def test_idea_to_video_with_elements_complete_example(live: Live, image_host: str,
                                                      tmp_path: Path) -> None:
    """[AUTO] Idea-to-Video "Example Request": native audio and a product element image."""
    url = f"{live.base_url}/story/idea-2-video"
    headers = {"X-Api-Key": live.key}

    payload = {
        "idea": "Create a realistic winter commercial for SkinRevive Moisturiser set in snowy "
                "mountains. Three girls are on a winter camping trip. End with a clean hero "
                "shot of SkinRevive Moisturiser placed on a wooden camping table with "
                "snowflakes falling softly around it.",
        "title": "SkinRevive Winter Commercial",
        "aspect_ratio": "9:16",
        "scene_count": 5,
        "image_tool": "Seedream",
        "video_tool": "Auto",
        "scene_duration": "5",
        "audio_option": json.dumps({
            "has_bg_music": True,
            "has_narration": False,
            "native_audio": True
        }),
        "elements": json.dumps({
            "objects": [
                {
                    "name": "SkinRevive Moisturiser",
                    "description": "Style:cinematic, In a sleek glass jar with a frosted "
                                   "finish and an elegant silver lid.",
                    "image_url": f"{image_host}/img1.png"
                }
            ]
        }),
        "language": "English",
    }

    response = requests.post(url, headers=headers, data=payload, timeout=60)
    response.raise_for_status()
    result = response.json()
    story_data = result["data"]
    print(f"Used Credits: {story_data['used_credits']}")

    story_data = poll_until_done(live.base_url, live.key, story_data["id"])
    assert story_data["status"] == "success", story_data.get("message")
    names = [o["name"] for o in story_data["storyboard"]["objects"]]
    assert "SkinRevive Moisturiser" in names
    assert len(story_data["scenes"]) == 5
    out = tmp_path / "story_video.mp4"
    download(story_data["video_url"], out)
    assert probe(out)[2]  # native audio: an audio stream


def test_url_to_video_complete_example(live: Live, tmp_path: Path) -> None:
    """[AUTO] URL-to-Video's complete example; the website is a loopback page here."""
    page = (b"<html><title>Vimmerse</title><body><h1>AI Video production</h1>"
            b"<p>Create stunning videos with the best AI image and video tools.</p>"
            b"</body></html>")
    with serve_files({"/": page}) as site:
        BASE_URL = live.base_url
        API_KEY = live.key
        url = f"{BASE_URL}/story/url-2-video"
        headers = {"X-Api-Key": API_KEY}

        payload = {
            "idea": f"Create a marketing video for {site}/ highlighting the AI Video "
                    "production capabilities on platform using best AI image and video tools.",
            "title": "Vimmerse Platform Showcase",
            "aspect_ratio": "16:9",
            "scene_count": 3,
            "image_tool": "Seedream",
            "video_tool": "Auto",
            "audio_option": json.dumps({
                "has_bg_music": True,
                "has_narration": True,
                "native_audio": False,
                "narrator": "Rachel"
            }),
            "language": "English"
        }

        response = requests.post(url, headers=headers, data=payload, timeout=60)
        response.raise_for_status()
        story_id = response.json()["data"]["id"]
        story_data = poll_until_done(BASE_URL, API_KEY, story_id)
    assert story_data["status"] == "success", story_data.get("message")
    output_path = tmp_path / "url_story_video.mp4"
    download(story_data["video_url"], output_path)
    width, height, _, _ = probe(output_path)
    assert width > height  # 16:9


def test_example_2_images_to_video_from_urls(live: Live, image_host: str) -> None:
    """Quick Start Example 2: image_urls as a list in a form post (repeated fields)."""
    BASE_URL = live.base_url
    API_KEY = live.key

    url = f"{BASE_URL}/story/images-2-video"
    headers = {"X-Api-Key": API_KEY}

    payload = {
        "idea": "Create a cinematic promotional video showcasing these beautiful landscapes "
                "with smooth transitions",
        "title": "Landscape Showcase",
        "aspect_ratio": "16:9",
        "image_urls": [
            f"{image_host}/img1.png",
            f"{image_host}/img2.png",
            f"{image_host}/img3.png",
            f"{image_host}/img4.png"
        ],
        "video_tool": "Auto",
        "is_transition": True,
        "scene_duration": "5",
        "audio_option": json.dumps({
            "has_bg_music": True,
            "has_narration": False,
            "native_audio": False
        }),
        "language": "English"
    }

    response = requests.post(url, headers=headers, data=payload, timeout=60)
    response.raise_for_status()
    result = response.json()
    story_data = result["data"]
    print(f"Story created! ID: {story_data['id']}")
    assert story_data.get("scene_count", len(payload["image_urls"])) == 4

    story_data = poll_until_done(BASE_URL, API_KEY, story_data["id"])
    assert story_data["status"] == "success", story_data.get("message")
    assert len(story_data["scenes"]) == 4


def test_images_to_video_uploading_files(live: Live, tmp_path: Path) -> None:
    """[AUTO] Images-to-Video "Example 2: Uploading Image Files" (multipart)."""
    for i, fmt in enumerate(("JPEG", "PNG", "WEBP"), start=1):
        (tmp_path / f"image{i}.jpg").write_bytes(image_bytes(fmt, color=(60 * i, 90, 150)))

    url = f"{live.base_url}/story/images-2-video"
    headers = {"X-Api-Key": live.key}

    # Prepare files (the reference's own code: opened here, closed below)
    files = [
        ("image_files", open(tmp_path / "image1.jpg", "rb")),  # noqa: SIM115
        ("image_files", open(tmp_path / "image2.jpg", "rb")),  # noqa: SIM115
        ("image_files", open(tmp_path / "image3.jpg", "rb"))  # noqa: SIM115
    ]

    payload = {
        "idea": "Create a product showcase video highlighting these product images",
        "title": "Product Showcase",
        "aspect_ratio": "9:16",
        "video_tool": "Auto",
        "audio_option": json.dumps({
            "has_bg_music": True,
            "has_narration": True,
            "native_audio": False,
            "narrator": "Rachel"
        })
    }

    try:
        response = requests.post(url, headers=headers, data=payload, files=files, timeout=120)
        response.raise_for_status()
        result = response.json()
        print(f"Story created: {result['data']['id']}")
    finally:
        for _, f in files:
            f.close()

    story_data = poll_until_done(live.base_url, live.key, result["data"]["id"])
    assert story_data["status"] == "success", story_data.get("message")
    assert len(story_data["scenes"]) == 3
    width, height, _, _ = probe_url(story_data["video_url"], tmp_path)
    assert height > width


def probe_url(video_url: str, tmp_path: Path) -> tuple[int, int, bool, float]:
    out = tmp_path / "video.mp4"
    download(video_url, out)
    return probe(out)


def test_advanced_mode_steps_in_order_then_concat(live: Live, tmp_path: Path) -> None:
    """Advanced Mode: POST /story, /elements, /scenes, /videos, poll; then Concat Story."""
    headers = {"X-Api-Key": live.key}

    # Step 1 - Create Storyboard (Example 1: from an idea)
    url = f"{live.base_url}/story"
    payload = {
        "idea": "Create a promotional video where cute animals play musical instruments in a "
                "sunny meadow",
        "scene_count": 3,
        "title": "Musical Animals",
        "language": "English",
        "audio_option": json.dumps({
            "has_bg_music": True,
            "has_narration": True,
            "native_audio": False,
            "narrator": "Rachel"
        })
    }
    response = requests.post(url, headers=headers, data=payload, timeout=60)
    response.raise_for_status()
    story_data = response.json()["data"]
    STORY_ID = story_data["id"]
    print(f"Scenes: {len(story_data.get('storyboard', {}).get('scenes', []))}")
    assert len(story_data["storyboard"]["scenes"]) == 3

    # Step 1.5 - Create Element Images
    url = f"{live.base_url}/story/{STORY_ID}/elements"
    payload = {"aspect_ratio": "16:9", "option": "Seedream", "enhance_image": False}
    response = requests.post(url, headers=headers, data=payload, timeout=120)
    response.raise_for_status()
    storyboard = response.json()["data"].get("storyboard", {})
    characters = storyboard.get("characters", [])
    assert characters
    for char in characters:
        if "URL" in char or "image_url" in char:
            print(f"Character '{char['name']}' image: {char.get('URL') or char.get('image_url')}")
    assert all((c.get("URL") or c.get("image_url", "")).startswith(live.base_url)
               for c in characters)

    # Step 2 - Create Scenes (Example 1: without updating the storyboard)
    url = f"{live.base_url}/story/{STORY_ID}/scenes"
    payload = {"aspect_ratio": "16:9", "option": "Seedream", "enhance_image": False}
    response = requests.post(url, headers=headers, data=payload, timeout=180)
    response.raise_for_status()
    scenes = response.json()["data"].get("storyboard", {}).get("scenes", [])
    print(f"Generated {len(scenes)} scenes")
    assert len(scenes) == 3
    assert all(requests.get(s["image_url"], timeout=10).status_code == 200 for s in scenes)
    assert all("narration_url" in s for s in scenes)

    # Step 3 - Create Videos
    url = f"{live.base_url}/story/{STORY_ID}/videos"
    payload = {
        "title": "My Amazing Story",
        "motion_type": "Auto",
        "duration": 5,
        "is_transition": True,
    }
    response = requests.post(url, headers=headers, data=payload, timeout=60)
    response.raise_for_status()
    print(f"Status: {response.json()['data']['status']}")

    def check_video_status(story_id):
        url = f"{live.base_url}/story/{story_id}"
        try:
            response = requests.get(url, headers=headers, timeout=30)
            response.raise_for_status()
            story_data = response.json()["data"]
            if story_data["status"] == "success" and story_data.get("video_url"):
                return story_data["video_url"]
        except requests.exceptions.RequestException:
            pass
        return None

    for _attempt in range(MAX_ATTEMPTS):
        video_url = check_video_status(STORY_ID)
        if video_url:
            print(f"Video ready: {video_url}")
            break
        time.sleep(POLL)
    else:
        pytest.fail("Timeout: Video generation is taking longer than expected.")
    story = requests.get(f"{live.base_url}/story/{STORY_ID}", headers=headers,
                         timeout=30).json()["data"]
    assert story["title"] == "My Amazing Story"
    scene_videos = [s["video_url"] for s in story["scenes"]]
    assert len(scene_videos) == 3

    # Concat Story, option 1: compose the generated scene videos (no parameters needed)
    url = f"{live.base_url}/story/{STORY_ID}/concat"
    response = requests.post(url, headers=headers, data={}, timeout=60)
    response.raise_for_status()
    print(f"Composition started for story: {response.json()['data']['id']}")
    story = poll_until_done(live.base_url, live.key, STORY_ID)
    assert story["status"] == "success", story.get("message")
    *_, one_duration = probe_url(story["video_url"], tmp_path)

    # option 2: compose given video URLs, with background audio
    payload = {
        "concat_video_urls": scene_videos[:2],
        "audio_urls": [scenes[0]["narration_url"]],
    }
    response = requests.post(url, headers=headers, data=payload, timeout=60)
    response.raise_for_status()
    story = poll_until_done(live.base_url, live.key, STORY_ID)
    assert story["status"] == "success", story.get("message")
    _, _, has_audio, two_duration = probe_url(story["video_url"], tmp_path)
    assert has_audio
    assert two_duration < one_duration  # two of the three scenes


def test_get_story_detail_not_found(live: Live) -> None:
    """Get Story Detail's example, down its 404 branch."""
    STORY_ID = "00000000-0000-4000-8000-000000000000"
    url = f"{live.base_url}/story/{STORY_ID}"
    headers = {"X-Api-Key": live.key}
    response = requests.get(url, headers=headers, timeout=30)
    with pytest.raises(requests.exceptions.HTTPError) as info:
        response.raise_for_status()
    assert info.value.response.status_code == 404
