"""Variant expansion with CI-matrix semantics, and the addresses variants get.

Like a GitHub Actions matrix: the cartesian product of `matrix`; `exclude` entries drop every
combination they match (partially); then each `include` entry extends every remaining
original combination it matches (it may overwrite keys added by an earlier include, never an
original matrix value), or, when it matches none, is added as a combination of its own.

A combination's *identity* (what its address shows) is its matrix values, or for a
combination added by `include`, all of that entry's values; keys an include only adds to
existing combinations are not part of the address, so adding such a key never renames them.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from typing import Any

from vidflow.spec.budgets import MAX_MATRIX_WORK, MAX_VARIANTS_PER_STORY

_FORBIDDEN = re.compile(r"[\[\],=\n]")


@dataclass
class Variant:
    identity: dict[str, Any]  # what the address shows
    values: dict[str, Any] = field(default_factory=dict)  # what `variant` holds in templates


@dataclass(frozen=True)
class VariantProblem:
    message: str
    path: tuple[str | int, ...]  # relative to the story's `variants`


def value_text(value: Any) -> str:
    """A variant value as the address writes it (YAML spelling for booleans/null)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def variant_address(name: str, identity: dict[str, Any]) -> str:
    if not identity:
        return name
    inner = ",".join(f"{k}={value_text(identity[k])}" for k in sorted(identity))
    return f"{name}[{inner}]"


def normalize_address(address: str) -> str:
    """`p[tone=fun,aspect_ratio=9:16]` → `p[aspect_ratio=9:16,tone=fun]`, as variants get."""
    name, sep, rest = address.partition("[")
    if not sep or not rest.endswith("]"):
        return address
    pairs = [part.partition("=") for part in rest[:-1].split(",")]
    return f"{name}[{','.join(f'{k}={v}' for k, _, v in sorted(pairs))}]"


def address_slug(address: str) -> str:
    """winter-promo[aspect_ratio=9:16,tone=fun] → winter-promo-aspect_ratio-9-16-tone-fun."""
    return _NOT_SLUG.sub("-", address.lower()).strip("-")


_NOT_SLUG = re.compile(r"[^a-z0-9_-]+")


def default_output(address: str, slug: str | None = None) -> str:
    """The spec's default `output` (rules.DEFAULT_OUTPUT, `out/{{ address_slug }}.mp4`)
    for `address`. A story name always gives a non-empty slug; "story" guards addresses
    built elsewhere (tests, older plans)."""
    return f"out/{(address_slug(address) if slug is None else slug) or 'story'}.mp4"


def _matches(combo: dict[str, Any], entry: dict[str, Any], keys: Any) -> bool:
    return all(combo.get(k) == v and _same_type(combo.get(k), v) for k, v in entry.items()
               if k in keys)


def _same_type(a: Any, b: Any) -> bool:
    # YAML `true` and `1` must not match each other (Python says True == 1).
    return isinstance(a, bool) == isinstance(b, bool)


def count(spec: dict[str, Any] | None) -> int:
    """How many variants `spec` can make at most, from the sizes alone (nothing built):
    the matrix's product (before `exclude`, which only removes) plus each `include`."""
    if not spec:
        return 1
    matrix = spec.get("matrix") or {}
    sizes = [len(v) if isinstance(v, list) else 1 for v in matrix.values()]
    includes = spec.get("include") or []
    total = (math.prod(sizes) if sizes else 0) + len(includes)
    return max(total, 1)


def too_costly(spec: dict[str, Any] | None) -> VariantProblem | None:
    """Why expanding `spec` is refused (too many variants, or too much matching), if so."""
    if not spec:
        return None
    most = count(spec)
    if most > MAX_VARIANTS_PER_STORY:
        sizes = "x".join(str(len(v)) if isinstance(v, list) else "1"
                         for v in (spec.get("matrix") or {}).values()) or "0"
        return VariantProblem(
            f"this matrix ({sizes}, plus {len(spec.get('include') or [])} include) makes up to "
            f"{most:,} variants; a story may have at most {MAX_VARIANTS_PER_STORY:,}",
            ("matrix",) if spec.get("matrix") else ())
    entries = len(spec.get("exclude") or []) + len(spec.get("include") or [])
    if most * entries > MAX_MATRIX_WORK:
        return VariantProblem(
            f"{entries:,} exclude/include entries over up to {most:,} combinations is too much "
            f"matching (over {MAX_MATRIX_WORK:,}); use fewer entries or a smaller matrix", ())
    return None


def expand(spec: dict[str, Any] | None) -> tuple[list[Variant], list[VariantProblem]]:
    """The variants of one story ([one empty variant] when it has none) and any problems.
    A matrix over the budgets gives no variants and that one problem, before building any."""
    if not spec:
        return [Variant({}, {})], []
    refused = too_costly(spec)
    if refused:
        return [], [refused]
    problems = _value_problems(spec)
    matrix: dict[str, list[Any]] = spec.get("matrix") or {}
    keys = list(matrix)
    combos = [dict(zip(keys, values, strict=True))
              for values in itertools.product(*matrix.values())] if keys else []
    product = combos
    for i, entry in enumerate(spec.get("exclude") or []):
        unknown = sorted(set(entry) - set(keys))
        if unknown:
            problems.append(VariantProblem(
                f"exclude names {', '.join(unknown)}, which is not a matrix key", ("exclude", i)))
            continue
        if not any(_matches(c, entry, keys) for c in product):
            problems.append(VariantProblem(
                "this exclude matches no combination of the matrix; fix or remove it",
                ("exclude", i)))
        combos = [c for c in combos if not _matches(c, entry, keys)]
    variants = [Variant(dict(c), dict(c)) for c in combos]
    original = len(variants)
    for entry in spec.get("include") or []:
        hits = [v for v in variants[:original] if _matches(v.identity, entry, keys)]
        for v in hits:
            v.values.update({k: val for k, val in entry.items() if k not in keys})
        if not hits:
            variants.append(Variant(dict(entry), dict(entry)))
    if not keys and not spec.get("include"):
        return [Variant({}, {})], problems
    return variants, problems


def _value_problems(spec: dict[str, Any]) -> list[VariantProblem]:
    problems = []
    for key, values in (spec.get("matrix") or {}).items():
        for i, value in enumerate(values):
            if isinstance(value, str) and (_FORBIDDEN.search(value) or not value):
                problems.append(VariantProblem(
                    "a variant value appears in the address, so it may not be empty or "
                    "contain '[', ']', ',', '=' or a newline", ("matrix", key, i)))
    for section in ("include", "exclude"):
        for i, entry in enumerate(spec.get(section) or []):
            for key, value in entry.items():
                if isinstance(value, str) and (_FORBIDDEN.search(value) or not value):
                    problems.append(VariantProblem(
                        "a variant value appears in the address, so it may not be empty or "
                        "contain '[', ']', ',', '=' or a newline", (section, i, key)))
    return problems
