"""The state store side of apply-rules: duplicate and stock look-ups, holds, releases.

Stock assumption: push-stock owns the ``stock_ledger`` table (migration 0004).
apply-rules reads it only when it exists, and only its ``sku`` column, an
optional ``target`` column and the first quantity column found among
``qty``, ``quantity``, ``updated_qty``, ``calculated_qty``. Stock of a SKU is
the sum over its rows for the configured target, or, with no target, the
largest such sum over targets (each target holds a copy of the same stock).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from flowkit.errors import InputError
from flowkit.store import orders
from flowkit.store.db import Store, now

QTY_COLUMNS = ("qty", "quantity", "updated_qty", "calculated_qty")


class RulesView:
    """Read-only look-ups the built-in checks need (implements rules.checks.StoreView)."""

    def __init__(self, store: Store) -> None:
        self.conn = store.conn
        self._plain = store.conn.cursor()  # tuples, not sqlite3.Row: this runs once per order
        self._plain.row_factory = None
        self._stock_sql = _stock_query(self.conn)

    @property
    def has_stock(self) -> bool:
        """Whether a usable ``stock_ledger`` table exists (else insufficient-quantity never holds)."""
        return self._stock_sql is not None

    def known_status(self, number: str, channel: str | None, order_id: str | None = None) -> str | None:
        """The stored export status when ``number`` is already known as another order.

        The same order (same canonical ``id``) passing through the pipeline it
        was just queued by (query-orders records it before apply-rules sees it)
        is not a duplicate; it is one again once exported.
        """
        self._plain.execute(
            "SELECT export_status, channel, json_extract(document, '$.id') FROM orders WHERE number = ?", (number,)
        )
        row = self._plain.fetchone()
        if row is None or (channel is not None and row[1] is not None and row[1] != channel):
            return None
        same_order = order_id is not None and row[2] == order_id
        if same_order and row[0] != "exported":
            return None
        return str(row[0])

    def stock(self, sku: str, target: str | None) -> float | None:
        if self._stock_sql is None:
            return None
        sql, has_target = self._stock_sql
        if has_target and target is not None:
            row = self.conn.execute(sql + " AND target = ?", (sku, target)).fetchone()
        else:
            row = self.conn.execute(sql + (" GROUP BY target ORDER BY 1 DESC LIMIT 1" if has_target else ""),
                                    (sku,)).fetchone()
        return None if row is None or row[1] == 0 else float(row[0] or 0)

    def released(self, number: str) -> bool:
        return self.conn.execute("SELECT 1 FROM order_releases WHERE number = ?", (number,)).fetchone() is not None


def _stock_query(conn: sqlite3.Connection) -> tuple[str, bool] | None:
    """The SUM query over ``stock_ledger`` when that table exists with usable columns."""
    columns = {row["name"] for row in conn.execute("PRAGMA table_info(stock_ledger)")}
    qty = next((c for c in QTY_COLUMNS if c in columns), None)
    if "sku" not in columns or qty is None:
        return None
    return f"SELECT SUM({qty}), COUNT(*) FROM stock_ledger WHERE sku = ?", "target" in columns


def record_decision(store: Store, order: dict[str, Any], *, status: str, reason: str, source: str,
                    command: str) -> str:
    """Record a hold or cancel (upserting an unknown order first); returns what was done.

    ``status`` "duplicate" only appends an event: the stored order is the original.
    """
    number = str(order["number"])
    with store.transaction() as conn:
        if status == "duplicate":  # the stored row is the original order: leave it, tell its story
            store.add_event(conn, number, command, "duplicate-held", {"reason": reason})
            return "noted"
        row = conn.execute("SELECT export_status, hold_reason FROM orders WHERE number = ?", (number,)).fetchone()
        if row is None:
            orders.upsert(store, conn, order, source=source, command=command)
        elif row["export_status"] == "exported":
            store.add_event(conn, number, command, f"{status}-after-export", {"reason": reason})
            return "noted"
        elif row["export_status"] == status and row["hold_reason"] == reason:
            return "unchanged"
        orders.set_export_status(store, conn, number, status, command=command, reason=reason)
        conn.execute("UPDATE orders SET tags = ? WHERE number = ?",
                     (json.dumps(order.get("tags") or [], ensure_ascii=False), number))
    return status


def release(store: Store, number: str, *, note: str | None, command: str) -> dict[str, Any]:
    """Release a held order: export status back to pending; apply-rules will not hold it again."""
    with store.transaction() as conn:
        row = conn.execute("SELECT export_status, hold_reason, document FROM orders WHERE number = ?",
                           (number,)).fetchone()
        if row is None:
            raise InputError(f"order {number!r} is not in the state store {store.path}")
        if row["export_status"] != "held":
            raise InputError(f"order {number!r} is {row['export_status']}, not held", hint="nothing to release")
        previous = row["hold_reason"]
        orders.set_export_status(store, conn, number, "pending", command=command)
        if row["document"]:
            document = json.loads(row["document"])
            document["hold"] = {**(document.get("hold") or {}), "on_hold": False, "reason": None}
            conn.execute("UPDATE orders SET document = ? WHERE number = ?",
                         (json.dumps(document, ensure_ascii=False), number))
        conn.execute(
            """INSERT INTO order_releases (number, released_at, previous_reason, note) VALUES (?, ?, ?, ?)
               ON CONFLICT(number) DO UPDATE SET released_at = excluded.released_at,
                   previous_reason = excluded.previous_reason, note = excluded.note""",
            (number, now(), previous, note),
        )
        store.add_event(conn, number, command, "released", {"previous_reason": previous, "note": note})
    return {"number": number, "export_status": "pending", "released_from": previous}
