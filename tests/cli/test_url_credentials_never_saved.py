"""URL credentials (user:pass@, ?token=, signed-URL signatures) never reach a saved plan,
`plan --json`, the lockfile or `show --json`: one scrubber, vidflow.scrub, for all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lifecycle_helpers import vidflow

from vidflow.scrub import REDACTED, scrub_text, scrub_url
from vidflow.state.lockfile import (
    LockEntry,
    Lockfile,
    lockfile_path,
    read_lockfile,
    scrub_provider,
    write_lockfile,
)

SECRET = "s3cr3t-9a7f"


def test_a_saved_plan_never_holds_the_base_urls_credentials(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIMMERSE_API_KEY", "key-not-in-any-file")
    (root / "videos.yaml").write_text(f"""\
version: 1
provider: {{type: http, base_url: "http://user:{SECRET}@127.0.0.1:9/api?token={SECRET}&region=eu"}}
stories:
  a:
    title: A
    idea: "A promo for https://shop.example/?access_token={SECRET}&page=2"
    image_urls: ["https://cdn.example/x.png?X-Amz-Signature={SECRET}"]
    mode: images
""")
    plan = root / "plan.json"
    result = vidflow("plan", "--out", str(plan), str(root))
    assert result.code == 0, result
    streamed = vidflow("plan", "--json", str(root))
    assert SECRET not in streamed.out and "key-not-in-any-file" not in streamed.out
    as_json = vidflow("show", str(plan), "--json")
    for text in (plan.read_text(), as_json.out):
        assert SECRET not in text
        assert "key-not-in-any-file" not in text
        assert "user:" not in text
        assert "region=eu" in text and "page=2" in text  # the rest stays readable
    assert json.loads(plan.read_text())["provider"]["base_url"] == \
        f"http://127.0.0.1:9/api?token={REDACTED}&region=eu"


def test_the_lockfile_and_show_never_hold_a_signed_video_url(root: Path) -> None:
    (root / "videos.yaml").write_text("version: 1\nstories: {}\n")
    entry = LockEntry(story_id="s1", provider=scrub_provider(f"http:http://u:{SECRET}@h/"),
                      mode="idea", fingerprint="f", storyboard_fingerprint=None, title="a",
                      description="", visibility_status="0", status="success",
                      video_url=f"https://cdn.example/v.mp4?sig={SECRET}&X-Amz-Credential="
                                f"{SECRET}&size=big")
    write_lockfile(lockfile_path(root), Lockfile(entries={"a": entry}))
    assert SECRET not in lockfile_path(root).read_text()
    assert read_lockfile(lockfile_path(root)).entries["a"].video_url == \
        f"https://cdn.example/v.mp4?sig={REDACTED}&X-Amz-Credential={REDACTED}&size=big"
    shown = vidflow("show", "--json", str(root))
    assert shown.code == 0, shown
    assert SECRET not in shown.out and "size=big" in shown.out


@pytest.mark.parametrize(("url", "clean"), [
    ("https://u:p@h.example/x", "https://h.example/x"),
    ("https://h.example/x?api_key=1&apikey=2&key=3&q=4",
     f"https://h.example/x?api_key={REDACTED}&apikey={REDACTED}&key={REDACTED}&q=4"),
    ("https://h.example/x?password=1&secret=2&auth=3", f"https://h.example/x?password="
     f"{REDACTED}&secret={REDACTED}&auth={REDACTED}"),
    ("https://h.example/cb#access_token=1&state=x",
     f"https://h.example/cb#access_token={REDACTED}&state=x"),
    ("https://h.example/x?design=1&page=2", "https://h.example/x?design=1&page=2"),
    ("not a url", "not a url"),
    ("out/a.mp4", "out/a.mp4"),
])
def test_scrub_url(url: str, clean: str) -> None:
    assert scrub_url(url) == clean


def test_scrub_text_finds_urls_and_bare_queries() -> None:
    said = scrub_text(f"GET /story?token={SECRET}: refused")
    assert SECRET not in said and said.startswith(f"GET /story?token={REDACTED}")
    assert scrub_text(f"see http://a:{SECRET}@h/x now") == "see http://h/x now"


def test_the_lockfile_identity_is_unchanged_by_the_shared_scrubber() -> None:
    """Existing lockfiles keep their provider identity (else every story would replace)."""
    assert scrub_provider("http:https://u:k@API.example:8443/v1/?token=x#f") == \
        "http:https://api.example:8443/v1"
    assert scrub_provider("local") == "local"


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._~%", min_size=1,
               max_size=20))
def test_no_secret_value_survives(value: str) -> None:
    url = f"https://user:{value}@h.example/p?token={value}&Signature={value}"
    clean = scrub_url(url)
    assert "@" not in clean
    assert clean == f"https://h.example/p?token={REDACTED}&Signature={REDACTED}"
