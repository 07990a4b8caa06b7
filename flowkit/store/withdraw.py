"""Taking back delivery intents whose attempts did not count (the destination stopped the batch first).

deliver commits a window's intents (``delivery.begin_attempts``) before any
send. When the destination stops the batch part-way (a hotfolder's disk is
full), the records after the one that met the stop were never tried: their
intents are taken back, so they are left as they were, and the one that met
it fails without its attempt counting toward ``dead``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from flowkit.store.db import Store, now
from flowkit.store.delivery import Entry


class Withdraw(NamedTuple):
    """An intent whose attempt was not made, for ``withdraw``; ``before`` is the row as it was before the intent."""

    entry: Entry
    before: Entry | None
    error: str | None = None
    error_code: int | None = None


def withdraw(store: Store, items: Sequence[Withdraw], command: str = "deliver") -> None:
    """Take back intents whose attempts did not count (the destination stopped the batch), in the caller's transaction.

    Without an error the row becomes what it was before the intent: its status,
    attempts, file name and error back, or, for a row the intent created, no
    row and no kept body. With an error (the record that met the stop) the row
    is ``failed`` with that error, logged in the key's story, its attempts as
    before the intent, so a stop never brings a delivery closer to ``dead``.
    """
    stamp, conn = now(), store.conn
    gone = [w.entry.id for w in items if w.before is None and w.error is None]
    if gone:
        # the kept body goes with the row (ON DELETE CASCADE); a row that was there before after all stays
        conn.executemany("DELETE FROM deliveries WHERE id = ? AND status = 'sending' AND attempts = 1", [(i,) for i in gone])
    back = [_restored(w, stamp) for w in items if w.before is not None or w.error is not None]
    if back:
        conn.executemany(
            """UPDATE deliveries SET status = ?, attempts = ?, filename = ?, error = ?, error_code = ?, updated_at = ?
               WHERE id = ?""",
            back,
        )
    failed = [w for w in items if w.error is not None]
    if failed:
        store.add_events(
            conn,
            [
                (
                    w.entry.key,
                    command,
                    "failed",
                    {
                        "destination": w.entry.destination,
                        "hash": w.entry.content_hash,
                        "attempts": w.before.attempts if w.before is not None else 0,
                        "error": w.error,
                        "counted": False,
                    },
                )
                for w in failed
            ],
            at=stamp,
        )


def _restored(w: Withdraw, stamp: str) -> tuple[Any, ...]:
    """The UPDATE parameters that take ``w``'s intent back."""
    if w.error is not None:
        attempts = w.before.attempts if w.before is not None else 0
        return ("failed", attempts, w.entry.filename, w.error, w.error_code, stamp, w.entry.id)
    assert w.before is not None
    b = w.before
    return (b.status, b.attempts, b.filename, b.error, b.error_code, b.updated_at, w.entry.id)
