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

`parse` reads such a template without Jinja (so a plan whose templates are all
substitutions never imports it); anything it does not know for certain is Jinja's
subset, `{% %}`, `{# #}`, filters, calls, arithmetic, whitespace control, escapes in
strings, it refuses, and Jinja parses the template as before. Both give the same tree
(tests/spec/test_fast_parse_matches_jinja.py): the code below is made from that tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from vidflow.spec import sandbox
from vidflow.spec.budgets import MAX_LENGTH

if TYPE_CHECKING:
    from jinja2 import nodes

Render = Callable[[dict[str, Any]], str]
# A template as a tree of tuples, the same for both parsers: ("data", text) at the top,
# and expressions ("name", n), ("const", v), ("getattr", node, attr), ("getitem", node,
# arg), ("concat", nodes), ("compare", node, ((op, node), ...)), ("not", node),
# ("and" | "or", left, right), ("cond", test, expr1, expr2 | None): Jinja's nodes, named
# and ordered as Jinja names and orders their fields.
Tree = tuple[Any, ...]


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
        elif kind in _PRINTABLE:
            size = sandbox.weight(value)  # what _emit counts for a number or a boolean
            value = str(value)
        else:
            raise Fallback
        texts.append(value)
        total += size
        if size > largest:
            largest = size
    sandbox.count_written(total, largest)
    return texts


def compile_fast(tree: nodes.Template) -> Render | None:
    """A renderer for `tree` (Jinja's parse of the template), or None outside the subset."""
    try:
        return compile_parts(from_jinja(tree))
    except _Outside:
        return None


def compile_or_none(parts: list[Tree]) -> Render | None:
    """compile_parts, or None when a part is outside the subset."""
    try:
        return compile_parts(parts)
    except _Outside:
        return None


def compile_parts(parts: list[Tree]) -> Render:
    """The renderer of a template's parts (see Tree); _Outside if one is not ours."""
    code = [(True, repr(part[1])) if part[0] == "data" else (False, _expr(part))
            for part in parts]
    # the printed values in order, then the text with each in its place
    values = [text for literal, text in code if not literal]
    pieces, index = [], 0
    for literal, text in code:
        pieces.append(text if literal else f"t[{index}]")
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


def from_jinja(tree: nodes.Template) -> list[Tree]:
    """Jinja's parse of a template as parts (see Tree); _Outside beyond the subset."""
    from jinja2 import nodes

    if not all(isinstance(node, nodes.Output) for node in tree.body):
        raise _Outside
    return [("data", child.data) if isinstance(child, nodes.TemplateData)
            else _from_node(child, nodes) for output in tree.body for child in output.nodes]


def _from_node(node: Any, nodes: Any) -> Tree:
    if isinstance(node, nodes.Name):
        if node.ctx != "load":
            raise _Outside
        return ("name", node.name)
    if isinstance(node, nodes.Const):
        return ("const", node.value)
    if isinstance(node, nodes.Getattr):
        return ("getattr", _from_node(node.node, nodes), node.attr)
    if isinstance(node, nodes.Getitem):
        return ("getitem", _from_node(node.node, nodes), _from_node(node.arg, nodes))
    if isinstance(node, nodes.Concat):
        return ("concat", tuple(_from_node(n, nodes) for n in node.nodes))
    if isinstance(node, nodes.Compare):
        return ("compare", _from_node(node.expr, nodes),
                tuple((op.op, _from_node(op.expr, nodes)) for op in node.ops))
    if isinstance(node, nodes.Not):
        return ("not", _from_node(node.node, nodes))
    if isinstance(node, nodes.And | nodes.Or):
        return ("and" if isinstance(node, nodes.And) else "or",
                _from_node(node.left, nodes), _from_node(node.right, nodes))
    if isinstance(node, nodes.CondExpr):
        return ("cond", _from_node(node.test, nodes), _from_node(node.expr1, nodes),
                None if node.expr2 is None else _from_node(node.expr2, nodes))
    raise _Outside


