"""What each mode takes, the reference's defaults, and the rules JSON Schema cannot say.

Checks take a rendered story (plain dict, one variant) and return problems as
(story-relative path, message, at_key) so the caller can place them at file:line:col.
"""

from __future__ import annotations

import re
from typing import Any

from vidflow.contract.params import DEFAULTS, SPEC_MODES, mode_params
from vidflow.contract.storyboard import ELEMENT_KINDS, effective_audio, narration_on
from vidflow.paths import output_problem
from vidflow.spec.overrides import unknown_names

# The Story API's parameters per mode (POST /story/idea-2-video, url-2-video,
# images-2-video; storyboard = POST /story then /elements, /scenes, /videos).
MODE_PARAMS: dict[str, tuple[str, ...]] = {mode: mode_params(mode) for mode in SPEC_MODES}
ALL_PARAMS = frozenset(p for params in MODE_PARAMS.values() for p in params)
# Fields every mode takes that are not generation inputs (or, storyboard, regenerate-only).
META_FIELDS = frozenset({"mode", "title", "description", "visibility", "webhook_url", "output",
                         "lifecycle", "variants", "storyboard", "deadline",
                         "overrides"})
DURATION_PATTERN = r"^[0-9]+(\.[0-9]+)?(s|m|h)$"
_UNITS = {"s": 1, "m": 60, "h": 3600}


def duration_seconds(text: str) -> float:
    """"90s", "30m", "2h" as seconds (the pattern above was checked by the schema)."""
    return float(text[:-1]) * _UNITS[text[-1]]

# the reference's defaults of the generation inputs (title is a spec field of its own)
PARAM_DEFAULTS: dict[str, Any] = {k: v for k, v in DEFAULTS.items() if k in ALL_PARAMS}
DEFAULT_OUTPUT = "out/{{ address_slug }}.mp4"

_HINTS = {
    ("images", "scene_count"): "images mode makes one scene per image; remove it",
    ("images", "image_tool"): "images mode animates your own images; remove it",
    ("images", "elements"): "images-2-video takes no elements; remove them",
    ("storyboard", "image_tool"): "advanced mode names the image model `option`",
    ("storyboard", "video_tool"): "advanced mode names the animation method `motion_type`",
    ("storyboard", "scene_duration"): "advanced mode takes `duration` (1..10 seconds)",
}
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*")

Problem = tuple[tuple[str | int, ...], str, bool]  # (path, message, at the key?)


# per mode, the parameters of the other modes only (a story naming one is told so)
_FOREIGN = {mode: ALL_PARAMS - frozenset(params) for mode, params in MODE_PARAMS.items()}


def applies(mode: str, field: str) -> bool:
    return field in META_FIELDS or field in MODE_PARAMS.get(mode, ())


def check_story(story: dict[str, Any], *, rendered: bool = True) -> list[Problem]:
    """The reference's rules for one story. `rendered=False`: the story's templates are
    not rendered (and its values may have the wrong type, the schema having refused it),
    so only rules about which fields are present, and about plain values, apply."""
    mode = story.get("mode", "idea")
    if mode not in MODE_PARAMS:
        return []
    problems: list[Problem] = []
    foreign = _FOREIGN[mode]
    if not foreign.isdisjoint(story):
        for field in story:
            if field in foreign:
                hint = _HINTS.get((mode, field), f"{mode} mode does not take it; remove it")
                problems.append(((field,), f"not a parameter of {mode} mode ({hint})", True))
    if field_missing(story, "idea") and mode != "images":
        problems.append(((), f"`idea` is required in {mode} mode", True))
    idea = story.get("idea")
    if mode == "url" and _plain(idea, rendered) and not _URL.search(idea):
        problems.append((("idea",), "url mode needs an http(s) URL in the idea, e.g. "
                                    "'A promo for https://example.com'", False))
    problems.extend(_image_problems(story, mode, rendered))
    if mode == "storyboard" and "storyboard" not in story:
        problems.append(((), "storyboard mode needs a pinned `storyboard:` (characters, "
                             "environments, objects, scenes)", True))
    if mode != "storyboard" and "storyboard" in story:
        problems.append((("storyboard",), "a pinned storyboard needs `mode: storyboard`", True))
    problems.extend(_element_problems(story, rendered))
    if mode == "storyboard" and rendered:
        problems.extend(_pinned_name_problems(story.get("storyboard")))
    problems.extend(_caption_problems(story, rendered))
    problems.extend(_override_problems(story, mode))
    if rendered:
        problems.extend(_output_problems(story.get("output")))
    return problems


