"""Substitution templates compiled to one Python expression, run without Jinja's runtime.

Most spec templates only substitute: `{{ brand }} {{ variant.tone }}`, a `~`, an
`x if variant.tone == 't0' else ''`. Through Jinja each render builds a Context, a
generator, and the sandbox's attribute lookup raises an AttributeError per `variant.tone`
before it finds the key: 6 to 15 µs, and a 100x100 matrix renders 20,000 per plan.

The subset: literal text; names; `name.key` and `name['key']`/`name[0]` (a mapping's own
methods and `_names` excluded); constants; `~`; comparisons; `not`, `and`, `or`;
`a if test else b`. Printed values must be strings, numbers or booleans. A template outside
it compiles to None; at render time anything unexpected (a missing name, a method, a list
printed, any exception) raises Fallback, and the caller renders with Jinja, which words
any problem. So the result is always Jinja's (tests/spec/test_fast_templates_match_jinja.py
checks it with hypothesis). Output passes the sandbox's write count, `~` its size checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import nodes

from vidflow.spec import sandbox
from vidflow.spec.budgets import MAX_LENGTH

Render = Callable[[dict[str, Any]], str]


class Fallback(Exception):
    """Not in the subset at this render: render with Jinja instead."""


_PRINTABLE = frozenset({str, int, float, bool})
_DICT_ATTRS = frozenset(dir(dict))
# Names Jinja gives a meaning of its own inside a template, whatever the context holds
_JINJA_NAMES = frozenset({"self", "loop", "caller", "varargs", "kwargs", "super"})
_COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "lteq": "<=", "gt": ">", "gteq": ">=",
            "in": "in", "notin": "not in"}


class _Outside(Exception):
    """The template uses something outside the subset."""


def _texts(values: tuple[Any, ...]) -> list[str]:
    """The printed values as text, as Jinja writes them (str(finalize(value))), or
    Fallback for a value of another type; the sandbox's write count taken once for them
    all (sandbox.count_written): one thread-local update per render, not one per value."""
    texts = []
    total = largest = 0
    for value in values:
        kind = type(value)
        if kind is str:
            size = len(value)
            texts.append(value)
        elif kind in _PRINTABLE:
            size = sandbox.weight(value)  # what _emit counts for a number or a boolean
            texts.append(str(value))
        else:
            raise Fallback
        total += size
        largest = max(largest, size)
    sandbox.count_written(total, largest)
    return texts


def compile_fast(tree: nodes.Template) -> Render | None:
    """A renderer for `tree` (Jinja's parse of the template), or None outside the subset."""
    if not all(isinstance(node, nodes.Output) for node in tree.body):
        return None
    try:
        parts = [_part(child) for output in tree.body for child in output.nodes]
    except _Outside:
        return None
    # the printed values in order, then the text with each in its place
    values = [code for literal, code in parts if not literal]
    pieces, index = [], 0
    for literal, code in parts:
        pieces.append(code if literal else f"t[{index}]")
        index += not literal
    namespace = {"_texts": _texts, "_cat": sandbox.guarded_concat, "Fallback": Fallback,
                 "MAX_LENGTH": MAX_LENGTH}
    # generated from the template's syntax tree; text and names enter only as repr().
    # Any exception (a missing name, a TypeError, a limit) and a text over MAX_LENGTH
    # are Fallback: Jinja renders the template again and words the problem.
    exec("def _render(c):\n"
         "    try:\n"
         f"        t = _texts(({''.join(v + ', ' for v in values)}))\n"
         f"        text = ''.join([{', '.join(pieces)}])\n"
         "    except Exception as exc:\n"
         "        raise Fallback from exc\n"
         "    if len(text) > MAX_LENGTH:\n"
         "        raise Fallback\n"
         "    return text\n", namespace)
    return namespace["_render"]


def _part(node: nodes.Node) -> tuple[bool, str]:
    """(True, a repr() literal) for template text, (False, its expression) for a value."""
    if isinstance(node, nodes.TemplateData):
        return True, repr(node.data)
    return False, _expr(node)


def _expr(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        if node.ctx != "load" or node.name in _JINJA_NAMES:
            raise _Outside
        return f"c[{node.name!r}]"
    if isinstance(node, nodes.Getattr):
        return _lookup(_expr(node.node), node.attr)
    if isinstance(node, nodes.Getitem):
        key = node.arg
        if not isinstance(key, nodes.Const) or type(key.value) not in (str, int):
            raise _Outside
        return _lookup(_expr(node.node), key.value)
    if isinstance(node, nodes.Const):
        if type(node.value) not in _PRINTABLE and node.value is not None:
            raise _Outside
        return repr(node.value)
    if isinstance(node, nodes.Concat):
        return f"_cat({', '.join(_expr(n) for n in node.nodes)})"
    if isinstance(node, nodes.Compare):
        if any(op.op not in _COMPARE for op in node.ops):
            raise _Outside
        chain = " ".join(f"{_COMPARE[op.op]} {_expr(op.expr)}" for op in node.ops)
        return f"({_expr(node.expr)} {chain})"
    if isinstance(node, nodes.Not):
        return f"(not {_expr(node.node)})"
    if isinstance(node, nodes.And | nodes.Or):
        word = "and" if isinstance(node, nodes.And) else "or"
        return f"({_expr(node.left)} {word} {_expr(node.right)})"
    if isinstance(node, nodes.CondExpr) and node.expr2 is not None:
        return (f"({_expr(node.expr1)} if {_expr(node.test)} "
                f"else {_expr(node.expr2)})")
    raise _Outside


def _lookup(obj: str, key: str | int) -> str:
    if isinstance(key, str) and (key in _DICT_ATTRS or key.startswith("_")):
        raise _Outside  # Jinja finds the method (or the sandbox refuses): not ours
    # A mapping's key or a sequence's item, as Jinja finds them; a string indexed by a
    # name raises TypeError, and Jinja's own lookup decides (its methods, say).
    return f"{obj}[{key!r}]"