def walk(parts: list[Tree]) -> list[Tree]:
    """Every expression node, in the order Jinja's find_all visits them (a node, then
    its fields in order)."""
    out: list[Tree] = []

    def visit(node: Tree | None) -> None:
        if node is None:
            return
        out.append(node)
        kind = node[0]
        if kind in ("getattr", "not"):
            visit(node[1])
        elif kind in ("getitem", "and", "or"):
            visit(node[1])
            visit(node[2])
        elif kind == "concat":
            for child in node[1]:
                visit(child)
        elif kind == "compare":
            visit(node[1])
            for _, operand in node[2]:
                visit(operand)
        elif kind == "cond":
            for child in node[1:]:
                visit(child)

    for part in parts:
        if part[0] != "data":
            visit(part)
    return out


def _expr(node: Tree) -> str:
    kind = node[0]
    if kind == "name":
        if node[1] in _JINJA_NAMES:
            raise _Outside
        return f"c[{node[1]!r}]"
    if kind == "getattr":
        return _lookup(_expr(node[1]), node[2])
    if kind == "getitem":
        key = node[2]
        if key[0] != "const" or type(key[1]) not in (str, int):
            raise _Outside
        return _lookup(_expr(node[1]), key[1])
    if kind == "const":
        if type(node[1]) not in _PRINTABLE and node[1] is not None:
            raise _Outside
        return repr(node[1])
    if kind == "concat":
        return f"_cat({', '.join(_expr(n) for n in node[1])})"
    if kind == "compare":
        if any(op not in _COMPARE for op, _ in node[2]):
            raise _Outside
        chain = " ".join(f"{_COMPARE[op]} {_expr(operand)}" for op, operand in node[2])
        return f"({_expr(node[1])} {chain})"
    if kind == "not":
        return f"(not {_expr(node[1])})"
    if kind in ("and", "or"):
        return f"({_expr(node[1])} {kind} {_expr(node[2])})"
    if kind == "cond" and node[3] is not None:
        return f"({_expr(node[2])} if {_expr(node[1])} else {_expr(node[3])})"
    raise _Outside


def _lookup(obj: str, key: str | int) -> str:
    if isinstance(key, str) and (key in _DICT_ATTRS or key.startswith("_")):
        raise _Outside  # Jinja finds the method (or the sandbox refuses): not ours
    # A mapping's key or a sequence's item, as Jinja finds them; a string indexed by a
    # name raises TypeError, and Jinja's own lookup decides (its methods, say).
    return f"{obj}[{key!r}]"


# --- reading a substitution template without Jinja -------------------------------------

# Inside `{{ }}`, as Jinja's lexer reads the same characters, for the tokens kept here: a
# number followed by a letter, digit, '_' or '.' (1_000, 0x1, 1e5, 1.5.2) and a leading
# zero are left to Jinja, and so are strings with a backslash or a carriage return.
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<float>[0-9]+\.[0-9]+)(?![A-Za-z0-9_.])
  | (?P<int>0|[1-9][0-9]*)(?![A-Za-z0-9_.])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)(?![^\x00-\x7f])
  | (?P<str>'[^'\\\r]*'|"[^"\\\r]*")
  | (?P<op>}}|==|!=|<=|>=|<|>|~|\(|\)|\.|\[|\])
