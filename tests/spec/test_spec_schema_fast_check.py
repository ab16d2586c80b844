"""A valid spec is checked by a generated yes/no function (jsonschema takes 0.12 s just
to import); it must never pass a spec that jsonschema refuses, and must pass the real
specs, or the fast path is never taken."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from support.mutation import mutated

from vidflow.spec.schema import build_schema
from vidflow.state.fastschema import compile_predicate

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(p for p in (ROOT / "examples").rglob("*.yaml")
               if yaml.safe_load(p.read_text()) and "stories" in yaml.safe_load(p.read_text()))
DOCS = [yaml.safe_load(p.read_text()) for p in SPECS]
FAST = compile_predicate(build_schema())
SLOW = Draft202012Validator(build_schema())
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-2, 40), st.floats(-1, 2),
                 st.sampled_from(["", "x", "9:16", "16:9", "idea", "url", "English", "Rachel",
                                  "{{ x }}", "5", "out/a.mp4", "/abs.mp4", "https://a.b/",
                                  "private", "1h"]),
                 st.lists(st.sampled_from(["x", 1, None]), max_size=2),
                 st.dictionaries(st.sampled_from(["name", "description", "x", "3"]),
                                 st.sampled_from(["a", 1, None]), max_size=2))


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_spec_takes_the_fast_path(spec: Path) -> None:
    doc = yaml.safe_load(spec.read_text())
    assert SLOW.is_valid(doc) and FAST(doc)


@settings(max_examples=1500, deadline=None)
@given(doc_index=st.integers(0, len(DOCS) - 1), pick=st.integers(0, 10_000), junk=JUNK,
       how=st.sampled_from(["set", "delete", "add"]))
def test_the_fast_check_never_passes_what_jsonschema_refuses(doc_index, pick, junk, how):
    doc = mutated(DOCS[doc_index], pick=pick, junk=junk, how=how, key=f"extra_{pick % 3}")
    if doc is None:
        return
    if FAST(doc):
        assert SLOW.is_valid(doc), list(SLOW.iter_errors(doc))[:1]
