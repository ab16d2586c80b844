"""The Jinja half of the template sandbox (vidflow.spec.sandbox has the limits themselves):
the environment that applies them, and the syntax-tree rewrite routing loops, `~`,
literals and buffered text through them. Imported only when a template needs Jinja (a
plan whose templates are all substitutions renders them with vidflow.spec.fastrender).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import Environment, nodes
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from vidflow.spec.budgets import CALL_STEPS
from vidflow.spec.sandbox import (
    _VALUE_PARAMS,
    _bound,
    _check_binop,
    _check_call,
    _concat,
    _emit,
    _loop,
    _refuse_width,
    _step,
    _text,
    bounded_range,
    check_size,
)


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """`func` with its sizes checked first: any numeric parameter above MAX_LENGTH is
    refused (`batch(10**9, 'x')`, `center(10**9)`), iterators are drawn under the limit,
    the result bounded from the inputs, and its size checked after."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        lead = [a for a in args if isinstance(a, Context | EvalContext | Environment)]
        plain = [check_size(_bound(a)) for a in args[len(lead):]]
        if name not in _VALUE_PARAMS:
            for number in (*plain[1:], *kwargs.values()):
                if isinstance(number, int) and not isinstance(number, bool):
                    _refuse_width(number)
        _check_call(func, tuple(plain), kwargs)
        return check_size(func(*lead, *plain, **kwargs))

    for attr in ("jinja_pass_arg", "__name__"):
        if hasattr(func, attr):
            setattr(guarded, attr, getattr(func, attr))
    return guarded


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox with a work budget, size checks and a capped `range`. Immutable: no
    `list.extend` or `dict.update` (a list extended by itself in a loop doubles each time,
    and nothing a spec says needs to change a value in place)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        options.setdefault("finalize", _emit)
        super().__init__(**options)
        self.globals["range"] = bounded_range
        self.globals.pop("lipsum", None)  # lipsum(10**6): megabytes of filler text
        for name, func in list(self.filters.items()):
            self.filters[name] = _guarded_filter(name, func)
        # Reached from rewritten templates as `environment.<name>`: no user variable can
        # shadow them.
        self.vidflow_loop = _loop
        self.vidflow_concat = _concat
        self.vidflow_check = check_size
        self.vidflow_text = _text

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return check_size(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any,
             **kwargs: Any) -> Any:
        _step(CALL_STEPS)
        args = tuple(check_size(_bound(a)) for a in args)
        _check_call(__obj, args, kwargs)
        return check_size(super().call(__context, __obj, *args, **kwargs))


# Where output goes into a buffer (joined only at the end) rather than to the render's
# capped result: literal text there must be counted too.
_BUFFERED = (nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.AssignBlock)


def guard_tree(tree: nodes.Template) -> nodes.Template:
    """Route every loop's items, every `~`, every literal list/tuple/dict and the literal
    text inside macros and blocks through the environment's checks."""
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Call(nodes.EnvironmentAttribute("vidflow_loop"), [loop.iter], [],
                               None, None, lineno=loop.lineno)
    swaps: dict[int, nodes.Node] = {}
    for concat in tree.find_all(nodes.Concat):
        swaps[id(concat)] = nodes.Call(nodes.EnvironmentAttribute("vidflow_concat"),
                                       concat.nodes, [], None, None,
                                       lineno=concat.lineno)
    for literal in tree.find_all((nodes.List, nodes.Tuple, nodes.Dict)):
        if getattr(literal, "ctx", "load") != "load":
            continue  # an assignment target: `{% for a, b in ... %}`
        swaps[id(literal)] = nodes.Call(nodes.EnvironmentAttribute("vidflow_check"), [literal],
                                        [], None, None, lineno=literal.lineno)
    _replace(tree, swaps)
    seen: set[int] = set()
    for block in tree.find_all(_BUFFERED):
        for output in block.find_all(nodes.Output):
            if id(output) in seen:
                continue
            seen.add(id(output))
            output.nodes = [
                nodes.Call(nodes.EnvironmentAttribute("vidflow_text"),
                           [nodes.Const(child.data, lineno=child.lineno)], [], None, None,
                           lineno=child.lineno)
                if isinstance(child, nodes.TemplateData) else child
                for child in output.nodes]
    return tree


def _replace(tree: nodes.Node, swaps: dict[int, nodes.Node]) -> None:
    """Swap each node whose id is in `swaps` for its new node, wherever the tree holds it
    (as a field or in a list field); one pass over the tree, whatever the count."""
    for parent in [tree, *tree.find_all(nodes.Node)]:
        for field in parent.fields:
            value = getattr(parent, field, None)
            if isinstance(value, nodes.Node) and id(value) in swaps:
                setattr(parent, field, swaps[id(value)])
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if id(item) in swaps:
                        value[i] = swaps[id(item)]
