"""The sqlite engine of the state store: one file (WAL, busy timeout, mode 0600), today's default.

Schema changes are the numbered SQL files in ``flowkit/store/migrations/``,
applied in order and tracked by ``PRAGMA user_version``. A statement whose
environment fails (busy, disk full, read-only, corrupt, I/O error) raises a
``FlowkitError`` naming the file, mapped from sqlite's error code here and
nowhere else (``store_error``). Other sqlite errors (a constraint, a bug in
SQL) stay sqlite's.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flowkit.errors import ConfigError, FlowkitError
from flowkit.store.failures import CHECK_HINT, StoreBusy, StoreFull, StoreUnusable

NAME = "sqlite"

# sqlite's primary result codes for a failing environment (https://sqlite.org/rescode.html).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
CORRUPT_CODES = (_CORRUPT, _NOTADB)


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


def _pack_text(value: Any) -> Any:
    """SQL ``flowkit_pack(x)``: a text or blob value kept as ``bodies.pack`` keeps an order body (0009)."""
    if not isinstance(value, (str, bytes)):
        return value
    from flowkit.store.bodies import ORDER_LEVEL, pack

    return pack(value.encode() if isinstance(value, str) else value, level=ORDER_LEVEL)


class Engine:
    """An open sqlite store file: its connection, transactions and schema version."""

    name = NAME

    def __init__(self, path: Path, busy_timeout: float) -> None:
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
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._wal(busy_timeout)
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            conn.close()
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

    def error(self, exc: BaseException) -> FlowkitError | None:
        return store_error(self.path, exc)

    def tune(self, **pragmas: int) -> None:
        """sqlite's knobs for a heavy writer (``wal_autocheckpoint``, ``cache_size``)."""
        for name, value in pragmas.items():
            self.conn.execute(f"PRAGMA {name} = {int(value)}")

    def data_version(self) -> int:
        """Changes with every commit of another connection, never with this one's own."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def columns(self, table: str) -> set[str]:
        return {str(row["name"]) for row in self.conn.execute(f"PRAGMA table_info({table})")}

    @contextmanager
    def transaction(self, keep: bool) -> Iterator[sqlite3.Connection]:
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
                self.rollback()
            if isinstance(exc, sqlite3.Error):
                _raise_mapped(self.path, exc)
            raise
        try:
            self.conn.execute("COMMIT" if keep else "ROLLBACK")
        except BaseException:
            self.rollback()
            raise

    def rollback(self) -> None:
        """Roll back the open transaction, if sqlite has not already (a full disk or an I/O error ends it)."""
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except (sqlite3.Error, FlowkitError):  # the error that stopped the block is the one to report
                pass

    @property
    def version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, available: list[tuple[int, str, str]]) -> None:
        """Apply the migrations newer than the file's ``user_version``, each atomically."""
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
                self.rollback()
                if isinstance(exc, FlowkitError):  # the environment's failure (store_error), said as such
                    raise
                raise ConfigError(f"state store {self.path}: migration {name} failed: {exc}") from exc
