"""The sqlite state store: connection, migrations, transactions, run log, purge.

One file (WAL, busy timeout, mode 0600). Schema changes are numbered SQL files
in ``flowkit/store/migrations/`` applied in order, tracked by
``PRAGMA user_version``. Every unit of work is one short transaction.

A store whose environment fails (busy, disk full, read-only, corrupt, I/O
error) raises a ``FlowkitError`` naming the file, mapped from sqlite's error
code here and nowhere else (``store_error``): at open, in every statement the
store's connection runs, and in ``transaction()``, which rolls the unit of
work back first. Other sqlite errors (a constraint, a bug in SQL) stay sqlite's.
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

from flowkit.errors import ConfigError, FlowkitError, TempFailError

# (table, time column) pairs that `state purge` may thin out. Never list
# sequences, processed message ids, dedupe keys or unprocessed work here.
PURGEABLE: list[tuple[str, str]] = [
    ("runs", "ended_at"),
    ("events", "at"),
    ("delivery_bodies", "at"),
    ("alerts", "sent_at"),  # sent alerts only: a pending one has no sent_at
]
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


def _pack_text(value: Any) -> Any:
    """SQL ``flowkit_pack(x)``: a text or blob value kept as ``bodies.pack`` keeps an order body (0009)."""
    if not isinstance(value, (str, bytes)):
        return value
    from flowkit.store.bodies import ORDER_LEVEL, pack

    return pack(value.encode() if isinstance(value, str) else value, level=ORDER_LEVEL)


# sqlite's primary result codes for a failing environment (https://sqlite.org/rescode.html).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
CORRUPT_CODES = (_CORRUPT, _NOTADB)


class StoreBusy(TempFailError):
    """Another process holds the store's write lock past the busy timeout (exit 75)."""


class StoreFull(TempFailError):
    """The disk under the store is full (exit 75: free space, then rerun)."""


class StoreUnusable(ConfigError):
    """The store is read-only, corrupt, unopenable or fails with I/O errors (exit 78: an admin must act)."""


CHECK_HINT = "run 'flowkit state check' for how to recover"


def store_error(path: Path, exc: BaseException) -> FlowkitError | None:
    """The flowkit error (one line naming ``path``) for sqlite error ``exc`` of a failing environment, else None.

    The one place sqlite's result codes become exit codes: busy and disk full are temporary
    (75); read-only, corrupt, unopenable and I/O errors need an admin (78). sqlite reports a
    read-only mount or an immutable file as "unable to open" or "disk I/O error", and a full
    disk sometimes as an I/O error, so those look at the file system to say which.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    if not isinstance(exc, sqlite3.Error) or code is None:
        return None
    primary, cause = code & 0xFF, f"{getattr(exc, 'sqlite_errorname', 'sqlite error')}: {exc}"
    if primary in (_BUSY, _LOCKED):
        return StoreBusy(f"state store {path} is busy ({cause})", hint="another run holds it; rerun later")
    if primary in CORRUPT_CODES:
        return StoreUnusable(f"state store {path} is corrupt ({cause})", hint=f"stop the runs that use it and {CHECK_HINT}")
    if primary not in (_FULL, _READONLY, _IOERR, _CANTOPEN):
        return None
    if primary == _FULL or (primary == _IOERR and _disk_full(path)):
        return StoreFull(
            f"state store {path}: the disk is full ({cause})",
            hint="the unit of work that failed was rolled back; free space on that disk, then rerun",
        )
    if primary == _READONLY or not writable(path):
        return StoreUnusable(
            f"state store {path} is read-only ({cause})",
            hint="make the file, its -wal/-shm files and its folder writable (mount, permissions, chattr), then rerun",
        )
    if not path.exists():
        return StoreUnusable(f"state store {path} was moved or deleted while in use ({cause})", hint="rerun")
    if primary == _CANTOPEN:
        return StoreUnusable(f"state store {path}: cannot open ({cause})", hint="check the path and its permissions")
    return StoreUnusable(f"state store {path}: disk I/O error ({cause})", hint=f"check the disk (dmesg), then {CHECK_HINT}")


def writable(path: Path) -> bool:
    """Whether the store's folder and its files can be written (False on a read-only mount, even for root)."""
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return os.access(path.parent, os.W_OK) and all(os.access(f, os.W_OK) for f in files if f.exists())


