"""The output-path rule itself (vidflow.paths), fuzzed: whatever text it accepts stays in
the project, names an .mp4 file and is none of the project's own files."""

from __future__ import annotations

import posixpath

from hypothesis import example, given
from hypothesis import strategies as st

from vidflow.paths import input_problem, output_problem

_SEGMENT = st.one_of(st.sampled_from(["..", ".", "", "~", ".git", ".vidflow", "out",
                                      "vidflow.lock", "videos.yaml", "C:", "a.mp4", "x.MP4"]),
                     st.text(alphabet="abc.~:\\/-_ \x00", max_size=6))


@given(st.lists(_SEGMENT, min_size=1, max_size=5).map("/".join))
@example("out/../../x.mp4")
@example("~/x.mp4")
@example("/abs.mp4")
@example("out/a.mp4/")
def test_an_accepted_output_stays_inside_and_is_a_video(text: str) -> None:
    if output_problem(text) is not None:
        return
    inside = posixpath.normpath(posixpath.join("/project", text))
    assert inside.startswith("/project/")
    assert posixpath.relpath(inside, "/project") == text  # already in its one spelling
    assert text.lower().endswith(".mp4")
    first = text.split("/")[0].lower()
    assert first not in (".git", ".vidflow") and text.lower() != "vidflow.lock"
    assert "\\" not in text and "\x00" not in text and not text.startswith("~")


def test_accepted_spellings() -> None:
    for text in ("out/a.mp4", "a.mp4", "videos/2024/promo-tone-fun.MP4",
                 "out/winter-promo[aspect_ratio=9:16,tone=fun].mp4"):
        assert output_problem(text) is None, text


def test_inputs_need_no_suffix_but_stay_relative() -> None:
    assert input_problem("assets/jar.png") is None
    assert input_problem("../jar.png") is not None
    assert input_problem("/etc/passwd") is not None
