"""Helpers shared by the rules compiler: errors naming a key, order accessors, paths."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Any

Order = dict[str, Any]
Meta = dict[str, Any]


class RuleError(Exception):
    """A problem in one rule: ``key`` is the dotted key inside the rule."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


PLACEHOLDERS = ("number", "rule", "channel", "supplier", "total_quantity", "country")


Template = Callable[[Order, Meta, str], str]
_VALUES: dict[str, Callable[[Order, Meta, str], Any]] = {
    "number": lambda o, m, r: o.get("number", ""),
    "rule": lambda o, m, r: r,
    "channel": lambda o, m, r: channel_of(o, m) or "",
    "supplier": lambda o, m, r: supplier_of(o, m) or "",
    "total_quantity": lambda o, m, r: f"{total_quantity(o):g}",
    "country": lambda o, m, r: country_of(o) or "",
}


def template(text: Any, key: str) -> Template:
    """Compile a non-empty string whose ``{placeholders}`` are all known into a filler."""
    if not isinstance(text, str) or not text.strip():
        raise RuleError(key, "must be a non-empty string")
    try:
        names = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError as exc:
        raise RuleError(key, f"bad placeholder: {exc}") from exc
    for name in names:
        if name not in PLACEHOLDERS:
            raise RuleError(key, f"unknown placeholder {{{name}}} (known: {', '.join(PLACEHOLDERS)})")
    if not names:
        return lambda order, meta, rule: text
    if names == {"rule"}:  # depends on the rule alone: fill once per rule
        filled: dict[str, str] = {}

        def by_rule(order: Order, meta: Meta, rule: str) -> str:
            value = filled.get(rule)
            if value is None:
                value = filled[rule] = text.format(rule=rule)
            return value

        return by_rule
    getters = [(name, _VALUES[name]) for name in names]
    return lambda order, meta, rule: text.format_map({n: get(order, meta, rule) for n, get in getters})


def strings(value: Any, key: str) -> tuple[str, ...]:
    """A string or a non-empty list of strings, as a tuple."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise RuleError(key, "must be a string or a non-empty list of strings")


def table_of(value: Any) -> dict[str, Any]:
    """``value`` when it is an object, else an empty one (for reading)."""
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> Any:
    """An id given as ``{"id": …}`` or directly as a scalar."""
    return value.get("id") if isinstance(value, dict) else value


def channel_of(order: Order, meta: Meta) -> str | None:
    channel = meta.get("channel")
    if channel is None:
        channel = _id(table_of(order.get("source")).get("channel"))
    return None if channel is None else str(channel)


def supplier_of(order: Order, meta: Meta) -> str | None:
    supplier = meta.get("supplier")
    if supplier is None:
        supplier = _id(order.get("supplier"))
    return None if supplier is None else str(supplier)


def line_supplier(line: Mapping[str, Any]) -> str | None:
    supplier = line.get("supplier")
    if isinstance(supplier, dict):
        supplier = supplier.get("id")
    return None if supplier is None else str(supplier)


def lines_of(order: Order) -> list[dict[str, Any]]:
    """The order's lines that are objects (``shape.check`` refuses others in the input; a rule's
    ``set`` of ``lines`` can still leave something else, which no check or rule walks into)."""
    lines = order.get("lines")
    if lines.__class__ is not list:
        return []
    return [line for line in lines if line.__class__ is dict]


def table_at(order: Order, name: str) -> dict[str, Any]:
    """The object under ``name``, put there (replacing null or a scalar) when there is none, for writing into."""
    value = order.get(name)
    if value.__class__ is not dict:
        value = order[name] = {}
    return value


def country_of(order: Order) -> str | None:
    country = table_of(order.get("shipping_address")).get("country_code")
    return str(country).upper() if country else None


def quantity(line: Mapping[str, Any]) -> float:
    value = line.get("quantity") or 0
    if value.__class__ is int or value.__class__ is float:
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        from flowkit.apply_rules.unreadable import Unreadable

        raise Unreadable(".quantity", f"{value!r} is not a number", line=line) from None


def total_quantity(order: Order) -> float:
    return sum(quantity(line) for line in lines_of(order))


def text_of(value: Any) -> str | None:
    """A scalar as the string a regex sees (None for missing/containers)."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_path(path: Any, key: str) -> tuple[str, ...]:
    if not isinstance(path, str) or not path or any(not part for part in path.split(".")):
        raise RuleError(key, "must be a dotted field path such as 'customer.email' or 'lines.sku'")
    return tuple(path.split("."))


def values_at(value: Any, parts: tuple[str, ...]) -> list[Any] | tuple[Any, ...]:
    """Every value at a dotted path; a list on the way means 'any element'."""
    for index, part in enumerate(parts):
        if isinstance(value, list):
            rest = parts[index:]
            return [found for item in value for found in values_at(item, rest)]
        if not isinstance(value, dict) or part not in value:
            return ()
        value = value[part]
    return value if isinstance(value, list) else (value,)


def fresh(value: Any) -> Any:
    """A copy of a list or table value (each order gets its own), the value itself otherwise."""
    if value.__class__ is list:
        return [fresh(item) for item in value]
    if value.__class__ is dict:
        return {key: fresh(item) for key, item in value.items()}
    return value


def set_at(target: dict[str, Any], parts: tuple[str, ...], new: Any) -> None:
    """Set a dotted path, creating tables on the way; a list sets every element.

    A list or table value is copied for each place it is set: a rule's value must not
    be shared between orders (a later ``add_tags`` would change it for all of them).
    """
    last = len(parts) - 1
    for index, part in enumerate(parts):
        if index == last:
            target[part] = fresh(new) if new.__class__ is list or new.__class__ is dict else new
            return
        child = target.get(part)
        if child.__class__ is list:
            rest = parts[index + 1 :]
            for item in child:
                if isinstance(item, dict):
                    set_at(item, rest, new)
            return
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
