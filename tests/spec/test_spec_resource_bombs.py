"""Hostile specs, lockfiles and plans are refused fast and small, with one located error.

Each bomb runs `vidflow validate` / `vidflow plan` in a child process under a 1 GB address
space cap (a regression fails with a MemoryError instead of taking the machine down), and
the child's peak memory is read back from a wrapper's RUSAGE_CHILDREN.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

CAP_BYTES = 1024 * 1024 * 1024  # address space of the child (Python + vidflow ~ 300 MB)
MAX_RSS_MB = 300
MAX_SECONDS = 15  # generous: the machine is shared; each case takes well under 2 s alone
ROOT = Path(__file__).resolve().parents[2]

# Runs `python -m vidflow ARGS` capped, then prints the child's peak RSS (KB) on the last
# line of stderr. RUSAGE_CHILDREN of this wrapper covers only that one child.
_WRAPPER = """
import resource, subprocess, sys
cap = int(sys.argv[1])
def limit():
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
done = subprocess.run([sys.executable, "-m", "vidflow", *sys.argv[2:]], preexec_fn=limit,
                      capture_output=True, text=True)
sys.stdout.write(done.stdout)
sys.stderr.write(done.stderr)
sys.stderr.write("\\nMAXRSS %d\\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(done.returncode)
"""


def run_capped(folder: Path, *args: str) -> tuple[int, str, float, float]:
    """(exit code, output, seconds, peak RSS in MB) of `vidflow ARGS` in `folder`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    env.pop("CI", None)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _WRAPPER, str(CAP_BYTES), *args],
                          cwd=folder, env=env, capture_output=True, text=True,
                          timeout=120)
    seconds = time.monotonic() - start
    err, _, rss = done.stderr.rpartition("\nMAXRSS ")
    return done.returncode, done.stdout + err, seconds, int(rss) / 1024


def laughs(levels: int, width: int = 9) -> str:
    lines = ["version: 1", "vars:", "  a0: &a0 [lol]"]
    lines += [f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]"
              for i in range(1, levels + 1)]
    return "\n".join([*lines, "stories:", "  x: {idea: hi}", ""])


def _title(expr: str) -> str:
    return f"version: 1\nstories:\n  a:\n    idea: x\n    title: {json.dumps(expr)}\n"


TITLE = "videos.yaml:5:12: stories.a.title: "
SPEC_BOMBS = {
    "billion laughs": (laughs(7), "videos.yaml:8:", "more than 100,000 values"),
    "alias of a long string": (
        "version: 1\nvars:\n  a: &a " + "x" * 900_000 + "\n  b: [" + ", ".join(["*a"] * 20)
        + "]\n", "videos.yaml:4:", "once its aliases are expanded"),
    "matrix 10 keys x 10 values": (
        "version: 1\nstories:\n  a:\n    idea: x\n    variants:\n      matrix:\n"
        + "".join(f"        k{i}: [{', '.join(f'v{j}' for j in range(10))}]\n"
                  for i in range(10)),
        "videos.yaml:7:9: stories.a.variants.matrix: ", "10,000,000,000 variants"),
    "5,000-digit integer": (
        "version: 1\nstories:\n  a:\n    idea: x\n    scene_count: " + "9" * 5000 + "\n",
        "videos.yaml:5:18: stories.a.scene_count: ", "at most 100 digits"),
    "100-deep nesting": ("version: 1\nvars:\n  x: " + "[" * 100 + "]" * 100 + "\n",
                         "videos.yaml:3:", "nested more than 64 levels"),
    "%-format width": (_title("{{ '%99999999s' % 'x' }}"), TITLE, "100,000"),
    "%-format named width": (_title("{{ '%(a)99999999s' % {'a': 1} }}"), TITLE, "100,000"),
    "%-format many fields": (_title("{{ ('%99999s' * 11111) % ((1,) * 11111) }}"), TITLE,
                             "100,000"),
    "str.format width": (_title("{{ '{:>99999999}'.format('x') }}"), TITLE, "100,000"),
    "str.format one argument many times": (_title("{{ ('{0}' * 30000).format('x' * 99999) }}"),
                                           TITLE, "100,000"),
    "format filter": (_title("{{ '%99999999d'|format(1) }}"), TITLE, "100,000"),
    "string repetition": (_title('{{ "x" * 10**8 }}'), TITLE, "100,000"),
    "list repetition of a long string": (_title("{{ ['x' * 99999] * 99999 }}"), TITLE,
                                         "100,000"),
    "~ doubling in a loop": (
        _title("{% set ns = namespace(v='x' * 999) %}{% for i in range(99) %}"
               "{% set ns.v = ns.v ~ ns.v %}{% endfor %}{{ ns.v|length }}"), TITLE, "100,000"),
    "+ doubling in a loop": (
        _title("{% set ns = namespace(v='x' * 999) %}{% for i in range(99) %}"
               "{% set ns.v = ns.v + ns.v %}{% endfor %}{{ ns.v|length }}"), TITLE, "100,000"),
    "wordwrap": (_title("{{ ('x' * 99999)|wordwrap(1, true, '\\n' * 1000) }}"), TITLE,
                 "100,000"),
    "tojson": (_title("{{ (['x' * 99999] * 10000)|tojson }}"), TITLE, "100,000"),
    "tojson indent": (_title("{{ range(9999)|list|tojson(99999) }}"), TITLE, "100,000"),
    "pprint": (_title("{{ (['x' * 99999] * 1000)|pprint }}"), TITLE, "100,000"),
    "center": (_title("{{ 'x'|center(99999999) }}"), TITLE, "100,000"),
    "indent": (_title("{{ ('x\\n' * 50000)|indent(99999) }}"), TITLE, "100,000"),
    "join of a generator": (_title("{{ range(9999)|map('center', 99999)|join }}"), TITLE,
                            "100,000"),
    "expandtabs": (_title("{{ ('\\t' * 99999).expandtabs(99999) }}"), TITLE, "100,000"),
    "translate": (_title("{{ ('x' * 99999).translate({120: 'y' * 99999}) }}"), TITLE,
                  "100,000"),
    "bytes repetition": (_title("{{ 'x'.encode() * 10**9 }}"), TITLE, "100,000"),
    "macro buffer": (
        _title("{% macro m() %}{% for i in range(10000) %}{{ 'x' * 99999 }}{% endfor %}"
               "{% endmacro %}{{ m()|length }}"), TITLE, "1,000,000 characters"),
    "set block of literal text": (
        _title("{% set x %}{% for i in range(10000) %}{% for j in range(99) %}"
               + "LITERAL" * 20 + "{% endfor %}{% endfor %}{% endset %}{{ x|length }}"),
        TITLE, "1,000,000 characters"),
    "batch fill": (_title("{% for b in range(9999)|batch(99999, 'x' * 99999) %}{{ b }}"
                          "{% endfor %}"), TITLE, "100,000"),
}


