"""`python -m vidflow.engine.demo`: one idea → one real MP4 through the embedded engine.

For `make demo` until the `local` provider is wired into `vidflow apply`; prints progress
and, at the end, the path of the finished video. Exit 1 (with the story's message) on fail.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from vidflow import output
from vidflow.contract.params import DEFAULTS
from vidflow.engine.service import EngineConfig, StoryEngine
from vidflow.errors import VidflowError

DEFAULT_IDEA = "A fox and a rabbit share breakfast in a sunny meadow."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vidflow.engine.demo",
                                     description="Render one idea to an MP4, offline.")
    parser.add_argument("--idea", default=DEFAULT_IDEA)
    parser.add_argument("--scene-count", type=int, default=2)
    parser.add_argument("--aspect-ratio", default=DEFAULTS["aspect_ratio"])
    parser.add_argument("--transition", action="store_true")
    parser.add_argument("--data", type=Path, default=Path(".vidflow/engine"))
    parser.add_argument("--out", type=Path, default=Path("out/demo.mp4"))
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    try:
        with StoryEngine(EngineConfig(data_dir=args.data, scale=args.scale)) as engine:
            story = engine.idea_to_video(idea=args.idea, scene_count=args.scene_count,
                                         aspect_ratio=args.aspect_ratio,
                                         is_transition=args.transition, title="Demo")
            story = _follow(engine, story["id"])
            if story["status"] != "success":
                output.error(f"story {story['id']} failed: {story['message']}")
                return 1
            args.out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(engine.media_path(story["video_url"]), args.out)
    except VidflowError as exc:
        output.error(str(exc))
        return 1
    output.echo(f"Video: {args.out}")
    return 0


def _follow(engine: StoryEngine, story_id: str) -> dict:
    last = -1
    while True:
        story = engine.get_story(story_id)
        if story["progress_percentage"] != last:
            last = story["progress_percentage"]
            output.echo(f"{story['status']:>10} {last:3d}%")
        if story["status"] in ("success", "fail"):
            return story
        time.sleep(0.25)


if __name__ == "__main__":
    sys.exit(main())
