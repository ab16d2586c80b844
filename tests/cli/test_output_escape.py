"""Terminal output escapes markup-like text, so a title prints letter for letter."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vidflow import output


@given(st.text(st.sampled_from("ab [/]=red@"), max_size=30).map(lambda t: t + "."))
def test_escape_keeps_markup_like_text_literal(text: str) -> None:
    printed = output.stdout.render_str(output.escape(text), markup=True).plain
    assert printed == text
