"""`captions` in a spec: a generation input when on, nothing at all when off (so stories
without captions keep their fingerprints and existing lockfiles keep matching), and an
error for a provider that is the hosted Story API."""

from __future__ import annotations

import hashlib

import pytest

from vidflow.contract.captions import CAPTION_DEFAULTS
from vidflow.spec.canonical import canonical_json

STORY = "version: 1\nstories:\n  a:\n    idea: x\n"


def _story(load, extra: str = "", provider: str = ""):
    head = f"version: 1\n{provider}stories:\n  a:\n    idea: x\n"
    return load(head + extra).stories["a"]


class TestFingerprint:
    def test_off_is_no_parameter_and_keeps_the_fingerprint_of_before(self, load) -> None:
        plain = _story(load)
        off = _story(load, "    captions: false\n")
        assert "captions" not in plain.params and "captions" not in off.params
        assert plain.fingerprint == off.fingerprint
        # the fingerprint is the hash of exactly the params it had before captions existed
        assert plain.fingerprint == hashlib.sha256(canonical_json(
            {"mode": "idea", "params": plain.params}).encode()).hexdigest()

    def test_on_is_a_different_video(self, load) -> None:
        plain = _story(load)
        on = _story(load, "    captions: true\n")
        assert on.params["captions"] == CAPTION_DEFAULTS
        assert on.fingerprint != plain.fingerprint

    def test_true_is_the_defaults_spelled_out(self, load) -> None:
        spelled = "".join(f"      {k}: {v}\n" for k, v in CAPTION_DEFAULTS.items())
        assert _story(load, "    captions: true\n").fingerprint == \
            _story(load, "    captions:\n" + spelled).fingerprint

    @pytest.mark.parametrize("field,value", [("style", "word"), ("position", "top"),
                                             ("size", "large")])
    def test_each_option_is_an_input(self, load, field: str, value: str) -> None:
        assert _story(load, f"    captions: {{{field}: {value}}}\n").fingerprint != \
            _story(load, "    captions: true\n").fingerprint

    def test_defaults_block_gives_every_story_captions(self, load) -> None:
        text = ("version: 1\ndefaults:\n  captions: {style: word}\nstories:\n"
                "  a:\n    idea: x\n  b:\n    idea: y\n    captions: false\n")
        stories = load(text).stories
        assert stories["a"].params["captions"]["style"] == "word"
        assert "captions" not in stories["b"].params


class TestWhereCaptionsAreAvailable:
    def test_bad_options_are_named_with_their_place(self, problems) -> None:
        assert problems(STORY + "    captions: {style: karaoke}\n") == [
            "videos.yaml:5:23: stories.a.captions.style: 'karaoke' is not one of: plain, word"]
        assert problems(STORY + "    captions: {colour: red}\n") == [
            "videos.yaml:5:16: stories.a.captions.colour: unknown field 'colour'"]

    def test_the_hosted_api_has_no_captions(self, problems) -> None:
        found = problems("version: 1\nprovider: {type: http, base_url: "
                         "'https://api.example.com'}\n" + STORY[11:] + "    captions: true\n")
        assert len(found) == 1
        assert found[0].startswith("videos.yaml:6:5: stories.a.captions: captions is a vidflow "
                                   "extension, not available on the hosted Story API")
        assert "extensions: [captions]" in found[0]

    def test_a_defaults_block_is_named_where_it_sets_them(self, problems) -> None:
        text = ("version: 1\nprovider: {type: http, base_url: 'https://api.example.com'}\n"
                "defaults:\n  captions: true\nstories:\n  a:\n    idea: x\n")
        (found,) = problems(text)
        assert found.startswith("videos.yaml:4:3: defaults.captions: captions is a vidflow")

    @pytest.mark.parametrize("provider", [
        "provider: {type: http, base_url: 'http://127.0.0.1:8000'}\n",
        "provider: {type: http, base_url: 'http://localhost:8000'}\n",
        "provider: {type: http, base_url: 'https://serve.example.com', extensions: [captions]}\n",
        "provider: {type: local}\n",
    ])
    def test_vidflow_serve_and_the_local_engine_have_them(self, load, provider: str) -> None:
        assert _story(load, "    captions: true\n", provider).params["captions"]

    def test_an_unknown_extension_is_refused(self, problems) -> None:
        found = problems("version: 1\nprovider: {type: http, base_url: 'http://127.0.0.1:1',"
                         " extensions: [subtitles]}\n" + STORY[11:])
        assert any("provider.extensions[0]" in p and "captions" in p for p in found)


def test_captions_without_narration_are_refused(problems) -> None:
    for audio in ("{has_narration: false}", "{native_audio: true}"):
        found = problems(STORY + f"    audio_option: {audio}\n    captions: true\n")
        assert found == ["videos.yaml:6:15: stories.a.captions: captions show the narration, "
                         "which this story's audio_option turns off; remove captions or turn "
                         "narration on"], audio
