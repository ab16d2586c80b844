"""The grid lays a story's variants out by their keys: rows by the first, columns by the
others."""

from __future__ import annotations

from vidflow.gallery.model import Card, groups, variant_of


def card(address: str) -> Card:
    return Card(address=address, slug=address, name=address.split("[")[0],
                variant=variant_of(address), title="", status="success", credits="1",
                plan_state="in sync", in_sync=True, source="videos.yaml:3")


def test_two_keys_make_rows_and_columns() -> None:
    """tone x aspect_ratio: two rows (aspect_ratio), two columns (tone), four cells."""
    (group,) = groups([card(f"p[aspect_ratio={a},tone={t}]")
                       for a in ("9:16", "16:9") for t in ("fun", "calm")])
    assert group.row_key == "aspect_ratio" and group.column_keys == ("tone",)
    assert group.rows == ("16:9", "9:16")
    assert group.columns == ("tone=calm", "tone=fun")
    assert group.cells[("9:16", "tone=fun")].address == "p[aspect_ratio=9:16,tone=fun]"


def test_an_excluded_combination_leaves_a_hole() -> None:
    """Three of four combinations: the fourth cell is absent, not another variant."""
    (group,) = groups([card("p[a=1,b=x]"), card("p[a=1,b=y]"), card("p[a=2,b=x]")])
    assert len(group.cells) == 3 and ("2", "b=y") not in group.cells


def test_one_key_is_one_row_and_no_key_one_cell() -> None:
    one, plain = groups([card("p[tone=fun]"), card("p[tone=calm]"), card("q")])
    assert one.rows == ("",) and one.columns == ("tone=calm", "tone=fun")
    assert plain.rows == ("",) and plain.columns == ("",) and len(plain.cells) == 1


def test_three_keys_put_two_in_the_columns() -> None:
    (group,) = groups([card(f"p[a={a},b={b},c={c}]")
                       for a in "12" for b in "xy" for c in "uv"])
    assert group.row_key == "a" and group.column_keys == ("b", "c")
    assert len(group.columns) == 4 and len(group.cells) == 8
