"""Rule conditions compiled once into Python expressions over an order's facts.

A ``when`` table holds conditions (all must hold) and the combinators
``all = [..]``, ``any = [..]`` and ``not = {..}``. Each condition becomes a
small expression over fact variables (``F_country``, ``F_qmax``, …) and
constants bound in a shared namespace; ``flowkit.apply_rules.compiled`` turns the
rules into one function, so a rule costs one inlined test, not a chain of
calls. See docs/commands/apply-rules.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from flowkit.apply_rules.actions import Outcome
from flowkit.apply_rules.common import RuleError, check_path, lines_of, strings, text_of

Compiled = tuple[str, str]  # (expression, description)
# Fact variables an expression may use, and how each is computed from the Outcome ``s``.
FACTS = {
    "F_country": "s.country()",
    "F_channel": "s.channel()",
    "F_method": "s.method()",
    "F_total": "s.total()",
    "F_qs": "s.quantities()",
    "F_qmin": "s.qmin()",
    "F_qmax": "s.qmax()",
    "F_tags": "s.tags()",
    "F_suppliers": "s.suppliers()",
    "F_notes": "s.notes_text()",
    "F_tagset": "s.tagset()",
}
# The top-level order fields each fact depends on (a ``set`` of one re-reads the fact).
FACT_DEPS = {
    "F_country": ("shipping_address",),
    "F_channel": ("source",),
    "F_method": ("shipping",),
    "F_total": ("lines",),
    "F_qs": ("lines",),
    "F_qmin": ("lines",),
    "F_qmax": ("lines",),
    "F_tags": ("tags",),
    "F_suppliers": ("supplier", "lines"),
    "F_notes": ("notes",),
    "F_tagset": ("tags",),
}
_COMPARISON = re.compile(r"^\s*(>=|<=|==|!=|>|<|=)?\s*(-?\d+(?:\.\d+)?)\s*$")


class Namespace(dict[str, Any]):
    """Constants and helper functions the generated code refers to by name, and per-path facts."""

    def __init__(self) -> None:
        super().__init__()
        self.facts: dict[str, tuple[str, tuple[str, ...]]] = {}  # name -> (accessor, top-level fields)
        self._paths: dict[tuple[str, ...], str] = {}

    def bind(self, value: Any, prefix: str = "K") -> str:
        name = f"{prefix}{len(self)}"
        self[name] = value
        return name

    def path_fact(self, parts: tuple[str, ...]) -> str:
        """A fact variable holding every value at a dotted field path."""
        if parts not in self._paths:
            name = self._paths[parts] = f"F_path{len(self._paths)}_"
            self.facts[name] = (f"s.path_values({self.bind(parts)})", parts[:1])
        return self._paths[parts]


def comparison(value: Any, key: str) -> tuple[str, float]:
    """``"> 4"``, ``">= 10"``, ``"!= 0"`` or a bare number (equality) as (operator, number)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise RuleError(key, "must be a finite number")
        return "==", value
    match = _COMPARISON.match(value) if isinstance(value, str) else None
    if not match:
        raise RuleError(key, 'must be a comparison such as "> 4", ">= 10", "== 1" or a number')
    number = float(match.group(2)) if "." in match.group(2) else int(match.group(2))
    return ("==" if match.group(1) in (None, "=") else match.group(1)), number


def _line_quantity(every: bool) -> Callable[[Any, str, Namespace], Compiled]:
    def build(value: Any, key: str, ns: Namespace) -> Compiled:
        op, n = comparison(value, key)
        # any line q OP n, via min/max: any > n <=> max > n; all > n <=> min > n; and so on.
        exprs = {
            (False, ">"): f"F_qmax > {n!r}",
            (False, ">="): f"F_qmax >= {n!r}",
            (False, "<"): f"F_qmin < {n!r}",
            (False, "<="): f"F_qmin <= {n!r}",
            (False, "=="): f"{n!r} in F_qs",
            (False, "!="): f"(F_qmin != {n!r} or F_qmax != {n!r})",
            (True, ">"): f"F_qmin > {n!r}",
            (True, ">="): f"F_qmin >= {n!r}",
            (True, "<"): f"F_qmax < {n!r}",
            (True, "<="): f"F_qmax <= {n!r}",
            (True, "=="): f"F_qmin == F_qmax == {n!r}",
            (True, "!="): f"{n!r} not in F_qs",
        }
        return f"(F_qs != () and {exprs[(every, op)]})", f"{'every' if every else 'any'} line quantity {op} {n}"

    return build


def _total_quantity(value: Any, key: str, ns: Namespace) -> Compiled:
    op, n = comparison(value, key)
    return f"(F_total {op} {n!r})", f"total quantity {op} {n}"


def _set_test(
    fact: str, label: str, upper: bool = False, lower: bool = False, negate: bool = False
) -> Callable[[Any, str, Namespace], Compiled]:
    def build(value: Any, key: str, ns: Namespace) -> Compiled:
        items = strings(value, key)
        wanted = frozenset(v.upper() if upper else v.lower() if lower else v for v in items)
        name = ns.bind(wanted)
        return f"({fact} {'not in' if negate else 'in'} {name})", f"{label} {sorted(wanted)}"

    return build


def _supplier(value: Any, key: str, ns: Namespace) -> Compiled:
    wanted = frozenset(strings(value, key))
    return f"(not {ns.bind(wanted)}.isdisjoint(F_suppliers))", f"supplier in {sorted(wanted)}"