""", re.VERBOSE)
# Names the grammar gives a meaning; where a value is expected they are left to Jinja
_KEYWORDS = frozenset({"and", "or", "not", "in", "is", "if", "else"})
_CONSTANTS = {"true": True, "false": False, "True": True, "False": False, "none": None,
              "None": None}
_OPERATORS = {"==": "eq", "!=": "ne", "<": "lt", "<=": "lteq", ">": "gt", ">=": "gteq"}


class _Unknown(Exception):
    """Not certainly read as Jinja reads it: Jinja parses the template."""


def parse(source: str) -> list[Tree] | None:
    """The template's parts (see Tree), as Jinja parses them, or None when it is not a
    substitution template this reader knows for certain (Jinja then parses it)."""
    if "{%" in source or "{#" in source or "\r" in source:
        return None
    try:
        parts: list[Tree] = []
        position = 0
        while True:
            start = source.find("{{", position)
            if start < 0:
                if position < len(source):
                    parts.append(("data", source[position:]))
                return parts
            if start > position:
                parts.append(("data", source[position:start]))
            reader = _Reader(source, start + 2)
            parts.append(reader.expression())
            position = reader.end()
    except _Unknown:
        return None


class _Reader:
    """One `{{ ... }}`: a recursive descent in the order of Jinja's parser (condexpr, or,
    and, not, compare, concat, primary with its `.name` and `['key']`)."""

    def __init__(self, source: str, position: int) -> None:
        self.tokens: list[tuple[str, str]] = []
        while True:
            match = _TOKEN.match(source, position)
            if match is None:
                raise _Unknown  # a character Jinja would read otherwise (or refuse)
            position = match.end()
            kind = match.lastgroup or ""
            if kind == "ws":
                continue
            self.tokens.append((kind, match.group()))
            if match.group() == "}}" and kind == "op":
                break
        self.position = position
        self.index = 0

    def end(self) -> int:
        if self.tokens[self.index] != ("op", "}}"):
            raise _Unknown  # more after the expression: a filter, a test, a comma...
        return self.position

    def _peek(self, offset: int = 0) -> tuple[str, str]:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def _take(self, kind: str, text: str) -> bool:
        if self._peek() == (kind, text):
            self.index += 1
            return True
        return False

    def expression(self) -> Tree:
        node = self._or()
        while self._take("name", "if"):
            test = self._or()
            other = self.expression() if self._take("name", "else") else None
            node = ("cond", test, node, other)
        return node

    def _or(self) -> Tree:
        node = self._and()
        while self._take("name", "or"):
            node = ("or", node, self._and())
        return node

    def _and(self) -> Tree:
        node = self._not()
        while self._take("name", "and"):
            node = ("and", node, self._not())
        return node

    def _not(self) -> Tree:
        if self._take("name", "not"):
            return ("not", self._not())
        return self._compare()

    def _compare(self) -> Tree:
        node = self._concat()
        ops: list[tuple[str, Tree]] = []
        while True:
            kind, text = self._peek()
            if kind == "op" and text in _OPERATORS:
                self.index += 1
                ops.append((_OPERATORS[text], self._concat()))
            elif self._take("name", "in"):
                ops.append(("in", self._concat()))
            elif (kind, text) == ("name", "not") and self._peek(1) == ("name", "in"):
                self.index += 2
                ops.append(("notin", self._concat()))
            else:
                break
        return ("compare", node, tuple(ops)) if ops else node

    def _concat(self) -> Tree:
        nodes = [self._postfix()]
        while self._take("op", "~"):
            nodes.append(self._postfix())
        return nodes[0] if len(nodes) == 1 else ("concat", tuple(nodes))

    def _postfix(self) -> Tree:
        node = self._primary()
        while True:
            if self._take("op", "."):
                kind, text = self._peek()
                if kind != "name":
                    raise _Unknown  # `items.0`: Jinja's item lookup, left to it
                self.index += 1
                node = ("getattr", node, text)
            elif self._take("op", "["):
                key = self._primary()
                if key[0] != "const" or not self._take("op", "]"):
                    raise _Unknown  # an expression or a slice as the key
                node = ("getitem", node, key)
            elif self._peek() == ("op", "("):
                raise _Unknown  # a call
            else:
                return node

    def _primary(self) -> Tree:
        kind, text = self._peek()
        self.index += 1
        if kind == "name":
            if text in _CONSTANTS:
                return ("const", _CONSTANTS[text])
            if text in _KEYWORDS:
                raise _Unknown
            return ("name", text)
        if kind == "str":
            if self._peek()[0] == "str":
                raise _Unknown  # 'a' 'b': Jinja joins adjacent strings
            return ("const", text[1:-1])
        if kind == "int":
            return ("const", int(text))
        if kind == "float":
            return ("const", float(text))
        if (kind, text) == ("op", "("):
            node = self.expression()
            if not self._take("op", ")"):
                raise _Unknown  # a tuple, or unclosed
            return node
        raise _Unknown
