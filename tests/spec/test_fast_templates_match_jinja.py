"""Substitution templates render without Jinja's runtime (vidflow.spec.fastrender);
whatever the template and the values, the result is Jinja's: the same text or the same
problem."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vidflow.spec import templating

ATOMS = ["brand", "n", "flag", "empty", "variant.tone", "variant.n", "vars.brand",
         "variant['tone']", "items[0]", "brand[0]", "missing", "variant.items",
         "variant.nope", "brand.upper", "range", "items", "'t0'", "1", "1.5", "True", "''",
         "none", "self", "loop", "vars", "variant._x"]
VALUES = st.one_of(st.text(max_size=6), st.integers(-5, 5), st.booleans(),
                   st.floats(allow_nan=False, allow_infinity=False), st.none(),
                   st.lists(st.integers(0, 3), max_size=2),
                   st.dictionaries(st.sampled_from(["tone", "items"]), st.integers(0, 2),
                                   max_size=2))


def _expressions() -> st.SearchStrategy[str]:
    atom = st.sampled_from(ATOMS)
    return st.recursive(atom, lambda inner: st.one_of(
        st.builds(lambda a, b: f"{a} ~ {b}", inner, inner),
        st.builds(lambda a, op, b: f"{a} {op} {b}", inner,
                  st.sampled_from(["==", "!=", "in", "not in", "<", ">="]), inner),
        st.builds(lambda a, b, c: f"({a} < {b} <= {c})", inner, inner, inner),
        st.builds(lambda a, t, b: f"({a} if {t} else {b})", inner, inner, inner),
        st.builds(lambda a, t: f"({a} if {t})", inner, inner),
        st.builds(lambda a: f"(not {a})", inner),
        st.builds(lambda a, b: f"({a} and {b})", inner, inner),
        st.builds(lambda a, b: f"({a} or {b})", inner, inner),
        st.builds(lambda a, b: f"({a} + {b})", inner, inner),
        st.builds(lambda a: f"{a}|upper", inner),
    ), max_leaves=6)


TEMPLATES = st.lists(st.one_of(st.sampled_from(["x", " ", "-", "\n", "é", "'", "\\"]),
                               _expressions().map(lambda e: "{{ " + e + " }}")),
                     min_size=1, max_size=4).map("".join)


def _render(compiled: templating.Compiled, context: dict) -> tuple[str, str]:
    templating.start_load()
    try:
        return "ok", templating.render(compiled, context)
    except templating.TemplateProblem as exc:
        return "problem", exc.message


@settings(max_examples=800, deadline=None)
@given(source=TEMPLATES, brand=VALUES, n=VALUES, flag=VALUES, tone=VALUES, items=VALUES)
def test_substitutions_render_as_jinja_does(source, brand, n, flag, tone, items):
    try:
        compiled = templating.compile_template(source)
    except templating.TemplateProblem:
        return
    variables = {"brand": brand, "n": n, "flag": flag, "empty": "", "none": None,
                 "items": items}
    context = templating.make_context({**variables, "vars": variables,
                                       "variant": {"tone": tone, "n": n}})
    jinja_only = dataclasses.replace(compiled, fast=None)
    assert _render(compiled, context) == _render(jinja_only, context)


@pytest.mark.parametrize("source", [
    "{{ brand }} {{ variant.tone }} {{ variant.angle }}",
    "{{ title_edit if variant.tone == 't0' else '' }}",
    "{{ brand ~ '-' ~ variant['tone'] }}",
])
def test_substitutions_take_the_fast_path(source):
    compiled = templating.compile_template(source)
    assert compiled.fast is not None
    context = templating.make_context({"brand": "B", "title_edit": "!",
                                       "variant": {"tone": "t0", "angle": "a1"}})
    templating.start_load()
    assert compiled.fast(context) == _render(dataclasses.replace(compiled, fast=None),
                                             context)[1]


@pytest.mark.parametrize("source", [
    "{% for x in range(3) %}{{ x }}{% endfor %}", "{{ brand|upper }}", "{{ f() }}",
    "{{ variant.items }}", "{{ brand if flag }}", "{{ a + b }}", "{{ variant.__class__ }}",
])
def test_everything_else_renders_with_jinja(source):
    assert templating.compile_template(source).fast is None


@pytest.mark.parametrize("source", ["{# a note #}", "a{# note #}b", "{{ 'x' }}{# n #}"])
def test_comments_render_as_jinja_does(source):
    """A template of text and comments only (no value printed) compiles and renders."""
    compiled = templating.compile_template(source)
    assert compiled.fast is not None
    assert _render(compiled, {}) == _render(dataclasses.replace(compiled, fast=None), {})
