"""Shipments recorded against orders: the SQL behind ``import-shipment``.

Every write here runs inside the caller's transaction (one per message), so a
message's dedupe mark, shipments, shipped quantities, order status and events
commit together or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flowkit.store import messages, orders
from flowkit.store.db import Store, now

KIND = "shipment"


@dataclass
class NewShipment:
    """One shipment to record: the lines of one message from one source."""

    source: str
    lines: list[tuple[str, str | None, int]]  # (line_id, sku, quantity)
    tracking: list[tuple[str, str | None]] = field(default_factory=list)  # (code, url)
    courier: str | None = None
    service: str | None = None
    shipped_at: str | None = None
    comment: str | None = None
    notify: bool = False


def processed(store: Store, target: str, message_seq: int) -> str | None:
    """The recorded result of a shipment message already processed, else None."""
    return messages.processed(store, KIND, target, message_seq)


def mark_processed(store: Store, target: str, message_seq: int, result: str) -> None:
    messages.mark_processed(store, KIND, target, message_seq, result)


def order_row(store: Store, number: str, *, document: bool = False) -> dict[str, Any] | None:
    """The order's status and hold columns, its source's hold flag and note (``on_hold`` 1/0, ``hold_note``),
    and its document as JSON text if asked (None when the store does not know the order).

    The hold is read from the stored body (compressed since migration 0009, so in Python, not SQL).
    """
    row = store.conn.execute(
        "SELECT number, status, export_status, hold_reason, document FROM orders WHERE number = ?", (number,)
    ).fetchone()
    if row is None:
        return None
    item = dict(row)
    body = orders.decode(item["document"], store.dictionaries)
    hold = body.get("hold") if isinstance(body, dict) else None
    hold = hold if isinstance(hold, dict) else {}
    item["on_hold"], item["hold_note"] = (_sql_value(hold.get(k)) for k in ("on_hold", "reason"))
    item["document"] = json.dumps(body, ensure_ascii=False) if document and body is not None else None
    return item


def _sql_value(value: Any) -> Any:
    """A JSON value as sqlite's ``json_extract`` returns it: true/false as 1/0, objects and arrays as JSON text."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return value


def order_lines(store: Store, number: str) -> list[dict[str, Any]]:
    rows = store.conn.execute(
        "SELECT line_id, sku, quantity, quantity_shipped FROM order_lines WHERE number = ? ORDER BY rowid",
        (number,),
    )
    return [dict(r) for r in rows]


def record(store: Store, number: str, target: str, message_seq: int, shipment: NewShipment) -> int:
    """Insert one shipment, its lines and tracking; advance the order lines' shipped quantities."""
    conn = store.conn
    cur = conn.execute(
        """INSERT INTO shipments (number, target, message_seq, source, courier, service, shipped_at, comment,
                                  notify, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        (
            number,
            target,
            message_seq,
            shipment.source,
            shipment.courier,
            shipment.service,
            shipment.shipped_at,
            shipment.comment,
            int(shipment.notify),
            now(),
        ),
    )
    shipment_id = int(cur.fetchone()[0])
    conn.executemany(
        "INSERT INTO shipment_lines (shipment_id, line_id, sku, quantity) VALUES (?, ?, ?, ?)",
        [(shipment_id, line_id, sku, qty) for line_id, sku, qty in shipment.lines],
    )
    conn.executemany(
        "UPDATE order_lines SET quantity_shipped = quantity_shipped + ? WHERE number = ? AND line_id = ?",
        [(qty, number, line_id) for line_id, _, qty in shipment.lines],
    )
    conn.executemany(
        "INSERT INTO shipment_tracking (shipment_id, position, code, url) VALUES (?, ?, ?, ?)",
        [(shipment_id, pos, code, url) for pos, (code, url) in enumerate(shipment.tracking, 1)],
    )
    return shipment_id


def set_status(store: Store, number: str, status: str) -> None:
    store.conn.execute("UPDATE orders SET status = ?, updated_at = ? WHERE number = ?", (status, now(), number))


def for_order(store: Store, number: str) -> list[dict[str, Any]]:
    """Every shipment of ``number`` with its lines and tracking, oldest first."""
    conn = store.conn
    out = []
    for row in conn.execute("SELECT * FROM shipments WHERE number = ? ORDER BY id", (number,)):
        item = dict(row)
        item["notify"] = bool(item["notify"])
        item["lines"] = [
            dict(r)
            for r in conn.execute(
                "SELECT line_id, sku, quantity FROM shipment_lines WHERE shipment_id = ? ORDER BY rowid", (row["id"],)
            )
        ]
        item["tracking"] = [
            dict(r)
            for r in conn.execute("SELECT code, url FROM shipment_tracking WHERE shipment_id = ? ORDER BY position", (row["id"],))
        ]
        out.append(item)
    return out


# inbox bookkeeping --------------------------------------------------------
def inbox_attempts(store: Store, folder: str, name: str) -> int:
    row = store.conn.execute("SELECT attempts FROM shipment_inbox WHERE folder = ? AND name = ?", (folder, name)).fetchone()
    return 0 if row is None else int(row["attempts"])


def inbox_outcome(store: Store, folder: str, name: str, status: str, error: str | None) -> int:
    """Record one processing attempt of an inbox file; returns the attempts counted so far."""
    failed = 1 if error is not None else 0
    store.conn.execute(
        """INSERT INTO shipment_inbox (folder, name, attempts, last_error, status, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(folder, name) DO UPDATE SET attempts = shipment_inbox.attempts + excluded.attempts,
               last_error = COALESCE(excluded.last_error, shipment_inbox.last_error), status = excluded.status,
               updated_at = excluded.updated_at""",
        (folder, name, failed, error, status, now()),
    )
    return inbox_attempts(store, folder, name)
