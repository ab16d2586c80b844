"""Element labels never overlap and never leave the frame, however many and however long."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from vidflow.engine.stages.images import label_boxes, render_scene
from vidflow.engine.stages.labels import Wish, overlaps, place_labels

MARGIN, GAP = 2, 2


@st.composite
def layouts(draw: st.DrawFn) -> tuple[tuple[int, int], list[Wish]]:
    width, height = draw(st.integers(32, 1280)), draw(st.integers(32, 1280))
    wish = st.builds(Wish, st.integers(1, width), st.integers(1, max(1, height // 2)),
                     st.integers(-50, width + 50), st.integers(-50, height + 50))
    return (width, height), draw(st.lists(wish, max_size=14))


def _inside(box: tuple[int, int, int, int], size: tuple[int, int]) -> bool:
    return MARGIN <= box[0] < box[2] <= size[0] - MARGIN and \
        MARGIN <= box[1] < box[3] <= size[1] - MARGIN


@settings(max_examples=300, deadline=None, derandomize=True)
@given(layouts())
def test_no_two_labels_overlap_and_all_stay_in_the_frame(layout) -> None:
    size, wishes = layout
    boxes = place_labels(wishes, size, margin=MARGIN, gap=GAP)
    assert len(boxes) == len(wishes)
    placed = [b for b in boxes if b is not None]
    for box, wish in zip(boxes, wishes, strict=True):
        if box is not None:
            assert _inside(box, size)
            assert (box[2] - box[0], box[3] - box[1]) == (wish.width, wish.height)
    for a, b in itertools.combinations(placed, 2):
        assert not overlaps(a, b), (a, b)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(layouts())
def test_labels_that_fit_side_by_side_are_all_placed(layout) -> None:
    """Room for all in one row (widths and gaps within the frame) → none is left out."""
    size, wishes = layout
    if sum(w.width + 2 * GAP for w in wishes) > size[0] - 2 * MARGIN or any(
            w.height > size[1] - 2 * MARGIN for w in wishes):
        return
    assert all(place_labels(wishes, size, margin=MARGIN, gap=GAP))


def test_a_crowded_narrow_scene_draws_every_label_apart(tmp_path) -> None:
    """Eight long names in a 9:16 frame: slots are narrower than the names, yet the labels
    the scene draws do not overlap and stay in frame."""
    names = [f"Character number {i} with a long name" for i in range(8)]
    board = {"characters": [{"name": n, "description": "a hiker"} for n in names],
             "environments": [{"name": "Meadow", "description": "a sunny meadow"}],
             "objects": []}
    scene = {"name": "Crowd", "image_description": "A crowd in a meadow.", "narrator": "",
             "camera_movement": "zoom_in", "elements": names, "environment": "Meadow"}
    size = (180, 320)
    boxes = label_boxes(scene, board, size)
    assert len(boxes) == 8
    placed = [b for b in boxes if b is not None]
    assert placed, "some labels are drawn"
    assert all(_inside(b, size) for b in placed)
    assert not any(overlaps(a, b) for a, b in itertools.combinations(placed, 2))
    render_scene(scene, board, size, tmp_path / "crowd.png")  # and the scene renders
    assert (tmp_path / "crowd.png").stat().st_size > 0
