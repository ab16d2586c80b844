"""Resolved stories: the reference's defaults, mode rules, local files, fingerprints."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vidflow.spec.canonical import canonical_json, fingerprint
from vidflow.spec.loader import load_text
from vidflow.spec.project import load_project

STORY = "version: 1\nstories:\n  a:\n    idea: x\n"


class TestDefaults:
    def test_idea_mode_gets_every_reference_default(self, load) -> None:
        story = load(STORY).stories["a"]
        assert story.mode == "idea"
        assert story.params == {
            "idea": "x", "scene_count": 3, "image_tool": "Seedream", "video_tool": "Auto",
            "scene_duration": "5", "aspect_ratio": "16:9", "is_transition": False,
            "language": "English",
            "audio_option": {"has_bg_music": True, "has_narration": True,
                             "native_audio": False, "narrator": "Rachel"}}
        assert (story.title, story.description, story.visibility_status) == ("", "", "0")
        assert story.output == "out/a.mp4"
        assert story.lifecycle.prevent_destroy is False

    def test_native_audio_turns_narration_off(self, load) -> None:
        text = STORY + "    audio_option: {native_audio: true, has_narration: true}\n"
        audio = load(text).stories["a"].params["audio_option"]
        assert audio["native_audio"] is True and audio["has_narration"] is False

    def test_storyboard_mode_defaults_and_pinned_storyboard(self, load) -> None:
        text = STORY + ("    mode: storyboard\n    storyboard:\n      characters: []\n"
                        "      environments: []\n      objects: []\n"
                        "      scenes: [{name: s1, image_description: a fox}]\n")
        story = load(text).stories["a"]
        assert {k: story.params[k] for k in ("option", "enhance_image", "motion_type",
                                              "duration", "loop")} == \
            {"option": "Seedream", "enhance_image": False, "motion_type": "Auto",
             "duration": 5, "loop": 1}
        assert "image_tool" not in story.params
        assert story.storyboard is not None and story.storyboard["scenes"][0]["name"] == "s1"
        assert story.storyboard_fingerprint == hashlib.sha256(
            canonical_json(story.storyboard).encode()).hexdigest()

    def test_defaults_apply_only_where_the_mode_takes_them(self, load, write) -> None:
        write(b"\x89PNG fake", "p.png")
        text = ("version: 1\ndefaults: {image_tool: FluxTurbo, language: French}\nstories:\n"
                "  a: {idea: x}\n  b: {mode: images, image_files: [p.png]}\n")
        project = load(text)
        assert project.stories["a"].params["image_tool"] == "FluxTurbo"
        assert "image_tool" not in project.stories["b"].params
        assert project.stories["b"].params["language"] == "French"

    def test_visibility_maps_to_visibility_status(self, load) -> None:
        assert load(STORY + "    visibility: public\n").stories["a"].visibility_status == "2"


class TestModeRules:
    def test_both_image_urls_and_image_files(self, problems, write) -> None:
        write(b"img", "p.png")
        text = ("version: 1\nstories:\n  a:\n    mode: images\n"
                "    image_urls: [https://x.org/1.png]\n    image_files: [p.png]\n")
        assert problems(text) == [
            "videos.yaml:6:5: stories.a.image_files: use either image_urls or image_files, "
            "not both"]

    def test_images_mode_needs_images(self, problems) -> None:
        assert problems("version: 1\nstories:\n  a: {mode: images}\n") == [
            "videos.yaml:3:3: stories.a: images mode needs image_urls or image_files"]

    def test_url_mode_needs_a_url_in_the_idea(self, problems, load) -> None:
        assert problems("version: 1\nstories:\n  a: {mode: url, idea: our site}\n") == [
            "videos.yaml:3:24: stories.a.idea: url mode needs an http(s) URL in the idea, "
            "e.g. 'A promo for https://example.com'"]
        assert load("version: 1\nstories:\n  a: {mode: url, idea: 'see https://x.org'}\n")

    def test_field_the_mode_does_not_take(self, problems) -> None:
        text = ("version: 1\nstories:\n  a:\n    mode: images\n"
                "    image_urls: [https://x.org/1.png]\n    scene_count: 4\n")
        assert problems(text) == [
            "videos.yaml:6:5: stories.a.scene_count: not a parameter of images mode "
            "(images mode makes one scene per image; remove it)"]

    def test_missing_local_file(self, problems) -> None:
        text = STORY + ("    elements:\n      objects:\n"
                        "        - {name: jar, image: assets/jar.png}\n")
        (only,) = problems(text)
        assert only.startswith("videos.yaml:7:30: stories.a.elements.objects[0].image: "
                               "file not found: assets/jar.png")

    def test_missing_image_file(self, problems) -> None:
        text = "version: 1\nstories:\n  a:\n    mode: images\n    image_files: [a.png, b.png]\n"
        assert [p.split(" (")[0] for p in problems(text)] == [
            "videos.yaml:5:19: stories.a.image_files[0]: file not found: a.png",
            "videos.yaml:5:26: stories.a.image_files[1]: file not found: b.png"]

    def test_output_must_stay_in_the_project(self, problems) -> None:
        assert problems(STORY + "    output: /tmp/x.mp4\n") == [
            "videos.yaml:5:13: stories.a.output: must be a relative path inside the project "
            "(no leading '/', no '..')"]


class TestLocalFiles:
    def test_files_become_path_and_sha256(self, load, write) -> None:
        write(b"jar bytes", "assets/jar.png")
        text = STORY + "    elements:\n      objects: [{name: jar, image: assets/jar.png}]\n"
        item = load(text).stories["a"].params["elements"]["objects"][0]
        assert item == {"name": "jar", "description": "",
                        "image": {"path": "assets/jar.png",
                                  "sha256": hashlib.sha256(b"jar bytes").hexdigest()}}

    def test_changing_the_bytes_changes_the_fingerprint(self, load, write) -> None:
        write(b"one", "p.png")
        text = "version: 1\nstories:\n  a: {mode: images, image_files: [p.png]}\n"
        before = load(text).stories["a"].fingerprint
        write(b"two", "p.png")
        assert load(text).stories["a"].fingerprint != before


# --- properties ----------------------------------------------------------------------

GENERATION = {
    "idea": st.text(min_size=1, max_size=20).filter(lambda s: "{" not in s and s.strip()),
    "scene_count": st.integers(1, 9),
    "image_tool": st.sampled_from(["Seedream", "FluxTurbo", "NanoBanana", "QwenImage"]),
    "aspect_ratio": st.sampled_from(["16:9", "4:3", "1:1", "3:4", "9:16"]),
    "is_transition": st.booleans(),
    "language": st.sampled_from(["English", "French", "Korean"]),
}
METADATA = {
    "title": st.text(max_size=20).filter(lambda s: "{" not in s),
    "description": st.text(max_size=20).filter(lambda s: "{" not in s),
    "visibility": st.sampled_from(["private", "unlisted", "public"]),
}


def _spec(story: dict, order: list[str]) -> str:
    body = {k: story[k] for k in order}
    return yaml.safe_dump({"version": 1, "stories": {"a": body}}, sort_keys=False,
                          allow_unicode=True)


def _load(tmp: Path, text: str):
    path = tmp / "videos.yaml"
    path.write_text(text, encoding="utf-8")
    return load_project(path).stories["a"]


settings_ = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings_
@given(st.fixed_dictionaries(GENERATION, optional=METADATA), st.randoms())
def test_rendering_is_deterministic_and_independent_of_key_order(tmp_path, story, rnd) -> None:
    keys = list(story)
    shuffled = keys[:]
    rnd.shuffle(shuffled)
    first = _load(tmp_path, _spec(story, keys))
    second = _load(tmp_path, _spec(story, shuffled))
    assert canonical_json(first.to_dict()) == canonical_json(second.to_dict())


@settings_
@given(st.fixed_dictionaries(GENERATION), st.fixed_dictionaries(METADATA),
       st.fixed_dictionaries(METADATA))
def test_fingerprint_ignores_title_description_visibility(tmp_path, gen, meta1, meta2) -> None:
    one = _load(tmp_path, _spec({**gen, **meta1}, [*gen, *meta1]))
    two = _load(tmp_path, _spec({**gen, **meta2}, [*gen, *meta2]))
    assert one.fingerprint == two.fingerprint


@settings_
@given(st.fixed_dictionaries(GENERATION), st.data())
def test_fingerprint_changes_with_any_generation_input(tmp_path, gen, data) -> None:
    field = data.draw(st.sampled_from(sorted(GENERATION)))
    other = data.draw(GENERATION[field].filter(lambda v: v != gen[field]))
    changed = {**gen, field: other}
    before = _load(tmp_path, _spec(gen, list(gen)))
    after = _load(tmp_path, _spec(changed, list(changed)))
    assert before.fingerprint != after.fingerprint
    assert after.fingerprint == fingerprint(after.mode, after.params)


def test_load_text_round_trip_keeps_unicode() -> None:
    assert load_text("idea: café ☕\n", "f.yaml").data == {"idea": "café ☕"}


def test_webhook_is_sent_but_not_fingerprinted(load) -> None:
    """Moving the completion notice elsewhere must not pay for a new video."""
    plain = load(STORY).stories["a"]
    hooked = load(STORY + "    webhook_url: https://hooks.example.com/done\n").stories["a"]
    assert hooked.params["webhook_url"] == "https://hooks.example.com/done"
    assert hooked.webhook_url == "https://hooks.example.com/done"
    assert hooked.fingerprint == plain.fingerprint


def test_pinned_storyboard_element_images_are_hashed(load, write) -> None:
    write(b"hero", "hero.png")
    text = STORY + ("    mode: storyboard\n    storyboard:\n"
                    "      characters: [{name: Hero, description: brave, image: hero.png}]\n"
                    "      environments: []\n      objects: []\n"
                    "      scenes: [{image_description: Hero waves, narrator: Hello}]\n")
    story = load(text).stories["a"]
    assert story.storyboard["characters"][0]["image"] == {
        "path": "hero.png", "sha256": hashlib.sha256(b"hero").hexdigest()}
    # The pinned storyboard has its own fingerprint; the generation inputs do not include it.
    assert "storyboard" not in story.params


def test_storyboard_mode_needs_a_storyboard(problems) -> None:
    assert problems(STORY + "    mode: storyboard\n") == [
        "videos.yaml:3:3: stories.a: storyboard mode needs a pinned `storyboard:` "
        "(characters, environments, objects, scenes)"]


def test_local_images_must_be_jpeg_png_or_webp(problems, write) -> None:
    """The reference's image requirements: JPEG, PNG, WebP."""
    write(b"x", "notes.txt")
    text = "version: 1\nstories:\n  a:\n    mode: images\n    image_files: [notes.txt]\n"
    assert problems(text) == [
        "videos.yaml:5:19: stories.a.image_files[0]: must be a JPEG, PNG or WebP image "
        "(.jpg, .jpeg, .png, .webp)"]


