"""fastrender.parse reads a template as Jinja does, or leaves it to Jinja: whenever it
gives a tree, Jinja parses the same source to the same tree, and the compiled template's
reading of its names (attributes, variant keys, address use) is the same."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_fast_templates_match_jinja import TEMPLATES

from vidflow.spec import fastrender, templating

TOKENS = st.sampled_from([
    "a", "variant", "brand", "vars", "address", "address_slug", "items", "_x", "x1",
    "if", "else", "and", "or", "not", "in", "is", "true", "False", "none", "None",
    "==", "!=", "<", "<=", ">", ">=", "~", "(", ")", ".", "[", "]", "|", "+", "-", "*",
    ",", ":", "{", "}", "0", "1", "01", "10", "1.5", "01.5", "1e3", "1_0", "0x1", "5.",
    "'a'", '"b c"', "'x}}y'", "'é'", "'\\n'", "''", "é", " ", "\n", "\t"])
BLOCK = st.lists(TOKENS, max_size=8).map(lambda t: "{{ " + " ".join(t) + " }}")
SOUP = st.lists(st.one_of(BLOCK, st.sampled_from(
    ["x", " ", "{", "}}", "{{", "{%", "{#", "-}}", "{{-", "\r", "\n", "é", "'"])),
    min_size=1, max_size=4).map("".join)


def assert_same_reading(source: str) -> None:
    mine = fastrender.parse(source)
    if mine is None:
        return
    jinja = templating._jinja()
    tree = jinja.env.parse(source)  # raises if fastrender read something Jinja refuses
    assert fastrender.from_jinja(tree) == mine
    fast = templating._compile_fast(source)
    if fast is None:
        return
    slow = templating._compile_jinja(source)
    assert (fast.attributes, fast.variant_attrs, fast.uses_address) == \
        (slow.attributes, slow.variant_attrs, slow.uses_address)


@settings(max_examples=600, deadline=None)
@given(SOUP)
@example("{{ a if b else c if d else e }}")
@example("{{ not a in b }} {{ a not in b }} {{ (a) ~ b.c ~ d['e'] ~ f[0] }}")
@example("{{ variant.tone }}{{ vars.tone }} {{ variant['tone'] }}")
@example("{{ 'a' 'b' }}{{ x.0 }}{{ 1.5 }}{{ 1e3 }}")
def test_token_soup_reads_as_jinja_reads_it(source: str) -> None:
    assert_same_reading(source)


@settings(max_examples=400, deadline=None)
@given(TEMPLATES)
def test_substitutions_read_as_jinja_reads_them(source: str) -> None:
    assert_same_reading(source)


def test_the_benchmark_templates_are_read_without_jinja() -> None:
    for source in ["{{ brand }} {{ variant.tone }} {{ variant.angle }}"
                   "{{ title_edit if variant.tone == 't0' else '' }}",
                   "out/{{ address_slug }}.mp4", "{{ a ~ '-' ~ b['c'] }}"]:
        assert fastrender.parse(source) is not None
        assert templating._compile_fast(source) is not None
