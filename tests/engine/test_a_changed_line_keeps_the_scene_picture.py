"""A scene's picture is named by, and drawn from, what it shows: a new narration line
re-speaks the scene but never redraws it, and what a render wrote back into the board
(URLs, lengths) changes neither the picture's name nor its pixels."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from vidflow.engine.pipeline import Run, element_images, scene_images

SIZE = (96, 54)

BOARD: dict[str, Any] = {
    "characters": [{"name": "Fox", "description": "a small red fox"},
                   {"name": "Hare", "description": "a brown hare"}],
    "environments": [{"name": "Meadow", "description": "a snowy meadow at dawn"}],
    "objects": [{"name": "Lantern", "description": "an old brass lantern"}],
    "scenes": [
        {"name": "Dawn", "narrator": "The fox wakes.", "image_description": "a fox in snow",
         "elements": ["Fox", "Lantern"], "environment": "Meadow",
         "camera_movement": "zoom_in"},
        {"name": "Chase", "narrator": "The hare runs.", "image_description": "a hare runs",
         "elements": ["Fox", "Hare"], "environment": "Meadow",
         "camera_movement": "pan_left"},
    ],
}


def _pictures(folder: Path, board: dict[str, Any]) -> tuple[Run, list[Path]]:
    run = Run(story_dir=folder, size=SIZE, fps=10, preset="ultrafast", url_for=str,
              resolve=lambda url: None)
    return run, scene_images(run, board, element_images(run, board))


def test_a_new_narration_line_is_not_a_new_picture(tmp_path: Path) -> None:
    _, first = _pictures(tmp_path, copy.deepcopy(BOARD))
    board = copy.deepcopy(BOARD)
    board["scenes"][1]["narrator"] = "Outside, the first snow settles on the pines."
    run, again = _pictures(tmp_path, board)
    assert again == first
    assert [n for n in run.assets.produced if n.startswith("scene-")] == []


def test_a_new_description_is_a_new_picture(tmp_path: Path) -> None:
    """The opposite holds too: what the picture shows names it."""
    _, first = _pictures(tmp_path, copy.deepcopy(BOARD))
    board = copy.deepcopy(BOARD)
    board["scenes"][1]["image_description"] = "a hare rests under a pine"
    run, again = _pictures(tmp_path, board)
    assert again[0] == first[0] and again[1] != first[1]
    assert [n.split("-")[0] for n in run.assets.produced] == ["scene"]


def test_written_back_outputs_change_neither_name_nor_pixels(tmp_path: Path) -> None:
    _, first = _pictures(tmp_path, copy.deepcopy(BOARD))
    made = [p.read_bytes() for p in first]
    for path in first:
        path.unlink()
    board = copy.deepcopy(BOARD)
    for i, scene in enumerate(board["scenes"]):
        scene.update(image_url=f"/media/x/{i}.png", video_url=f"/media/x/{i}.mp4",
                     duration=3.5 + i, narration_duration=3.0)
    _, again = _pictures(tmp_path, board)
    assert again == first
    assert [p.read_bytes() for p in again] == made
