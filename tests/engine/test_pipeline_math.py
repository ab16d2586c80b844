"""Pure timing rules of the pipeline: scene lengths, crossfades, starts, moods."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from vidflow.engine import pipeline
from vidflow.engine.assets import inputs_key
from vidflow.engine.stages.looks import mood_of

narration = st.lists(st.one_of(st.none(), st.floats(0.1, 20)), min_size=1, max_size=8)


@given(narration, st.sampled_from([5.0, 10.0]), st.sampled_from([10, 24, 30]))
def test_scene_lengths(lengths: list[float | None], nominal: float, fps: int) -> None:
    """Narrated scenes outlast their narration by the pad; others take the nominal length;
    every length is a whole number of frames and at least MIN_SCENE."""
    out = pipeline.scene_durations(lengths, nominal=nominal, fps=fps, transition=0.5)
    for seconds, spoken in zip(out, lengths, strict=True):
        assert abs(seconds * fps - round(seconds * fps)) < 1e-6
        assert seconds >= pipeline.MIN_SCENE - 1 / fps
        if spoken is None:
            assert abs(seconds - nominal) <= 1 / fps
        else:
            assert seconds >= spoken + pipeline.NARRATION_PAD + 0.5 - 1e-6


@given(st.lists(st.floats(1.5, 12), min_size=1, max_size=8), st.booleans())
def test_starts_and_total_agree(durations: list[float], enabled: bool) -> None:
    """Each scene starts where the previous one ends minus the crossfade; the last scene
    ends at the total; a crossfade never exceeds a third of the shortest scene."""
    fade = pipeline.transition_for(durations, enabled)
    assert fade <= min(durations) / 3 + 1e-9
    assert (fade > 0) == (enabled and len(durations) > 1)
    starts = pipeline.scene_starts(durations, fade)
    assert starts[0] == 0
    total = pipeline.total_duration(durations, fade)
    assert abs(starts[-1] + durations[-1] - total) < 1e-6
    assert all(b > a for a, b in itertools.pairwise(starts))


def test_mood_follows_the_idea() -> None:
    assert mood_of("An epic dark mystery") == "dramatic"
    assert mood_of("Cute animals play music") == "fun"
    assert mood_of("A spa day, calm and gentle") == "calm"
    assert mood_of("A chair") == "warm"


@given(st.dictionaries(st.text(max_size=5), st.integers(), max_size=5))
def test_asset_key_ignores_key_order(inputs: dict[str, int]) -> None:
    reordered = dict(reversed(list(inputs.items())))
    assert inputs_key("scene", inputs) == inputs_key("scene", reordered)
    assert inputs_key("scene", inputs) != inputs_key("clip", inputs)
