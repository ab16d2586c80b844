"""Completing a project's addresses in the shell: from its lockfile and its specs' story
names, read cheaply (no templating), never failing (a broken project completes nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.shell_completion import CompletionItem

_MAX_SPEC_BYTES = 1_000_000  # completion must answer at once: big files are skipped


def addresses(ctx: click.Context, param: click.Parameter,
              incomplete: str) -> list[CompletionItem]:
    root = Path(str(ctx.params.get("path") or "."))
    root = root if root.is_dir() else root.parent
    names = _locked(root) | _declared(root)
    return [CompletionItem(n) for n in sorted(names) if n.startswith(incomplete)]


def _locked(root: Path) -> set[str]:
    from vidflow.state.lockfile import lockfile_path, read_lockfile

    try:
        return set(read_lockfile(lockfile_path(root)).entries)
    except Exception:  # no lockfile, or a broken one: nothing to offer
        return set()


def _declared(root: Path) -> set[str]:
    import yaml

    names: set[str] = set()
    for spec in sorted([*root.glob("*.yaml"), *root.glob("*.yml")]):
        try:
            if spec.stat().st_size > _MAX_SPEC_BYTES:
                continue
            doc: Any = yaml.safe_load(spec.read_text(encoding="utf-8"))
        except Exception:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("stories"), dict):
            names |= {str(name) for name in doc["stories"]}
    return names