def _plain(value: Any, rendered: bool) -> bool:
    """A string whose final value is known (not a template still to render)."""
    return isinstance(value, str) and (rendered or not _is_template(value))


def _is_template(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def field_missing(story: dict[str, Any], field: str) -> bool:
    return field not in story or story[field] in (None, "")


def _image_problems(story: dict[str, Any], mode: str, rendered: bool) -> list[Problem]:
    has_urls, has_files = "image_urls" in story, "image_files" in story
    problems: list[Problem] = [
        (("image_files", i), _FORMATS_MESSAGE, False)
        for i, name in enumerate(_items(story.get("image_files")))
        if _plain(name, rendered) and not _is_image_name(name)]
    if has_urls and has_files and mode in ("images", "storyboard"):
        problems.append((("image_files",), "use either image_urls or image_files, not both",
                         True))
    if mode == "images" and not has_urls and not has_files:
        problems.append(((), "images mode needs image_urls or image_files", True))
    if mode == "storyboard" and (has_urls or has_files) and "scene_count" in story:
        problems.append((("scene_count",), "ignored when images are given (one scene per "
                                           "image); remove it", True))
    return problems


_FORMATS = (".jpg", ".jpeg", ".png", ".webp")
_FORMATS_MESSAGE = "must be a JPEG, PNG or WebP image (.jpg, .jpeg, .png, .webp)"


def _is_image_name(name: Any) -> bool:
    return isinstance(name, str) and name.lower().endswith(_FORMATS)


def _caption_problems(story: dict[str, Any], rendered: bool) -> list[Problem]:
    """Captions are the narration's words: a story without narration has none to show."""
    audio = story.get("audio_option")
    if not rendered or not story.get("captions") or not isinstance(audio, dict):
        return []
    if narration_on(effective_audio(audio)):
        return []
    return [(("captions",), "captions show the narration, which this story's audio_option "
                            "turns off; remove captions or turn narration on", False)]


def _element_problems(story: dict[str, Any], rendered: bool) -> list[Problem]:
    problems: list[Problem] = []
    for top in ("elements", "storyboard"):
        groups = story.get(top)
        if not isinstance(groups, dict):
            continue
        for kind in ELEMENT_KINDS:
            for i, item in enumerate(_items(groups.get(kind))):
                if not isinstance(item, dict):
                    continue
                if "image" in item and "image_url" in item:
                    problems.append(((top, kind, i, "image"),
                                     "use either image or image_url, not both", True))
                elif _plain(item.get("image"), rendered) and not _is_image_name(item["image"]):
                    problems.append(((top, kind, i, "image"), _FORMATS_MESSAGE, False))
    return problems


def _pinned_name_problems(board: Any) -> list[Problem]:
    """A pinned scene's `elements` must name the storyboard's characters or objects."""
    if not isinstance(board, dict) or not isinstance(board.get("scenes"), list):
        return []
    return [(("storyboard", *path), message, False)
            for i, scene in enumerate(board["scenes"]) if isinstance(scene, dict)
            for path, message in unknown_names(board, i)]


def _override_problems(story: dict[str, Any], mode: str) -> list[Problem]:
    """Overrides change a generated storyboard; a scene past a known scene_count is an
    error now (element names and the real count are checked at plan time)."""
    overrides = story.get("overrides")
    if not isinstance(overrides, dict):
        return []
    if mode == "storyboard":
        return [(("overrides",), "storyboard mode pins the whole storyboard: edit it there "
                                 "instead of overriding it", True)]
    count = story.get("scene_count")
    if mode == "images":  # one scene per image
        images = story.get("image_urls") or story.get("image_files")
        count = len(images) if isinstance(images, list) else None
    scenes = overrides.get("scenes")
    if not isinstance(scenes, dict):
        return []
    if not isinstance(count, int):
        return []
    return [(("overrides", "scenes", key), f"the story has {count} scenes (scene_count); "
                                           f"number them 1 to {count}", True)
            for key in scenes if _scene_number(key) and int(key) > count]


def _scene_number(key: Any) -> bool:
    return not isinstance(key, bool) and str(key).isdigit() and int(key) >= 1


def _output_problems(output: Any) -> list[Problem]:
    """The output path rule on the text (vidflow.paths); the disk is checked at load."""
    if not isinstance(output, str):
        return []
    problem = output_problem(output)
    return [(("output",), problem, False)] if problem else []
