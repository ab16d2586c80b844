"""`python -m vidflow.server.openapi [PATH] [--check]`: write (or check) the committed
OpenAPI contract, `vidflow/schemas/story-api.openapi.json`, from the app itself.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from vidflow import schemas
from vidflow.server.app import create_app
from vidflow.server.auth import KeyRing

DEFAULT_PATH = schemas.source_path(schemas.OPENAPI)


def openapi_document() -> dict[str, Any]:
    return create_app(None, KeyRing.of([])).openapi()


def render(doc: dict[str, Any]) -> str:
    """Stable text: two-space indent, non-ASCII kept, newline at the end."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    path = Path(paths[0]) if paths else DEFAULT_PATH
    text = render(openapi_document())
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path} is out of date; run: python -m vidflow.server.openapi",
                  file=sys.stderr)
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
