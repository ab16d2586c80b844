"""A compiled checker for the small JSON Schema subset the lockfile schema uses, and a
generated yes/no check that also covers the spec schema's keywords.

jsonschema takes about 0.3 ms per lockfile entry: 3 s for 10,000 entries, on every read and
on every write the executor makes. The schema file stays the single source of truth: this
module compiles it into plain Python closures (about 50x faster), and refuses any keyword
it does not implement, so it can never silently check less than the schema says.
tests/state/test_fastschema.py checks that it agrees with jsonschema.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any, str, list[str]], None]

_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description", "$comment",
                          "default", "examples"})
_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    # JSON Schema: 1.0 is an integer too (a number with no fractional part)
    "integer": lambda v: ((isinstance(v, int) and not isinstance(v, bool))
                          or (isinstance(v, float) and v.is_integer())),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class UnsupportedSchema(ValueError):
    """The schema uses a keyword this compiler does not implement."""


def compile_schema(schema: Mapping[str, Any]) -> Callable[[Any], list[str]]:
    """A function returning every problem of a document as "field.path: message"."""
    defs = schema.get("$defs", {})
    compiled: dict[str, Check] = {}

    def resolve(ref: str) -> Check:
        prefix = "#/$defs/"
        name = ref[len(prefix):]
        if not ref.startswith(prefix) or name not in defs:
            raise UnsupportedSchema(f"$ref {ref!r}")
        if name not in compiled:
            compiled[name] = _noop  # a recursive $ref finds it while it compiles
            compiled[name] = _compile(defs[name], resolve)
        return lambda value, path, out: compiled[name](value, path, out)

    root = _compile(schema, resolve)
    valid = compile_predicate(schema)

    def check(document: Any) -> list[str]:
        if valid(document):  # the usual answer, without building one field path
            return []
        problems: list[str] = []
        root(document, "", problems)
        return problems

    return check


def compile_predicate(schema: Mapping[str, Any]) -> Callable[[Any], bool]:
    """A yes/no check of `schema`, generated as Python source: no closures to call per
    keyword and no field paths to build. It may say no to a valid document (a dict
    subclass, 1.0 for 1) but never yes to an invalid one; a no sends the document to the
    worded checker (or, for the spec schema, to jsonschema), which names the problems."""
    return _Generator(schema).build()


class _Generator:
    """Python source for one function per $def and the root; properties are inlined."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self.defs = schema.get("$defs", {})
        self.constants: dict[str, Any] = {"_MISSING": object(), "_is_number": _TYPES["number"],
                                          "_unique": _unique}
        self.functions: list[str] = []
        self.counter = 0
        self.def_names = {name: f"_def_{i}" for i, name in enumerate(self.defs)}

    def build(self) -> Callable[[Any], bool]:
        for name in self.defs:
            self._function(self.def_names[name], self.defs[name])
        self._function("_root", self.schema)
        namespace = dict(self.constants)
        # from our own packaged schema; names and numbers enter the source only as repr() literals
        exec("\n\n".join(self.functions), namespace)
        return namespace["_root"]

    def _const(self, value: Any) -> str:
        self.counter += 1
        name = f"_k{self.counter}"
        self.constants[name] = value
        return name

    def _name(self, prefix: str) -> str:
        self.counter += 1
        return f"_{prefix}_{self.counter}"

    def _var(self) -> str:
        self.counter += 1
        return f"v{self.counter}"

    def _function(self, name: str, schema: Mapping[str, Any]) -> str:
        lines = [f"def {name}(v0):"]
        lines += self._node(schema, "v0", 1)
        lines.append("    return True")
        self.functions.append("\n".join(lines))
        return name

    def _node(self, schema: Mapping[str, Any], v: str, depth: int) -> list[str]:
        pad = "    " * depth
        out: list[str] = []
        # The type test first: once it passed, the other keywords' "if it is a dict" (or
        # str, list) guards are known true and left out of the source.
        keys = sorted(schema, key=lambda k: k != "type")
        exact = schema.get("type") if isinstance(schema.get("type"), str) else None
        for key in keys:
            arg = schema[key]
            if key in _ANNOTATIONS or key in ("additionalProperties", "then"):
                continue
            if key not in _BUILDERS and key not in _PREDICATE_ONLY:
                raise UnsupportedSchema(f"keyword {key!r}")
            lines = self._keyword(key, arg, schema, v, depth, exact)
            out += [pad + line for line in lines]
        if "additionalProperties" in schema:
            out += [pad + line for line in self._additional(schema, v, exact)]
        return out

    def _keyword(self, key: str, arg: Any, schema: Mapping[str, Any], v: str,
                 depth: int, exact: str | None = None) -> list[str]:
        fail = "    return False"

        def given(kind: str) -> str:
            """`isinstance(v, <kind>) and `, unless the type test already settled it."""
            return "" if exact == kind else f"isinstance({v}, {_PYTHON_NAMES[kind]}) and "

        if key == "type":
            names = [arg] if isinstance(arg, str) else list(arg)
            return [f"if not ({' or '.join(_type_test(n, v) for n in names)}):", fail]
        if key == "enum":
            if arg and all(type(a) is str for a in arg):  # exactly `type is str and ==`
                allowed = self._const(frozenset(arg))
                return [f"if not (type({v}) is str and {v} in {allowed}):", fail]
            allowed = self._const([(type(a), a) for a in arg])
            return [f"if not any(type({v}) is t and {v} == a for t, a in {allowed}):", fail]
        if key == "required":
            names = self._const(frozenset(arg))
            return [f"if {given('object')}not {names} <= {v}.keys():", fail]
        if key == "properties":
            lines = []
            for name, sub in arg.items():
                item = self._var()
                lines.append(f"{item} = {v}.get({name!r}, _MISSING)")
                lines.append(f"if {item} is not _MISSING:")
                body = self._node(sub, item, 0)
                lines += ["    " + line for line in body] or ["    pass"]
            if exact == "object" or not lines:
                return lines
            return [f"if isinstance({v}, dict):", *("    " + line for line in lines)]
        if key == "items":
            func = self._function(self._name("items"), arg)
            return [f"if {given('array')}not all(map({func}, {v})):", fail]
        if key == "pattern":
            regex = self._const(re.compile(arg))
            return [f"if {given('string')}not {regex}.search({v}):", fail]
        if key in _LENGTH_BOUNDS:
            kind, beyond = _LENGTH_BOUNDS[key]
            return [f"if {given(kind)}len({v}) {beyond} {int(arg)}:", fail]
        if key == "minimum":
            return [f"if _is_number({v}) and {v} < {arg!r}:", fail]
        if key == "maximum":
            return [f"if _is_number({v}) and {v} > {arg!r}:", fail]
        if key == "const":
            const = self._const(arg)
            return [f"if not (type({v}) is type({const}) and {v} == {const}):", fail]
        if key == "uniqueItems":
            if not arg:
                return []
            # Python's == is looser than JSON's (1 == 1.0 == True): never a false yes
            return [f"if isinstance({v}, list) and not _unique({v}):", fail]
        if key == "anyOf":
            branches = [self._function(self._name("any"), sub) for sub in arg]
            return [f"if not ({' or '.join(f'{b}({v})' for b in branches)}):", fail]
        if key == "propertyNames":
            func = self._function(self._name("names"), arg)
            return [f"if isinstance({v}, dict) and not all(map({func}, {v})):", fail]
        if key == "if":
            test = self._function(self._name("if"), arg)
            then = self._function(self._name("then"), schema.get("then", {}))
            return [f"if {test}({v}) and not {then}({v}):", fail]
        assert key == "$ref"
        prefix = "#/$defs/"
        if not arg.startswith(prefix) or arg[len(prefix):] not in self.defs:
            raise UnsupportedSchema(f"$ref {arg!r}")
        return [f"if not {self.def_names[arg[len(prefix):]]}({v}):", fail]

    def _additional(self, schema: Mapping[str, Any], v: str, exact: str | None = None
                    ) -> list[str]:
        arg = schema["additionalProperties"]
        if arg is True:
            return []
        given = "" if exact == "object" else f"isinstance({v}, dict) and "
        known = self._const(frozenset(schema.get("properties", {})))
        if arg is False:
            return [f"if {given}not {v}.keys() <= {known}:", "    return False"]
        func = self._function(self._name("extra"), arg)
        if not schema.get("properties"):  # every value is checked: no name to skip
            return [f"if {given}not all(map({func}, {v}.values())):", "    return False"]
        return [f"if {given}not all({func}(x) for k, x in {v}.items()"
                f" if k not in {known}):", "    return False"]