def test_storyboard_scene_count_with_images_is_refused(problems) -> None:
    text = STORY + ("    mode: storyboard\n    scene_count: 4\n"
                    "    image_urls: [https://x.org/1.png]\n    storyboard:\n"
                    "      {characters: [], environments: [], objects: [],"
                    " scenes: [{image_description: s}]}\n")
    assert problems(text) == [
        "videos.yaml:6:5: stories.a.scene_count: ignored when images are given (one scene "
        "per image); remove it"]


class TestIgnoredWithNarration:
    """The reference: scene_duration (and storyboard duration/loop) are ignored while
    narration is on, so changing them must not force a paid replace."""

    BOARD = ("    mode: storyboard\n    storyboard:\n      characters: []\n"
             "      environments: []\n      objects: []\n"
             "      scenes: [{name: s1, image_description: a fox}]\n")

    def test_scene_duration_is_sent_but_not_fingerprinted_with_narration(self, load) -> None:
        five, ten = (load(STORY + f"    scene_duration: '{v}'\n").stories["a"]
                     for v in ("5", "10"))
        assert ten.params["scene_duration"] == "10"  # still sent
        assert five.fingerprint == ten.fingerprint == load(STORY).stories["a"].fingerprint

    @pytest.mark.parametrize("audio", ["{has_narration: false}",
                                       "{native_audio: true, has_narration: true}"])
    def test_without_narration_scene_duration_is_an_input(self, load, audio: str) -> None:
        prints = {load(STORY + f"    scene_duration: '{v}'\n    audio_option: {audio}\n")
                  .stories["a"].fingerprint for v in ("5", "10")}
        assert len(prints) == 2

    def test_storyboard_duration_and_loop_follow_narration(self, load) -> None:
        def fingerprint_of(extra: str) -> str:
            return load(STORY + self.BOARD + extra).stories["a"].fingerprint

        assert fingerprint_of("    duration: 9\n    loop: 3\n") == fingerprint_of("")
        silent = "    audio_option: {has_narration: false}\n"
        assert fingerprint_of(silent + "    duration: 9\n") != fingerprint_of(silent)
        assert fingerprint_of(silent + "    loop: 3\n") != fingerprint_of(silent)

    def test_defaults_keep_the_fingerprint_of_before(self) -> None:
        """At the defaults the canonical form is unchanged: existing lockfiles still match."""
        params = {"idea": "x", "scene_duration": "5",
                  "audio_option": {"has_narration": True, "native_audio": False}}
        assert fingerprint("idea", params) == hashlib.sha256(canonical_json(
            {"mode": "idea", "params": params}).encode()).hexdigest()


