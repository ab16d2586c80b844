"""Benchmarks time vidflow as an installed package runs: with its bytecode compiled.

pip compiles a wheel's modules when it installs them; an editable checkout compiles each
module on first import, unless PYTHONDONTWRITEBYTECODE is set (CI images often set it),
when every command would compile every changed module again (0.05 s and more a run).
"""

from __future__ import annotations

import compileall
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def compile_package() -> None:
    """Write vidflow's bytecode, as `pip install` does (py_compile writes it whatever
    PYTHONDONTWRITEBYTECODE says; only the import system obeys that)."""
    if not compileall.compile_dir(ROOT / "vidflow", quiet=1):
        raise SystemExit("vidflow's modules did not compile")
