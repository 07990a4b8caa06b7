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
STOCK_CACHE = 100_000  # SKUs whose stock is kept in memory at once
CHUNK = 500  # numbers per IN (...) query, under any sqlite's limit on bound parameters
_KNOWN = "SELECT number, export_status, channel, order_id, source FROM orders"  # order_id: the canonical id (0009)
# (order, status, reason, source[, the order's JSON as orders.encode gives it, when the caller has it])
# (order, status, reason, source[, its JSON as stored[, the rule or check that decided it]])
Decision = (
    tuple[dict[str, Any], str, str, str]
    | tuple[dict[str, Any], str, str, str, bytes]
    | tuple[dict[str, Any], str, str, str, bytes, str | None]
)


class RulesView:
    """Read-only look-ups the built-in checks need (implements rules.checks.StoreView)."""

    def __init__(self, store: Store) -> None:
        self.store, self.conn = store, store.conn
        self._plain = store.conn.cursor()  # tuples, not sqlite3.Row: this runs once per order
        self._plain.row_factory = None
        self._stock_sql = _stock_query(store)
        self._stock: dict[tuple[str, str | None], float | None] = {}  # read once per SKU until refresh()
        self._version: int | None = None
        self._window: set[str] = set()  # numbers prefetch() read the rows of
        self._rows: dict[str, tuple[str, str | None, Any, str | None]] = {}
        self._in_sql: dict[int, str] = {}
        self._any_stock = self._any_released = False
        self.refresh()

    @property
    def has_stock(self) -> bool:
        """Whether a usable ``stock_ledger`` holds any stock (else insufficient-quantity never holds)."""
        return self._any_stock

    def prefetch(self, numbers: list[str]) -> None:
        """Read the stored rows of a window's order numbers in one query; ``known_status`` answers from them."""
        rows: dict[str, tuple[str, str | None, Any, str | None]] = {}
        for start in range(0, len(numbers), CHUNK):
            chunk = numbers[start : start + CHUNK]
            sql = self._in_sql.get(len(chunk))
            if sql is None:
                sql = self._in_sql[len(chunk)] = f"{_KNOWN} WHERE number IN ({', '.join('?' * len(chunk))})"
            for row in self._plain.execute(sql, chunk):
                rows[row[0]] = row[1:]
        self._window, self._rows = set(numbers), rows

    def known_status(
        self, number: str, channel: str | None, order_id: str | None = None, source: str | None = None
    ) -> str | None:
        """The stored export status when ``number`` is already known as another order, or as this one exported.

        An order's identity is its source plus the source's own order id (the
        canonical ``id``), or its number when the source gives no id. The same
        order passing through the pipeline that just queued it (query-orders
        records it before apply-rules sees it) is not a duplicate; it is one
        again once exported. A source missing on either side (an order fed by
        hand) is not held against the identity.
        """
        if number in self._window:
            row = self._rows.get(number)
        else:
            self._plain.execute(f"{_KNOWN} WHERE number = ?", (number,))
            found = self._plain.fetchone()
            row = None if found is None else found[1:]
        if row is None or (channel is not None and row[1] is not None and row[1] != channel):
            return None
        same_source = source is None or row[3] is None or row[3] == source
        stored_id = number if row[2] is None or row[2] == "" else str(row[2])
        same_order = same_source and stored_id == (order_id or number)
        if same_order and row[0] != "exported":
            return None
        return str(row[0])

    def stock(self, sku: str, target: str | None) -> float | None:
        """Stock of ``sku`` known to the store (None: unknown), cached until ``refresh`` sees a change."""
        if self._stock_sql is None:
            return None
        key = (sku, target)
        if key in self._stock:
            return self._stock[key]
        sql, has_target = self._stock_sql
        if has_target and target is not None:
            row = self.conn.execute(sql + " AND target = ?", (sku, target)).fetchone()
        else:
            row = self.conn.execute(sql + (" GROUP BY target ORDER BY 1 DESC LIMIT 1" if has_target else ""), (sku,)).fetchone()
        if len(self._stock) >= STOCK_CACHE:
            self._stock.clear()
        have = self._stock[key] = None if row is None or row[1] == 0 else float(row[0] or 0)
        return have

    def refresh(self) -> None:
        """Forget the cached stock when another process committed to the store since the last call.

        The store's data version (sqlite's ``PRAGMA data_version``) changes with every commit of another connection (push-stock's,
        say) and never with this connection's own, so between two calls stock reads are served
        from memory, and an empty ledger (or release list) is not asked at all; apply-rules calls this after
        each commit (every 256 records at most, sooner when the input pauses).
        """
        version = self.store.data_version()
        if version != self._version:
            self._stock.clear()
            self._version = version
            self._any_stock = (
                self._stock_sql is not None and self.conn.execute("SELECT EXISTS (SELECT 1 FROM stock_ledger)").fetchone()[0] == 1
            )
            self._any_released = self.conn.execute("SELECT EXISTS (SELECT 1 FROM order_releases)").fetchone()[0] == 1

    def released(self, number: str) -> bool:
        """Whether an operator released ``number`` (``flowkit state release``); no query while none is."""
        if not self._any_released:
            return False
        return self.conn.execute("SELECT 1 FROM order_releases WHERE number = ?", (number,)).fetchone() is not None


