"""The fast path of a compiled JSON Schema: one boolean expression per object, true only for a valid value.

``flowkit.validation`` compiles a schema into functions that collect every
problem with its JSON path. Most values are valid, and for them a plain
``and`` of type tests (one ``dict.get`` per member, no path, no list of
problems) answers at about half the cost. So the validator first asks
``f__root(value)``; only a value it does not vouch for is walked by the
problem-collecting functions, which alone decide what is wrong.

A defined object with members (an order, its lines, assets...) is tested by a
function of statements (``FastGenerator.shaped``): its members fetched by one
``itemgetter`` into locals, the nullable strings one pattern checks tested as
one set, the items of an array of small objects in a loop of that function.
That is about half the member by member expression's cost on a realistic
line; when a member is missing, that expression (``e_NAME``) decides.

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
from operator import itemgetter
from typing import Any

STRUCTURED = frozenset({"properties", "items", "additionalProperties"})
INT_MIN, INT_MAX = -(1 << 63), (1 << 63) - 1  # flowkit.limits's (not imported: a compiled validator loads this module)
SHAPED_MEMBERS = 2
"""A defined object with this many members or more gets a function of statements (``FastGenerator.shaped``)."""
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


def opened(found: set[int]) -> bool:
    """Mark ``found`` (a compiled validator's ``OPEN``): an object has members beyond its properties. True."""
    found.add(1)
    return True


def date_time_ok(value: str) -> bool:
    """A real date and time that can be expressed in UTC (not 2026-02-30, not year 0)."""
    try:
        datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError):
        return False
    return True


