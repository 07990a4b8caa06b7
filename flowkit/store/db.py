"""The state store: engine choice, transactions, run log, events, purge.

Two engines keep it (``Store(state)``): a sqlite file, the embedded default
(``store/sqlite.py``), and a PostgreSQL database that several hosts share
(``store/postgres.py``). Schema changes are numbered SQL files in
``flowkit/store/migrations/`` (and, for PostgreSQL, ``migrations/postgres/``).
Every unit of work is one short transaction. A store whose environment fails
(busy, disk full, read-only, corrupt, unreachable) raises a ``FlowkitError``
naming it, mapped by its engine (``Store.error``, ``store_error``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flowkit.errors import FlowkitError
from flowkit.store.failures import CHECK_HINT, StoreBusy, StoreFull, StoreUnusable
from flowkit.store.location import PgUrl

__all__ = ["CHECK_HINT", "PgUrl", "Store", "StoreBusy", "StoreFull", "StoreUnusable", "now", "store_error"]

# (table, time column) pairs that `state purge` may thin out. Never list
# sequences, processed message ids, dedupe keys or unprocessed work here.
PURGEABLE: list[tuple[str, str]] = [
    ("runs", "ended_at"),
    ("events", "at"),
    ("delivery_bodies", "at"),
    ("alerts", "sent_at"),  # sent alerts only: a pending one has no sent_at
]
# Rows retention never takes, whatever their age: the kept body of a delivery that can still be
# retried (failed, unknown, or in flight) is the only copy `deliver --retry-failed` can resend. A dead
# delivery's body (what someone must look at and resend by hand) is kept until the longer dead window
# (the ``?2`` cutoff).
KEEP: dict[str, str] = {
    "delivery_bodies": "delivery_id IN (SELECT id FROM deliveries WHERE status IN ('failed', 'unknown', 'sending', 'reserved')"
    " OR (status = 'dead' AND updated_at >= ?2))",
}


def now() -> str:
    """The current UTC time as sortable RFC 3339 with microseconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def migrations(engine: str = "sqlite") -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration file of ``engine``, in version order.

    sqlite's are in ``migrations/``, PostgreSQL's in ``migrations/postgres/``. Read from the
    package folder beside this module (a plain path: importlib.resources would cost every
    command ~10 ms of imports at start).
    """
    folder = Path(__file__).with_name("migrations")
    if engine != "sqlite":
        folder = folder / "postgres"
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def store_error(state: Path | PgUrl, exc: BaseException) -> FlowkitError | None:
    """``exc`` as the flowkit error (one line naming the store) of a failing environment, else None."""
    if isinstance(state, PgUrl):
        from flowkit.store.postgres import store_error as postgres_error

        return postgres_error(state, exc)
    from flowkit.store.sqlite import store_error as sqlite_error

    return sqlite_error(state, exc)


class Store:
    """An open state store. Use ``transaction()`` for each unit of work.

    ``state`` is a sqlite file (a ``Path``: ``store/sqlite.py``) or a PostgreSQL
    database (a ``PgUrl``: ``store/postgres.py``). Both engines give ``conn``
    the same face (``execute``/``executemany`` with ``?`` parameters, rows by
    name and position), so the ledgers' SQL is written once; where the two
    differ, ``dialect`` says which one runs.
    """

    def __init__(self, state: Path | PgUrl, *, busy_timeout: float = 10.0) -> None:
        self.path = state
        if isinstance(state, PgUrl):
            from flowkit.store.postgres import Engine as PgEngine

            self.engine: Any = PgEngine(state, busy_timeout)
        else:
            from flowkit.store.sqlite import Engine

            self.engine = Engine(state, busy_timeout)
        self.dialect: str = self.engine.name
        self.conn: sqlite3.Connection = self.engine.conn
        self.run_id: int | None = None
        self._dictionaries: Any = None
        try:
            self.migrate()
        except BaseException:
            self.engine.close()
            raise

    def close(self) -> None:
        self.engine.close()

    @property
    def dictionaries(self) -> Any:
        """The compression dictionaries of the store's bodies (``store/dictionaries.py``), read when first needed."""
        if self._dictionaries is None:
            from flowkit.store.dictionaries import Dictionaries

            self._dictionaries = Dictionaries(self.conn, self.path)
        return self._dictionaries

    def transaction(self, *, keep: bool = True) -> AbstractContextManager[sqlite3.Connection]:
        """A short write transaction, committed on success (rolled back when not ``keep``): the engine's own.

        Whatever stops the block (an error, a signal) rolls the transaction back; an error of
        the store's environment then raises as its flowkit error (``error``), as does a failed commit.
        Write transactions are serialized, on both engines, so a read inside one sees what it writes over.
        """
        return self.engine.transaction(keep)  # type: ignore[no-any-return]

    def _rollback(self) -> None:
        self.engine.rollback()

    def error(self, exc: BaseException) -> FlowkitError | None:
        """``exc`` as the flowkit error of a failing environment (busy, full, unusable), else None."""
        return self.engine.error(exc)  # type: ignore[no-any-return]

    def tune(self, **knobs: int) -> None:
        """sqlite's knobs for a heavy writer (PRAGMA name = value); the server's own on PostgreSQL."""
        self.engine.tune(**knobs)

    def data_version(self) -> int:
        """A number that changes when another connection commits (and not with this one's commits)."""
        return int(self.engine.data_version())

    def columns(self, table: str) -> set[str]:
        """The column names of ``table`` (empty when there is no such table)."""
        return set(self.engine.columns(table))

    @property
    def version(self) -> int:
        return int(self.engine.version)

    def migrate(self) -> None:
        """Apply the migrations newer than the store's schema version, each atomically."""
        self.engine.migrate(migrations(self.dialect))

    # run log -------------------------------------------------------------
    def start_run(self, command: str, args: list[str] | None = None, target: str | None = None) -> int:
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO runs (command, args, target, pid, pgid, host, started_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (command, json.dumps(args or []), target, os.getpid(), os.getpgrp(), os.uname().nodename, now()),
            )
            self.run_id = int(cur.fetchone()[0])
        return self.run_id

    def finish_run(
        self, run_id: int, status: str, counts: dict[str, Any], *, exit_code: int | None = None, error: str | None = None
    ) -> None:
        self._rollback()  # a unit of work a signal left open when the run stopped is not kept
        if error is not None and len(error) > 1000:
            error = error[:999] + "…"
        with self.transaction() as conn:
            conn.execute(
                "UPDATE runs SET ended_at = ?, status = ?, counts = ?, exit_code = ?, error = ? WHERE id = ?",
                (now(), status, json.dumps(counts, sort_keys=True), exit_code, error, run_id),
            )

    def runs(self, limit: int = 20, command: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM runs" + (" WHERE command = ?" if command else "") + " ORDER BY id DESC LIMIT ?"
        params: tuple[Any, ...] = (command, limit) if command else (limit,)
        out = []
        for row in self.conn.execute(sql, params):
            item = dict(row)
            item["args"] = json.loads(item["args"] or "[]")
            item["counts"] = json.loads(item["counts"] or "{}")
            out.append(item)
        return out

    # events ----------------------------------------------------------------
    def add_event(self, conn: sqlite3.Connection, key: str, command: str, event: str, detail: Any = None) -> None:
        """Append to ``key``'s story; call inside the transaction of the change it describes."""
        conn.execute(
            "INSERT INTO events (key, at, command, event, detail, run_id) VALUES (?, ?, ?, ?, ?, ?)",
            (key, now(), command, event, None if detail is None else json.dumps(detail, sort_keys=True), self.run_id),
        )

    def add_events(self, conn: sqlite3.Connection, events: list[tuple[str, str, str, Any]], at: str | None = None) -> None:
        """Append many (key, command, event, detail) in one statement, inside the changes' transaction.

        The details are the same JSON as ``add_event`` writes, in compact form.
        """
        import orjson

        stamp = at or now()
        sort = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS

        def text(detail: Any) -> str | None:
            return None if detail is None else orjson.dumps(detail, option=sort, default=str).decode()

        conn.executemany(
            "INSERT INTO events (key, at, command, event, detail, run_id) VALUES (?, ?, ?, ?, ?, ?)",
            [(key, stamp, command, event, text(detail), self.run_id) for key, command, event, detail in events],
        )

    def events(self, key: str) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT at, command, event, detail FROM events WHERE key = ? ORDER BY id", (key,))
        return [{**dict(r), "detail": json.loads(r["detail"]) if r["detail"] else None} for r in rows]

    # retention -------------------------------------------------------------
    def purge(self, older_than_days: float, dead_older_than_days: float | None = None) -> dict[str, int]:
        """Delete logs and archives older than the cutoff; returns rows deleted per table.

        The body of a delivery gone dead is kept until ``dead_older_than_days`` after it died
        (never, when None), and never sooner than the others.
        """

        def ago(days: float) -> str:
            return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

        cutoff = ago(older_than_days)
        dead = "" if dead_older_than_days is None else ago(max(dead_older_than_days, older_than_days))
        deleted: dict[str, int] = {}
        with self.transaction() as conn:
            for table, column in PURGEABLE:
                keep = f" AND NOT ({KEEP[table]})" if table in KEEP else ""
                args = (cutoff, dead) if table in KEEP else (cutoff,)
                cur = conn.execute(f"DELETE FROM {table} WHERE {column} IS NOT NULL AND {column} < ?1{keep}", args)
                deleted[table] = cur.rowcount
        return deleted