def _stock_query(store: Store) -> tuple[str, bool] | None:
    """The SUM query over ``stock_ledger`` when that table exists with usable columns."""
    columns = store.columns("stock_ledger")
    qty = next((c for c in QTY_COLUMNS if c in columns), None)
    if "sku" not in columns or qty is None:
        return None
    return f"SELECT SUM({qty}), COUNT(*) FROM stock_ledger WHERE sku = ?", "target" in columns


def record_decisions(store: Store, decisions: list[Decision], *, command: str) -> None:
    """Record a window's holds and cancels in one transaction.

    Each is one of: status "duplicate", which only appends an event (the stored row is the
    original order); an order not stored yet, inserted with its status and reason; a stored
    order moved to the status (its tags updated), or left alone when it already has that
    status and reason; an exported order, which only gets an event. The inserts, the moves
    and the events are one statement each; the events keep the input order.
    """
    if not decisions:
        return
    with store.transaction() as conn:
        known = _statuses(conn, list(dict.fromkeys(str(item[0]["number"]) for item in decisions)))
        new: dict[str, Decision] = {}
        later: list[Decision] = []  # stored or inserted before: after the inserts
        for item in decisions:
            number = str(item[0]["number"])
            if item[1] != "duplicate" and number not in known and number not in new:
                new[number] = item
            else:
                later.append(item)
        for source in dict.fromkeys(item[3] for item in new.values()):
            batch = [item for item in new.values() if item[3] == source]
            orders.insert_new(
                store,
                [(item[0], item[1], *item[4:5]) for item in batch],
                source=source,
                command=command,
                reasons={str(item[0]["number"]): item[2] for item in batch},
                rules={str(item[0]["number"]): str(item[5]) for item in batch if len(item) > 5 and item[5]},
            )
        known.update({number: (item[1], item[2]) for number, item in new.items()})
        _record_later(store, later, known, command)


def _detail(reason: str | None, rule: str | None) -> dict[str, str]:
    """An event's detail: the reason and the rule (or check) behind it, when known."""
    return {k: v for k, v in (("reason", reason), ("rule", rule)) if v}


_MOVE = """UPDATE orders SET export_status = ?, hold_reason = ?, updated_at = ?, tags = ?,
               exported_at = CASE WHEN ? = 'exported' THEN ? ELSE exported_at END
           WHERE number = ?"""  # as orders.set_export_status moves it (no attempt counted), with the tags


def _record_later(store: Store, later: list[Decision], known: dict[str, tuple[str, str | None]], command: str) -> None:
    """The decisions on orders stored before (or inserted earlier in the window), in input order."""
    events: list[tuple[str, str, str, Any]] = []
    moves: list[tuple[Any, ...]] = []
    stamp = now()
    for order, status, reason, *rest in later:
        rule = str(rest[2]) if len(rest) > 2 and rest[2] else None  # (source, kept JSON, rule) after the reason
        number = str(order["number"])
        stored, stored_reason = known.get(number, (None, None))
        if status == "duplicate":
            events.append((number, command, "duplicate-held", _detail(reason, rule)))
        elif stored == "exported":
            events.append((number, command, f"{status}-after-export", _detail(reason, rule)))
        elif (stored, stored_reason) != (status, reason):
            if status not in orders.EXPORT_STATUSES:
                raise ValueError(f"unknown export status {status!r}")
            tags = json.dumps(order.get("tags") or [], ensure_ascii=False)
            moves.append((status, reason, stamp, tags, status, stamp, number))
            events.append((number, command, status, _detail(reason, rule) or None))
            known[number] = (status, reason)
    store.conn.executemany(_MOVE, moves)
    store.add_events(store.conn, events, at=stamp)


def _statuses(conn: sqlite3.Connection, numbers: list[str]) -> dict[str, tuple[str, str | None]]:
    """number -> (export status, hold reason) of the stored ones among ``numbers``."""
    found: dict[str, tuple[str, str | None]] = {}
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        marks = ", ".join("?" * len(chunk))
        for number, status, reason in conn.execute(
            f"SELECT number, export_status, hold_reason FROM orders WHERE number IN ({marks})", chunk
        ):
            found[number] = (status, reason)
    return found


def release(store: Store, number: str, *, note: str | None, command: str) -> dict[str, Any]:
    """Release a held order: export status back to pending; apply-rules will not hold it again."""
    with store.transaction() as conn:
        row = conn.execute("SELECT export_status, hold_reason, document FROM orders WHERE number = ?", (number,)).fetchone()
        if row is None:
            raise InputError(f"order {number!r} is not in the state store {store.path}")
        if row["export_status"] != "held":
            raise InputError(f"order {number!r} is {row['export_status']}, not held", hint="nothing to release")
        previous = row["hold_reason"]
        orders.set_export_status(store, number, "pending", command=command)
        if row["document"]:
            document = orders.decode(row["document"], store.dictionaries)
            document["hold"] = {**(document.get("hold") or {}), "on_hold": False, "reason": None}
            orders.set_document(store, number, document)
        conn.execute(
            """INSERT INTO order_releases (number, released_at, previous_reason, note) VALUES (?, ?, ?, ?)
               ON CONFLICT(number) DO UPDATE SET released_at = excluded.released_at,
                   previous_reason = excluded.previous_reason, note = excluded.note""",
            (number, now(), previous, note),
        )
        store.add_event(conn, number, command, "released", {"previous_reason": previous, "note": note})
    return {"number": number, "export_status": "pending", "released_from": previous}
