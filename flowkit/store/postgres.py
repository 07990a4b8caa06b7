"""The PostgreSQL engine of the state store: one database that several hosts share.

Imported only when the state is a ``postgresql://`` URL (psycopg 3 is the
optional extra ``flowkit[postgres]``). The ledgers' SQL is written once, in
the subset both engines read; ``pg_sql.translate`` turns the few sqlite spellings
left into PostgreSQL's (``?`` and ``?N`` parameters, ``INSERT OR IGNORE``,
``json_each``, ``json_extract(column, '$.name')``, two-argument ``MAX``/``MIN``, a negative ``substr``).

Semantics are sqlite's, across hosts, by the database's own locks:

- every write transaction takes one transaction-level advisory lock first
  (``pg_advisory_xact_lock``), as sqlite's ``BEGIN IMMEDIATE`` takes the
  file's write lock: a read inside a transaction sees what it writes over,
  whichever host runs it. Transactions are short (a window of records), the
  sends between them are not inside one, so hosts still send in parallel.
- named locks (``flowkit.store.lock.exclusive``) are session advisory locks on
  a connection of their own: the server drops them when that connection ends,
  also when its host dies (TCP keepalives find a dead peer in ~25 s).
- the schema version is the ``flowkit_schema`` table, migrated under an
  advisory lock; PostgreSQL's DDL is transactional, so a migration applies
  whole or not at all.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from flowkit.errors import ConfigError, FlowkitError, TempFailError
from flowkit.store.failures import StoreBusy, StoreFull, StoreUnusable
from flowkit.store.location import PgUrl
from flowkit.store.pg_sql import Face

NAME = "postgresql"
WRITE_LOCK = "flowkit:write"  # the advisory lock every write transaction takes (sqlite's file write lock)
MIGRATE_LOCK = "flowkit:migrate"
_HELD: dict[int, tuple[str, str]] = {}  # the backend pid of each named lock's session held here -> (url, lock name)
# TCP keepalives on both ends: the client's find a server that vanished, the server's (set per session, the
# ``options`` below) find a client host that died without closing, so its session advisory locks are released
# within ~25 s instead of the kernel's two hours.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}
SERVER_KEEPALIVES = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise ConfigError(
            "a postgresql:// state store needs psycopg 3, which is not installed",
            hint="install the postgres extra: pip install 'flowkit-orders[postgres]' (or '.[postgres]' in a checkout)",
        ) from None
    return psycopg


# SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_BUSY = ("55P03", "40P01", "40001", "57014")  # lock_not_available, deadlock, serialization, statement timeout (lock wait)
_FULL = ("53100",)  # disk_full
_GONE = ("08", "57P01", "57P02", "57P03", "53300")  # connection lost or refused, server shut down, too many connections
_UNUSABLE = ("25006", "42501", "XX001", "XX002", "58030")  # read-only transaction, insufficient privilege, data corrupted, I/O


def store_error(url: PgUrl, exc: BaseException) -> FlowkitError | None:
    """The flowkit error (one line naming the database, never its password) for a failing environment, else None."""
    psycopg = _psycopg()
    if not isinstance(exc, psycopg.Error):
        return None
    state = getattr(exc, "sqlstate", None) or ""
    cause = _one_line(exc)
    if state.startswith(_BUSY):
        return StoreBusy(f"state store {url} is busy ({cause})", hint="another run holds it; rerun later")
    if state in _FULL:
        return StoreFull(
            f"state store {url}: the database server's disk is full ({cause})",
            hint="the unit of work that failed was rolled back; free space on the server, then rerun",
        )
    if state.startswith(_UNUSABLE):
        return StoreUnusable(f"state store {url}: {cause}", hint="check the database and the role's rights")
    if state.startswith(_GONE) or (not state and isinstance(exc, psycopg.OperationalError)):
        if "password" in cause or "authentication" in cause:
            return StoreUnusable(f"state store {url}: {cause}", hint="check the user and password ([state] password, PGPASSFILE)")
        return TempFailError(
            f"state store {url} is unreachable ({cause})", hint="the unit of work that failed was rolled back; rerun"
        )
    return None


def _one_line(exc: BaseException) -> str:
    from flowkit.secrets import redact_text

    text = " ".join(str(exc).split()) or type(exc).__name__
    return redact_text(text)


def _raise_mapped(url: PgUrl, exc: BaseException) -> None:
    mapped = store_error(url, exc)
    if mapped is not None:
        raise mapped from exc


class Connection(Face):
    """The store's connection to PostgreSQL (``pg_sql.Face``), its environment's errors said as flowkit's."""

    def mapped(self, exc: BaseException) -> FlowkitError | None:
        return store_error(self.url, exc)


