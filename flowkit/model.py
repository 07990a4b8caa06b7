"""The canonical order model (``flowkit.order/1``) and its validation.

The JSON Schema in ``flowkit/schemas/order.schema.json`` is the single
definition; this module compiles the subset of JSON Schema it uses (type,
properties, required, additionalProperties, items, enum, const, pattern,
minimum, minLength, anyOf, $ref) into plain Python closures once, so
validating an order costs about as much as walking it. Each problem names the
JSON path of the offending value, e.g. ``$.lines[1].quantity``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path as FilePath
from typing import Any

from flowkit.errors import ExitCode, RecordError

SCHEMA_ID = "flowkit.order/1"

Path = tuple[Any, ...]  # (parent path, member name or index); rendered only on error
Check = Callable[[Any, Path, list["Problem"]], None]
ROOT: Path = ()


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (a JSON path) and what."""

    where: Path
    message: str

    @property
    def path(self) -> str:
        """The JSON path, e.g. ``$.lines[1].quantity``."""
        parts: list[str] = []
        node = self.where
        while node:
            node, step = node
            parts.append(f"[{step}]" if isinstance(step, int) else f".{step}")
        return "$" + "".join(reversed(parts))

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of the canonical order."""
    text = (FilePath(__file__).parent / "schemas" / "order.schema.json").read_text(encoding="utf-8")
    value: dict[str, Any] = json.loads(text)
    return value


# JSON type -> the exact Python types a JSON parser produces for it.
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "null": (type(None),), "object": (dict,), "array": (list,),
}
_PYTHON_NAMES = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object", list: "array"}


def type_name(value: Any) -> str:
    return "null" if value is None else _PYTHON_NAMES.get(type(value), type(value).__name__)


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.defs = root.get("$defs", {})
        self.compiled: dict[str, Check] = {}
        # Scalar checks (type, optional pattern) that obj() inlines, by id of their closure.
        self.simple: dict[int, Simple] = {}

    def ref(self, ref: str) -> Check:
        name = ref.rsplit("/", 1)[-1]
        if name not in self.compiled:  # the canonical schema has no recursive $ref
            self.compiled[name] = self.compile(self.defs[name])
        return self.compiled[name]

    def compile(self, node: Mapping[str, Any]) -> Check:
        if "$ref" in node:
            return self.ref(node["$ref"])
        if "anyOf" in node:
            return self.any_of(node["anyOf"])
        checks: list[Check] = []
        if "const" in node or "enum" in node:
            checks.append(_enum(node["enum"] if "enum" in node else [node["const"]]))
        if "type" in node:
            checks.append(self.typed(node))
        return _all(checks)

    def typed(self, node: Mapping[str, Any]) -> Check:
        names = [node["type"]] if isinstance(node["type"], str) else list(node["type"])
        allowed = frozenset(t for n in names for t in _TYPES[n])
        inner: list[Check] = []
        if "properties" in node or "additionalProperties" in node:
            inner.append(self.obj(node))
        if "items" in node:
            inner.append(_items(self.compile(node["items"])))
        expected = " or ".join(names)
        if not inner and not {"minimum", "minLength", "enum", "const"} & node.keys():
            pattern = node.get("pattern")
            hint = node.get("description") or f"pattern {pattern}"
            match: Callable[[str], Any] | None = re.compile(pattern).match if pattern else None
            if node.get("format") == "date-time":
                match = _date_time(match)
            return self.simple_check(Simple(allowed, expected, match, hint))
        inner += _scalar_checks(node)
        return self.full_check(allowed, expected, _all(inner) if inner else None)

    def simple_check(self, spec: Simple) -> Check:
        def check(value: Any, path: Path, out: list[Problem]) -> None:
            problem = spec.problem(value)
            if problem:
                out.append(Problem(path, problem))

        self.simple[id(check)] = spec
        spec.keep = check
        return check

    @staticmethod
    def full_check(allowed: frozenset[type], expected: str, rest: Check | None) -> Check:
        def check(value: Any, path: Path, out: list[Problem]) -> None:
            if type(value) not in allowed:
                out.append(Problem(path, f"expected {expected}, got {type_name(value)}"))
            elif rest is not None and value is not None:
                rest(value, path, out)

        return check

    def obj(self, node: Mapping[str, Any]) -> Check:
        compiled = [(k, self.compile(v)) for k, v in node.get("properties", {}).items()]
        flat = [(k, spec.allowed, spec.match, spec) for k, c in compiled if (spec := self.simple.get(id(c)))]
        props = [(k, c) for k, c in compiled if id(c) not in self.simple]
        required = list(node.get("required", ()))
        extra = node.get("additionalProperties", True)
        extra_check = self.compile(extra) if isinstance(extra, Mapping) else None
        known = {k for k, _ in compiled}

        def check(value: Any, path: Path, out: list[Problem]) -> None:
            for name in required:
                if name not in value:
                    out.append(Problem((path, name), "required member missing"))
            get = value.get
            for name, allowed, match, spec in flat:
                item = get(name, _MISSING)
                if item is _MISSING:
                    continue
                if type(item) not in allowed or (match is not None and item is not None and not match(item)):
                    out.append(Problem((path, name), spec.problem(item) or ""))
            for name, sub in props:
                item = value.get(name, _MISSING)
                if item is not _MISSING:
                    sub(item, (path, name), out)
            if extra is False or extra_check is not None:
                for name in value.keys() - known:
                    if extra_check is None:
                        out.append(Problem((path, name), "unknown member"))
                    else:
                        extra_check(value[name], (path, name), out)

        return check

    def any_of(self, options: list[Mapping[str, Any]]) -> Check:
        nullable = any(o.get("type") == "null" for o in options)
        others = [self.compile(o) for o in options if o.get("type") != "null"]
        if nullable and len(others) == 1 and id(others[0]) in self.simple:
            spec = self.simple[id(others[0])]
            return self.simple_check(Simple(spec.allowed | {type(None)}, f"{spec.expected} or null", spec.match,
                                            spec.hint))
        if nullable and len(others) == 1:
            only = others[0]
            return lambda v, p, out: None if v is None else only(v, p, out)

        def check(value: Any, path: Path, out: list[Problem]) -> None:
            if value is None and nullable:
                return
            first: list[Problem] = []
            for index, sub in enumerate(others):
                found: list[Problem] = []
                sub(value, path, found)
                if not found:
                    return
                first = first if index else found
            out.extend(first)

        return check


_MISSING = object()


def _date_time(match: Callable[[str], Any] | None) -> Callable[[str], bool]:
    """A pattern check that also rejects impossible dates and times (2026-02-30)."""

    def check(value: str) -> bool:
        if match is not None and not match(value):
            return False
        try:
            datetime.fromisoformat(value).astimezone(UTC)
        except (ValueError, OverflowError):  # impossible date, or out of range once in UTC
            return False
        return True

    return check


@dataclass
class Simple:
    """A scalar check: allowed Python types and an optional pattern for strings."""

    allowed: frozenset[type]
    expected: str
    match: Callable[[str], Any] | None
    hint: str
    keep: Check | None = None  # the closure, kept alive so its id stays unique

    def problem(self, value: Any) -> str | None:
        if type(value) not in self.allowed:
            return f"expected {self.expected}, got {type_name(value)}"
        if self.match is not None and type(value) is str and not self.match(value):
            return f"{_short(value)} is not valid ({self.hint})"
        return None


def _pass(value: Any, path: Path, out: list[Problem]) -> None:
    return None


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _pass
    if len(checks) == 1:
        return checks[0]

    def check(value: Any, path: Path, out: list[Problem]) -> None:
        for sub in checks:
            sub(value, path, out)

    return check


def _enum(allowed: list[Any]) -> Check:
    shown = ", ".join("null" if a is None else str(a) for a in allowed)

    def check(value: Any, path: Path, out: list[Problem]) -> None:
        if value not in allowed or isinstance(value, bool) != any(isinstance(a, bool) for a in allowed):
            out.append(Problem(path, f"{_short(value)} is not one of: {shown}"))

    return check


def _items(sub: Check) -> Check:
    def check(value: Any, path: Path, out: list[Problem]) -> None:
        for index, item in enumerate(value):
            sub(item, (path, index), out)

    return check


def _scalar_checks(node: Mapping[str, Any]) -> list[Check]:
    checks: list[Check] = []
    if "pattern" in node:
        match = re.compile(node["pattern"]).search
        hint = node.get("description") or f"pattern {node['pattern']}"
        checks.append(lambda v, p, out: None if not isinstance(v, str) or match(v)
                      else out.append(Problem(p, f"{_short(v)} is not valid ({hint})")))
    if "minimum" in node:
        low = node["minimum"]
        checks.append(lambda v, p, out: None if not isinstance(v, (int, float)) or v >= low
                      else out.append(Problem(p, f"{v} is below the minimum {low}")))
    if "minLength" in node:
        size = node["minLength"]
        checks.append(lambda v, p, out: None if not isinstance(v, str) or len(v) >= size
                      else out.append(Problem(p, f"shorter than {size} character(s)")))
    return checks


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


@cache
def _validator() -> Check:
    root = schema()
    return _Compiler(root).compile(root)


def validate(order: Any) -> list[Problem]:
    """Every problem in ``order`` against the canonical schema (empty when valid)."""
    problems: list[Problem] = []
    _validator()(order, ROOT, problems)
    return problems


def check(order: Any, key: str | None = None) -> dict[str, Any]:
    """Return ``order`` when valid, else raise a RecordError naming key and JSON path."""
    problems = validate(order)
    if not problems:
        return order  # type: ignore[no-any-return]
    name = key if key is not None else (order.get("number") if isinstance(order, dict) else None)
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    raise RecordError(f"order {name!s} is not a valid {SCHEMA_ID}: {problems[0]}{more}", code=ExitCode.DATAERR)


def hold_reason(order: Mapping[str, Any], now: datetime | None = None) -> str | None:
    """Why the order is held (a reason string), or None when it may be processed.

    A hold with an ``until`` time in the past no longer applies.
    """
    hold = order.get("hold")
    if not hold or not hold.get("on_hold"):
        return None
    until = hold.get("until")
    if until and parse_time(until) <= (now or datetime.now(UTC)):
        return None
    return str(hold.get("reason") or "on hold")


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)  # Python >= 3.11 reads "Z"


def utc(value: str | None) -> str | None:
    """An RFC 3339 timestamp in UTC with ``Z`` (canonical values pass unchanged)."""
    if value is None or value.endswith("Z"):
        return value
    stamp = parse_time(value).astimezone(UTC)
    text = stamp.isoformat().replace("+00:00", "Z")
    return text
