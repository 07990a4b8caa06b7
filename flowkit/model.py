"""The canonical order model (``flowkit.order/1``) and its validation.

The JSON Schema in ``flowkit/schemas/order.schema.json`` is the single
definition; ``flowkit.validation`` compiles it once into plain Python code,
so validating an order costs about as much as walking it. Each problem names
the JSON path of the offending value, e.g. ``$.lines[1].quantity``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from flowkit.errors import ExitCode, RecordError
from flowkit.validation import Validator, compile_schema

SCHEMA_ID = "flowkit.order/1"
# The fields of a canonical address, in the order the payload renders them ("lines" is the street lines).
ADDRESS_KEYS = (
    "first_name",
    "last_name",
    "company",
    "lines",
    "city",
    "region",
    "region_code",
    "district",
    "postal_code",
    "country_code",
    "email",
    "phone",
    "tax_id",
    "tax_office",
    "identity_number",
)

JsonPath = tuple[Any, ...]  # (parent path, member name or index); rendered only on error
ROOT: JsonPath = ()


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (a JSON path) and what."""

    where: JsonPath
    message: str

    @property
    def path(self) -> str:
        """The JSON path, e.g. ``$.lines[1].quantity``."""
        parts: list[str] = []
        node = self.where
        while node:
            node, step = node
            if isinstance(step, int):
                parts.append(f"[{step}]")
            else:
                parts.append(f".{step}" if step.isidentifier() else f"[{json.dumps(step, ensure_ascii=False)}]")
        return "$" + "".join(reversed(parts))

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of the canonical order."""
    text = (Path(__file__).parent / "schemas" / "order.schema.json").read_text(encoding="utf-8")
    value: dict[str, Any] = json.loads(text)
    return value


@cache
def _validator() -> Validator:
    return compile_schema(schema())


def validate(order: Any) -> list[Problem]:
    """Every problem in ``order`` against the canonical schema (empty when valid)."""
    found: list[tuple[JsonPath, str]] = []
    _validator()(order, ROOT, found)
    return [Problem(where, message) for where, message in found]


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
