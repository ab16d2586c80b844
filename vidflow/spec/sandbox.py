"""Limits on what one template render may cost, so a spec cannot hang or exhaust `validate`.

Jinja2's SandboxedEnvironment stops attribute tricks but not work: two nested
`range(99999)` loops run for hours, and `'x' * 10**10` or a string doubled in a loop eats
all memory. Here every render gets a budget of steps (loop iterations and calls), `range`
is capped, and every operation that can grow a string or a number checks the size it
would produce *before* producing it. Loops and `~` are routed through checks by rewriting
the template's syntax tree (`guard_tree`), since Jinja has no hook for them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import Environment, nodes
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_RANGE = 10_000  # items in one range()
MAX_LENGTH = 100_000  # characters (or items) of any value a template makes, and its result
MAX_STEPS = 1_000_000  # loop iterations + calls in one render (about a second of work)
MAX_TOTAL_STEPS = 20_000_000  # ... and in all renders of one load (10,000 variants)
CALL_STEPS = 10  # a call (a macro's above all) costs about ten loop iterations
MAX_INT_BITS = 4096  # numbers beyond ~10**1200 are no spec's business

# Functions/filters whose numeric arguments are widths (`'x'.center(10**9)`) and whose
# strings can multiply (`s.replace('x', s)`): checked before they run.
_WIDTHS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
# Filters whose numeric parameters are values, not sizes: not held to MAX_LENGTH.
_VALUE_PARAMS = frozenset({"default", "d", "int", "float", "round", "abs", "replace",
                           "filesizeformat", "sum", "min", "max"})
_FORMATS = frozenset({"format", "format_map", "do_format"})
# Widths and precisions inside a %-format or a {}-format.
_FORMAT_SPEC = re.compile(r"%[-#0 +]*(\d*)(?:\.(\d*))?|\{[^{}]*?:[^{}\d]*(\d*)(?:\.(\d*))?")


class LimitExceeded(Exception):
    """A template asked for more than the limits allow; `message` says which and the fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_state = threading.local()


def start_load() -> None:
    """A fresh budget for all the renders of one project load (on this thread)."""
    _state.total = MAX_TOTAL_STEPS


def start() -> None:
    """A fresh step budget for the render about to run (on this thread)."""
    _state.steps = MAX_STEPS
    _state.total = getattr(_state, "total", MAX_TOTAL_STEPS)


def _step(count: int = 1) -> None:
    _state.steps = getattr(_state, "steps", MAX_STEPS) - count
    _state.total = getattr(_state, "total", MAX_TOTAL_STEPS) - count
    if _state.steps < 0:
        raise LimitExceeded(f"the template does too much work (over {MAX_STEPS:,} loop "
                            "steps and calls); simplify it")
    if _state.total < 0:
        raise LimitExceeded(f"the templates do too much work in all (over "
                            f"{MAX_TOTAL_STEPS:,} loop steps and calls across every "
                            "variant); simplify them")


def _too_long(size: int) -> None:
    if size > MAX_LENGTH:
        raise LimitExceeded(f"the template would make a value of {size:,} characters or "
                            f"items; the limit is {MAX_LENGTH:,}")


def check_size(value: Any) -> Any:
    if isinstance(value, str | list | tuple | dict | set):
        _too_long(len(value))
    elif isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise LimitExceeded(f"the template made a number of {value.bit_length():,} bits; "
                            "use smaller numbers")
    return value


def bounded_range(*args: int) -> range:
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise LimitExceeded(f"range() of {len(rng):,} items; templates may use at most "
                            f"{MAX_RANGE:,}")
    return rng


