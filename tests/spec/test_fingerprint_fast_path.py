"""A fingerprint read without copying the params is the one of their generation inputs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vidflow.spec.canonical import canonical_json, fingerprint, generation_inputs, sha256_text

VALUES = st.one_of(st.sampled_from(["5", "10", 5, 5.0, 1, 1.0, True, 2, None]),
                   st.text(max_size=3))
AUDIO = st.fixed_dictionaries({}, optional={"has_narration": st.booleans(),
                                            "native_audio": st.booleans(),
                                            "narrator": st.just("Rachel")})
PARAMS = st.fixed_dictionaries({"idea": st.text(max_size=5)}, optional={
    "scene_duration": VALUES, "duration": VALUES, "loop": VALUES, "audio_option": AUDIO,
    "webhook_url": st.just("https://hooks.example/x"), "scene_count": VALUES})


@given(PARAMS, st.sampled_from(["idea", "storyboard"]))
def test_fingerprint_is_that_of_the_generation_inputs(params: dict, mode: str) -> None:
    before = dict(params)
    expected = sha256_text(canonical_json({"mode": mode, "params": generation_inputs(params)}))
    assert fingerprint(mode, params) == expected
    assert params == before  # read, never changed