class TestFilesStayInTheProject:
    def test_parent_path_is_refused(self, problems, project_dir: Path) -> None:
        (project_dir.parent / "outside.png").write_bytes(b"secret")
        text = "version: 1\nstories:\n  a:\n    mode: images\n    image_files: [../outside.png]\n"
        assert problems(text) == [
            "videos.yaml:5:19: stories.a.image_files[0]: ../outside.png is outside the project "
            "folder (through '..' or a symlink); copy the file into the project"]

    def test_symlink_out_of_the_project_is_refused(self, problems, project_dir: Path) -> None:
        (project_dir / "link.png").symlink_to("/etc/passwd")
        text = STORY + "    elements:\n      objects: [{name: jar, image: link.png}]\n"
        assert problems(text) == [
            "videos.yaml:6:36: stories.a.elements.objects[0].image: link.png is outside the "
            "project folder (through '..' or a symlink); copy the file into the project"]

    def test_links_and_dots_inside_the_project_are_fine(self, load, write,
                                                        project_dir: Path) -> None:
        write(b"pic", "assets/p.png")
        (project_dir / "link.png").symlink_to(project_dir / "assets" / "p.png")
        text = ("version: 1\nstories:\n  a:\n    mode: images\n"
                "    image_files: [link.png, assets/../assets/p.png]\n")
        files = load(text).stories["a"].params["image_files"]
        digest = hashlib.sha256(b"pic").hexdigest()
        assert files == [{"path": "link.png", "sha256": digest},
                         {"path": "assets/p.png", "sha256": digest}]


