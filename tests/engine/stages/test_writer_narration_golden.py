"""The rule-based writer's narration for a few ideas, word for word, against a committed
golden file: a change to the writer's sentences shows up here as a reviewable diff.

To regenerate the golden file after an intended change to the writer, run:

    VIDFLOW_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest \
        tests/engine/stages/test_writer_narration_golden.py -q -p no:cacheprovider

then read `git diff tests/engine/stages/golden/narration.json` before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from vidflow.engine.stages.storyboard import write_storyboard

GOLDEN = Path(__file__).parent / "golden" / "narration.json"
IDEAS = [
    {"idea": "A fox and a rabbit share breakfast in a sunny meadow", "scene_count": 3},
    {"idea": "A fox and a rabbit share breakfast in a sunny meadow", "scene_count": 5},
    {"idea": "An ad for Lumo, a solar lantern that lights up camping nights",
     "scene_count": 3},
    {"idea": "A fun ski day: two friends race down snowy slopes, then they drink cocoa in "
             "a warm cabin", "scene_count": 4},
    {"idea": "A fun winter commercial for SkinRevive. A skier glides down snowy slopes at "
             "dawn. She rests in a cozy cabin and applies the cream. The jar shines at night.",
     "scene_count": 4},
    {"idea": "Un zorro y un conejo comparten el desayuno en un prado soleado",
     "scene_count": 3, "language": "Spanish"},
    {"idea": "Un renard et un lapin partagent le petit déjeuner dans une prairie",
     "scene_count": 3, "language": "French"},
]


def _narration() -> list[dict[str, object]]:
    out = []
    for case in IDEAS:
        board = write_storyboard(case["idea"], scene_count=case["scene_count"],
                                 language=case.get("language", "English"))
        out.append({**case, "narration": [s["narrator"] for s in board["scenes"]],
                    "objects": [o["name"] for o in board["objects"]]})
    return out


def test_the_writers_narration_matches_the_golden_file() -> None:
    got = _narration()
    if os.environ.get("VIDFLOW_REGENERATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n",
                          encoding="utf-8")
    assert got == json.loads(GOLDEN.read_text(encoding="utf-8"))
