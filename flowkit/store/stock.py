"""The stock ledger: SQL behind named functions for push-stock (migration 0004).

Per (target, sku, source) the ledger keeps the highest applied ``seq``, the
stored quantity and ``history``, the recent applied seqs (space-separated,
newest last, the last ``HISTORY_CHARS`` characters) so that a replayed old
line is recognised as a duplicate; ``processed_messages`` (kind ``stock``)
dedupes whole messages. Writes are batched with ``executemany`` in
the caller's transaction; every applied line appends to its SKU's story.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson

from flowkit.store.db import Store, now

KIND = "stock"
HISTORY_CHARS = 2000
Key = tuple[str, str]
Entry = tuple[int, int, str]  # last_seq, qty, history
# (sku, source, seq, qty, received, message_seq)
Applied = tuple[str, str, int, int, int, int | None]
_BATCH = 900  # host parameters per IN list (sqlite before 3.32 allows 999)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


@contextmanager
def savepoint(store: Store) -> Iterator[None]:
    """Inside a longer transaction: undo this unit of work alone when it fails."""
    conn = store.conn
    conn.execute("SAVEPOINT unit")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK TO unit")
        conn.execute("RELEASE unit")
        raise
    conn.execute("RELEASE unit")


def tune_for_bulk(store: Store) -> None:
    """Connection settings for a long run of writes: a 24 MB page cache and a WAL
    checkpoint every 10,000 pages (fewer fsyncs); they end with the connection."""
    store.tune(cache_size=-24576, wal_autocheckpoint=10000)


def message_processed(store: Store, target: str, message_seq: int) -> str | None:
    """When message ``message_seq`` was processed for ``target`` (None: never)."""
    row = store.conn.execute(
        "SELECT processed_at FROM processed_messages WHERE kind = ? AND target = ? AND message_seq = ?",
        (KIND, target, message_seq),
    ).fetchone()
    return None if row is None else str(row[0])


def mark_processed(store: Store, target: str, message_seq: int, result: dict[str, int]) -> None:
    store.conn.execute(
        "INSERT OR IGNORE INTO processed_messages (kind, target, message_seq, processed_at, result) VALUES (?,?,?,?,?)",
        (KIND, target, message_seq, now(), orjson.dumps(result, option=orjson.OPT_SORT_KEYS).decode()),
    )


def ledger(store: Store, target: str, skus: Iterable[str]) -> dict[Key, Entry]:
    """(sku, source) -> (last_seq, qty, history) for the given SKUs (plain tuples: no Row per entry)."""
    cursor = store.conn.cursor()
    cursor.row_factory = None
    found: dict[Key, Entry] = {}
    for part in _chunks(sorted(set(skus))):
        marks = ",".join("?" * len(part))
        rows = cursor.execute(
            f"SELECT sku, source, last_seq, qty, history FROM stock_ledger WHERE target = ? AND sku IN ({marks})",
            (target, *part),
        )
        found.update({(sku, source): (seq, qty, history) for sku, source, seq, qty, history in rows})
    return found


def seen_before(history: str, seq: int) -> bool:
    """Whether ``seq`` is among the applied seqs kept in ``history``."""
    if len(history) >= HISTORY_CHARS:  # the first token may be cut: drop it
        history = history.partition(" ")[2]
    return f" {seq} " in f" {history} "


def apply(store: Store, target: str, rows: Sequence[Applied], *, command: str) -> None:
    """Advance the ledger for ``rows`` (compare-and-set on seq) and log each change."""
    if not rows:
        return
    stamp = now()
    if store.dialect == "postgresql":  # one COPY and one upsert for the batch (store/stock_pg.py)
        from flowkit.store import stock_pg

        stock_pg.apply(store, target, rows, stamp=stamp, command=command)
        return
    conn = store.conn
    conn.executemany(
        f"""INSERT INTO stock_ledger (target, sku, source, last_seq, qty, received, message_seq, history, updated_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?4, ?8)
           ON CONFLICT (target, sku, source) DO UPDATE SET last_seq = excluded.last_seq, qty = excluded.qty,
               received = excluded.received, message_seq = excluded.message_seq, updated_at = excluded.updated_at,
               history = substr(stock_ledger.history || ' ' || excluded.last_seq, -{HISTORY_CHARS})
           WHERE excluded.last_seq > stock_ledger.last_seq""",
        [(target, sku, source, seq, qty, received, mseq, stamp) for sku, source, seq, qty, received, mseq in rows],
    )
    conn.executemany(
        "INSERT INTO events (key, at, command, event, detail, run_id) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                sku,
                stamp,
                command,
                "stock-applied",
                orjson.dumps({"message_seq": mseq, "qty": qty, "seq": seq, "source": source, "target": target}).decode(),
                store.run_id,
            )
            for sku, source, seq, qty, _r, mseq in rows
        ],
    )


def unsent_units(store: Store, sku: str, *, statuses: Sequence[str], since: str, exported_before: str | None) -> int:
    """Units of ``sku`` on orders in ``statuses`` placed since ``since`` and not yet
    exported (or exported after ``exported_before``, when the sender's figure predates it).

    The order's own placed date counts (when flowkit first fetched it if the source gave
    none), not the row's ``updated_at``, which moves whenever flowkit touches the order.
    A ``placed_at`` compares to the second (sources give no fraction).
    """
    marks = ",".join("?" * len(statuses))
    row = store.conn.execute(
        f"""SELECT COALESCE(SUM(l.quantity - l.quantity_shipped), 0) FROM order_lines l
            JOIN orders o ON o.number = l.number
            WHERE l.sku = ? AND o.status IN ({marks})
              AND (CASE WHEN o.placed_at IS NULL THEN o.fetched_at >= ? ELSE substr(o.placed_at, 1, 19) >= ? END)
              AND (o.export_status != 'exported' OR (? IS NOT NULL AND o.exported_at > ?))""",
        (sku, *statuses, since, since[:19], exported_before, exported_before),
    ).fetchone()
    return max(0, int(row[0]))


def rows(store: Store, target: str, sku: str | None = None) -> Iterator[dict[str, Any]]:
    """The ledger of ``target`` (optionally one SKU), ordered by sku and source."""
    sql = "SELECT sku, source, last_seq, qty, received, message_seq, updated_at FROM stock_ledger WHERE target = ?"
    params: tuple[Any, ...] = (target,)
    if sku is not None:
        sql += " AND sku = ?"
        params += (sku,)
    for row in store.conn.execute(sql + " ORDER BY sku, source", params):
        item = dict(row)
        item["in_stock"] = item["qty"] > 0
        yield item


def page(store: Store, target: str, after: Key, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` ledger rows of ``target`` after the (sku, source) key ``after``."""
    return [
        dict(r)
        for r in store.conn.execute(
            """SELECT sku, source, last_seq, qty, received FROM stock_ledger
           WHERE target = ? AND (sku, source) > (?, ?) ORDER BY sku, source LIMIT ?""",
            (target, after[0], after[1], limit),
        )
    ]


