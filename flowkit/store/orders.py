"""Orders known to the state store and their export lifecycle.

Export status: pending -> queued -> exported | failed (attempts) -> dead,
with held and cancelled as side states. Each change is one transaction that
also appends to the order's event log.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from flowkit.store.db import Store, now

EXPORT_STATUSES = ("pending", "queued", "exported", "failed", "dead", "held", "cancelled")


def content_hash(document: Any) -> str:
    """sha256 of the document's canonical JSON (sorted keys, compact, UTF-8)."""
    return _encoded(document)[0]


def _encoded(document: Any) -> tuple[str, str]:
    """(content hash, stored text) from one encoding: the canonical JSON is also what the store keeps."""
    data = orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    import hashlib  # here: OpenSSL's start-up is ~4 ms that read-only commands need not pay

    return "sha256:" + hashlib.sha256(data).hexdigest(), data.decode()


_INSERT = """INSERT INTO orders (number, channel, source, supplier, status, content_hash, document, placed_at,
                               fetched_at, updated_at, tags, export_status, hold_reason)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
_LINES = """INSERT INTO order_lines (number, line_id, sku, source, quantity, quantity_shipped)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(number, line_id) DO UPDATE SET sku = excluded.sku, source = excluded.source,
               quantity = excluded.quantity"""  # two lines with one id: the last one is kept


def upsert(
    store: Store,
    order: dict[str, Any],
    *,
    source: str,
    command: str,
    export_status: str = "pending",
) -> str:
    """Record ``order`` (canonical); returns "new", "changed" or "unchanged".

    ``export_status`` is the status of a new order (an existing one keeps its own).
    """
    conn = store.conn
    number = str(order["number"])
    digest, document = _encoded(order)
    row = conn.execute("SELECT content_hash FROM orders WHERE number = ?", (number,)).fetchone()
    if row and row["content_hash"] == digest:
        return "unchanged"
    stamp = now()
    conn.execute(
        _INSERT
        + """ ON CONFLICT(number) DO UPDATE SET channel = excluded.channel, source = excluded.source,
               supplier = excluded.supplier, status = excluded.status, content_hash = excluded.content_hash,
               document = excluded.document, updated_at = excluded.updated_at""",
        _order_row(order, number, source, digest, document, stamp, export_status),
    )
    conn.executemany(
        _LINES,
        _line_rows(order, number),
    )
    store.add_event(conn, number, command, "fetched" if row is None else "updated", {"source": source, "hash": digest})
    return "new" if row is None else "changed"


def insert_new(
    store: Store,
    batch: list[tuple[dict[str, Any], str]],
    *,
    source: str,
    command: str,
    reasons: dict[str, str] | None = None,
) -> None:
    """Record a batch of orders not in the store yet, each with its (new) export status, in a few statements.

    The caller knows, inside its transaction, that none of the numbers is stored (a plain INSERT: a
    stored one fails loudly). Each order gets the "fetched" event ``upsert`` writes, then one event
    for its export status unless it is "pending". ``reasons``: number -> hold/cancel reason, kept as
    ``set_export_status`` keeps it (the row's ``hold_reason`` and the status event's detail).
    """
    stamp = now()
    reasons = reasons or {}
    rows: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    events: list[tuple[str, str, str, Any]] = []
    for order, export_status in batch:
        number = str(order["number"])
        digest, document = _encoded(order)
        reason = reasons.get(number)
        rows.append(_order_row(order, number, source, digest, document, stamp, export_status, reason))
        lines.extend(_line_rows(order, number))
        events.append((number, command, "fetched", {"source": source, "hash": digest}))
        if export_status != "pending":
            events.append((number, command, export_status, {"reason": reason} if reason else None))
    conn = store.conn
    conn.executemany(_INSERT, rows)
    conn.executemany(_LINES, lines)
    store.add_events(conn, events, at=stamp)


def _order_row(
    order: dict[str, Any],
    number: str,
    source: str,
    digest: str,
    document: str,
    stamp: str,
    export_status: str,
    hold_reason: str | None = None,
) -> tuple[Any, ...]:
    origin = order.get("source")
    channel = _ref(origin.get("channel")) if isinstance(origin, dict) else None
    supplier = _ref(order.get("supplier"))
    tags = order.get("tags")
    return (
        number,
        channel,
        source,
        supplier,
        order.get("status"),
        digest,
        document,
        order.get("placed_at"),
        stamp,
        stamp,
        orjson.dumps(tags).decode() if tags else "[]",
        export_status,
        hold_reason,
    )


def _line_rows(order: dict[str, Any], number: str) -> list[tuple[Any, ...]]:
    return [
        (
            number,
            str(line.get("id") or index),
            line.get("sku"),
            _line_source(line),
            _count(line.get("quantity")),
            _count(line.get("quantity_shipped")),
        )
        for index, line in enumerate(order.get("lines") or [], 1)
        if isinstance(line, dict)
    ]


_INT64 = 2**63 - 1


def _count(value: Any) -> int:
    """A line quantity as the integer the lines table keeps ("3", 3.0 -> 3; nothing usable -> 0;
    held within sqlite's 64-bit integers)."""
    try:
        count = value if value.__class__ is int else int(float(value or 0))
    except (TypeError, ValueError, OverflowError):
        return 0
    return max(-_INT64, min(_INT64, count))


def get(store: Store, number: str) -> dict[str, Any] | None:
    conn = store.conn
    row = conn.execute("SELECT * FROM orders WHERE number = ?", (number,)).fetchone()
    if row is None:
        return None
    item = dict(row)
    item["tags"] = json.loads(item["tags"] or "[]")
    item["document"] = json.loads(item["document"]) if item["document"] else None
    item["lines"] = [
        dict(r)
        for r in conn.execute(
            "SELECT line_id, sku, source, quantity, quantity_shipped FROM order_lines WHERE number = ? ORDER BY rowid",
            (number,),
        )
    ]
    return item


def set_export_status(
    store: Store,
    number: str,
    status: str,
    *,
    command: str,
    reason: str | None = None,
    count_attempt: bool = False,
) -> None:
    """Move an order along its export lifecycle (inside the caller's transaction)."""
    if status not in EXPORT_STATUSES:
        raise ValueError(f"unknown export status {status!r}")
    stamp = now()
    conn = store.conn
    conn.execute(
        """UPDATE orders SET export_status = ?, hold_reason = ?, updated_at = ?,
               attempts = attempts + ?, exported_at = CASE WHEN ? = 'exported' THEN ? ELSE exported_at END
           WHERE number = ?""",
        (status, reason, stamp, 1 if count_attempt else 0, status, stamp, number),
    )
    store.add_event(conn, number, command, status, {"reason": reason} if reason else None)


def _ref(value: Any) -> Any:
    """A channel or supplier id: given as ``{"id": …}`` or as the id itself."""
    return value.get("id") if isinstance(value, dict) else value


def _line_source(line: dict[str, Any]) -> str | None:
    """A line's supplier/source id: canonical lines carry ``supplier`` as an object or an id."""
    value = line.get("supplier") or line.get("source")
    if isinstance(value, dict):
        value = value.get("id")
    return None if value is None else str(value)
