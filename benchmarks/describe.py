"""Print what `make demo` made: each video's path, duration, resolution and streams.

Reads the paths `vidflow output` prints (openable from the current folder) on stdin.
"""

from __future__ import annotations

import sys
from pathlib import Path

from vidflow.engine.stages.ffmpeg import probe


def describe(path: Path) -> str:
    info = probe(path)
    video = info.video
    streams = ", ".join(s.codec for s in info.streams)
    size = f"{video.width}x{video.height}" if video else "no video"
    return (f"{path}: {info.duration:.1f} s, {size}, {streams}, "
            f"{path.stat().st_size / 1e6:.1f} MB")


def main() -> int:
    for line in sys.stdin.read().splitlines():
        path = Path(line.strip())
        print(describe(path) if path.is_file() else f"{path}: not downloaded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