def connect(url: PgUrl, *, timeout: float, application: str = "flowkit") -> Any:
    """A psycopg connection in autocommit (transactions are explicit), client-side binding, bools as 0/1."""
    psycopg = _psycopg()
    try:
        raw = psycopg.connect(
            url.url,
            autocommit=True,
            connect_timeout=max(1, int(timeout)),
            application_name=application,
            cursor_factory=psycopg.ClientCursor,
            **KEEPALIVES,
            **({} if "options=" in url.url else {"options": SERVER_KEEPALIVES}),
        )
    except psycopg.Error as exc:
        _raise_mapped(url, exc)
        raise ConfigError(f"state store {url}: cannot connect ({_one_line(exc)})") from None
    raw.adapters.register_dumper(bool, _bool_dumper())
    return raw


@lru_cache(maxsize=1)
def _bool_dumper() -> type:
    from psycopg.adapt import Dumper

    class BoolAsInt(Dumper):  # sqlite keeps booleans as 0/1 in INTEGER columns, and so does this schema
        def dump(self, obj: Any) -> bytes:
            return b"1" if obj else b"0"

        def quote(self, obj: Any) -> bytes:
            return b"1" if obj else b"0"

    return BoolAsInt


def _key(name: str) -> str:
    return f"hashtextextended('{name}', 0)"


class Engine:
    """An open PostgreSQL store: its connection, serialized write transactions and schema version."""

    name = NAME

    def __init__(self, url: PgUrl, busy_timeout: float) -> None:
        self.path = url
        self.busy_timeout = busy_timeout
        self.conn = Connection(url, connect(url, timeout=busy_timeout))
        try:
            # a lock wait longer than the busy timeout is "busy" (exit 75), as with sqlite
            self.conn.execute(f"SET lock_timeout = {int(busy_timeout * 1000)}")
        except BaseException:
            self.conn.close()
            raise

    def close(self) -> None:
        self.conn.close()

    def error(self, exc: BaseException) -> FlowkitError | None:
        return store_error(self.path, exc)

    def tune(self, **knobs: int) -> None:
        """sqlite's page cache and checkpoint knobs have no meaning here: the server is tuned by its admin."""

    def data_version(self) -> int:
        """Changes when any transaction of the cluster starts writing or ends (this connection's own too)."""
        return hash(self.conn.execute("SELECT pg_current_snapshot()::text").fetchone()[0])

    def columns(self, table: str) -> set[str]:
        rows = self.conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        )
        return {str(row[0]) for row in rows}

    @contextmanager
    def transaction(self, keep: bool) -> Iterator[Connection]:
        """A write transaction that holds the store's write lock from its first statement (sqlite's BEGIN IMMEDIATE)."""
        nested = self.conn.in_transaction
        try:
            self.conn.execute("BEGIN")
            self._lock_for_writing()
            yield self.conn
        except BaseException as exc:
            if not nested:
                self.rollback()
            _raise_mapped(self.path, exc)
            raise
        try:
            self.conn.execute("COMMIT" if keep else "ROLLBACK")
        except BaseException:
            self.rollback()
            raise

    def _lock_for_writing(self) -> None:
        lock_for_writing(self.conn, self.path)

    def rollback(self) -> None:
        if self.conn.in_transaction:
            try:
                self.conn.raw.rollback()
            except Exception:  # the error that stopped the block is the one to report
                pass

    @property
    def version(self) -> int:
        if not self.conn.execute("SELECT to_regclass('flowkit_schema') IS NOT NULL").fetchone()[0]:
            return 0
        row = self.conn.execute("SELECT MAX(version) FROM flowkit_schema").fetchone()
        return int(row[0] or 0)

    def migrate(self, available: list[tuple[int, str, str]]) -> None:
        """Apply the migrations newer than the database's schema version, under an advisory lock, each atomically."""
        known = max((m[0] for m in available), default=0)
        version = self.version
        if version > known:
            raise ConfigError(
                f"state store {self.path} has schema version {version}, newer than this flowkit knows ({known})",
                hint="upgrade flowkit or use another --state",
            )
        if version == known:
            return
        for number, name, sql in available:
            with self.transaction(True):
                self.conn.execute(f"SELECT pg_advisory_xact_lock({_key(MIGRATE_LOCK)})")
                if number <= self.version:  # another host applied it meanwhile
                    continue
                try:
                    self.conn.raw.execute(sql)
                    self.conn.execute("CREATE TABLE IF NOT EXISTS flowkit_schema (version BIGINT NOT NULL)")
                    self.conn.execute("DELETE FROM flowkit_schema")
                    self.conn.execute(f"INSERT INTO flowkit_schema (version) VALUES ({int(number)})")
                except FlowkitError:
                    raise
                except Exception as exc:
                    raise ConfigError(f"state store {self.path}: migration {name} failed: {_one_line(exc)}") from exc


