"""Jinja2 in a sandbox: strings in, strings out, nothing else reachable.

Templates see only: the spec's `vars` (each also as a top-level name), `--var` and
`--var-file` values, `variant` (the expansion's values), `address` and `address_slug`.
There is no loader, so `include`/`import` fail, and no environment variables or files are
exposed. Attribute tricks (`''.__class__`) are refused by the sandbox.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.runtime import Context

from vidflow.spec import fastrender, sandbox

RESERVED = frozenset({"vars", "variant", "address", "address_slug"})

_env = sandbox.LimitedSandbox(undefined=StrictUndefined, autoescape=False,
                              keep_trailing_newline=True)
_GLOBALS = dict(_env.globals)


class TemplateProblem(Exception):
    """A template that cannot compile or render; `line` is 1-based within the template."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


@dataclass(frozen=True)
class Compiled:
    source: str
    template: Any
    attributes: dict[str, str]  # attribute → "object.attribute", to name undefined ones
    # What can differ between variants of one story: `variant` (via these attributes;
    # None when it is used any other way), `address`, `address_slug`. Equal values there
    # mean an equal result, so 10,000 variants render `{{ brand }} jar` once.
    variant_attrs: tuple[str, ...] | None = ()
    uses_address: tuple[str, ...] = ()
    fast: fastrender.Render | None = None  # substitutions, rendered without Jinja

    def result_key(self, variant: dict[str, Any], address: str, slug: str) -> Any:
        """A hashable key for this template's result in one variant (None: do not reuse).

        Equal keys must mean an equal result, so values are compared with their types
        where Python's == is looser than printing (1 == True == 1.0 print as 1, True and
        1.0); a float, a list or another value is not keyed at all."""
        if self.variant_attrs is None:
            return None
        parts = tuple(map(variant.get, self.variant_attrs, _MISSINGS))
        if not all(type(part) is str for part in parts):
            if not all(type(part) in _KEYED for part in parts):
                return None
            parts = tuple((type(part), part) for part in parts)
        key = (self.source, *parts)
        if self.uses_address:
            key += tuple(address if n == "address" else slug for n in self.uses_address)
        return key


_MISSING = object()
_MISSINGS = itertools.repeat(_MISSING)  # variant.get's default, for map()
# values whose type and == decide how they print (not float: 0.0 == -0.0)
_KEYED = frozenset({str, int, bool, type(None), object})


_cache: dict[str, Compiled] = {}


def compile_template(source: str) -> Compiled:
    """Compile once per distinct source (10,000 variants share one compiled template)."""
    hit = _cache.get(source)
    if hit is not None:
        return hit
    try:
        ast = _env.parse(source)
        template = _env.from_string(sandbox.guard_tree(_env.parse(source)))
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"template syntax error: {exc.message}", exc.lineno or 1) from exc
    attributes = {}
    variant_attrs: set[str] = set()
    for node in ast.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name):
            attributes[node.attr] = f"{node.node.name}.{node.attr}"
            if node.node.name == "variant":
                variant_attrs.add(node.attr)
    names = [n.name for n in ast.find_all(nodes.Name)]
    attr_only = names.count("variant") == sum(
        1 for node in ast.find_all(nodes.Getattr)
        if isinstance(node.node, nodes.Name) and node.node.name == "variant")
    compiled = Compiled(source, template, attributes,
                        tuple(sorted(variant_attrs)) if attr_only else None,
                        tuple(n for n in ("address", "address_slug") if n in names),
                        fastrender.compile_fast(ast))
    _cache[source] = compiled
    return compiled


_NO_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'")
_UNDEFINED = re.compile(r"'([^']+)' is undefined")


def start_load() -> None:
    """Call once per project load: every render after it shares one work budget."""
    sandbox.start_load()


def make_context(variables: dict[str, Any]) -> dict[str, Any]:
    """The names templates see, built once per variant and shared by its templates."""
    return {**_GLOBALS, **variables}


def render(compiled: Compiled, context: dict[str, Any]) -> str:
    """Render with a context from make_context. Jinja's own `render` would merge the
    globals into a fresh dict per call; with 10,000 variants that merge dominates."""
    template = compiled.template
    try:
        sandbox.start()
        if compiled.fast is not None:
            try:
                return compiled.fast(context)
            except fastrender.Fallback:
                sandbox.start()  # Jinja renders it again, from a fresh count
        ctx = Context(_env, context, None, template.blocks)
        return sandbox.capped_concat(template.root_render_func(ctx))
    except sandbox.LimitExceeded as exc:
        raise TemplateProblem(exc.message) from exc
    except RecursionError as exc:
        raise TemplateProblem("template error: a macro calls itself without end") from exc
    except SecurityError as exc:
        raise TemplateProblem(
            f"template refused by the sandbox: {str(exc).rstrip('.')}; templates may only use "
            "variables and filters") from exc
    except UndefinedError as exc:
        raise TemplateProblem(_undefined_message(compiled, str(exc)),
                              _line_of(compiled.source, exc)) from exc
    except TemplateError as exc:
        raise TemplateProblem(f"template error: {exc}") from exc
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise TemplateProblem(f"template error: {type(exc).__name__}: {exc}") from exc


def _undefined_message(compiled: Compiled, text: str) -> str:
    attr = _NO_ATTRIBUTE.search(text)
    if attr:
        name = compiled.attributes.get(attr.group(1), attr.group(1))
    else:
        plain = _UNDEFINED.search(text)
        name = plain.group(1) if plain else text
    fix = ("add the key to variants" if name.startswith("variant.")
           else f"define it under `vars:` or pass --var {name.split('.')[0]}=...")
    return f"undefined variable {name!r} ({fix})"


def _line_of(source: str, exc: Exception) -> int:
    """The template line of the first mention of the undefined name (1 if unknown)."""
    found = _NO_ATTRIBUTE.search(str(exc)) or _UNDEFINED.search(str(exc))
    if not found:
        return 1
    for number, line in enumerate(source.splitlines(), start=1):
        if found.group(1) in line:
            return number
    return 1
