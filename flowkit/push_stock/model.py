"""Stock lines, their validation, the quantity calculation and result bodies."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

MSG_DUPLICATE = "Duplicate Inventory Request Ignored."
MSG_SUPERSEDED = "Product quantity update to {qty} discarded as already superseded by inventory record {last_seq}"
MSG_SUCCESS = "Product Quantity Successfully Updated to {qty}"
MSG_UNCHANGED = "Quantity {qty} unchanged since the last confirmed push; not sent"
ADJUSTMENTS = ("none", "unsent_orders", "unsent_orders_and_quotes")
UNSENT_STATUSES = ("pending", "payment_pending", "on_hold", "approved", "in_production", "printed")
_INT = re.compile(r"^[+-]?\d+$")
INT_MIN, INT_MAX = -(1 << 63), (1 << 63) - 1  # what the state store keeps (sqlite's integers)
BEYOND = "beyond the signed 64-bit range (-2^63 to 2^63-1)"
_DIGITS = re.compile(r"(\d+)")


@dataclass
class Message:
    """One stock message (or one part of a very large one, ``final`` on the last part)."""

    message_seq: int | None
    lines: list[Any]
    where: str
    key: str
    meta: dict[str, Any] = field(default_factory=dict)
    final: bool = True


@dataclass(slots=True)
class Line:
    """A valid stock line; ``seq`` is None only in a snapshot (--full/--incremental)."""

    sku: str
    source: str
    qty: int
    seq: int | None
    last_order_exported: str | None


Plain = tuple[str, str, int, int]
"""A valid line that carries its seq, as push-stock's common case reads it: (sku, source, qty, seq)."""


def as_int(value: Any) -> int | None:
    """An integer from a JSON number or a decimal string; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT.match(value.strip()):
        return int(value.strip())
    return None


def in_range(value: int) -> bool:
    """Whether an integer fits the state store's signed 64 bits."""
    return INT_MIN <= value <= INT_MAX


def seq_from_name(name: str) -> int | None:
    """The message_seq in a file name: its last run of digits (stock-000100.csv -> 100)."""
    found = _DIGITS.findall(name.rsplit("/", 1)[-1])
    return int(found[-1]) if found else None


def parse_line(raw: Any, *, default_source: str, need_seq: bool, catalogue: frozenset[str] | None) -> Line | str:
    """A valid Line, or the reason the line fails (``parse_all`` and ``parse_plain`` take the common line first)."""
    if not isinstance(raw, Mapping):
        return "a stock line must be an object"
    sku = raw.get("sku")
    if not isinstance(sku, str) or not sku.strip():
        return "missing sku"
    sku = sku.strip()
    qty = as_int(raw.get("qty"))
    if qty is None:
        return f"bad qty {raw.get('qty')!r}: not an integer" if raw.get("qty") is not None else "missing qty"
    if not in_range(qty):
        return f"bad qty {raw.get('qty')!r}: {BEYOND}"
    seq_raw = raw.get("seq")
    seq = as_int(seq_raw)
    if seq_raw is None or seq_raw == "":
        if need_seq:
            return "missing seq"
        seq = None
    elif seq is None or seq < 0:
        return f"bad seq {seq_raw!r}: not a non-negative integer"
    elif not in_range(seq):
        return f"bad seq {seq_raw!r}: {BEYOND}"
    source = raw.get("source") or default_source
    if not isinstance(source, str):
        return f"bad source {source!r}"
    if catalogue is not None and sku not in catalogue:
        return f"unknown SKU {sku!r} (not in the catalogue)"
    exported = raw.get("last_order_exported")
    if exported:
        stamp = normal_time(str(exported))
        if stamp is None:
            return f"bad last_order_exported {exported!r}: not an ISO 8601 time"
        exported = stamp
    return Line(sku, source, qty, seq, exported or None)


def normal_time(stamp: str) -> str | None:
    """An ISO 8601 time in the store's sortable UTC form (Z, microseconds); None if invalid."""
    try:
        parsed = datetime.fromisoformat(stamp.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _well_typed(raw: Any, default_source: str, catalogue: frozenset[str] | None) -> Plain | None:
    """The common line that needs no other check (integers in range, a clean SKU, no
    ``last_order_exported``) as (sku, source, qty, seq); None sends it to ``parse_line``."""
    if type(raw) is not dict or "last_order_exported" in raw:
        return None
    sku, qty, seq, source = raw.get("sku"), raw.get("qty"), raw.get("seq"), raw.get("source") or default_source
    if (
        type(sku) is str
        and type(qty) is int
        and type(seq) is int
        and 0 <= seq <= INT_MAX
        and INT_MIN <= qty <= INT_MAX
        and type(source) is str
        and sku
        and (catalogue is None or sku in catalogue)
        and not sku[0].isspace()
        and not sku[-1].isspace()
    ):
        return sku, source, qty, seq
    return None


def parse_all(lines: list[Any], *, default_source: str, need_seq: bool, catalogue: frozenset[str] | None) -> list[Line | str]:
    """``parse_line`` over a message's lines, the common well-typed line taken first."""
    out: list[Line | str] = []
    for raw in lines:
        plain = _well_typed(raw, default_source, catalogue)
        if plain is None:
            out.append(parse_line(raw, default_source=default_source, need_seq=need_seq, catalogue=catalogue))
        else:
            out.append(Line(*plain, None))
    return out


def parse_plain(
    lines: list[Any], *, default_source: str, catalogue: frozenset[str] | None
) -> tuple[list[Plain | str], dict[tuple[str, str], int]]:
    """The lines of a message that must carry a seq as ``Plain`` tuples (or the reason a line fails),
    and the highest seq per (sku, source) among them: push-stock's common case, with no ``Line`` per line."""
    out: list[Plain | str] = []
    top: dict[tuple[str, str], int] = {}
    for raw in lines:
        plain = _well_typed(raw, default_source, catalogue)
        if plain is None:
            line = parse_line(raw, default_source=default_source, need_seq=True, catalogue=catalogue)
            if type(line) is str:
                out.append(line)
                continue
            assert isinstance(line, Line) and line.seq is not None  # need_seq: a valid line has one
            plain = (line.sku, line.source, line.qty, line.seq)
        out.append(plain)
        key = (plain[0], plain[1])
        if plain[3] > top.get(key, -1):
            top[key] = plain[3]
    return out, top


def cutoff(days: float) -> str:
    """The RFC 3339 time ``days`` ago (the store's timestamp format)."""
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def body(
    line: Line | None,
    raw: Any,
    message_seq: int | None,
    target: str,
    result: str,
    message: str,
    calc: tuple[int, int, int] | None = None,
    seq: int | None = None,
) -> dict[str, Any]:
    """A stock-result body: the line's whole calculation, the outcome and its message."""
    sku: Any
    source: Any
    received: Any
    if line is not None:
        sku, source, received = line.sku, line.source, line.qty
        seq = line.seq if seq is None else seq
    else:
        raw_map = raw if isinstance(raw, Mapping) else {}
        sku, source, received = raw_map.get("sku"), raw_map.get("source") or None, raw_map.get("qty")
        seq = raw_map.get("seq")
    quotes, unsent, qty = calc if calc else (0, 0, None)
    return {
        "sku": sku,
        "source": source,
        "seq": seq,
        "message_seq": message_seq,
        "target": target,
        "received": received,
        "adjusted_quotes": quotes,
        "adjusted_unsent": unsent,
        "qty": qty,
        "in_stock": None if qty is None else qty > 0,
        "result": result,
        "message": message,
    }