class Matches(set[str | None]):
    """The strings seen to pass a ``pattern`` (and to be a date-time, with ``date_time``); ``match`` remembers them.

    Most values repeat (prices, sizes, timestamps of one batch), and a set lookup costs a
    fraction of a regex search and a date parse. At most ``LIMIT`` strings are kept. None is
    in the set from the start, so ``every`` passes the nulls of nullable members in one
    ``issuperset``; the generated code tests a value's type before the set.
    """

    LIMIT = 4096

    def __init__(self, pattern: str | None, date_time: bool = False) -> None:
        super().__init__((None,))
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

    def every(self, values: tuple[Any, ...]) -> bool:
        """Whether each of ``values`` (the members of one object a pattern checks, null allowed) is null or a
        string that passes: most are in the set already, tested at once."""
        try:
            if self.issuperset(values):
                return True
        except TypeError:  # an unhashable value: an array or an object
            return False
        return all(value is None or (type(value) is str and (value in self or self.match(value))) for value in values)


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
            if _shaped(node):
                self.functions[name] = self.shaped(name, node)
            else:
                self.functions[name] = [f"def {name}(v: Any) -> bool:", f"    return bool({self.expr(node, 'v')})"]
        return name

    def shaped(self, name: str, node: Mapping[str, Any]) -> list[str]:
        """``name`` for an object with members: all of them fetched by one ``itemgetter`` into locals and
        tested there (a ``dict.get`` per member cost more than the test of its value), the nullable members
        one pattern checks tested as one ``issuperset`` of its ``Matches``, and the items of an array of such
        objects tested in a loop of this function (a call per item cost more than its tests). A member
        missing: the member by member test (``e_NAME``, the expression of ``function``) decides.
        """
        each = "e" + name[1:]
        self.functions[each] = [f"def {each}(v: Any) -> bool:", f"    return bool({self.expr(node, 'v')})"]
        names, checks, loops = self.unpacked(node, "v", each, inline=True)
        lines = [
            f"def {name}(v: Any) -> bool:",
            "    if type(v) is not dict:",
            "        return False",
            "    try:",
            f"        {', '.join(names)} = {self.getter(node)}(v)",
            "    except KeyError:  # a member missing",
            "        OPEN.add(1)",
            f"        return {each}(v)",
            *self.closed(node, "v", 1),
        ]
        if not loops:
            return [*lines, f"    return bool({' and '.join(checks) or 'True'})"]
        if checks:
            lines += [f"    if not ({' and '.join(checks)}):", "        return False"]
        for x, item in loops:
            y, item_each = self.var(), "e" + self.function("f_" + item, self.defs[item])[1:]
            inner, tests, _ = self.unpacked(self.defs[item], y, item_each, inline=False)
            lines += [
                f"    for {y} in {x}:",
                f"        if type({y}) is not dict:",
                "            return False",
                "        try:",
                f"            {', '.join(inner)} = {self.getter(self.defs[item])}({y})",
                "        except KeyError:",
                "            OPEN.add(1)",
                f"            if {item_each}({y}):",
                "                continue",
                "            return False",
                *self.closed(self.defs[item], y, 2),
            ]
            if tests:
                lines += [f"        if not ({' and '.join(tests)}):", "            return False"]
        return [*lines, "    return True"]

    def closed(self, node: Mapping[str, Any], v: str, depth: int) -> list[str]:
        """The statements marking ``OPEN`` when the object ``v`` (all its properties there) has members of its own."""
        if node.get("additionalProperties", True) is not True:
            return []  # none allowed, or each one checked by a schema (``closed_depth`` counts it)
        pad = "    " * depth
        return [f"{pad}if len({v}) != {len(node['properties'])}:", f"{pad}    OPEN.add(1)"]

    def getter(self, node: Mapping[str, Any]) -> str:
        """The constant ``itemgetter`` of an object's members, in the order of its properties."""
        return self.const(itemgetter(*node["properties"]))

    def unpacked(
        self, node: Mapping[str, Any], v: str, each: str, *, inline: bool
    ) -> tuple[list[str], list[str], list[tuple[str, str]]]:
        """The names an object's members are unpacked to (``_`` where the value needs no test), the tests of
        their values, and (``inline``) the arrays of shaped objects left to a loop, as (name, definition)."""
        names, checks, loops = [], [], []
        groups: dict[str, list[str]] = {}  # Matches constant -> the nullable members it alone checks
        for sub in node["properties"].values():
            x = self.var()
            seen = self.nullable_pattern(sub)
            item = self.shaped_items(sub) if inline else ""
            if seen:
                groups.setdefault(seen, []).append(x)
            elif item:
                checks.append(f"type({x}) is list")
                loops.append((x, item))
            elif (test := self.expr(sub, x)) != "True":
                checks.append(test)
            else:
                x = "_"
            names.append(x)
        for seen, xs in groups.items():
            values = f"({', '.join(xs)}{',' if len(xs) == 1 else ''})"
            checks.append(f"{seen}.every({values})")
        if node.get("additionalProperties", True) is False:
            checks.insert(0, f"len({v}) == {len(names)}")
        elif node.get("additionalProperties", True) is not True:
            checks.insert(0, f"(len({v}) == {len(names)} or {each}({v}))")
        return names, checks, loops

    def shaped_items(self, node: Mapping[str, Any], leaf: bool = True) -> str:
        """The definition of the items of ``node`` when it is an array (never null) of shaped objects, else "";
        with ``leaf``, only objects with no such array of their own (those keep their loops in their function)."""
        if node.keys() - {"description", "title"} != {"type", "items"} or node["type"] != "array":
            return ""
        item = node["items"]
        name = item["$ref"].rsplit("/", 1)[-1] if item.keys() == {"$ref"} else ""
        if not name or not _shaped(self.defs[name]):
            return ""
        inner = self.defs[name]["properties"].values()
        return name if not leaf or not any(self.shaped_items(sub, leaf=False) for sub in inner) else ""

    def nullable_pattern(self, node: Mapping[str, Any]) -> str:
        """The ``Matches`` that alone checks a member (a string or null, and a pattern or date-time), else ""."""
        node, types = self.resolved(node), []
        if "anyOf" in node:
            node, types = self.resolved(next(o for o in node["anyOf"] if o != {"type": "null"})), ["null"]
        if node.keys() - {"type", "pattern", "format", "description", "title"} or "type" not in node:
            return ""
        types += [node["type"]] if isinstance(node["type"], str) else node["type"]
        if set(types) != {"null", "string"} or ("pattern" not in node and node.get("format") != "date-time"):
            return ""
        key = (node.get("pattern"), node.get("format") == "date-time")
        if key not in self.seen:
            self.seen[key] = self.const(Matches(*key))
        return self.seen[key]

    def resolved(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        """``node``, or the scalar definition it refers to (inlined, as ``expr`` does)."""
        while "$ref" in node and not STRUCTURED & self.defs[node["$ref"].rsplit("/", 1)[-1]].keys():
            node = self.defs[node["$ref"].rsplit("/", 1)[-1]]
        return node

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
        if kinds == ["int"]:  # and within the record limits (flowkit.limits), as ``closed_depth`` promises
            low = max(node.get("minimum", INT_MIN), INT_MIN)
            out.append(f"({low!r} <= {x} <= {INT_MAX})")
        elif "minimum" in node:
            guard = "" if numbers else f"type({x}) not in {self.kinds(['int', 'float'])} or "
            out.append(f"({guard}{x} >= {node['minimum']!r})")
        if "minLength" in node:
            guard = "" if only_str else f"type({x}) is not str or "
            out.append(f"({guard}len({x}) >= {int(node['minLength'])})")
        return out

    def items(self, item: Mapping[str, Any], x: str) -> str:
        """Every item of the array ``x`` (its type already tested; an empty one is not looked into)."""
        if item.keys() == {"type"}:
            return f"(not {x} or {self.types_of(item, x)})"
        if "$ref" in item and STRUCTURED & self.defs[item["$ref"].rsplit("/", 1)[-1]].keys():
            name = item["$ref"].rsplit("/", 1)[-1]
            return f"(not {x} or all(map({self.function('f_' + name, self.defs[name])}, {x})))"
        i = self.var()
        return f"(not {x} or all({self.expr(item, i)} for {i} in {x}))"

    def members(self, node: Mapping[str, Any], v: str) -> list[str]:
        """The member tests of the object ``v`` (its type already tested)."""
        parts = [f"{_q(name)} in {v}" for name in node.get("required", ())]
        for name, sub in node.get("properties", {}).items():
            x = self.var()
            parts.append(f"(({x} := {v}.get({_q(name)}, _M)) is _M or {self.expr(sub, x)})")
        extra = node.get("additionalProperties", True)
        known = self.const(frozenset(node.get("properties", {})))
        if extra is True and node.get("properties"):  # members of its own: not closed (``closed_depth``)
            parts.append(f"({v}.keys() <= {known} or opened(OPEN))")
        if extra is False:
            parts.append(f"{v}.keys() <= {known}")
        elif extra is not True and not node.get("properties") and extra.keys() == {"type"}:
            parts.append(f"(not {v} or {self.types_of(extra, f'{v}.values()')})")
        elif extra is not True:
            j, k = self.var(), self.var()
            test = self.expr(extra, j)
            parts.append(
                f"all({test} for {j} in {v}.values())"
                if not node.get("properties")
                else f"all({test} for {k}, {j} in {v}.items() if {k} not in {known})"
            )
        return parts


def _shaped(node: Mapping[str, Any]) -> bool:
    """Whether ``node`` is an object with enough members that fetching them at once pays (``FastGenerator.shaped``)."""
    members = node.get("properties", {})
    return (
        node.get("type") == "object"
        and len(members) >= SHAPED_MEMBERS
        and not {"enum", "const", "anyOf", "$ref"} & node.keys()
        and set(node.get("required", ())) <= members.keys()
    )


def _q(name: str) -> str:
    """A member name as a Python string literal."""
    return f'"{name}"' if name.isidentifier() or name.replace(".", "").replace("-", "").isalnum() else repr(name)
