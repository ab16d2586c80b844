"""output_problem decides plain paths with one regex; it must never accept a path that the
worded checks refuse (a lockfile from a pull request passes through it)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vidflow.paths import output_problem, worded_output_problem

SEGMENT = st.text(alphabet="ab_.-=,+/\\:~\x00 Aé", max_size=12)
PATHS = st.one_of(
    SEGMENT,
    st.builds(lambda parts, ext: "/".join(parts) + ext,
              st.lists(SEGMENT, min_size=1, max_size=4),
              st.sampled_from([".mp4", ".MP4", "", ".mp4/", ".lock"])),
    st.sampled_from([".git/x.mp4", "out/.vidflow/a.mp4", ".mp4", "out/.mp4", "a//b.mp4",
                     "./a.mp4", "../a.mp4", "vidflow.lock", "C:a.mp4", "a" * 1100 + ".mp4"]),
)


@settings(max_examples=3000, deadline=None)
@given(PATHS)
def test_the_fast_path_agrees_with_the_worded_checks(text: str) -> None:
    assert (output_problem(text) is None) == (worded_output_problem(text) is None)


def test_plain_paths_take_the_fast_path_and_unsafe_ones_are_refused() -> None:
    assert output_problem("out/promo-angle-a0-tone-t0.mp4") is None
    for unsafe in (".git/hooks/x.mp4", "out/../../x.mp4", "/etc/x.mp4", "out/.vidflow/x.mp4"):
        assert output_problem(unsafe) is not None
