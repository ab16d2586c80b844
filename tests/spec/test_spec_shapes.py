"""Misshapen specs: every wrong shape is a SpecError at its position, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vidflow.errors import SpecError, SpecErrors
from vidflow.spec import Project, load_project
from vidflow.spec.schema import story_properties

SHAPES = [
    ("stories: [a]", "videos.yaml:2:10: stories: must be a mapping, not a list"),
    ("stories: 5", "videos.yaml:2:10: stories: must be a mapping, not 5"),
    ("vars: 5", "videos.yaml:2:7: vars: must be a mapping, not 5"),
    ("defaults: [a]", "videos.yaml:2:11: defaults: must be a mapping, not a list"),
    ("moved: {a: b}", "videos.yaml:2:8: moved: must be a list, not a mapping"),
    ("moved: 5", "videos.yaml:2:8: moved: must be a list, not 5"),
    ("moved: [{from: 5, to: b}]", "videos.yaml:2:16: moved[0].from: must be a string, not 5"),
    ("stories:\n  a: 5", "videos.yaml:3:6: stories.a: must be a mapping, not 5"),
    ("stories:\n  a: [x]", "videos.yaml:3:6: stories.a: must be a mapping, not a list"),
    ("stories:\n  a: {idea: x, variants: 5}",
     "videos.yaml:3:26: stories.a.variants: must be a mapping, not 5"),
    ("stories:\n  a: {idea: x, audio_option: 5}",
     "videos.yaml:3:30: stories.a.audio_option: must be a mapping, not 5"),
]


@pytest.mark.parametrize(("body", "expected"), SHAPES)
def test_wrong_shape_is_a_positioned_spec_error(problems, body: str, expected: str) -> None:
    assert problems(f"version: 1\n{body}\n") == [expected]


@pytest.mark.parametrize(("body", "expected"), SHAPES[:2])
def test_validate_exits_1_not_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str,
                                expected: str) -> None:
    from click.testing import CliRunner

    from vidflow.cli import main

    (tmp_path / "videos.yaml").write_text(f"version: 1\n{body}\n")
    monkeypatch.chdir(tmp_path)
    for command in ("validate", "plan"):
        with CliRunner().isolation() as (_, err, _):
            with pytest.raises(SystemExit) as exc:
                main([command])
            assert exc.value.code == 1
            assert err.getvalue().decode().splitlines()[0] == expected


def test_a_broken_defaults_block_still_gets_mode_rules(problems) -> None:
    text = ("version: 1\ndefaults: {language: Klingon}\nstories:\n"
            "  a: {mode: images, image_urls: ['https://x.org/a.png'], image_files: [a.png]}\n")
    assert problems(text) == [
        "videos.yaml:2:22: defaults.language: 'Klingon' is not one of: Arabic, Chinese, "
        "English, French, German, Hindi, Japanese, Korean, Spanish, Turkish",
        "videos.yaml:4:58: stories.a.image_files: use either image_urls or image_files, "
        "not both"]


# --- any document under the spec's own keys -------------------------------------------

_STORY_KEYS = [*sorted(story_properties()), "variants"]
_KEYS = sorted({"version", "provider", "vars", "defaults", "stories", "moved", "a", "b",
                "type", "base_url", "data_dir", "from", "to", "matrix", "include", "exclude",
                "objects", "characters", "environments", "scenes", "name", "image",
                "image_url", "has_narration", "native_audio", "narrator", "tone",
                *_STORY_KEYS})
_TEXT = st.sampled_from(["", "x", "a", "b", "idea", "url", "images", "storyboard", "16:9",
                         "5", "a.png", "../x.png", "/etc/passwd", "https://x.org/a.png",
                         "{{ x }}", "{{ variant.tone }}", "{% for %}", "a[tone=fun]",
                         "out/{{ address_slug }}.mp4", "local", "http", "Rachel"])
_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-3, 12), st.floats(-1, 1),
                    _TEXT)
_VALUE = st.recursive(_SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)), max_leaves=12)
_STORY = st.one_of(_VALUE, st.dictionaries(st.sampled_from(_STORY_KEYS), _VALUE, max_size=5))
_DOC = st.fixed_dictionaries(
    {"version": st.sampled_from([1, 1, 2, "1"])},
    optional={
        "provider": _VALUE,
        "vars": _VALUE,
        "defaults": st.one_of(_VALUE, st.dictionaries(st.sampled_from(_STORY_KEYS), _VALUE,
                                                      max_size=4)),
        "stories": st.one_of(_VALUE, st.dictionaries(st.sampled_from(["a", "b", "A b"]),
                                                     _STORY, max_size=3)),
        "moved": st.one_of(_VALUE, st.lists(st.dictionaries(st.sampled_from(["from", "to"]),
                                                            _VALUE), max_size=3)),
    })


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(doc=_DOC)
def test_any_document_gives_a_project_or_spec_errors(doc: dict) -> None:
    """Random nested mappings, lists and scalars under the spec's keys: load_project either
    succeeds or raises SpecError(s), each with a message; nothing else escapes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "videos.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        try:
            result = load_project(path)
        except SpecErrors as exc:
            assert exc.errors and all(e.message for e in exc.errors)
            return
        except SpecError as exc:
            assert exc.message
            return
        assert isinstance(result, Project)


def test_a_story_with_a_schema_error_still_gets_template_and_variant_checks(problems) -> None:
    text = ("version: 1\nstories:\n  a:\n    idea: '{{ brand '\n    loop: 9\n"
            "    variants: {matrix: {n: [1]}, exclude: [{n: 2}]}\n")
    assert problems(text) == [
        "videos.yaml:4:11: stories.a.idea: template syntax error: unexpected end of template, "
        "expected 'end of print statement'.",
        "videos.yaml:5:5: stories.a.loop: not a parameter of idea mode (idea mode does not "
        "take it; remove it)",
        "videos.yaml:5:11: stories.a.loop: 9 is greater than the maximum of 6",
        "videos.yaml:6:44: stories.a.variants.exclude[0]: this exclude matches no combination "
        "of the matrix; fix or remove it"]
