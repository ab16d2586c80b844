"""Limits on what one template render may cost, so a spec cannot hang or exhaust `validate`.

Jinja2's SandboxedEnvironment stops attribute tricks but not work: two nested
`range(99999)` loops run for hours, and `'x' * 10**10` or a string doubled in a loop eats
all memory. Here every render gets a budget of steps (loop iterations and calls), `range`
is capped, and every operation that can grow a value checks the size it would produce
*before* producing it:

- a value's size is its `weight`: the characters it prints as, about (strings' lengths,
  numbers' digits, one per item), so `['x' * 99999] * 99999` is 10**10, not 99,999 items;
- `*`, `+`, `%` (call_binop), every call and every filter (call, the filter wrappers) bound
  their result from their inputs first, so the result exists only if it is small: a
  bound is within about ten times the true size, and the result is then held to
  MAX_LENGTH exactly. Format strings are read field by field (width, precision, the
  argument each field prints); widths and counts above MAX_LENGTH are refused outright;
- an iterator handed to a filter (`map(...)|join`) is drawn into a list under the same
  limit, since its size is unknown until drawn;
- everything written to the output (`finalize`) counts against MAX_BUFFERED per render,
  which bounds the buffers of macros, `{% set %}` blocks and filter blocks, and literal
  text inside them is routed through the same count;
- literal lists, tuples and dicts in a template are weighed as they are made.

Loops, `~` and literals are routed through checks by rewriting the template's syntax tree
(`guard_tree`), since Jinja has no hook for them. The numbers are in vidflow.spec.budgets.
"""

from __future__ import annotations

import re
import string
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from vidflow.spec.budgets import (
    MAX_BUFFERED,
    MAX_INT_BITS,
    MAX_LENGTH,
    MAX_RANGE,
    MAX_STEPS,
    MAX_TOTAL_STEPS,
)

# Filters whose numeric parameters are values, not sizes: not held to MAX_LENGTH.
_VALUE_PARAMS = frozenset({"default", "d", "int", "float", "round", "abs", "replace",
                           "filesizeformat", "sum", "min", "max"})
_PERCENT = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.S)
_DIGITS = re.compile(r"\d+")
_SIZED = (str, bytes, bytearray, list, tuple)


