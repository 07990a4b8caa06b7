"""Rule actions compiled once into closures that change an ``Outcome``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flowkit.rules.common import Meta, Order, RuleError, check_path, check_template, fill, set_at, strings

SEVERITIES = ("info", "warning", "error", "critical")
PROTECTED = ("number", "schema")


@dataclass
class Alert:
    rule: str
    message: str
    severity: str
    to: str | None


@dataclass
class Outcome:
    """What the rules and checks decided for one order (the order is changed in place)."""

    order: Order
    meta: Meta
    holds: list[tuple[str, str]] = field(default_factory=list)  # (rule or check, reason)
    cancel: tuple[str, str] | None = None
    alerts: list[Alert] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    explain: list[str] = field(default_factory=list)

    def hold(self, by: str, reason: str) -> None:
        self.holds.append((by, reason))
        hold = self.order.get("hold")
        if not isinstance(hold, dict) or not hold.get("on_hold"):
            self.order["hold"] = {"on_hold": True, "reason": reason, "until": (hold or {}).get("until")}

    def add_tags(self, tags: tuple[str, ...]) -> None:
        current = self.order.get("tags")
        if not isinstance(current, list):
            current = self.order["tags"] = []
        for tag in tags:
            if tag not in current:
                current.append(tag)


Action = Callable[[Outcome, str], None]


def _hold(value: Any, key: str) -> Action:
    reason = check_template(value, key)
    return lambda out, rule: out.hold(rule, fill(reason, out.order, out.meta, rule))


def _cancel(value: Any, key: str) -> Action:
    reason = check_template(value, key)

    def act(out: Outcome, rule: str) -> None:
        if out.cancel is None:
            out.cancel = (rule, fill(reason, out.order, out.meta, rule))
            out.order["status"] = "cancelled"

    return act


def _add_tags(value: Any, key: str) -> Action:
    tags = strings(value, key)
    return lambda out, rule: out.add_tags(tags)


def _set(value: Any, key: str) -> Action:
    if not isinstance(value, Mapping) or not value:
        raise RuleError(key, "must be a table of \"field.path\" = value")
    assignments = []
    for path, new in value.items():
        parts = check_path(path, f"{key}.{path}")
        if parts[0] in PROTECTED:
            raise RuleError(f"{key}.{path}", f"'{parts[0]}' cannot be set by a rule")
        assignments.append((parts, new))

    def act(out: Outcome, rule: str) -> None:
        for parts, new in assignments:
            set_at(out.order, parts, new)

    return act


def _note(value: Any, key: str) -> Action:
    text = check_template(value, key)

    def act(out: Outcome, rule: str) -> None:
        notes = out.order.get("notes")
        if not isinstance(notes, dict):
            notes = out.order["notes"] = {"customer": None, "internal": []}
        if not isinstance(notes.get("internal"), list):
            notes["internal"] = []
        notes["internal"].append(fill(text, out.order, out.meta, rule))

    return act


def _alert(value: Any, key: str) -> Action:
    spec = {"message": value} if isinstance(value, str) else value
    if not isinstance(spec, Mapping):
        raise RuleError(key, "must be a message string or a table {message, severity, to}")
    unknown = set(spec) - {"message", "severity", "to"}
    if unknown:
        raise RuleError(f"{key}.{min(unknown)}", "unknown alert key (known: message, severity, to)")
    message = check_template(spec.get("message"), f"{key}.message")
    severity = spec.get("severity", "warning")
    if severity not in SEVERITIES:
        raise RuleError(f"{key}.severity", f"must be one of {', '.join(SEVERITIES)}")
    to = spec.get("to")
    if to is not None and (not isinstance(to, str) or not to):
        raise RuleError(f"{key}.to", "must be a destination name or URL")
    return lambda out, rule: out.alerts.append(Alert(rule, fill(message, out.order, out.meta, rule), severity, to))


ACTIONS: dict[str, Callable[[Any, str], Action]] = {
    "hold": _hold, "cancel": _cancel, "add_tags": _add_tags, "set": _set, "note": _note, "alert": _alert,
}