def _tag(value: Any, key: str, ns: Namespace) -> Compiled:
    wanted = strings(value, key)
    if len(wanted) == 1:
        return f"({ns.bind(wanted[0])} in F_tagset)", f"tag present {list(wanted)}"
    return f"(not {ns.bind(frozenset(wanted))}.isdisjoint(F_tagset))", f"tag present {list(wanted)}"


def _regexes(value: Any, key: str) -> list[tuple[str, re.Pattern[str]]]:
    if not isinstance(value, Mapping) or not value:
        raise RuleError(key, 'must be a table of FIELD = "regex"')
    out = []
    for name, pattern in value.items():
        if not isinstance(pattern, str):
            raise RuleError(f"{key}.{name}", "must be a regular expression string")
        try:
            out.append((str(name), re.compile(pattern)))
        except re.error as exc:
            raise RuleError(f"{key}.{name}", f"invalid regular expression: {exc}") from exc
    return out


def _matches_any(values: Any, rx: re.Pattern[str]) -> bool:
    search = rx.search
    for value in values:
        text = value if value.__class__ is str else text_of(value)
        if text is not None and search(text):
            return True
    return False


def _field_matches(value: Any, key: str, ns: Namespace) -> Compiled:
    checks = [(check_path(name, f"{key}.{name}"), rx) for name, rx in _regexes(value, key)]
    match = ns.bind(_matches_any, "M")
    expr = " and ".join(f"{match}({ns.path_fact(parts)}, {ns.bind(rx)})" for parts, rx in checks)
    text = "fields match " + ", ".join(f"{'.'.join(p)} ~ /{rx.pattern}/" for p, rx in checks)
    return f"({expr})", text


def _extra_data_matches(value: Any, key: str, ns: Namespace) -> Compiled:
    checks = _regexes(value, key)

    def check(s: Outcome) -> bool:
        order = s.order
        found = [order.get("extra_data"), *(line.get("extra_data") for line in lines_of(order))]
        tables = [table for table in found if isinstance(table, dict)]
        return all(_matches_any([t[name] for t in tables if name in t], rx) for name, rx in checks)

    return f"{ns.bind(check, 'T')}(s)", "extra data match " + ", ".join(f"{n} ~ /{rx.pattern}/" for n, rx in checks)


def _note_contains(value: Any, key: str, ns: Namespace) -> Compiled:
    needles = tuple(v.lower() for v in strings(value, key))
    expr = " or ".join(f"{ns.bind(needle)} in F_notes" for needle in needles)
    return f"({expr})", f"note contains {list(needles)}"


def _on_hold(value: Any, key: str, ns: Namespace) -> Compiled:
    if not isinstance(value, bool):
        raise RuleError(key, "must be true or false")
    return f"(s.on_hold() is {value!r})", f"on hold is {value}"


def _status(value: Any, key: str, ns: Namespace) -> Compiled:
    wanted = frozenset(strings(value, key))
    # only a string can be one of them; a list or an object (set by a rule) cannot even be looked up
    expr = f"(s.order.get('status').__class__ is str and s.order.get('status') in {ns.bind(wanted)})"
    return expr, f"status in {sorted(wanted)}"


CONDITIONS: dict[str, Callable[[Any, str, Namespace], Compiled]] = {
    "any_line_quantity": _line_quantity(False),
    "all_line_quantity": _line_quantity(True),
    "total_quantity": _total_quantity,
    "shipping_country_in": _set_test("F_country", "shipping country in", upper=True),
    "shipping_country_not_in": _set_test("F_country", "shipping country not in", upper=True, negate=True),
    "shipping_method": _set_test("F_method", "shipping method in", lower=True),
    "channel": _set_test("F_channel", "channel in"),
    "supplier": _supplier,
    "field_matches": _field_matches,
    "extra_data_matches": _extra_data_matches,
    "note_contains": _note_contains,
    "tag": _tag,
    "on_hold": _on_hold,
    "status": _status,
}


def compile_when(spec: Any, ns: Namespace, key: str = "when") -> Compiled:
    """Compile a ``when`` table (its entries all hold) into one expression."""
    if not isinstance(spec, Mapping):
        raise RuleError(key, "must be a table of conditions")
    parts: list[Compiled] = []
    for name, value in spec.items():
        where = f"{key}.{name}"
        if name in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise RuleError(where, f"'{name}' must be a non-empty list of condition tables")
            parts.append(_combine(name, [compile_when(item, ns, f"{where}[{i}]") for i, item in enumerate(value)]))
        elif name == "not":
            expr, text = compile_when(value, ns, where)
            parts.append((f"(not {expr})", f"not ({text})"))
        elif name in CONDITIONS:
            parts.append(CONDITIONS[name](value, where, ns))
        else:
            known = ", ".join([*CONDITIONS, "all", "any", "not"])
            raise RuleError(where, f"unknown condition {name!r} (known: {known})")
    if not parts:
        return "True", "always"
    return parts[0] if len(parts) == 1 else _combine("all", parts)


def _combine(kind: str, subs: list[Compiled]) -> Compiled:
    joiner = " and " if kind == "all" else " or "
    expr = "(" + joiner.join(e for e, _ in subs) + ")"
    text = f" {'and' if kind == 'all' else 'or'} ".join(f"({d})" if " and " in d or " or " in d else d for _, d in subs)
    return expr, text