# Keywords the yes/no check knows beyond the worded checker's (the spec schema uses them;
# jsonschema words its problems).
_PREDICATE_ONLY = frozenset({"maximum", "minItems", "maxItems", "maxLength", "minProperties",
                             "maxProperties", "const", "anyOf", "propertyNames", "if", "then",
                             "uniqueItems"})


def _unique(items: list[Any]) -> bool:
    try:
        return len(set(items)) == len(items)
    except TypeError:  # objects or arrays in the array: let the worded check decide
        return False


# JSON Schema type → the Python type of its values as json.loads makes them
_PYTHON_NAMES = {"object": "dict", "array": "list", "string": "str"}
# length keywords: (the type they apply to, the comparison that fails)
_LENGTH_BOUNDS = {"minLength": ("string", "<"), "maxLength": ("string", ">"),
                  "minItems": ("array", "<"), "maxItems": ("array", ">"),
                  "minProperties": ("object", "<"), "maxProperties": ("object", ">")}


def _type_test(name: str, v: str) -> str:
    return {
        "object": f"type({v}) is dict",
        "array": f"type({v}) is list",
        "string": f"type({v}) is str",
        "integer": f"(type({v}) is int or (type({v}) is float and {v}.is_integer()))",
        "number": f"type({v}) in (int, float)",
        "boolean": f"type({v}) is bool",
        "null": f"{v} is None",
    }[name]


