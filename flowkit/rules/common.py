"""Helpers shared by the rules compiler: errors naming a key, order accessors, paths."""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
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


def check_template(text: Any, key: str) -> str:
    """A non-empty string whose ``{placeholders}`` are all known."""
    if not isinstance(text, str) or not text.strip():
        raise RuleError(key, "must be a non-empty string")
    try:
        names = [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
    except ValueError as exc:
        raise RuleError(key, f"bad placeholder: {exc}") from exc
    for name in names:
        if name not in PLACEHOLDERS:
            raise RuleError(key, f"unknown placeholder {{{name}}} (known: {', '.join(PLACEHOLDERS)})")
    return text


def fill(text: str, order: Order, meta: Meta, rule: str) -> str:
    """Expand the placeholders of a checked template for one order."""
    if "{" not in text:
        return text
    values = {
        "number": order.get("number", ""), "rule": rule, "channel": channel_of(order, meta) or "",
        "supplier": supplier_of(order, meta) or "", "total_quantity": total_quantity(order),
        "country": country_of(order) or "",
    }
    return text.format_map(values)


def strings(value: Any, key: str) -> tuple[str, ...]:
    """A string or a non-empty list of strings, as a tuple."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise RuleError(key, "must be a string or a non-empty list of strings")


def channel_of(order: Order, meta: Meta) -> str | None:
    channel = meta.get("channel")
    if channel is None:
        channel = ((order.get("source") or {}).get("channel") or {}).get("id")
    return None if channel is None else str(channel)


def supplier_of(order: Order, meta: Meta) -> str | None:
    supplier = meta.get("supplier")
    if supplier is None:
        supplier = (order.get("supplier") or {}).get("id")
    return None if supplier is None else str(supplier)


def line_supplier(line: Mapping[str, Any]) -> str | None:
    supplier = line.get("supplier")
    if isinstance(supplier, Mapping):
        supplier = supplier.get("id")
    return None if supplier is None else str(supplier)


def country_of(order: Order) -> str | None:
    country = (order.get("shipping_address") or {}).get("country_code")
    return str(country).upper() if country else None


def quantity(line: Mapping[str, Any]) -> float:
    value = line.get("quantity") or 0
    return value if isinstance(value, (int, float)) else float(value)


def total_quantity(order: Order) -> float:
    return sum(quantity(line) for line in order.get("lines") or ())


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


def values_at(value: Any, parts: tuple[str, ...]) -> Iterator[Any]:
    """Every value at a dotted path; a list on the way means 'any element'."""
    if isinstance(value, list):
        for item in value:
            yield from values_at(item, parts)
        return
    if not parts:
        yield value
        return
    if isinstance(value, dict) and parts[0] in value:
        yield from values_at(value[parts[0]], parts[1:])


def set_at(target: dict[str, Any], parts: tuple[str, ...], new: Any) -> None:
    """Set a dotted path, creating tables on the way; a list sets every element."""
    head, rest = parts[0], parts[1:]
    if not rest:
        target[head] = new
        return
    child = target.get(head)
    if isinstance(child, list):
        for item in child:
            if isinstance(item, dict):
                set_at(item, rest, new)
        return
    if not isinstance(child, dict):
        child = {}
        target[head] = child
    set_at(child, rest, new)