class LimitExceeded(Exception):
    """A template asked for more than the limits allow; `message` says which and the fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_state = threading.local()


def start_load() -> None:
    """A fresh budget for all the renders of one project load (on this thread)."""
    _state.total = MAX_TOTAL_STEPS
    _state.written = 0


def start() -> None:
    """A fresh step budget for the render about to run (on this thread)."""
    _state.steps = MAX_STEPS
    _state.total = getattr(_state, "total", MAX_TOTAL_STEPS)
    _state.written = 0


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


def weight(value: Any, limit: int = MAX_LENGTH) -> int:
    """About how many characters `value` prints as: strings' lengths, numbers' digits and
    one per item, nested containers included. Counting stops once past `limit` (so it
    costs at most ~limit item visits, charged to the step budget)."""
    kind = type(value)
    if kind is str or kind is bytes:
        return len(value)
    total = 0
    stack = [value]
    visits = 0
    while stack and total <= limit:
        item = stack.pop()
        visits += 1
        if isinstance(item, str | bytes | bytearray):
            total += len(item) + 1
        elif isinstance(item, dict):
            total += 1
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 1
            stack.extend(item)
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        else:
            total += 1
    if visits > 64:
        _step(visits // 64)
    return total


def _depth(value: Any) -> int:
    """Nesting of lists/dicts (for what indents per level: tojson, pprint); ~limit visits."""
    deepest, level, visits = 0, [value], 0
    while level and visits <= MAX_LENGTH:
        deepest += 1
        nxt: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                nxt.extend(item.values())
            elif isinstance(item, list | tuple | set | frozenset):
                nxt.extend(item)
        visits += len(nxt)
        level = [i for i in nxt if isinstance(i, dict | list | tuple | set | frozenset)]
    return deepest


def check_size(value: Any) -> Any:
    """`value`, if its weight is within MAX_LENGTH and it is no huge number."""
    if type(value) is str:
        _too_long(len(value))
    elif isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > MAX_INT_BITS:
            raise LimitExceeded(f"the template made a number of {value.bit_length():,} bits; "
                                "use smaller numbers")
    elif isinstance(value, str | bytes | bytearray | list | tuple | dict | set | frozenset):
        _too_long(weight(value))
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
    _too_long(sum(weight(part) for part in parts))
    texts = [str(part) for part in parts]
    _too_long(sum(len(text) for text in texts))
    return "".join(texts)


def _emit(value: Any) -> Any:
    """Everything a render writes passes here (Jinja's `finalize`): counted, so that the
    buffers of macros and `set` blocks, which no result check sees, stay bounded."""
    size = len(value) if type(value) is str else weight(value)
    _state.written += size
    if size > MAX_LENGTH or _state.written > MAX_BUFFERED:
        raise LimitExceeded(f"the template writes more than {MAX_BUFFERED:,} characters "
                            "(macros, blocks and output together); shorten it")
    return value


def count_written(total: int, largest: int) -> None:
    """_emit's count and check for several values written in a row (sizes as _emit
    weighs them): the count only grows, so checking once, after the last, refuses exactly
    what checking after each would."""
    _state.written += total
    if largest > MAX_LENGTH or _state.written > MAX_BUFFERED:
        raise LimitExceeded(f"the template writes more than {MAX_BUFFERED:,} characters "
                            "(macros, blocks and output together); shorten it")


def _text(data: str) -> str:
    """Literal template text inside a macro or block: a call, so `finalize` counts it."""
    return data


def _check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "*":
        count = right if isinstance(left, _SIZED) else left
        seq = left if isinstance(left, _SIZED) else right
        if isinstance(seq, _SIZED) and isinstance(count, int):
            if count > MAX_LENGTH:
                _too_long(count)
            _too_long(weight(seq) * max(count, 0))
        elif isinstance(left, int) and isinstance(right, int) and \
                left.bit_length() + right.bit_length() > MAX_INT_BITS:
            check_size(1 << (MAX_INT_BITS + 1))
    elif operator == "**" and isinstance(left, int) and isinstance(right, int):
        if abs(left) > 1 and right > 0 and left.bit_length() * right > MAX_INT_BITS:
            check_size(1 << (MAX_INT_BITS + 1))
    elif operator == "+":
        if isinstance(left, _SIZED) and isinstance(right, _SIZED):
            _too_long(weight(left) + weight(right))
    elif operator == "%" and isinstance(left, str):
        _too_long(_percent_bound(left, right))


def _refuse_width(number: int) -> None:
    if number > MAX_LENGTH:
        raise LimitExceeded(f"a width or count above {MAX_LENGTH:,} in a template; use a "
                            "smaller number")


def _percent_bound(template: str, args: Any) -> int:
    """An upper bound (within ~10x) on the size of `template % args`, from its fields."""
    named = args if isinstance(args, dict) else None
    queue = list(args) if isinstance(args, tuple) else [args]
    total = len(template)
    for match in _PERCENT.finditer(template):
        name, width, precision, kind = match.groups()
        if kind == "%":
            continue
        for part in (width, precision):
            if part == "*":
                number = queue.pop(0) if queue else 0
                part = str(number) if isinstance(number, int) else "0"
            if part:
                _refuse_width(int(part) if len(part) < 10 else MAX_LENGTH + 1)
                total += int(part)
        if name is not None and named is not None:
            total += weight(named.get(name, ""))
        elif queue:
            total += weight(queue.pop(0))
    return total


def _brace_bound(template: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """An upper bound (within ~10x) on the size of `template.format(*args, **kwargs)`:
    each field prints its argument (whole, whatever `.attr` or `[i]` picks from it) padded
    to its width. The same argument may print many times: `{0}{0}{0}`."""
    total = len(template)
    auto = 0
    for _, field, spec, _ in _formatter.parse(template):
        if field is None:
            continue
        base = re.split(r"[.\[]", field, maxsplit=1)[0]
        if base == "":
            base, auto = str(auto), auto + 1
        value = args[int(base)] if base.isdigit() and int(base) < len(args) else \
            kwargs.get(base, "")
        total += weight(value)
        for nested in re.findall(r"\{([^{}]*)\}", spec or ""):
            inner = nested or str(auto)
            if not nested:
                auto += 1
            number = args[int(inner)] if inner.isdigit() and int(inner) < len(args) else \
                kwargs.get(inner, 0)
            if isinstance(number, int):
                _refuse_width(number)
                total += number
        for digits in _DIGITS.findall(re.sub(r"\{[^{}]*\}", "", spec or "")):
            number = int(digits) if len(digits) < 10 else MAX_LENGTH + 1
            _refuse_width(number)
            total += number
    return total


class _Fields(string.Formatter):
    pass


_formatter = _Fields()


def _bound(items: Any) -> Any:
    """An iterator (a filter's input) drawn into a list under MAX_LENGTH; others as given."""
    if not isinstance(items, Iterator):
        return items
    out: list[Any] = []
    size = 0
    for item in items:
        _step()
        size += weight(item) + 1
        _too_long(size)
        out.append(item)
    return out


def _check_call(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Bound what `func(*args, **kwargs)` would make, before it runs (str methods and
    filters by name; `args[0]` is the string for a filter)."""
    func = getattr(func, "__wrapped__", func)  # the sandbox wraps str.format
    name = getattr(func, "__name__", "").removeprefix("sync_").removeprefix("do_")
    owner = getattr(func, "__self__", None)
    if isinstance(owner, str):  # a str method: the string is the owner, not args[0]
        text, rest = owner, args
    else:
        text, rest = (args[0] if args else None), args[1:]
    text_len = len(text) if isinstance(text, str) else weight(text)
    if name in ("center", "ljust", "rjust", "zfill", "truncate"):
        for number in (*rest, *kwargs.values()):
            if isinstance(number, int):
                _refuse_width(number)
    elif name == "expandtabs" and isinstance(text, str):
        size = next((n for n in (*rest, *kwargs.values()) if isinstance(n, int)), 8)
        _refuse_width(size)
        _too_long(text_len + text.count("\t") * max(size, 0))
    elif name == "translate" and isinstance(text, str) and rest:
        table = rest[0]
        longest = max((weight(v) for v in table.values()), default=1) \
            if isinstance(table, dict) else 1
        _too_long(text_len * max(longest, 1))
    elif name in ("format", "format_map"):
        if isinstance(owner, str):  # str.format / str.format_map
            named = rest[0] if name == "format_map" and rest and isinstance(rest[0], dict) \
                else kwargs
            positional = () if name == "format_map" else rest
            _too_long(_brace_bound(owner, tuple(positional), named))
        elif isinstance(text, str):  # the `format` filter: `%`
            _too_long(_percent_bound(text, kwargs or tuple(rest)))
    elif name == "replace" and isinstance(text, str):
        if len(rest) >= 2 and all(isinstance(x, str) for x in rest[:2]):
            old, new = rest[0], rest[1]
            hits = text.count(old) if old else len(text) + 1
            _too_long(len(text) + hits * max(len(new) - len(old), 0))
    elif name == "join":
        sep, items = (owner, args[0] if args else ()) if isinstance(owner, str) else \
            (kwargs.get("d", rest[0] if rest else ""), text)
        if isinstance(items, list | tuple | set | frozenset | dict) and isinstance(sep, str):
            _too_long(weight(items) + len(items) * len(sep))
    elif name == "indent" and isinstance(text, str):
        width = kwargs.get("width", rest[0] if rest else 4)
        pad = width if isinstance(width, int) else len(str(width))
        _too_long(len(text) + pad * (text.count("\n") + 1))
    elif name == "wordwrap" and isinstance(text, str):
        width = kwargs.get("width", rest[0] if rest else 79)
        wrap = kwargs.get("wrapstring", rest[2] if len(rest) > 2 else None) or "\n"
        lines = len(text) // max(width if isinstance(width, int) else 1, 1) + \
            text.count("\n") + 1
        _too_long(len(text) + lines * (len(str(wrap)) + 1))
    elif name in ("tojson", "pprint"):
        indent = kwargs.get("indent", rest[0] if rest else None) if name == "tojson" else 1
        per_level = indent if isinstance(indent, int) else len(str(indent or ""))
        _too_long(text_len * (1 + max(per_level, 0) * _depth(text)))
    elif name == "urlize" and isinstance(text, str):
        extra = sum(len(str(v)) for v in (*rest, *kwargs.values()) if isinstance(v, str))
        _too_long(text_len + (text_len // 2 + 1) * (60 + 2 * extra))


def __getattr__(name: str) -> Any:
    """LimitedSandbox and guard_tree live in vidflow.spec.jinja_sandbox (with Jinja, which
    a plan of substitution templates never imports); found here too."""
    if name in ("LimitedSandbox", "guard_tree"):
        from vidflow.spec import jinja_sandbox

        return getattr(jinja_sandbox, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The same checks for vidflow.spec.fastrender, which renders plain templates without Jinja
finalize = _emit
guarded_concat = _concat


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
