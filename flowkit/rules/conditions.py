"""Rule conditions compiled once into closures ``(order, meta) -> bool``.

A ``when`` table holds conditions (all must hold) and the combinators
``all = [..]``, ``any = [..]`` and ``not = {..}``. See docs/commands/apply-rules.md.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from flowkit.rules.common import (
    Meta,
    Order,
    RuleError,
    channel_of,
    check_path,
    country_of,
    line_supplier,
    quantity,
    strings,
    supplier_of,
    text_of,
    total_quantity,
    values_at,
)

Test = Callable[[Order, Meta], bool]
Compiled = tuple[Test, str]

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge, "<=": operator.le, "==": operator.eq, "!=": operator.ne, ">": operator.gt, "<": operator.lt,
    "=": operator.eq,
}
_COMPARISON = re.compile(r"^\s*(>=|<=|==|!=|>|<|=)?\s*(-?\d+(?:\.\d+)?)\s*$")


def comparison(value: Any, key: str) -> tuple[Callable[[float], bool], str]:
    """``"> 4"``, ``">= 10"``, ``"!= 0"`` or a bare number (equality)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number: float = value
        symbol = "=="
    else:
        match = _COMPARISON.match(value) if isinstance(value, str) else None
        if not match:
            raise RuleError(key, "must be a comparison such as \"> 4\", \">= 10\", \"== 1\" or a number")
        symbol = match.group(1) or "=="
        number = float(match.group(2)) if "." in match.group(2) else int(match.group(2))
    op = _OPS[symbol]
    return (lambda q: op(q, number)), f"{symbol} {number}"


def _any_line_quantity(value: Any, key: str) -> Compiled:
    test, text = comparison(value, key)
    return (lambda o, m: any(test(quantity(line)) for line in o.get("lines") or ())), f"any line quantity {text}"


def _all_line_quantity(value: Any, key: str) -> Compiled:
    test, text = comparison(value, key)

    def check(order: Order, meta: Meta) -> bool:
        lines = order.get("lines") or ()
        return bool(lines) and all(test(quantity(line)) for line in lines)

    return check, f"every line quantity {text}"


def _total_quantity(value: Any, key: str) -> Compiled:
    test, text = comparison(value, key)
    return (lambda o, m: test(total_quantity(o))), f"total quantity {text}"


def _country_in(value: Any, key: str) -> Compiled:
    wanted = frozenset(v.upper() for v in strings(value, key))
    return (lambda o, m: country_of(o) in wanted), f"shipping country in {sorted(wanted)}"


def _country_not_in(value: Any, key: str) -> Compiled:
    unwanted = frozenset(v.upper() for v in strings(value, key))
    return (lambda o, m: country_of(o) not in unwanted), f"shipping country not in {sorted(unwanted)}"


def _shipping_method(value: Any, key: str) -> Compiled:
    wanted = frozenset(v.lower() for v in strings(value, key))

    def check(order: Order, meta: Meta) -> bool:
        code = (order.get("shipping") or {}).get("method_code")
        return code is not None and str(code).lower() in wanted

    return check, f"shipping method in {sorted(wanted)}"


def _channel(value: Any, key: str) -> Compiled:
    wanted = frozenset(strings(value, key))
    return (lambda o, m: channel_of(o, m) in wanted), f"channel in {sorted(wanted)}"


def _supplier(value: Any, key: str) -> Compiled:
    wanted = frozenset(strings(value, key))

    def check(order: Order, meta: Meta) -> bool:
        if supplier_of(order, meta) in wanted:
            return True
        return any(line_supplier(line) in wanted for line in order.get("lines") or ())

    return check, f"supplier in {sorted(wanted)}"


def _regexes(value: Any, key: str) -> list[tuple[str, re.Pattern[str]]]:
    if not isinstance(value, Mapping) or not value:
        raise RuleError(key, "must be a table of FIELD = \"regex\"")
    out = []
    for name, pattern in value.items():
        if not isinstance(pattern, str):
            raise RuleError(f"{key}.{name}", "must be a regular expression string")
        try:
            out.append((str(name), re.compile(pattern)))
        except re.error as exc:
            raise RuleError(f"{key}.{name}", f"invalid regular expression: {exc}") from exc
    return out


