"""Pauses made at run time (``flowkit state pause``/``resume``; table of migration 0012).

A pause names a kind (``source``, ``channel``, ``supplier``) and a name; query-orders
reads them with the config's ``paused = true`` tables (``flowkit.query_orders.pause``).
Each change is one short transaction.
"""

from __future__ import annotations

import json
from typing import Any

from flowkit.store.db import Store, now

KINDS = ("source", "channel", "supplier")


def pause(store: Store, kind: str, name: str, *, reason: str | None, by: str | None) -> tuple[dict[str, Any], bool]:
    """Pause ``kind`` ``name``; returns the pause and whether it is new (an existing one is left as it was)."""
    if kind not in KINDS:
        raise ValueError(f"unknown pause kind {kind!r}")
    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO pauses (kind, name, reason, paused_at, paused_by) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(kind, name) DO NOTHING",
            (kind, name, reason, now(), by),
        )
        row = conn.execute("SELECT * FROM pauses WHERE kind = ? AND name = ?", (kind, name)).fetchone()
    return dict(row), cur.rowcount == 1


def resume(store: Store, kind: str, name: str) -> dict[str, Any] | None:
    """Lift the pause of ``kind`` ``name``; returns it as it was, or None when there was none."""
    with store.transaction() as conn:
        row = conn.execute("SELECT * FROM pauses WHERE kind = ? AND name = ?", (kind, name)).fetchone()
        if row is not None:
            conn.execute("DELETE FROM pauses WHERE kind = ? AND name = ?", (kind, name))
    return None if row is None else dict(row)


def active(store: Store) -> list[dict[str, Any]]:
    """Every pause in the store, oldest first: {kind, name, reason, paused_at, paused_by}."""
    rows = store.conn.execute("SELECT * FROM pauses ORDER BY paused_at, kind, name")
    return [dict(r) for r in rows]


def known_names(store: Store, kind: str) -> set[str]:
    """The channel or supplier ids of the orders in the store (to warn about a pause that names none)."""
    column = {"channel": "channel", "supplier": "supplier"}[kind]
    rows = store.conn.execute(f"SELECT DISTINCT {column} FROM orders WHERE {column} IS NOT NULL")
    return {str(r[0]) for r in rows}


def note_held_back(store: Store, number: str, command: str, event: str, reason: str) -> None:
    """Add ``event`` ("paused", "not-ready") to an order's story (inside the caller's transaction), unless its
    last event says so already: a cron run every few minutes adds nothing until the reason changes."""
    conn = store.conn
    row = conn.execute("SELECT event, detail FROM events WHERE key = ? ORDER BY id DESC LIMIT 1", (number,)).fetchone()
    if row is not None and row[0] == event and json.loads(row[1] or "{}").get("reason") == reason:
        return
    store.add_event(conn, number, command, event, {"reason": reason})