@pytest.mark.parametrize("name", sorted(SPEC_BOMBS))
def test_spec_bomb_is_one_located_error(tmp_path: Path, name: str) -> None:
    text, where, fragment = SPEC_BOMBS[name]
    (tmp_path / "videos.yaml").write_text(text, encoding="utf-8")
    code, out, seconds, rss = run_capped(tmp_path, "validate")
    assert code == 1, out
    problems = [line for line in out.splitlines() if line.startswith("videos.yaml:")]
    assert len(problems) == 1, out
    assert problems[0].startswith(where), out
    assert fragment in problems[0], out
    assert "Traceback" not in out and "unexpected error" not in out
    assert seconds < MAX_SECONDS
    assert rss < MAX_RSS_MB, f"{name}: {rss:.0f} MB"


def test_huge_spec_file_is_refused_before_reading(tmp_path: Path) -> None:
    with (tmp_path / "videos.yaml").open("w", encoding="utf-8") as handle:
        handle.write("version: 1\nvars:\n")
        line = f"  v: [{', '.join(['abcdefgh'] * 50)}]\n"
        for i in range(90_000):
            handle.write(line.replace("v:", f"v{i}:"))
    code, out, seconds, rss = run_capped(tmp_path, "validate")
    assert code == 1, out
    assert "videos.yaml:1:1: the file is 45,978,907 bytes" in out
    assert "at most 2,097,152 bytes" in out
    assert seconds < MAX_SECONDS and rss < MAX_RSS_MB


SPEC = "version: 1\nstories:\n  a: {idea: x}\n"


def _lock(**fields: str) -> str:
    text = '{"version": 1, "serial": 1, "lineage": "l", "entries": {}'
    return text + "".join(f', "{k}": {v}' for k, v in fields.items()) + "}"


ENTRY = ('{"a": {"story_id": "s", "provider": "local", "mode": "idea", "fingerprint": "f", '
         '"storyboard_fingerprint": null, "title": "", "description": "", '
         '"visibility_status": "0", "status": "success", "params": {"x": %s}}}')
LOCK_BOMBS = {
    "100,000 deep": ("[" * 100_000 + "]" * 100_000, "nested deeper than 64 levels"),
    "deep params": ('{"version": 1, "serial": 1, "lineage": "l", "entries": '
                    + ENTRY % ("[" * 900 + "]" * 900) + "}", "nested deeper than 64 levels"),
    "deep top-level field": (_lock(serial="[" * 900 + "]" * 900)
                             .replace('"serial": 1, ', ""), "nested deeper than 64 levels"),
    "5,000-digit integer": (_lock().replace('"serial": 1', '"serial": ' + "9" * 5000),
                            "4300 digits"),
}


@pytest.mark.parametrize("name", sorted(LOCK_BOMBS))
def test_hostile_lockfile_is_a_corrupt_lockfile_error(tmp_path: Path, name: str) -> None:
    text, fragment = LOCK_BOMBS[name]
    (tmp_path / "videos.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "vidflow.lock").write_text(text, encoding="utf-8")
    code, out, seconds, rss = run_capped(tmp_path, "plan", "--no-refresh")
    assert code == 1, out
    assert "vidflow.lock: the lockfile is not valid JSON" in out, out
    assert fragment in out, out
    assert "Traceback" not in out and "unexpected error" not in out
    assert seconds < MAX_SECONDS and rss < MAX_RSS_MB
