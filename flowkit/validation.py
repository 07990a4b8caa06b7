"""Compile a JSON Schema (the subset flowkit's schemas use) into one Python function.

Supported: ``type`` (one or a list), ``properties``, ``required``,
``additionalProperties`` (bool or schema), ``items``, ``enum``, ``const``,
``pattern``, ``format: date-time``, ``minimum``, ``minLength``, ``$ref`` to
``#/$defs/NAME``, and ``anyOf`` of ``{"type": "null"}`` plus one schema
(nullable). Anything else raises ``ValueError`` when compiling, so a schema
never silently checks less than it says.

The generated code checks every value inline (no call per member) and builds
the JSON path of a problem only when there is one, which keeps validating a
typical order at a few microseconds per hundred values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

from flowkit.validation_fast import INT_MAX, INT_MIN, FastGenerator, Matches, date_time_ok, in_enum, opened, short, type_name

SUPPORTED = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "pattern",
    "format",
    "minimum",
    "minLength",
    "$ref",
    "anyOf",
    "description",
    "title",
    "$schema",
    "$id",
    "$defs",
}
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
    "object": (dict,),
    "array": (list,),
}
Validator = Callable[[Any, tuple[Any, ...], list[tuple[tuple[Any, ...], str]]], None]


def _const_key(value: Any) -> Any:
    """What makes two constants the same (type-exact: ``(1,)`` is not ``(True,)``), or None when never shared."""
    if isinstance(value, (str, tuple, frozenset)):
        return (type(value), value, tuple(map(type, value)) if isinstance(value, tuple) else None)
    if callable(value) and hasattr(value, "__self__") and hasattr(value.__self__, "pattern"):
        return ("search", value.__self__.pattern)
    if type(value) is itemgetter:
        return ("itemgetter", value.__reduce__()[1])
    return None  # a Matches set is per pattern already (validation_fast), and mutable


class _Generator:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.defs: Mapping[str, Any] = root.get("$defs", {})
        self.env: dict[str, Any] = {
            "type_name": type_name,
            "short": short,
            "date_time_ok": date_time_ok,
            "in_enum": in_enum,
            "opened": opened,
            "Matches": Matches,
            "_M": object(),
            "Any": Any,
            "OPEN": set(),
        }
        self.functions: dict[str, list[str]] = {}
        self.consts: dict[Any, str] = {}
        self.counter = 0

    def const(self, value: Any) -> str:
        """The name of a constant holding ``value`` (one per distinct string, tuple, set or pattern)."""
        key = _const_key(value)
        if key is not None and key in self.consts:
            return self.consts[key]
        self.counter += 1
        name = f"K{self.counter}"
        self.env[name] = value
        if key is not None:
            self.consts[key] = name
        return name

    def var(self) -> str:
        self.counter += 1
        return f"v{self.counter}"

    def function(self, name: str, node: Mapping[str, Any]) -> str:
        if name not in self.functions:
            self.functions[name] = []  # reserved first: recursive $refs call it by name
            body = self.node(node, "v", "p", 1)
            self.functions[name] = [f"def {name}(v: Any, p: Any, out: list[Any]) -> None:", *(body or ["    pass"])]
        return name

    def node(self, node: Mapping[str, Any], v: str, p: str, depth: int, nullable: bool = False) -> list[str]:
        unknown = set(node) - SUPPORTED
        if unknown:
            raise ValueError(f"unsupported JSON Schema keyword(s): {', '.join(sorted(unknown))}")
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            target = self.defs[name]
            if not {"properties", "items", "additionalProperties"} & target.keys():
                return self.node(target, v, p, depth, nullable)  # scalar definitions are inlined
            return [f"{'    ' * depth}{self.function('d_' + name, target)}({v}, {p}, out)"]
        if "anyOf" in node:
            return self.any_of(node["anyOf"], v, p, depth)
        lines: list[str] = []
        if "enum" in node or "const" in node:
            allowed = list(node["enum"]) if "enum" in node else [node["const"]]
            shown = ", ".join("null" if a is None else str(a) for a in allowed)
            message = self.const(f" is not one of: {shown}")
            lines += [
                f"{'    ' * depth}if not in_enum({v}, {self.const(tuple(allowed))}):",
                f"{'    ' * (depth + 1)}out.append(({p}, short({v}) + {message}))",
            ]
        if "type" in node:
            lines += self.typed(node, v, p, depth, nullable)
        return lines

    def any_of(self, options: list[Mapping[str, Any]], v: str, p: str, depth: int) -> list[str]:
        others = [o for o in options if o != {"type": "null"}]
        if len(options) != 2 or len(others) != 1:
            raise ValueError("anyOf is supported only as [{'type': 'null'}, SCHEMA]")
        inner = self.node(others[0], v, p, depth + 1, nullable=True)
        return [f"{'    ' * depth}if {v} is not None:", *inner] if inner else []

    def typed(self, node: Mapping[str, Any], v: str, p: str, depth: int, nullable: bool) -> list[str]:
        pad = "    " * depth
        names = [node["type"]] if isinstance(node["type"], str) else list(node["type"])
        kinds = tuple(dict.fromkeys(t for n in names for t in _TYPES[n]))
        test = (
            f"type({v}) is not {kinds[0].__name__ if kinds[0] is not type(None) else 'type(None)'}"
            if len(kinds) == 1
            else f"type({v}) not in {self.const(frozenset(kinds))}"
        )
        shown = [*names, "null"] if nullable and "null" not in names else names  # the message tells the whole truth
        expected = self.const(f"expected {' or '.join(shown)}, got ")
        lines = [f"{pad}if {test}:", f"{pad}    out.append(({p}, {expected} + type_name({v})))"]
        checks = self.scalar(node, v, p, depth + 1)
        if "properties" in node or "additionalProperties" in node:
            checks += self.obj(node, v, p, depth + 1)
        if "items" in node:
            i, item = self.var(), self.var()
            inner = self.node(node["items"], item, f"({p}, {i})", depth + 2)
            if inner:
                checks += [f"{pad}    for {i}, {item} in enumerate({v}):", *inner]
        if checks:
            guard = f" and {v} is not None" if type(None) in kinds else ""
            lines += [f"{pad}elif True{guard}:", *checks]
        return lines

    def scalar(self, node: Mapping[str, Any], v: str, p: str, depth: int) -> list[str]:
        pad = "    " * depth
        out: list[str] = []
        if "pattern" in node or node.get("format") == "date-time":
            hint = node.get("description") or f"pattern {node.get('pattern')}"
            tests = []
            if "pattern" in node:
                tests.append(f"not {self.const(re.compile(node['pattern']).search)}({v})")
            if node.get("format") == "date-time":
                tests.append(f"not date_time_ok({v})")
            message = self.const(f" is not valid ({hint})")
            out += [
                f"{pad}if type({v}) is str and ({' or '.join(tests)}):",
                f"{pad}    out.append(({p}, short({v}) + {message}))",
            ]
        if "minimum" in node:
            low = node["minimum"]
            out += [
                f"{pad}if type({v}) in (int, float) and {v} < {low!r}:",
                f'{pad}    out.append(({p}, f"{{{v}}} is below the minimum {low}"))',
            ]
        if "minLength" in node:
            size = int(node["minLength"])
            out += [
                f"{pad}if type({v}) is str and len({v}) < {size}:",
                f'{pad}    out.append(({p}, "shorter than {size} character(s)"))',
            ]
        return out

    def obj(self, node: Mapping[str, Any], v: str, p: str, depth: int) -> list[str]:
        pad = "    " * depth
        out = []
        for name in node.get("required", ()):
            out += [
                f"{pad}if {_lit(name)} not in {v}:",
                f'{pad}    out.append((({p}, {_lit(name)}), "required member missing"))',
            ]
        for name, sub in node.get("properties", {}).items():
            item = self.var()
            inner = self.node(sub, item, f"({p}, {_lit(name)})", depth + 1)
            if inner:
                out += [f"{pad}{item} = {v}.get({_lit(name)}, _M)", f"{pad}if {item} is not _M:", *inner]
        extra = node.get("additionalProperties", True)
        if extra is not True:
            key, item = self.var(), self.var()
            known = self.const(frozenset(node.get("properties", {})))
            inner = (
                [f'{pad}        out.append((({p}, {key}), "unknown member"))']
                if extra is False
                else self.node(extra, item, f"({p}, {key})", depth + 2)
            )
            out += [f"{pad}for {key}, {item} in {v}.items():", f"{pad}    if {key} not in {known}:", *inner]
        return out


def _generated(schema: Mapping[str, Any], fast_path: bool = True) -> _Generator:
    """The problem-collecting functions (``d_*``), and the fast path ``d__root`` asks first (``f_*``)."""
    generator = _Generator(schema)
    generator.function("d__root", schema)
    if not fast_path:
        return generator
    fast = FastGenerator(generator.defs, generator.const, generator.functions)
    fast.function("f__root", schema)
    head, *body = generator.functions["d__root"]
    generator.functions["d__root"] = [
        head,
        "    if f__root(v):",
        "        return  # valid: no problem to name",
        "    OPEN.add(1)  # what the full walk passes, the fast path did not vouch for (``CLOSED_DEPTH``)",
        *body,
    ]
    return generator


def compile_schema(schema: Mapping[str, Any], *, fast_path: bool = True) -> Validator:
    """A function ``check(value, path, out)`` appending ``(path, message)`` for every problem.

    ``fast_path=False`` leaves out the fast path (``flowkit.validation_fast``), to test it against the full walk.
    """
    generator = _generated(schema, fast_path)
    source = "\n".join(line for lines in generator.functions.values() for line in lines)
    exec(compile(source, "<flowkit schema>", "exec"), generator.env)
    validator: Validator = generator.env["d__root"]
    return validator


def closed_depth(node: Mapping[str, Any], defs: Mapping[str, Any], refs: tuple[str, ...] = ()) -> int | None:
    """How deep a value the fast path vouches for without marking ``OPEN`` may nest (arrays and objects), or None
    when that has no bound: a recursive ``$ref``, an object or array whose content the schema leaves free, or a
    number (a float may stand for an integer beyond 64 bits, which only the line's bytes tell)."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return None if name in refs else closed_depth(defs[name], defs, (*refs, name))
    if "anyOf" in node:
        found = [closed_depth(o, defs, refs) for o in node["anyOf"]]
        return None if None in found else max(d for d in found if d is not None)
    names = _names(node)
    values = [*node.get("enum", ()), *(("const" in node) * [node.get("const")])]
    if (not names and not values) or "number" in names or any(isinstance(a, (dict, list, float)) for a in values):
        return None
    if "integer" in names and set(names) - {"integer", "null"}:
        return None  # an integer among other types is not tested for its range (``scalar``)
    if any(type(a) is int and not INT_MIN <= a <= INT_MAX for a in values):
        return None
    inner: list[Mapping[str, Any]] = []
    sets: list[Mapping[str, Any]] = []  # tested as one set of types (``types_of``), with no range for an integer
    if "object" in names:
        extra = node.get("additionalProperties", True)
        if extra is True and not node.get("properties"):
            return None
        inner += node.get("properties", {}).values()
        if isinstance(extra, Mapping):
            (inner if node.get("properties") else sets).append(extra)
    if "array" in names:
        if "items" not in node:
            return None
        sets.append(node["items"])
    if any(sub.keys() == {"type"} and "integer" in _names(sub) for sub in sets):
        return None
    inner += sets
    found = [closed_depth(sub, defs, refs) for sub in inner]
    if None in found:
        return None
    return (1 + max([0, *(d for d in found if d is not None)])) if {"object", "array"} & set(names) else 0


def _names(node: Mapping[str, Any]) -> list[str]:
    """The JSON types ``node`` names (none when it names no ``type``)."""
    return [node["type"]] if isinstance(node.get("type"), str) else list(node.get("type", []))


def _lit(value: Any) -> str:
    """``value`` as Python source, as ruff format writes it (double quotes, sorted sets)."""
    if isinstance(value, str):
        text = repr(value)
        return '"' + text[1:-1].replace("\\'", "'") + '"' if text[0] == "'" and '"' not in value else text
    if isinstance(value, tuple):
        return "(" + ", ".join(_lit(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, frozenset):
        names = sorted("type(None)" if v is type(None) else v.__name__ if isinstance(v, type) else _lit(v) for v in value)
        return f"frozenset(({', '.join(names)}{',' if len(names) == 1 else ''}))" if names else "frozenset()"
    if isinstance(value, Matches):
        return f"Matches({_lit(value.pattern)}, {value.date_time})"
    if type(value) is itemgetter:
        return f"itemgetter({', '.join(map(_lit, value.__reduce__()[1]))})"
    if callable(value):  # a compiled pattern's search
        return f"re.compile({_lit(value.__self__.pattern)}).search"
    return repr(value)


def _constant(name: str, value: Any) -> str:
    """``NAME = value``, a collection too long for one line written one item a line (as ruff format does)."""
    if type(value) is frozenset and not value:
        return f"{name}: frozenset[Any] = frozenset()"
    line = f"{name} = {_lit(value)}"
    if len(line) <= 130 or not isinstance(value, (tuple, frozenset)):
        return line
    if isinstance(value, tuple):
        return f"{name} = (\n" + "".join(f"    {_lit(v)},\n" for v in value) + ")"
    items = _lit(value)[len("frozenset((") : -2].split(", ")
    return f"{name} = frozenset(\n    (\n" + "".join(f"        {v},\n" for v in items) + "    )\n)"


def module_source(schema: Mapping[str, Any], *, digest: str, doc: str) -> str:
    """The validator of ``schema`` as the source of a Python module (``d__root`` is the ``Validator``).

    Importing it costs a bytecode load where ``compile_schema`` compiles the
    code again in every process (about 15 ms for the order schema).
    ``digest`` names the schema version it was generated from (``SCHEMA_DIGEST``).
    """
    generator = _generated(schema)
    constants = [_constant(name, value) for name, value in generator.env.items() if name[0] == "K" and name[1:].isdigit()]
    head = [
        f'"""{doc}"""',
        "",
        "# ruff: noqa",
        "# fmt: off",
        "from __future__ import annotations",
        "",
        "import re",
        "from operator import itemgetter",
        "from typing import Any",
        "",
        "from flowkit.validation_fast import Matches, date_time_ok, in_enum, opened, short, type_name",
        "",
        f"SCHEMA_DIGEST = {_lit(digest)}",
        f"CLOSED_DEPTH = {closed_depth(schema, schema.get('$defs', {}))!r}",
        '"""How deep a value the fast path passed may nest when it left OPEN empty (None: no bound)."""',
        "OPEN: set[int] = set()",
        '"""Marked when the fast path meets members beyond an object\'s properties, or does not vouch for the value."""',
        "_M = object()",
        *constants,
    ]
    functions = ["\n".join(lines) for lines in generator.functions.values()]
    return "\n".join(head) + "\n\n\n" + "\n\n\n".join(functions) + "\n"
