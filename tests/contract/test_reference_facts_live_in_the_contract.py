"""Each enum value of the Story API is spelled in `vidflow/contract/` only; every other module
imports it (docstrings may mention values, code may not)."""

from __future__ import annotations

import ast
from pathlib import Path

from vidflow.contract import enums
from vidflow.contract.storyboard import ELEMENT_KINDS

PACKAGE = Path(__file__).resolve().parents[2] / "vidflow"
GENERIC = {"Auto", "5", "10", "0", "1", "2"}  # too common to be the reference's by accident
DISTINCT = (set(enums.NARRATORS) | set(enums.IMAGE_OPTIONS) | set(enums.IMAGE_TOOLS)
            | set(enums.VIDEO_TOOLS) | set(enums.MOTION_TYPES) | set(enums.LANGUAGES)
            | set(enums.ASPECT_RATIOS)) - GENERIC


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            ids.add(id(body[0].value))
    return ids


def _spellings() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "contract" in path.relative_to(PACKAGE).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in DISTINCT \
                    and id(node) not in docs:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value!r}")
            if isinstance(node, ast.Tuple | ast.List) and {
                    e.value for e in node.elts if isinstance(e, ast.Constant)
            } >= set(ELEMENT_KINDS):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: element kinds")
    return found


def test_no_module_outside_the_contract_spells_a_reference_enum() -> None:
    assert _spellings() == []


def test_the_scan_finds_a_spelling(tmp_path: Path, monkeypatch) -> None:
    """The scan itself works: a module spelling a narrator is reported."""
    (tmp_path / "mod.py").write_text('VOICE = "Rachel"\nKINDS = ("characters", "objects", '
                                     '"environments")\n')
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path)
    assert _spellings() == ["mod.py:1: 'Rachel'", "mod.py:2: element kinds"]