def lock_for_writing(conn: Connection, store: PgUrl) -> None:
    """Take the write lock in ``conn``'s open transaction; and when this process holds named locks of ``store``,
    check that it still does (a store's write transactions, push-stock's writer connection).

    A named lock lives on a connection of its own: the server may end that session alone (an admin's
    ``pg_terminate_backend``, an idle or network cut), and another host then takes the lock while this
    run goes on. Each unit of work therefore first looks for its locks' sessions among the advisory locks
    granted (one query with the write lock) and stops the run with 75 when one is gone.
    """
    held = {pid: name for pid, (url, name) in _HELD.items() if url == store.url}
    if not held:
        conn.execute(f"SELECT pg_advisory_xact_lock({_key(WRITE_LOCK)})")
        return
    pids = ", ".join(str(int(pid)) for pid in held)
    row = conn.execute(
        f"SELECT pg_advisory_xact_lock({_key(WRITE_LOCK)})::text, ARRAY(SELECT DISTINCT pid FROM pg_locks "
        f"WHERE locktype = 'advisory' AND granted AND pid IN ({pids}))"
    ).fetchone()
    lost = sorted(name for pid, name in held.items() if pid not in set(row[1] or ()))
    if lost:
        raise TempFailError(
            f"lost the lock {lost[0]!r} of {store}: the server ended its session, so another run may hold it now",
            hint="this run stopped before its next unit of work (rolled back); rerun",
        )


@contextmanager
def advisory(url: PgUrl, name: str, *, wait: float) -> Iterator[None]:
    """Hold the session advisory lock ``name`` on a connection of its own for the block; exit 75 after ``wait``.

    While held, every write transaction of this process on ``url`` checks it is still held (``lock_for_writing``).
    """
    raw = connect(url, timeout=max(wait, 5), application=f"flowkit lock {name}")
    pid = -1
    try:
        deadline = time.monotonic() + wait
        while not raw.execute(f"SELECT pg_try_advisory_lock({_key('flowkit:lock:' + _safe(name))})").fetchone()[0]:
            if time.monotonic() >= deadline:
                raise TempFailError(
                    f"another flowkit {name} run holds the lock {name!r} of {url}",
                    hint=f"waited {wait:g}s; it is safe to rerun later",
                )
            time.sleep(0.05)
        pid = int(raw.info.backend_pid)
        _HELD[pid] = (url.url, name)
        yield
    except Exception as exc:
        _raise_mapped(url, exc)
        raise
    finally:
        _HELD.pop(pid, None)
        try:
            raw.close()
        except Exception:
            pass


def _safe(name: str) -> str:
    return name.replace("'", "''")
