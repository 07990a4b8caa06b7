"""Production statuses applied to orders: the SQL behind ``import-status``.

One row per order (``item`` = ``''``) and per order line a message named, with
the last status applied, the furthest stage reached and the newest status
time, so a late message is recognised as stale. Every write runs inside the
caller's transaction (one per message): the dedupe mark, the status rows and
the story's event commit together or not at all. Nothing here is purged.
"""

from __future__ import annotations

from typing import Any

from flowkit.store import messages
from flowkit.store.db import Store, now

KIND = "status"
ORDER = ""  # the ``item`` of the whole order's row


def processed(store: Store, target: str, message_seq: int) -> str | None:
    """The recorded result of a status message already processed, else None."""
    return messages.processed(store, KIND, target, message_seq)


def mark_processed(store: Store, target: str, message_seq: int, result: str) -> None:
    messages.mark_processed(store, KIND, target, message_seq, result)


def current(store: Store, number: str) -> dict[str, dict[str, Any]]:
    """The status rows of ``number`` by item (``ORDER`` for the whole order)."""
    rows = store.conn.execute(
        "SELECT item, status, stage, at, target, message_seq, updated_at FROM order_statuses WHERE number = ?", (number,)
    )
    return {str(r["item"]): dict(r) for r in rows}


def advance(store: Store, number: str, item: str, status: str, stage: int, at: str | None, target: str, seq: int) -> None:
    """Apply ``status`` to one item (or the whole order): the stage only grows, the time only moves forward."""
    store.conn.execute(
        """INSERT INTO order_statuses (number, item, status, stage, at, target, message_seq, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(number, item) DO UPDATE SET status = excluded.status,
               stage = MAX(order_statuses.stage, excluded.stage),
               at = CASE WHEN order_statuses.at IS NULL OR excluded.at > order_statuses.at THEN excluded.at
                         ELSE order_statuses.at END,
               target = excluded.target, message_seq = excluded.message_seq, updated_at = excluded.updated_at""",
        (number, item, status, stage, at, target, seq, now()),
    )


def for_order(store: Store, number: str) -> list[dict[str, Any]]:
    """The production status of ``number`` for ``state show``: the whole order first, then its lines."""
    rows = store.conn.execute(
        "SELECT item, status, at, target, message_seq, updated_at FROM order_statuses WHERE number = ? ORDER BY item != '', item",
        (number,),
    )
    return [{**dict(r), "item": r["item"] or None} for r in rows]


# inbox bookkeeping --------------------------------------------------------
def inbox_outcome(store: Store, folder: str, name: str, status: str, error: str | None) -> int:
    """Record one processing attempt of an inbox file; returns the attempts counted so far."""
    conn = store.conn
    conn.execute(
        """INSERT INTO status_inbox (folder, name, attempts, last_error, status, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(folder, name) DO UPDATE SET attempts = status_inbox.attempts + excluded.attempts,
               last_error = COALESCE(excluded.last_error, status_inbox.last_error), status = excluded.status,
               updated_at = excluded.updated_at""",
        (folder, name, 1 if error is not None else 0, error, status, now()),
    )
    row = conn.execute("SELECT attempts FROM status_inbox WHERE folder = ? AND name = ?", (folder, name)).fetchone()
    return int(row["attempts"])
