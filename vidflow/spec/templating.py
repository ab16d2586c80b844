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
from functools import cache
from types import SimpleNamespace
from typing import Any

from vidflow.spec import fastrender, sandbox

RESERVED = frozenset({"vars", "variant", "address", "address_slug"})


@cache
def _jinja() -> SimpleNamespace:
    """Jinja and the sandboxed environment, imported on first need: a template outside
    fastrender's subset, or one it hands back (~20 ms that a plan of plain substitutions
    never spends)."""
    from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
    from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
    from jinja2.runtime import Context

    from vidflow.spec.jinja_sandbox import LimitedSandbox, guard_tree

    env = LimitedSandbox(undefined=StrictUndefined, autoescape=False,
                         keep_trailing_newline=True)
    return SimpleNamespace(
        env=env, globals=dict(env.globals), nodes=nodes, Context=Context,
        guard_tree=guard_tree, TemplateSyntaxError=TemplateSyntaxError,
        SecurityError=SecurityError, TemplateError=TemplateError,
        UndefinedError=UndefinedError)


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
    compiled = _compile_fast(source) or _compile_jinja(source)
    _cache[source] = compiled
    return compiled


def _compile_fast(source: str) -> Compiled | None:
    """A substitution template read without Jinja (None: Jinja must read it). Its Jinja
    template is made only if a render ever needs it (see _template)."""
    parts = fastrender.parse(source)
    fast = fastrender.compile_or_none(parts) if parts is not None else None
    if fast is None:
        return None
    return _analysed(source, None, fastrender.walk(parts), fast)


def _compile_jinja(source: str) -> Compiled:
    jinja = _jinja()
    try:
        ast = jinja.env.parse(source)
        template = jinja.env.from_string(jinja.guard_tree(jinja.env.parse(source)))
    except jinja.TemplateSyntaxError as exc:
        raise TemplateProblem(f"template syntax error: {exc.message}", exc.lineno or 1) from exc
    nodes = jinja.nodes
    # Jinja's tree in fastrender's spelling: `name.attr` lookups, in find_all's order, and names
    walked: list[Any] = [("getattr", ("name", node.node.name), node.attr)
                         for node in ast.find_all(nodes.Getattr)
                         if isinstance(node.node, nodes.Name)]
    walked += [("name", node.name) for node in ast.find_all(nodes.Name)]
    return _analysed(source, template, walked, fastrender.compile_fast(ast))


def _analysed(source: str, template: Any, walked: list[Any],
              fast: fastrender.Render | None) -> Compiled:
    """The names a template reads, from its nodes in fastrender's spelling (walked in the
    order Jinja's find_all visits them, so the same attribute wins in `attributes`)."""
    attributes = {}
    variant_attrs: set[str] = set()
    on_variant = 0
    names = []
    for node in walked:
        if node[0] == "getattr" and node[1][0] == "name":
            attributes[node[2]] = f"{node[1][1]}.{node[2]}"
            if node[1][1] == "variant":
                variant_attrs.add(node[2])
                on_variant += 1
        elif node[0] == "name":
            names.append(node[1])
    attr_only = names.count("variant") == on_variant
    return Compiled(source, template, attributes,
                    tuple(sorted(variant_attrs)) if attr_only else None,
                    tuple(n for n in ("address", "address_slug") if n in names), fast)


_templates: dict[str, Any] = {}  # Jinja templates of fast-read sources, made on need


def _template(compiled: Compiled) -> Any:
    if compiled.template is not None:
        return compiled.template
    template = _templates.get(compiled.source)
    if template is None:
        jinja = _jinja()
        try:
            tree = jinja.guard_tree(jinja.env.parse(compiled.source))
            template = _templates[compiled.source] = jinja.env.from_string(tree)
        except jinja.TemplateSyntaxError as exc:  # fastrender reads only what Jinja does
            raise TemplateProblem(f"template syntax error: {exc.message}",
                                  exc.lineno or 1) from exc
    return template


_NO_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'")
_UNDEFINED = re.compile(r"'([^']+)' is undefined")


def start_load() -> None:
    """Call once per project load: every render after it shares one work budget."""
    sandbox.start_load()


def make_context(variables: dict[str, Any]) -> dict[str, Any]:
    """The names templates see, built once per variant and shared by its templates
    (Jinja's own globals, `range` and the like, join them when Jinja renders)."""
    return dict(variables)


def render(compiled: Compiled, context: dict[str, Any]) -> str:
    """Render with a context from make_context: fastrender's code when the template has
    it and the render stays in its subset, else Jinja, which words every problem."""
    if compiled.fast is not None:
        sandbox.start()
        try:
            return compiled.fast(context)
        except fastrender.Fallback:
            pass  # Jinja renders it again, from a fresh count
    return _render_jinja(compiled, context)


def _render_jinja(compiled: Compiled, context: dict[str, Any]) -> str:
    jinja = _jinja()
    try:
        sandbox.start()
        template = _template(compiled)
        # Jinja's own `render` would merge the globals into a fresh dict per call, as here
        ctx = jinja.Context(jinja.env, {**jinja.globals, **context}, None, template.blocks)
        return sandbox.capped_concat(template.root_render_func(ctx))
    except sandbox.LimitExceeded as exc:
        raise TemplateProblem(exc.message) from exc
    except RecursionError as exc:
        raise TemplateProblem("template error: a macro calls itself without end") from exc
    except jinja.SecurityError as exc:
        raise TemplateProblem(
            f"template refused by the sandbox: {str(exc).rstrip('.')}; templates may only use "
            "variables and filters") from exc
    except jinja.UndefinedError as exc:
        raise TemplateProblem(_undefined_message(compiled, str(exc)),
                              _line_of(compiled.source, exc)) from exc
    except jinja.TemplateError as exc:
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
