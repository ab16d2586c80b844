"""What the engine tells a caller about parameters it accepted but does not act on, as the
story's `message`: one place for the wording.

Which parameters are deprecated, and which narration overrides, is the contract's
(`Param.deprecated`, `Param.ignored_with_narration`); which ones this offline engine only
records is the engine's own fact, written here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from vidflow.contract.enums import STATIC_MOTION
from vidflow.contract.params import PARAMS, Operation
from vidflow.errors import ValidationFailed

# Model choices of the hosted service: recorded on the story, but this engine draws and
# animates procedurally, so they do not change the video. StaticMotion it does honour.
RECORDED_ONLY = ("image_tool", "video_tool", "option", "enhance_image", "motion_type")
HONOURED = {"motion_type": (STATIC_MOTION,)}

RECORDED = "recorded; this offline engine renders procedurally, so it does not change the video"
DEPRECATED = "deprecated and ignored"
WITH_NARRATION = ("ignored while narration is on: each scene lasts as long as its "
                  "narration")
LANGUAGE = ("the narration voice speaks {language}, but the rule-based storyboard writer "
            "keeps the idea's own words (it does not translate them)")
# the writer's own sentences (openings, endings) around them: in the language, or English
WITH_FRAMES = "; its own opening and closing lines are in {language}"
WITHOUT_FRAMES = ("; it has no {language} sentences of its own, so its opening and closing "
                  "lines are in English")


def _given(op: Operation, name: str, values: Mapping[str, Any]) -> bool:
    """Sent with a value other than the operation's default."""
    if name not in op.params or name not in values or values[name] is None:
        return False
    return str(values[name]) != str(op.default(name))


def recorded_only(op: Operation, values: Mapping[str, Any]) -> list[str]:
    return [f"{name}={values[name]} {RECORDED}" for name in RECORDED_ONLY
            if _given(op, name, values) and values[name] not in HONOURED.get(name, ())]


def with_narration(op: Operation, values: Mapping[str, Any], *, narrated: bool) -> list[str]:
    if not narrated:
        return []
    names = [n for n in op.params if PARAMS[n].ignored_with_narration and _given(op, n, values)]
    return [f"{', '.join(f'{n}={values[n]}' for n in names)} {WITH_NARRATION}"] if names else []


def language(op: Operation, value: Any, *, rule_based: bool) -> list[str]:
    if not rule_based or not _given(op, "language", {"language": value}):
        return []
    from vidflow.engine.stages.story import has_frames

    frames = WITH_FRAMES if has_frames(str(value)) else WITHOUT_FRAMES
    return [f"language={value}: {LANGUAGE.format(language=value)}"
            f"{frames.format(language=value)}"]


def deprecated(op: Operation, sent: Collection[str]) -> list[str]:
    """The deprecated fields a caller sent (a name that is not one is a 422)."""
    wrong = [n for n in sent if n not in op.params or not PARAMS[n].deprecated]
    if wrong:
        raise ValidationFailed(f"{wrong[0]}: not a deprecated parameter of {op.route}", details=[
            {"loc": ["body", n], "msg": f"not a deprecated parameter of {op.route}",
             "type": "extra_forbidden"} for n in wrong])
    names = [n for n in op.params if n in sent]
    return [f"{', '.join(names)}: {DEPRECATED}"] if names else []


def message(notes: list[str]) -> str | None:
    """The story's message: every note, in order; None when there is nothing to say."""
    return "; ".join(notes) + "." if notes else None