def test_scene_duration_choices_are_named_once(problems) -> None:
    assert problems(STORY + "    scene_duration: 7\n") == [
        'videos.yaml:5:21: stories.a.scene_duration: 7 is not one of: "5" or "10"']


def test_mode_rules_are_reported_alongside_schema_errors(problems) -> None:
    text = ("version: 1\nstories:\n  a:\n    mode: images\n    language: Klingon\n"
            "    image_urls: [https://x.org/1.png]\n    image_files: [p.png]\n"
            "    scene_count: 2\n")
    assert problems(text) == [
        "videos.yaml:5:15: stories.a.language: 'Klingon' is not one of: Arabic, Chinese, "
        "English, French, German, Hindi, Japanese, Korean, Spanish, Turkish",
        "videos.yaml:7:5: stories.a.image_files: use either image_urls or image_files, "
        "not both",
        "videos.yaml:8:5: stories.a.scene_count: not a parameter of images mode (images mode "
        "makes one scene per image; remove it)"]


def test_unrendered_templates_are_not_judged_by_the_mode_rules(problems) -> None:
    """With a schema error elsewhere, a templated URL idea is not called URL-less."""
    text = ("version: 1\nvars: {site: 'https://x.org'}\nstories:\n  a:\n    mode: url\n"
            "    idea: 'ad for {{ site }}'\n    loop: 9\n")
    assert problems(text) == [
        "videos.yaml:7:5: stories.a.loop: not a parameter of url mode (url mode does not take "
        "it; remove it)",
        "videos.yaml:7:11: stories.a.loop: 9 is greater than the maximum of 6"]


@pytest.mark.parametrize(("audio", "replaced"), [("{has_narration: true}", False),
                                                 ("{has_narration: false}", True)])
def test_planner_replaces_only_when_scene_duration_matters(load, audio: str,
                                                           replaced: bool) -> None:
    """Through the real planner: a lockfile applied from one spec, planned against the
    same spec with another scene_duration."""
    from vidflow.apply.simulate import simulate_apply
    from vidflow.plan.planner import make_plan
    from vidflow.state.lockfile import Lockfile

    base = STORY + f"    audio_option: {audio}\n"
    empty = Lockfile(lineage="")
    lock = simulate_apply(make_plan(load(base + "    scene_duration: '5'\n"), empty), empty)
    plan = make_plan(load(base + "    scene_duration: '10'\n"), lock)
    assert [c.action.name for c in plan.changes] == ["REPLACE" if replaced else "NOOP"]