def _field_matches(value: Any, key: str) -> Compiled:
    checks = [(check_path(name, f"{key}.{name}"), rx) for name, rx in _regexes(value, key)]

    def check(order: Order, meta: Meta) -> bool:
        for parts, rx in checks:
            texts = (text_of(v) for v in values_at(order, parts))
            if not any(t is not None and rx.search(t) for t in texts):
                return False
        return True

    return check, "fields match " + ", ".join(f"{'.'.join(p)} ~ /{rx.pattern}/" for p, rx in checks)


def _extra_data_matches(value: Any, key: str) -> Compiled:
    checks = _regexes(value, key)

    def check(order: Order, meta: Meta) -> bool:
        tables = [order.get("extra_data") or {}, *((line.get("extra_data") or {}) for line in order.get("lines") or ())]
        for name, rx in checks:
            if not any(name in t and (s := text_of(t[name])) is not None and rx.search(s) for t in tables):
                return False
        return True

    return check, "extra data match " + ", ".join(f"{n} ~ /{rx.pattern}/" for n, rx in checks)


def _note_contains(value: Any, key: str) -> Compiled:
    needles = tuple(v.lower() for v in strings(value, key))

    def check(order: Order, meta: Meta) -> bool:
        notes = order.get("notes") or {}
        texts = [notes.get("customer") or "", *(n.get("text", "") if isinstance(n, dict) else str(n)
                                                for n in notes.get("internal") or ())]
        haystack = "\n".join(t for t in texts if isinstance(t, str)).lower()
        return any(n in haystack for n in needles)

    return check, f"note contains {list(needles)}"


def _tag(value: Any, key: str) -> Compiled:
    wanted = strings(value, key)
    return (lambda o, m: any(t in (o.get("tags") or ()) for t in wanted)), f"tag present {list(wanted)}"


def _on_hold(value: Any, key: str) -> Compiled:
    if not isinstance(value, bool):
        raise RuleError(key, "must be true or false")
    return (lambda o, m: bool((o.get("hold") or {}).get("on_hold")) is value), f"on hold is {value}"


def _status(value: Any, key: str) -> Compiled:
    wanted = frozenset(strings(value, key))
    return (lambda o, m: o.get("status") in wanted), f"status in {sorted(wanted)}"


CONDITIONS: dict[str, Callable[[Any, str], Compiled]] = {
    "any_line_quantity": _any_line_quantity, "all_line_quantity": _all_line_quantity,
    "total_quantity": _total_quantity, "shipping_country_in": _country_in,
    "shipping_country_not_in": _country_not_in, "shipping_method": _shipping_method, "channel": _channel,
    "supplier": _supplier, "field_matches": _field_matches, "extra_data_matches": _extra_data_matches,
    "note_contains": _note_contains, "tag": _tag, "on_hold": _on_hold, "status": _status,
}


def compile_when(spec: Any, key: str = "when") -> Compiled:
    """Compile a ``when`` table (its entries all hold) into one test."""
    if not isinstance(spec, Mapping):
        raise RuleError(key, "must be a table of conditions")
    parts: list[Compiled] = []
    for name, value in spec.items():
        where = f"{key}.{name}"
        if name in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise RuleError(where, f"'{name}' must be a non-empty list of condition tables")
            subs = [compile_when(item, f"{where}[{i}]") for i, item in enumerate(value)]
            parts.append(_combine(name, subs))
        elif name == "not":
            parts.append(_negate(compile_when(value, where)))
        elif name in CONDITIONS:
            parts.append(CONDITIONS[name](value, where))
        else:
            raise RuleError(where, f"unknown condition {name!r} (known: {', '.join([*CONDITIONS, 'all', 'any', 'not'])})")
    if not parts:
        return (lambda o, m: True), "always"
    return parts[0] if len(parts) == 1 else _combine("all", parts)


def _negate(sub: Compiled) -> Compiled:
    test, text = sub
    return (lambda o, m: not test(o, m)), f"not ({text})"


def _combine(kind: str, subs: list[Compiled]) -> Compiled:
    tests = tuple(t for t, _ in subs)
    text = f" {'and' if kind == 'all' else 'or'} ".join(f"({d})" if " and " in d or " or " in d else d for _, d in subs)
    if kind == "all":
        return (lambda o, m: all(t(o, m) for t in tests)), text
    return (lambda o, m: any(t(o, m) for t in tests)), text
