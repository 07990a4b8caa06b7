"""What ``apply-rules test`` compares: the decision on one order, read from apply-rules' output records.

The order record that left apply-rules (its ``meta.rules`` and its body, set
against the order that went in) and the alert records after it become one
JSON object::

    {"matched": [rule names],                       # meta.rules.matched
     "holds": [{"by": RULE or check:NAME, "reason": TEXT}],
     "cancelled": {"by": RULE, "reason": TEXT} or null,
     "tags": [the order's tags afterwards],
     "notes": [internal notes the rules added],
     "changed": {"field.path": new value},          # everything else the maps and rules changed
     "alerts": [{"rule", "message", "severity", "to"}]}

It holds nothing volatile: no time, run id or delivery receipt is part of it.
"""

from __future__ import annotations

import re
from typing import Any

from flowkit.records import Record

KEYS = ("matched", "holds", "cancelled", "tags", "notes", "changed", "alerts")
OWN = frozenset({"hold", "tags"})  # fields shown under their own keys (notes.internal too), never in "changed"
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def decision(before: dict[str, Any], records: list[Record]) -> dict[str, Any]:
    """The decision for the order ``before`` (as it went in) from the records apply-rules wrote for it."""
    order = next(r for r in records if r["kind"] == "order")
    after, rules = order["body"], order["meta"].get("rules", {})
    tags = after.get("tags")
    changed: dict[str, Any] = {}
    _changes(before, after, "", changed)
    return {
        "matched": list(rules.get("matched", [])),
        "holds": list(rules.get("holds", [])),
        "cancelled": rules.get("cancelled"),
        "tags": tags if isinstance(tags, list) else ([] if tags is None else [tags]),
        "notes": _internal(after)[len(_internal(before)) :],
        "changed": changed,
        "alerts": [
            {**{k: r["body"][k] for k in ("rule", "message", "severity")}, "to": r["meta"].get("delivery", {}).get("destination")}
            for r in records
            if r["kind"] == "alert"
        ],
    }


def _internal(order: dict[str, Any]) -> list[Any]:
    notes = order.get("notes")
    internal = notes.get("internal") if isinstance(notes, dict) else None
    return internal if isinstance(internal, list) else []


def _name(path: str, key: str) -> str:
    if _PLAIN.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{key!r}]" if path else f"[{key!r}]"


def _changes(before: Any, after: Any, path: str, out: dict[str, Any]) -> None:
    """Every field of ``after`` that is new or differs from ``before`` (a removed one: null), by its path."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in {**before, **after}:
            name = _name(path, key)
            if (not path and key in OWN) or name == "notes.internal":
                continue
            if key not in after:
                out[name] = None
            elif key not in before:
                out[name] = after[key]
            else:
                _changes(before[key], after[key], name, out)
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            _changes(old, new, f"{path}[{index}]", out)
    elif type(before) is not type(after) or before != after:
        out[path] = after
