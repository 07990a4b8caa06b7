"""The fast path of a compiled JSON Schema: one boolean expression per object, true only for a valid value.

``flowkit.validation`` compiles a schema into functions that collect every
problem with its JSON path. Most values are valid, and for them a plain
``and`` of type tests (one ``dict.get`` per member, no path, no list of
problems) answers at about half the cost. So the validator first asks
``f__root(value)``; only a value it does not vouch for is walked by the
problem-collecting functions, which alone decide what is wrong.

The fast path may be stricter than the schema, never looser: where it is
unsure (an enum of mixed types is left to ``in_enum``; a keyword it does not
know) it answers ``False`` and the full walk decides. tests/test_model.py
checks that mutated orders it vouches for have no problem, and that the
sample and realistic orders take it. The helpers the generated code calls live
here too, so a compiled validator loads this module and not the compiler.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

STRUCTURED = frozenset({"properties", "items", "additionalProperties"})
_TYPES: dict[str, tuple[str, ...]] = {
    "string": ("str",),
    "integer": ("int",),
    "number": ("int", "float"),
    "boolean": ("bool",),
    "null": ("type(None)",),
    "object": ("dict",),
    "array": ("list",),
}


_PYTHON_NAMES = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object", list: "array"}
_PYTHON: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool, "dict": dict, "list": list}


# ---- what the generated code calls (a compiled validator imports this module, not the compiler) ----------------


def type_name(value: Any) -> str:
    return "null" if value is None else _PYTHON_NAMES.get(type(value), type(value).__name__)


def short(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def in_enum(value: Any, allowed: tuple[Any, ...]) -> bool:
    """JSON equality: ``true`` is not ``1``."""
    return any(a == value and (type(a) is bool) == (type(value) is bool) for a in allowed)


def date_time_ok(value: str) -> bool:
    """A real date and time that can be expressed in UTC (not 2026-02-30, not year 0)."""
    try:
        datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError):
        return False
    return True


class Matches(set[str]):
    """The strings seen to pass a ``pattern`` (and to be a date-time, with ``date_time``); ``match`` remembers them.

    Most values repeat (prices, sizes, timestamps of one batch), and a set lookup costs a
    fraction of a regex search and a date parse. At most ``LIMIT`` strings are kept.
    """

    LIMIT = 4096

    def __init__(self, pattern: str | None, date_time: bool = False) -> None:
        super().__init__()
        import re

        self.pattern = pattern
        self.date_time = date_time
        self.search = re.compile(pattern).search if pattern is not None else None

    def match(self, value: str) -> bool:
        if self.search is not None and self.search(value) is None:
            return False
        if self.date_time and not date_time_ok(value):
            return False
        if len(self) < self.LIMIT:
            self.add(value)
        return True


class FastGenerator:
    """Writes ``f_NAME(v) -> bool`` functions into ``functions``; ``const`` names a constant (as the full generator's)."""

    def __init__(self, defs: Mapping[str, Any], const: Callable[[Any], str], functions: dict[str, list[str]]) -> None:
        self.defs = defs
        self.const = const
        self.functions = functions
        self.counter = 0
        self.seen: dict[tuple[str | None, bool], str] = {}  # one Matches per pattern and format

    def var(self) -> str:
        self.counter += 1
        return f"x{self.counter}"

    def function(self, name: str, node: Mapping[str, Any]) -> str:
        if name not in self.functions:
            self.functions[name] = []  # reserved first: a recursive $ref calls it by name
            self.functions[name] = [f"def {name}(v: Any) -> bool:", f"    return bool({self.expr(node, 'v')})"]
        return name

    def expr(self, node: Mapping[str, Any], x: str) -> str:
        """An expression over the name ``x``, true only when its value is valid against ``node``."""
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            target = self.defs[name]
            if not STRUCTURED & target.keys():
                return self.expr(target, x)  # scalar definitions are inlined
            return f"{self.function('f_' + name, target)}({x})"
        if "anyOf" in node:
            other = next(o for o in node["anyOf"] if o != {"type": "null"})
            return f"({x} is None or {self.expr(other, x)})"
        parts: list[str] = []
        if "enum" in node or "const" in node:
            parts.append(self.enum(list(node["enum"]) if "enum" in node else [node["const"]], x))
        if "type" in node:
            parts.append(self.typed(node, x))
        return "(" + " and ".join(parts) + ")" if parts else "True"

    def enum(self, allowed: list[Any], x: str) -> str:
        strings = [a for a in allowed if type(a) is str]
        if len(strings) + allowed.count(None) != len(allowed):
            return f"in_enum({x}, {self.const(tuple(allowed))})"
        test = f"(type({x}) is str and {x} in {self.const(frozenset(strings))})"
        return f"({x} is None or {test})" if None in allowed else test

    def typed(self, node: Mapping[str, Any], x: str) -> str:
        """``x is None or`` (when null is allowed) one type test, then the checks (no type test again
        where one type is allowed: these tests run for every value of every order)."""
        names = [node["type"]] if isinstance(node["type"], str) else list(node["type"])
        kinds = list(dict.fromkeys(k for n in names for k in _TYPES[n]))
        nullable = "type(None)" in kinds
        kinds = [k for k in kinds if k != "type(None)"]
        if not kinds:
            return f"({x} is None)"
        test = f"type({x}) is {kinds[0]}" if len(kinds) == 1 else f"type({x}) in {self.kinds(kinds)}"
        checks = self.scalar(node, x, kinds)
        if "items" in node:
            checks.append(self.items(node["items"], x))
        if "properties" in node or "additionalProperties" in node:
            checks += self.members(node, x)
        inner = " and ".join([test, *checks])
        return f"({x} is None or {inner})" if nullable else f"({inner})"

    def types_of(self, node: Mapping[str, Any], values: str) -> str:
        """Every one of ``values`` has a type ``node`` (a bare ``type``) allows: one set of their types, at C speed."""
        names = [node["type"]] if isinstance(node["type"], str) else list(node["type"])
        allowed = frozenset(type(None) if k == "type(None)" else _PYTHON[k] for n in names for k in _TYPES[n])
        return f"set(map(type, {values})) <= {self.const(allowed)}"

    def kinds(self, kinds: list[str]) -> str:
        """A constant set of the Python types named (``int``, ``float``...)."""
        return self.const(frozenset(_PYTHON[k] for k in kinds))

    def scalar(self, node: Mapping[str, Any], x: str, kinds: list[str]) -> list[str]:
        """The checks of a value whose type is one of ``kinds``; a check that applies to one type guards itself
        with a type test only when other types are allowed too."""
        only_str, numbers = kinds == ["str"], set(kinds) <= {"int", "float"}
        out = []
        if "pattern" in node or node.get("format") == "date-time":
            key = (node.get("pattern"), node.get("format") == "date-time")
            if key not in self.seen:
                self.seen[key] = self.const(Matches(*key))
            seen = self.seen[key]
            guard = "" if only_str else f"type({x}) is not str or "
            out.append(f"({guard}{x} in {seen} or {seen}.match({x}))")
        if "minimum" in node:
            guard = "" if numbers else f"type({x}) not in {self.kinds(['int', 'float'])} or "
            out.append(f"({guard}{x} >= {node['minimum']!r})")
        if "minLength" in node:
            guard = "" if only_str else f"type({x}) is not str or "
            out.append(f"({guard}len({x}) >= {int(node['minLength'])})")
        return out

    def items(self, item: Mapping[str, Any], x: str) -> str:
        """Every item of the array ``x`` (its type already tested)."""
        if item.keys() == {"type"}:
            return self.types_of(item, x)
        if "$ref" in item and STRUCTURED & self.defs[item["$ref"].rsplit("/", 1)[-1]].keys():
            name = item["$ref"].rsplit("/", 1)[-1]
            return f"all(map({self.function('f_' + name, self.defs[name])}, {x}))"
        i = self.var()
        return f"all({self.expr(item, i)} for {i} in {x})"

    def members(self, node: Mapping[str, Any], v: str) -> list[str]:
        """The member tests of the object ``v`` (its type already tested)."""
        parts = [f"{_q(name)} in {v}" for name in node.get("required", ())]
        for name, sub in node.get("properties", {}).items():
            x = self.var()
            parts.append(f"(({x} := {v}.get({_q(name)}, _M)) is _M or {self.expr(sub, x)})")
        extra = node.get("additionalProperties", True)
        known = self.const(frozenset(node.get("properties", {})))
        if extra is False:
            parts.append(f"{v}.keys() <= {known}")
        elif extra is not True and not node.get("properties") and extra.keys() == {"type"}:
            parts.append(self.types_of(extra, f"{v}.values()"))
        elif extra is not True:
            j, k = self.var(), self.var()
            test = self.expr(extra, j)
            parts.append(
                f"all({test} for {j} in {v}.values())"
                if not node.get("properties")
                else f"all({test} for {k}, {j} in {v}.items() if {k} not in {known})"
            )
        return parts


def _q(name: str) -> str:
    """A member name as a Python string literal."""
    return f'"{name}"' if name.isidentifier() or name.replace(".", "").replace("-", "").isalnum() else repr(name)
