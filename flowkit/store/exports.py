"""The order export ledger of query-orders and mark-sent (tables of migration 0003).

Export status itself lives in the shared ``orders`` table (``store/orders.py``);
this module adds the queries the lifecycle needs, the export history per run
and the source-side "mark as exported" calls still owed.
"""

from __future__ import annotations

import os
from typing import Any

from flowkit.store import orders
from flowkit.store.db import Store, now

# Export statuses an --unsent query may (re)emit.
UNSENT = ("pending", "queued", "failed")


def status(store: Store, number: str) -> tuple[str, int] | None:
    """(export_status, attempts) of a known order, or None."""
    row = store.conn.execute("SELECT export_status, attempts FROM orders WHERE number = ?", (number,)).fetchone()
    return (str(row[0]), int(row[1])) if row else None


def lifecycle(store: Store, number: str) -> tuple[str, str | None, str]:
    """(export_status, hold_reason, updated_at) of a known order."""
    row = store.conn.execute("SELECT export_status, hold_reason, updated_at FROM orders WHERE number = ?", (number,)).fetchone()
    return str(row[0]), row[1], str(row[2])


def source(store: Store, number: str) -> str | None:
    """The name of the query-orders source that stored an order (None when unknown or not recorded)."""
    row = store.conn.execute("SELECT source FROM orders WHERE number = ?", (number,)).fetchone()
    return str(row[0]) if row and row[0] else None


def statuses(store: Store, numbers: list[str]) -> dict[str, tuple[str, int]]:
    """``status`` for many orders in one query: number -> (export_status, attempts), known ones only."""
    found: dict[str, tuple[str, int]] = {}
    unique = list(dict.fromkeys(numbers))
    for start in range(0, len(unique), 500):  # well under sqlite's limit on parameters
        part = unique[start : start + 500]
        sql = f"SELECT number, export_status, attempts FROM orders WHERE number IN ({', '.join('?' * len(part))})"
        found.update((str(r[0]), (str(r[1]), int(r[2]))) for r in store.conn.execute(sql, part))
    return found


def in_flight(store: Store, number: str, run_id: int | None = None) -> bool:
    """Whether the pipeline that queued ``number`` may still be running (so it must not be sent again yet).

    The run that queued it recorded its process group and host: a shell
    pipeline's commands share one process group, so once no process of that
    group is left, nothing of that pipeline can still export the order. An
    earlier pipeline of the caller's own group (one script running pipelines
    one after the other) has ended too, unless it is the caller's own run
    (``run_id``). Unknown (another host, an older store) counts as in flight:
    the time limit (``requeue_after``) then decides.
    """
    row = store.conn.execute(
        """SELECT r.pgid, r.host, r.id FROM events e JOIN runs r ON r.id = e.run_id
           WHERE e.key = ? AND e.event = 'queued' ORDER BY e.id DESC LIMIT 1""",
        (number,),
    ).fetchone()
    if row is None or row[0] is None or row[1] != os.uname().nodename or row[2] == run_id:
        return True
    if int(row[0]) == os.getpgrp():
        return False
    try:
        os.killpg(int(row[0]), 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by another user
        return True
    return True


def carry_over(store: Store, source: str | None, statuses: tuple[str, ...] = UNSENT) -> list[str]:
    """Numbers of orders (of ``source``, or all) in ``statuses``, oldest first."""
    marks = ", ".join("?" for _ in statuses)
    sql = f"SELECT number FROM orders WHERE export_status IN ({marks})"
    params: list[Any] = list(statuses)
    if source is not None:
        sql += " AND source = ?"
        params.append(source)
    sql += " ORDER BY placed_at, number"
    return [str(r[0]) for r in store.conn.execute(sql, params)]


def document(store: Store, number: str) -> tuple[dict[str, Any], str | None] | None:
    """The stored canonical document of an order and its source name."""
    row = store.conn.execute("SELECT document, source FROM orders WHERE number = ?", (number,)).fetchone()
    if row is None or not row[0]:
        return None
    return orders.decode(row[0], store.dictionaries), row[1]


def add_history(store: Store, command: str, source: str | None, counts: dict[str, int]) -> None:
    """Keep one run's counts as export history."""
    fields = ("emitted", "delivered", "duplicates", "failed", "dead", "skipped")
    with store.transaction() as conn:
        conn.execute(
            f"INSERT INTO export_history (run_id, at, command, source, {', '.join(fields)}) "
            f"VALUES (?, ?, ?, ?, {', '.join('?' for _ in fields)})",
            (store.run_id, now(), command, source, *(int(counts.get(f, 0)) for f in fields)),
        )


def history(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    rows = store.conn.execute("SELECT * FROM export_history ORDER BY id DESC LIMIT ?", (limit,))
    return [dict(r) for r in rows]


def owe_mark(store: Store, number: str, source: str) -> None:
    """Note that ``source`` must still be told ``number`` was exported (inside the caller's transaction)."""
    store.conn.execute(
        """INSERT INTO source_marks (number, source, state, updated_at) VALUES (?, ?, 'pending', ?)
           ON CONFLICT(number) DO UPDATE SET source = excluded.source, state = 'pending',
               updated_at = excluded.updated_at""",
        (number, source, now()),
    )


def owed_marks(store: Store) -> list[tuple[str, str]]:
    """(number, source) of every source mark still owed."""
    rows = store.conn.execute("SELECT number, source FROM source_marks WHERE state = 'pending' ORDER BY updated_at")
    return [(str(r[0]), str(r[1])) for r in rows]


def settle_mark(store: Store, number: str, *, command: str, ref: str | None, error: str | None) -> None:
    """Record the outcome of one source mark call (and the order's event) in one transaction."""
    with store.transaction() as conn:
        conn.execute(
            """UPDATE source_marks SET state = ?, attempts = attempts + 1, last_error = ?, remote_ref = ?,
                   updated_at = ? WHERE number = ?""",
            ("pending" if error else "done", error, ref, now(), number),
        )
        event = "source-mark-failed" if error else "marked-at-source"
        store.add_event(conn, number, command, event, {"error": error} if error else {"remote_ref": ref})


def marks(store: Store, number: str) -> dict[str, Any] | None:
    row = store.conn.execute("SELECT * FROM source_marks WHERE number = ?", (number,)).fetchone()
    return dict(row) if row else None
