"""Variant expansion: CI-matrix semantics, addresses, and their errors."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from vidflow.spec.variants import address_slug, expand, variant_address

values = st.sampled_from(["a", "b", "c", 1, 2, True])


@st.composite
def matrices(draw: st.DrawFn) -> dict:
    keys = draw(st.lists(st.sampled_from(["k", "m", "n"]), min_size=1, max_size=3, unique=True))
    matrix = {k: draw(st.lists(values, min_size=1, max_size=3, unique_by=repr)) for k in keys}
    combos = [dict(zip(matrix, vs, strict=True)) for vs in itertools.product(*matrix.values())]
    # Excludes drawn from real combinations (partial), so each matches something.
    excludes = []
    for combo in draw(st.lists(st.sampled_from(combos), max_size=3)):
        subset = draw(st.lists(st.sampled_from(list(combo)), min_size=1, unique=True))
        excludes.append({k: combo[k] for k in subset})
    includes = draw(st.lists(st.dictionaries(st.sampled_from(["k", "m", "n", "extra"]),
                                             values, min_size=1), max_size=3))
    return {"matrix": matrix, "exclude": excludes, "include": includes}


def _same(a: object, b: object) -> bool:
    return a == b and isinstance(a, bool) == isinstance(b, bool)


@given(matrices())
def test_count_is_product_minus_excluded_plus_new_includes(spec: dict) -> None:
    """len = product - combinations excluded + includes that match no remaining one."""
    matrix = spec["matrix"]
    combos = [dict(zip(matrix, vs, strict=True)) for vs in itertools.product(*matrix.values())]
    kept = [c for c in combos if not any(
        all(_same(c[k], v) for k, v in e.items()) for e in spec["exclude"])]
    new = sum(1 for inc in spec["include"] if not any(
        all(_same(c[k], v) for k, v in inc.items() if k in matrix) for c in kept))
    variants, problems = expand(spec)
    assert not problems
    assert len(variants) == len(combos) - (len(combos) - len(kept)) + new


def test_github_actions_documented_example() -> None:
    """The example from GitHub's matrix documentation, result for result."""
    spec = {"matrix": {"fruit": ["apple", "pear"], "animal": ["cat", "dog"]},
            "include": [{"color": "green"}, {"color": "pink", "animal": "cat"},
                        {"fruit": "apple", "shape": "circle"}, {"fruit": "banana"},
                        {"fruit": "banana", "animal": "cat"}]}
    variants, problems = expand(spec)
    assert not problems
    assert [v.values for v in variants] == [
        {"fruit": "apple", "animal": "cat", "color": "pink", "shape": "circle"},
        {"fruit": "apple", "animal": "dog", "color": "green", "shape": "circle"},
        {"fruit": "pear", "animal": "cat", "color": "pink"},
        {"fruit": "pear", "animal": "dog", "color": "green"},
        {"fruit": "banana"},
        {"fruit": "banana", "animal": "cat"},
    ]
    # Keys an include only adds to a combination are not part of its address.
    assert variant_address("x", variants[0].identity) == "x[animal=cat,fruit=apple]"


def test_addresses_sort_keys_and_spell_values_as_yaml() -> None:
    assert variant_address("p", {"tone": "fun", "aspect_ratio": "9:16"}) == \
        "p[aspect_ratio=9:16,tone=fun]"
    assert variant_address("p", {"on": True, "n": 2}) == "p[n=2,on=true]"
    assert variant_address("p", {}) == "p"
    assert address_slug("p[aspect_ratio=9:16,tone=Fun]") == "p-aspect_ratio-9-16-tone-fun"


def test_no_variants_means_one_bare_story() -> None:
    variants, _ = expand(None)
    assert [v.identity for v in variants] == [{}]


def test_exclude_matching_nothing_is_an_error(problems) -> None:
    text = ("version: 1\nstories:\n  p:\n    idea: x\n    variants:\n"
            "      matrix: {tone: [fun, calm]}\n      exclude:\n        - {tone: sad}\n")
    assert problems(text) == [
        "videos.yaml:8:11: stories.p.variants.exclude[0]: this exclude matches no "
        "combination of the matrix; fix or remove it"]


def test_two_stories_resolving_to_one_address(problems) -> None:
    """Two identical include entries make the same address twice."""
    text = ("version: 1\nstories:\n  p:\n    idea: x\n    output: '{{ address_slug }}-{{ "
            "variant.i }}.mp4'\n    variants:\n      include:\n        - {tone: a, i: 1}\n"
            "        - {tone: a, i: 1}\n")
    assert problems(text) == [
        "videos.yaml:3:3: p[i=1,tone=a]: address 'p[i=1,tone=a]' is also declared at "
        "videos.yaml:3:3; each story needs its own address"]


def test_variant_values_that_would_break_the_address(problems) -> None:
    text = ("version: 1\nstories:\n  p:\n    idea: x\n    variants:\n"
            "      matrix: {tone: ['a,b']}\n")
    assert problems(text)[0].startswith("videos.yaml:6:23: stories.p.variants.matrix.tone[0]: "
                                        "a variant value appears in the address")


def test_product_promo_example_addresses(load) -> None:
    text = ("version: 1\nstories:\n  w:\n    idea: '{{ variant.tone }}'\n"
            "    aspect_ratio: '{{ variant.aspect_ratio }}'\n    variants:\n"
            "      matrix: {tone: [fun, cinematic], aspect_ratio: ['9:16', '16:9']}\n"
            "      exclude: [{tone: fun, aspect_ratio: '16:9'}]\n")
    assert list(load(text).stories) == ["w[aspect_ratio=16:9,tone=cinematic]",
                                        "w[aspect_ratio=9:16,tone=cinematic]",
                                        "w[aspect_ratio=9:16,tone=fun]"]


def test_moved_addresses_are_normalized(load) -> None:
    """A `moved` block may write variant keys in any order; the planner sees sorted ones."""
    text = ("version: 1\nstories:\n  b: {idea: x}\nmoved:\n"
            "  - {from: 'a[tone=fun,aspect_ratio=9:16]', to: b}\n")
    (moved,) = load(text).moved
    assert (moved.from_address, moved.to_address) == ("a[aspect_ratio=9:16,tone=fun]", "b")
    assert str(moved.location) == "videos.yaml:5:5"
