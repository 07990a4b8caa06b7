"""Processed message ids (``processed_messages``): one row per (kind, target, message_seq) applied.

A message's mark is written in the caller's transaction with the message's own
effects, so a resend is recognised as a duplicate exactly when its effects are
in. Never purged: a forgotten id would let an old message apply again.
"""

from __future__ import annotations

from flowkit.store.db import Store, now


def processed(store: Store, kind: str, target: str, message_seq: int) -> str | None:
    """The recorded result of a message already processed, else None."""
    row = store.conn.execute(
        "SELECT result FROM processed_messages WHERE kind = ? AND target = ? AND message_seq = ?",
        (kind, target, message_seq),
    ).fetchone()
    return None if row is None else str(row["result"] or "success")


def mark_processed(store: Store, kind: str, target: str, message_seq: int, result: str) -> None:
    store.conn.execute(
        "INSERT INTO processed_messages (kind, target, message_seq, processed_at, result) VALUES (?, ?, ?, ?, ?)",
        (kind, target, message_seq, now(), result),
    )
