"""Rule actions compiled once into closures that change an ``Outcome``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from flowkit.apply_rules.common import (
    Meta,
    Order,
    RuleError,
    channel_of,
    check_path,
    country_of,
    line_supplier,
    lines_of,
    quantity,
    set_at,
    strings,
    supplier_of,
    template,
    values_at,
)
from flowkit.records import check_limits

SEVERITIES = ("info", "warning", "error", "critical")
# Which top-level order fields each cached fact depends on (tuple keys are field paths).
CACHE_DEPS: dict[str, tuple[str, ...]] = {
    "country": ("shipping_address",),
    "channel": ("source",),
    "method": ("shipping",),
    "quantities": ("lines",),
    "total": ("lines",),
    "qmin": ("lines",),
    "qmax": ("lines",),
    "suppliers": ("supplier", "lines"),
    "notes": ("notes",),
}
PROTECTED = ("number", "schema")


class Alert(NamedTuple):
    rule: str
    message: str
    severity: str
    to: str | None


class Outcome:
    """What the rules and checks decided for one order (the order is changed in place).

    A plain class with slots: one is made per order, so it must be cheap.
    """

    __slots__ = ("alerts", "cache", "cancel", "explain", "holds", "matched", "meta", "order", "paths")

    def __init__(self, order: Order, meta: Meta) -> None:
        self.order = order
        self.meta = meta
        self.holds: list[tuple[str, str]] = []  # (rule or check:NAME, reason)
        self.cancel: tuple[str, str] | None = None
        self.alerts: list[Alert] = []
        self.matched: list[str] = []
        self.explain: list[str] = []
        self.cache: dict[str, Any] = {}
        self.paths: dict[str, dict[tuple[str, ...], Any]] = {}  # top-level field -> path -> values

    def changed(self, tops: frozenset[str], facts: tuple[str, ...]) -> None:
        """Forget cached values derived from the top-level fields ``tops`` (after a ``set``)."""
        cache = self.cache
        for key in facts:
            cache.pop(key, None)
        paths = self.paths
        if paths:
            for top in tops:
                paths.pop(top, None)

    # Derived values conditions read, cached until an action changes fields.
    def country(self) -> str | None:
        cache = self.cache
        if "country" not in cache:
            cache["country"] = country_of(self.order)
        return cache["country"]  # type: ignore[no-any-return]

    def channel(self) -> str | None:
        cache = self.cache
        if "channel" not in cache:
            cache["channel"] = channel_of(self.order, self.meta)
        return cache["channel"]  # type: ignore[no-any-return]

    def quantities(self) -> tuple[float, ...]:
        cache = self.cache
        if "quantities" not in cache:
            found = []
            for line in lines_of(self.order):  # inlined for the usual number; quantity() reads any other
                value = line.get("quantity")
                found.append(value if value.__class__ is int or value.__class__ is float else quantity(line))
            cache["quantities"] = tuple(found)
        return cache["quantities"]  # type: ignore[no-any-return]

    def total(self) -> float:
        cache = self.cache
        if "total" not in cache:
            cache["total"] = sum(self.quantities())
        return cache["total"]  # type: ignore[no-any-return]

    def method(self) -> str | None:
        cache = self.cache
        if "method" not in cache:
            shipping = self.order.get("shipping")
            code = shipping.get("method_code") if isinstance(shipping, dict) else None
            cache["method"] = None if code is None else str(code).lower()
        return cache["method"]  # type: ignore[no-any-return]

    def qmin(self) -> float:
        cache = self.cache
        if "qmin" not in cache:
            cache["qmin"] = min(self.quantities(), default=0)
        return cache["qmin"]  # type: ignore[no-any-return]

    def qmax(self) -> float:
        cache = self.cache
        if "qmax" not in cache:
            cache["qmax"] = max(self.quantities(), default=0)
        return cache["qmax"]  # type: ignore[no-any-return]

    def tags(self) -> list[Any]:
        """The order's tags as a list: its own list, or else a new one (no tags, one string, any other
        value) that ``add_tags`` puts into the order once it adds a tag, so an order that no rule
        tags keeps its ``tags`` exactly as they came."""
        current = self.order.get("tags")
        if current.__class__ is list:
            return current
        return [] if current is None else [current]

    def tagset(self) -> set[str]:
        """The order's string tags as a set: tag tests and ``add_tags`` look up strings only,
        and a tag that is an object or a list (bad input, kept as it is) cannot be hashed."""
        return {tag for tag in self.tags() if tag.__class__ is str}

    def on_hold(self) -> bool:
        hold = self.order.get("hold")
        return bool(hold.get("on_hold")) if isinstance(hold, dict) else False

    def notes_text(self) -> str:
        """Customer and internal notes, lower-cased, for ``note_contains``."""
        cache = self.cache
        if "notes" not in cache:
            notes = self.order.get("notes")
            notes = notes if isinstance(notes, dict) else {"customer": notes if isinstance(notes, str) else None}
            internal = notes.get("internal")
            texts = [
                notes.get("customer") or "",
                *(n.get("text", "") if isinstance(n, dict) else str(n) for n in (internal if isinstance(internal, list) else ())),
            ]
            cache["notes"] = "\n".join(t for t in texts if isinstance(t, str)).lower()
        return cache["notes"]  # type: ignore[no-any-return]

    def path_values(self, parts: tuple[str, ...]) -> list[Any] | tuple[Any, ...]:
        """Every value at a dotted field path (cached until a ``set`` of its top-level field)."""
        under = self.paths.get(parts[0])
        if under is None:
            under = self.paths[parts[0]] = {}
        values = under.get(parts)
        if values is None:
            values = under[parts] = values_at(self.order, parts)
        return values

    def suppliers(self) -> frozenset[str | None]:
        cache = self.cache
        if "suppliers" not in cache:
            lines = lines_of(self.order)
            cache["suppliers"] = frozenset([supplier_of(self.order, self.meta), *map(line_supplier, lines)])
        return cache["suppliers"]  # type: ignore[no-any-return]

    def hold(self, by: str, reason: str) -> None:
        self.holds.append((by, reason))
        hold = self.order.get("hold")
        if not isinstance(hold, dict):
            self.order["hold"] = {"on_hold": True, "reason": reason, "until": None}
        elif not hold.get("on_hold"):
            self.order["hold"] = {"on_hold": True, "reason": reason, "until": hold.get("until")}

    def add_tags(self, tags: tuple[str, ...]) -> None:
        current = self.tags()
        missing = [tag for tag in tags if tag not in current]
        if missing:
            current.extend(dict.fromkeys(missing))
            self.order["tags"] = current


Action = Callable[[Outcome, str], None]


def _hold(value: Any, key: str) -> Action:
    reason = template(value, key)
    return lambda out, rule: out.hold(rule, reason(out.order, out.meta, rule))


def _cancel(value: Any, key: str) -> Action:
    reason = template(value, key)

    def act(out: Outcome, rule: str) -> None:
        if out.cancel is None:
            out.cancel = (rule, reason(out.order, out.meta, rule))
            out.order["status"] = "cancelled"

    return act


def _add_tags(value: Any, key: str) -> Action:
    tags = strings(value, key)

    def act(out: Outcome, rule: str) -> None:
        out.add_tags(tags)

    act.tags = tags  # type: ignore[attr-defined]
    return act


def _set(value: Any, key: str) -> Action:
    if not isinstance(value, Mapping) or not value:
        raise RuleError(key, 'must be a table of "field.path" = value')
    assignments = []
    for path, new in value.items():
        parts = check_path(path, f"{key}.{path}")
        if parts[0] in PROTECTED:
            raise RuleError(f"{key}.{path}", f"'{parts[0]}' cannot be set by a rule")
        beyond = check_limits(new)  # a value no record may carry (TOML reads integers of any size)
        if beyond is not None:
            raise RuleError(f"{key}.{path}", beyond.replace(" at $", " in the value"))
        assignments.append((parts, new))

    tops = frozenset(parts[0] for parts, _ in assignments)
    facts = tuple(name for name, deps in CACHE_DEPS.items() if not tops.isdisjoint(deps))

    def act(out: Outcome, rule: str) -> None:
        for parts, new in assignments:
            set_at(out.order, parts, new)
        out.changed(tops, facts)

    act.touches = tops  # type: ignore[attr-defined]
    act.assignments = tuple(assignments)  # type: ignore[attr-defined]  # for the compiled runner, which inlines them
    act.facts = facts  # type: ignore[attr-defined]
    return act


def _note(value: Any, key: str) -> Action:
    text = template(value, key)

    def act(out: Outcome, rule: str) -> None:
        notes = out.order.get("notes")
        if not isinstance(notes, dict):
            notes = out.order["notes"] = {"customer": notes if isinstance(notes, str) else None, "internal": []}
        if not isinstance(notes.get("internal"), list):
            notes["internal"] = []
        line = text(out.order, out.meta, rule)
        notes["internal"].append(line)
        if "notes" in out.cache:
            out.cache["notes"] += "\n" + line.lower()

    act.touches = frozenset({"notes"})  # type: ignore[attr-defined]
    return act


def _alert(value: Any, key: str) -> Action:
    spec = {"message": value} if isinstance(value, str) else value
    if not isinstance(spec, Mapping):
        raise RuleError(key, "must be a message string or a table {message, severity, to}")
    unknown = set(spec) - {"message", "severity", "to"}
    if unknown:
        raise RuleError(f"{key}.{min(unknown)}", "unknown alert key (known: message, severity, to)")
    message = template(spec.get("message"), f"{key}.message")
    severity = spec.get("severity", "warning")
    if severity not in SEVERITIES:
        raise RuleError(f"{key}.severity", f"must be one of {', '.join(SEVERITIES)}")
    to = spec.get("to")
    if to is not None and (not isinstance(to, str) or not to):
        raise RuleError(f"{key}.to", "must be a destination name or URL")

    def act(out: Outcome, rule: str) -> None:
        out.alerts.append(Alert(rule, message(out.order, out.meta, rule), severity, to))

    act.to = to  # type: ignore[attr-defined]
    return act


ACTIONS: dict[str, Callable[[Any, str], Action]] = {
    "hold": _hold,
    "cancel": _cancel,
    "add_tags": _add_tags,
    "set": _set,
    "note": _note,
    "alert": _alert,
}