def _noop(value: Any, path: str, out: list[str]) -> None:
    return None


def _where(path: str) -> str:
    return path or "(document)"


def _compile(schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    checks: list[Check] = []
    for key, arg in schema.items():
        if key in _ANNOTATIONS:
            continue
        builder = _BUILDERS.get(key)
        if builder is None:
            raise UnsupportedSchema(f"keyword {key!r}")
        checks.append(builder(arg, schema, resolve))
    if len(checks) == 1:
        return checks[0]

    def run_all(value: Any, path: str, out: list[str]) -> None:
        for check in checks:
            check(value, path, out)

    return run_all


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "integer": (int, float),
    "number": (int, float), "boolean": (bool,), "null": (type(None),),
}


def _type(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    names = [arg] if isinstance(arg, str) else list(arg)
    python_types = tuple(t for n in names for t in _PYTHON_TYPES[n])
    tests = [_TYPES[n] for n in names]
    label = " or ".join(names)
    exact = "integer" not in names and "number" not in names and "boolean" not in names

    def check(value: Any, path: str, out: list[str]) -> None:
        # isinstance alone settles most values; bools and floats need the precise test
        if isinstance(value, python_types) and (exact or any(t(value) for t in tests)):
            return
        out.append(f"{_where(path)}: {value!r} is not of type {label}")

    return check


def _enum(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    allowed = list(arg)

    def check(value: Any, path: str, out: list[str]) -> None:
        if not any(value == a and type(value) is type(a) for a in allowed):
            out.append(f"{_where(path)}: {value!r} is not one of {allowed!r}")

    return check


def _required(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    names = list(arg)

    def check(value: Any, path: str, out: list[str]) -> None:
        if isinstance(value, dict):
            for name in names:
                if name not in value:
                    out.append(f"{_where(path)}: {name!r} is a required property")

    return check


def _properties(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    props = {name: _compile(sub, resolve) for name, sub in arg.items()}

    def check(value: Any, path: str, out: list[str]) -> None:
        if isinstance(value, dict):
            for name, sub in props.items():
                if name in value:
                    sub(value[name], _join(path, name), out)

    return check


def _additional(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    known = frozenset(schema.get("properties", {}))
    if arg is True:
        return _noop
    sub = None if arg is False else _compile(arg, resolve)

    def check(value: Any, path: str, out: list[str]) -> None:
        if not isinstance(value, dict):
            return
        for name, item in value.items():
            if name in known:
                continue
            if sub is None:
                out.append(f"{_where(path)}: additional property {name!r} is not allowed")
            else:
                sub(item, _join(path, name), out)

    return check


def _items(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    sub = _compile(arg, resolve)

    def check(value: Any, path: str, out: list[str]) -> None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                sub(item, f"{path}[{i}]", out)

    return check


def _pattern(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    regex = re.compile(arg)

    def check(value: Any, path: str, out: list[str]) -> None:
        if isinstance(value, str) and not regex.search(value):
            out.append(f"{_where(path)}: {value!r} does not match {arg!r}")

    return check


def _min_length(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    def check(value: Any, path: str, out: list[str]) -> None:
        if isinstance(value, str) and len(value) < arg:
            out.append(f"{_where(path)}: {value!r} is shorter than {arg} characters")

    return check


def _minimum(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    def check(value: Any, path: str, out: list[str]) -> None:
        if _TYPES["number"](value) and value < arg:
            out.append(f"{_where(path)}: {value!r} is less than the minimum of {arg}")

    return check


def _ref(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    return resolve(arg)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


_BUILDERS: dict[str, Callable[[Any, Mapping[str, Any], Callable[[str], Check]], Check]] = {
    "type": _type,
    "enum": _enum,
    "required": _required,
    "properties": _properties,
    "additionalProperties": _additional,
    "items": _items,
    "pattern": _pattern,
    "minLength": _min_length,
    "minimum": _minimum,
    "$ref": _ref,
}