# outbox: write-ahead intent before a chunk is sent, confirmation after ----------
def next_message_seq(store: Store, target: str) -> int:
    row = store.conn.execute("SELECT MAX(message_seq) FROM stock_outbox WHERE target = ?", (target,)).fetchone()
    return int(row[0] or 0) + 1


def outbox_intent(store: Store, target: str, message_seq: int, filename: str, lines: list[dict[str, Any]], size: int) -> None:
    stamp = now()
    store.conn.execute(
        """INSERT INTO stock_outbox (target, message_seq, filename, status, lines, size, created_at, updated_at)
           VALUES (?, ?, ?, 'sending', ?, ?, ?, ?)""",
        (target, message_seq, filename, orjson.dumps(lines).decode(), size, stamp, stamp),
    )


def outbox_set(
    store: Store,
    target: str,
    message_seq: int,
    status: str,
    *,
    remote_ref: str | None = None,
    error: str | None = None,
) -> None:
    store.conn.execute(
        "UPDATE stock_outbox SET status = ?, remote_ref = ?, error = ?, updated_at = ? WHERE target = ? AND message_seq = ?",
        (status, remote_ref, error, now(), target, message_seq),
    )


def outbox_unconfirmed(store: Store, target: str) -> list[dict[str, Any]]:
    """Chunks whose send was started but never confirmed (a killed run)."""
    out = []
    for row in store.conn.execute(
        "SELECT message_seq, filename, lines, size FROM stock_outbox WHERE target = ? AND status = 'sending' "
        "ORDER BY message_seq",
        (target,),
    ):
        out.append({**dict(row), "lines": orjson.loads(row["lines"])})
    return out


# inbox attempts -------------------------------------------------------------------
def inbox_attempts(store: Store, folder: str, name: str) -> int:
    row = store.conn.execute("SELECT attempts FROM stock_inbox WHERE folder = ? AND name = ?", (folder, name)).fetchone()
    return 0 if row is None else int(row[0])


def inbox_record(store: Store, folder: str, name: str, status: str, error: str | None = None) -> int:
    """Record one attempt's outcome; returns the attempts counted so far."""
    failed = 1 if error is not None else 0
    store.conn.execute(
        """INSERT INTO stock_inbox (folder, name, attempts, status, last_error, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (folder, name) DO UPDATE SET attempts = stock_inbox.attempts + excluded.attempts,
               status = excluded.status, last_error = COALESCE(excluded.last_error, stock_inbox.last_error),
               updated_at = excluded.updated_at""",
        (folder, name, failed, status, error, now()),
    )
    return inbox_attempts(store, folder, name)