def _loop(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _step()
        yield item


def _concat(*parts: Any) -> str:
    texts = [str(part) for part in parts]
    _too_long(sum(len(text) for text in texts))
    return "".join(texts)


def _sized(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple) else 0


def _check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "*":
        count = right if isinstance(left, str | list | tuple) else left
        seq = left if isinstance(left, str | list | tuple) else right
        if isinstance(seq, str | list | tuple) and isinstance(count, int):
            _too_long(len(seq) * max(count, 0))
        elif isinstance(left, int) and isinstance(right, int) and \
                left.bit_length() + right.bit_length() > MAX_INT_BITS:
            check_size(1 << (MAX_INT_BITS + 1))
    elif operator == "**" and isinstance(left, int) and isinstance(right, int):
        if abs(left) > 1 and right > 0 and left.bit_length() * right > MAX_INT_BITS:
            check_size(1 << (MAX_INT_BITS + 1))
    elif operator == "+":
        _too_long(_sized(left) + _sized(right))
    elif operator == "%" and isinstance(left, str):
        _check_widths(left, right if isinstance(right, tuple) else (right,))


def _check_widths(template: Any, args: Iterable[Any]) -> None:
    """Refuse a width, precision or count above MAX_LENGTH, in the format or the args."""
    numbers = [int(n) for found in _FORMAT_SPEC.findall(template) for n in found if n] \
        if isinstance(template, str) else []
    numbers += [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
    if any(n > MAX_LENGTH for n in numbers):
        raise LimitExceeded(f"a width or count above {MAX_LENGTH:,} in a template; use a "
                            "smaller number")


def _check_call(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    func = getattr(func, "__wrapped__", func)  # the sandbox wraps str.format
    name = getattr(func, "__name__", "")
    owner = getattr(func, "__self__", None)
    if name in _WIDTHS:
        _check_widths("", (*args, *kwargs.values()))
    elif name in _FORMATS:
        template = owner if isinstance(owner, str) else (args[0] if args else "")
        _check_widths(template, (*args, *kwargs.values()))
    elif name in ("replace", "do_replace"):
        text, rest = (owner, args) if isinstance(owner, str) else (args[0] if args else "",
                                                                   args[1:])
        if len(rest) >= 2 and all(isinstance(x, str) for x in (text, *rest[:2])):
            old, new = rest[0], rest[1]
            hits = text.count(old) if old else len(text) + 1
            _too_long(len(text) + hits * max(len(new) - len(old), 0))
    elif name in ("join", "do_join", "sync_do_join"):
        sep = owner if isinstance(owner, str) else kwargs.get("d", args[1] if len(args) > 1
                                                              else "")
        items = args[0] if args else ()
        if hasattr(items, "__len__") and isinstance(sep, str):
            parts = sum(_sized(i) or 20 for i in items) \
                if isinstance(items, list | tuple) else 20 * len(items)
            _too_long(len(items) * len(sep) + parts)
    elif name in ("indent", "do_indent") and args and isinstance(args[0], str):
        width = kwargs.get("width", args[1] if len(args) > 1 else 4)
        pad = width if isinstance(width, int) else len(str(width))
        _too_long(len(args[0]) + pad * (args[0].count("\n") + 1))


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """`func` with its sizes checked first: any numeric parameter above MAX_LENGTH is
    refused (`batch(10**9, 'x')`, `center(10**9)`), and the result's size after."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        plain = [a for a in args if not isinstance(a, Context | EvalContext | Environment)]
        if name not in _VALUE_PARAMS:
            _check_widths("", (*plain[1:], *kwargs.values()))
        _check_call(func, tuple(plain), kwargs)
        return check_size(func(*args, **kwargs))

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
        super().__init__(**options)
        self.globals["range"] = bounded_range
        self.globals.pop("lipsum", None)  # lipsum(10**6): megabytes of filler text
        for name, func in list(self.filters.items()):
            self.filters[name] = _guarded_filter(name, func)
        # Reached from rewritten templates as `environment.<name>`: no user variable can
        # shadow them.
        self.vidflow_loop = _loop
        self.vidflow_concat = _concat

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return check_size(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any,
             **kwargs: Any) -> Any:
        _step(CALL_STEPS)
        _check_call(__obj, args, kwargs)
        return check_size(super().call(__context, __obj, *args, **kwargs))


def guard_tree(tree: nodes.Template) -> nodes.Template:
    """Route every loop's items and every `~` through the environment's checks."""
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Call(nodes.EnvironmentAttribute("vidflow_loop"), [loop.iter], [],
                               None, None, lineno=loop.lineno)
    for concat in list(tree.find_all(nodes.Concat)):
        call = nodes.Call(nodes.EnvironmentAttribute("vidflow_concat"), list(concat.nodes),
                          [], None, None, lineno=concat.lineno)
        _replace(tree, concat, call)
    return tree


def _replace(tree: nodes.Node, old: nodes.Node, new: nodes.Node) -> None:
    """Swap `old` for `new` wherever the tree holds it (as a field or in a list field)."""
    for parent in [tree, *tree.find_all(nodes.Node)]:
        for field in parent.fields:
            value = getattr(parent, field, None)
            if value is old:
                setattr(parent, field, new)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new


def capped_concat(chunks: Iterable[str]) -> str:
    """A render's output chunks joined, refusing a result over MAX_LENGTH."""
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_LENGTH:
            raise LimitExceeded(f"the template renders to more than {MAX_LENGTH:,} "
                                "characters; shorten it")
        out.append(chunk)
    return "".join(out)