def _disk_full(path: Path) -> bool:
    try:
        return os.statvfs(path.parent).f_bavail == 0
    except OSError:
        return False


def _raise_mapped(path: Path, exc: sqlite3.Error) -> None:
    """Raise ``exc`` as the flowkit error ``store_error`` maps it to, if any (the caller re-raises it when not)."""
    mapped = store_error(path, exc)
    if mapped is not None:
        raise mapped from exc


class _Cursor(sqlite3.Cursor):
    """A cursor of the store's connection: its statements' environment failures raise as flowkit errors."""

    store_path: Path

    def execute(self, sql: str, parameters: Any = (), /) -> _Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as exc:
            _raise_mapped(self.store_path, exc)
            raise

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> _Cursor:
        try:
            return super().executemany(sql, seq_of_parameters)
        except sqlite3.Error as exc:
            _raise_mapped(self.store_path, exc)
            raise


class _Connection(sqlite3.Connection):
    """The store's connection: statements that fail for the environment raise as flowkit errors.

    Rows read after a statement's first (iterating a cursor) are covered by ``transaction()``
    inside one, and by the CLI layer's last net (``store_error``) outside.
    """

    store_path: Path

    def cursor(self, factory: Any = None) -> Any:
        cur = super().cursor(factory or _Cursor)
        cur.store_path = self.store_path
        return cur

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as exc:
            _raise_mapped(self.store_path, exc)
            raise

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.Error as exc:
            _raise_mapped(self.store_path, exc)
            raise

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        try:
            return super().executescript(sql_script)
        except sqlite3.Error as exc:
            _raise_mapped(self.store_path, exc)
            raise


class Store:
    """An open state store. Use ``transaction()`` for each unit of work."""

    def __init__(self, path: Path, *, busy_timeout: float = 10.0) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
                os.close(fd)
        except OSError as exc:
            if not writable(path):
                raise StoreUnusable(f"state store {path} is read-only ({exc.strerror})", hint="make its folder writable") from exc
            raise ConfigError(f"state store {path}: cannot open: {exc}") from exc
        try:
            conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False, factory=_Connection)
        except sqlite3.Error as exc:
            _raise_mapped(path, exc)
            raise ConfigError(f"state store {path}: cannot open: {exc}") from exc
        assert isinstance(conn, _Connection)
        conn.store_path = path
        self.conn: sqlite3.Connection = conn
        self.run_id: int | None = None
        try:
            self.conn.row_factory = sqlite3.Row
            self.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._wal(busy_timeout)
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.migrate()
        except BaseException:
            self.conn.close()
            raise

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
            except StoreBusy:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.02)

    @contextmanager
    def transaction(self, *, keep: bool = True) -> Iterator[sqlite3.Connection]:
        """A short write transaction (BEGIN IMMEDIATE), committed on success (rolled back when not ``keep``).

        Whatever stops the block (an error, a signal) rolls the transaction back; a sqlite error
        of the environment then raises as its flowkit error (``store_error``), as does a failed commit.
        """
        nested = self.conn.in_transaction  # BEGIN then fails, and the outer transaction is not this one's
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            yield self.conn
        except BaseException as exc:  # also a signal landing just after BEGIN
            if not nested:
                self._rollback()
            if isinstance(exc, sqlite3.Error):
                _raise_mapped(self.path, exc)
            raise
        try:
            self.conn.execute("COMMIT" if keep else "ROLLBACK")
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        """Roll back the open transaction, if sqlite has not already (a full disk or an I/O error ends it)."""
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except (sqlite3.Error, FlowkitError):  # the error that stopped the block is the one to report
                pass

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
        self.conn.create_function("flowkit_pack", 1, _pack_text, deterministic=True)  # for migrations' SQL
        for number, name, sql in pending:
            script = f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;"
            try:
                self.conn.executescript(script)
            except (sqlite3.Error, FlowkitError) as exc:
                self._rollback()
                if isinstance(exc, FlowkitError):  # the environment's failure (store_error), said as such
                    raise
                raise ConfigError(f"state store {self.path}: migration {name} failed: {exc}") from exc

    # run log -------------------------------------------------------------
    def start_run(self, command: str, args: list[str] | None = None, target: str | None = None) -> int:
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO runs (command, args, target, pid, pgid, host, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (command, json.dumps(args or []), target, os.getpid(), os.getpgrp(), os.uname().nodename, now()),
            )
        self.run_id = int(cur.lastrowid or 0)
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
