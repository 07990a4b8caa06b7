"""The sqlite state store: connection, migrations, transactions, run log, purge.

One file (WAL, busy timeout, mode 0600). Schema changes are numbered SQL files
in ``flowkit/store/migrations/`` applied in order, tracked by
``PRAGMA user_version``. Every unit of work is one short transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flowkit.errors import ConfigError, TempFailError

# (table, time column) pairs that `state purge` may thin out. Never list
# sequences, processed message ids, dedupe keys or unprocessed work here.
PURGEABLE: list[tuple[str, str]] = [("runs", "ended_at"), ("events", "at"), ("delivery_bodies", "at")]
# Rows retention never takes, whatever their age: the kept body of a delivery that can still be
# retried (failed, unknown, or in flight) is the only copy `deliver --retry-failed` can resend.
KEEP: dict[str, str] = {
    "delivery_bodies": "delivery_id IN (SELECT id FROM deliveries WHERE status IN ('failed', 'unknown', 'sending', 'reserved'))",
}


def now() -> str:
    """The current UTC time as sortable RFC 3339 with microseconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration file, in version order.

    Read from the package folder beside this module (a plain path: importlib.resources
    would cost every command ~10 ms of imports at start).
    """
    found = []
    for entry in Path(__file__).with_name("migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class Store:
    """An open state store. Use ``transaction()`` for each unit of work."""

    def __init__(self, path: Path, *, busy_timeout: float = 10.0) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
                os.close(fd)
            self.conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"state store {path}: cannot open: {exc}") from exc
        self.conn.row_factory = sqlite3.Row
        self.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        self._wal(busy_timeout)
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.migrate()
        self.run_id: int | None = None

    def close(self) -> None:
        self.conn.close()

    def _wal(self, wait: float) -> None:
        """Switch to WAL; sqlite answers "locked" without waiting while another
        process creates the file or recovers its WAL, so retry until ``wait``."""
        deadline = time.monotonic() + wait
        while True:
            try:
                if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if time.monotonic() >= deadline:
                    raise TempFailError(f"state store {self.path} is busy: {exc}", hint="rerun later") from exc
                time.sleep(0.02)

    @contextmanager
    def transaction(self, *, keep: bool = True) -> Iterator[sqlite3.Connection]:
        """A short write transaction (BEGIN IMMEDIATE), committed on success (rolled back when not ``keep``)."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TempFailError(f"state store {self.path} is busy: {exc}", hint="rerun later") from exc
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT" if keep else "ROLLBACK")

    @property
    def version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Apply the migrations newer than the file's ``user_version``, each atomically."""
        available = migrations()
        known, version = max((m[0] for m in available), default=0), self.version
        if version > known:
            raise ConfigError(
                f"state store {self.path} has schema version {version}, newer than this flowkit knows ({known})",
                hint="upgrade flowkit or use another --state",
            )
        if version == known:
            return
        from flowkit.store.lock import exclusive

        # Two processes opening a new store at once must not both migrate it.
        with exclusive(self.path, "migrate", wait=60):
            self._apply([m for m in available if m[0] > self.version])  # the version again, under the lock

    def _apply(self, pending: list[tuple[int, str, str]]) -> None:
        for number, name, sql in pending:
            script = f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;"
            try:
                self.conn.executescript(script)
            except sqlite3.Error as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise ConfigError(f"state store {self.path}: migration {name} failed: {exc}") from exc

    # run log -------------------------------------------------------------
    def start_run(self, command: str, args: list[str] | None = None) -> int:
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO runs (command, args, pid, pgid, host, started_at) VALUES (?, ?, ?, ?, ?, ?)",
                (command, json.dumps(args or []), os.getpid(), os.getpgrp(), os.uname().nodename, now()),
            )
        self.run_id = int(cur.lastrowid or 0)
        return self.run_id

    def finish_run(self, run_id: int, status: str, counts: dict[str, Any]) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE runs SET ended_at = ?, status = ?, counts = ? WHERE id = ?",
                (now(), status, json.dumps(counts, sort_keys=True), run_id),
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
    def purge(self, older_than_days: float) -> dict[str, int]:
        """Delete logs and archives older than the cutoff; returns rows deleted per table."""
        cutoff = (datetime.now(UTC) - timedelta(days=older_than_days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        deleted: dict[str, int] = {}
        with self.transaction() as conn:
            for table, column in PURGEABLE:
                keep = f" AND NOT ({KEEP[table]})" if table in KEEP else ""
                cur = conn.execute(f"DELETE FROM {table} WHERE {column} IS NOT NULL AND {column} < ?{keep}", (cutoff,))
                deleted[table] = cur.rowcount
        return deleted
