"""Every problem of an order apply-rules refuses, named as render names them.

apply-rules reads orders through a quick shape check (``shape``) and lenient readers
(``common.quantity``), a few microseconds an order, where the full ``flowkit.order/1``
validation (``flowkit.model``) costs about ten times as much. Both stop at the first
value they cannot read. Only then, on the failing order alone, the full validator runs
and the refusal lists every problem it finds, with its JSON path, in render's words
(``flowkit.problems``): one run tells all there is to fix, and a valid order pays nothing.

- The problem apply-rules stopped at is listed too when the schema has none at its path
  (a reader's own limit); when the schema names none at all, the order "cannot be read by
  apply-rules" rather than being "not a valid" one.
- Checked after the rules, a problem at a path a matched rule's ``set`` wrote (at, under or
  above the assigned path) names that rule and where it is in the rules file: the value is
  the rule's, not the input's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from flowkit.apply_rules.unreadable import Unreadable
from flowkit.errors import RecordError

if TYPE_CHECKING:
    from flowkit.apply_rules.compiled import Rule


class Found(NamedTuple):
    """One problem as ``flowkit.problems.record_error`` lists it."""

    path: str
    message: str


class RulesAt(NamedTuple):
    """The rules that ran, for naming the one whose ``set`` made a problem."""

    rules: Sequence[Rule]
    matched: Sequence[str]
    text: str
    path: Path | None


def refused(order: Any, key: str, reason: RecordError, rules: RulesAt | None = None) -> RecordError:
    """The ``RecordError`` (exit 65) naming every problem of ``order``, ``reason`` being the one apply-rules met.

    ``rules``: when the order was checked after the rules ran (some may have set fields).
    """
    from flowkit.model import SCHEMA_ID, validate
    from flowkit.problems import record_error

    problems = validate(order)
    found = [Found(problem.path, problem.message) for problem in problems]
    steps = [_names(problem.where) for problem in problems]
    schema_found = bool(found)
    own = _own(order, reason)
    if own is not None and all(problem.path != own.path for problem in found):
        found.append(own)
        steps.append(_parse(own.path))
    if rules is not None:
        found = [_blamed(problem, names, rules) for problem, names in zip(found, steps, strict=True)]
    what = f"order {key} is not a valid {SCHEMA_ID}" if schema_found else f"order {key} cannot be read by apply-rules"
    return record_error(what, found)


def _own(order: Any, reason: RecordError) -> Found | None:
    """The problem apply-rules met, with its JSON path (None for one that names no path)."""
    if not isinstance(reason, Unreadable):
        return None
    if reason.line is not None:
        lines = order.get("lines") if isinstance(order, dict) else None
        index = next((n for n, line in enumerate(lines or ()) if line is reason.line), None)
        if index is None:
            return None
        return Found(f"$.lines[{index}]{reason.path}", reason.detail)
    return Found(reason.path, reason.detail)


def _names(where: tuple[Any, ...]) -> tuple[str, ...]:
    """The member names along a validator path (indices left out), root first."""
    names: list[str] = []
    while where:
        where, step = where
        if isinstance(step, str):
            names.append(step)
    return tuple(reversed(names))


def _parse(path: str) -> tuple[str, ...]:
    """The member names of a ``$.a[0].b`` path apply-rules wrote itself (its names are plain)."""
    import re

    return tuple(re.findall(r"\.([^.\[]+)", path))


def _blamed(problem: Found, names: tuple[str, ...], rules: RulesAt) -> Found:
    """``problem``, naming the last matched rule whose ``set`` wrote at, under or above its path."""
    if not names:
        return problem
    matched = set(rules.matched)
    for rule in reversed(rules.rules):
        if rule.name not in matched:
            continue
        for _, action in rule.actions:
            for parts, _value in getattr(action, "assignments", ()):
                shorter = min(len(parts), len(names))
                if tuple(parts[:shorter]) == names[:shorter]:
                    return problem._replace(message=f"{problem.message} (set by rule {rule.name!r}{_where(rule, rules)})")
    return problem


def _where(rule: Rule, rules: RulesAt) -> str:
    """`` at FILE:LINE`` of the rule's ``set`` in the rules file, when it can be found."""
    from flowkit.apply_rules.loader import locate_rule_key

    if not rules.text or rule.index < 0:
        return ""
    line = locate_rule_key(rules.text, rule.index, "set")
    return f" at {rules.path or '<rules>'}:{line}" if line else ""
