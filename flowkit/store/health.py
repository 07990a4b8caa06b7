"""``flowkit state check``: look at a store without changing it (header, integrity, schema, ledgers, writability).

Opened with plain sqlite, not through ``Store`` (no migration, no WAL switch, no error mapping),
so a damaged file is described, never repaired or refused.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from flowkit.errors import FlowkitError
from flowkit.store.db import migrations
from flowkit.store.location import PgUrl
from flowkit.store.sqlite import CORRUPT_CODES, writable

SQLITE_MAGIC = b"SQLite format 3\x00"
# The tables that keep work from being done twice; a check counts their rows, a recovery must keep them.
LEDGERS: dict[str, str] = {
    "deliveries": "the delivery ledger (what was sent where)",
    "processed_messages": "the processed message ids (stock and shipment messages applied)",
    "stock_ledger": "the stock ledger (last quantity and sequence per sku and target)",
    "orders": "the orders and their export status",
}


@dataclass
class Health:
    """What ``check`` found: facts about the store, and the problems (none when it is healthy)."""

    path: Path | PgUrl
    found: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    newer: bool = False  # a schema newer than this flowkit's

    @property
    def ok(self) -> bool:
        return not self.problems


def check(path: Path | PgUrl, *, max_errors: int = 20) -> Health:
    """Check the store at ``path`` without changing it: header, ``PRAGMA integrity_check``, schema, writability.

    Opened with plain sqlite (no migration, no WAL switch), so a damaged file is looked at, never repaired.
    A PostgreSQL store is checked by ``check_database``.
    """
    if isinstance(path, PgUrl):
        return check_database(path)
    health = Health(path)
    if not path.exists():
        health.problems.append(f"no state store at {path} (the first run creates it; check --state and state.path)")
        return health
    wal = path.with_name(path.name + "-wal")
    size = path.stat().st_size
    health.found.append(f"file {path}: {size} bytes" + (f", write-ahead log {wal.stat().st_size} bytes" if wal.exists() else ""))
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if size and head != SQLITE_MAGIC:
        health.problems.append("not a sqlite database: the file header is damaged or the file is something else")
        return health
    can_write = writable(path)
    if not can_write:
        health.problems.append("read-only: the file, its -wal/-shm files or its folder cannot be written; runs exit 78")
        if wal.exists() and wal.stat().st_size:
            health.found.append("the write-ahead log cannot be read on a read-only file system: checked without it")
    try:
        # sqlite cannot open a WAL store where it cannot write its -shm file: read it as an immutable file then
        target = path if can_write else f"file:{path.resolve()}?mode=ro&immutable=1"
        conn = sqlite3.connect(target, isolation_level=None, uri=not can_write)
    except sqlite3.Error as exc:
        health.problems.append(f"cannot open: {exc}")
        return health
    try:
        _check_open(conn, health, max_errors)
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        what = "corrupt" if code in CORRUPT_CODES else "unreadable"
        health.problems.append(f"{what}: {getattr(exc, 'sqlite_errorname', 'sqlite error')}: {exc}")
    finally:
        conn.close()
    return health


def _check_open(conn: sqlite3.Connection, health: Health, max_errors: int) -> None:
    verdict = [text for row in conn.execute(f"PRAGMA integrity_check({int(max_errors)})") for text in row[0].splitlines()]
    if verdict == ["ok"]:
        health.found.append("integrity_check: ok")
    else:
        health.problems += [f"integrity_check: {line}" for line in verdict]
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    available = migrations()
    _say_version(health, version, available)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version == 0 and not tables:
        health.problems.append(
            "empty: no tables, yet flowkit creates them when it creates a store; if this store held data it was "
            "truncated, and a run would start afresh and redo everything"
        )
        return
    for number, name, sql in available:
        if number > version:
            continue
        missing = [t for t in _created_tables(sql) if t not in tables]
        if missing:
            health.problems.append(f"schema: table(s) {', '.join(missing)} of migration {name} missing")
    for table, what in LEDGERS.items():
        if table in tables:
            try:
                count = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                health.problems.append(f"{table}: unreadable ({exc})")
                continue
            health.found.append(f"{table}: {count} row(s), {what}")


def _say_version(health: Health, version: int, available: list[tuple[int, str, str]]) -> None:
    """The store's schema version against the newest this flowkit knows: current, to migrate, or newer (a problem)."""
    known = max((m[0] for m in available), default=0)
    if version > known:
        health.newer = True
        health.problems.append(f"schema version {version} is newer than this flowkit knows ({known}): upgrade flowkit")
    elif version < known:
        health.found.append(f"schema version {version} (the next run migrates it to {known})")
    else:
        health.found.append(f"schema version {version} (current)")


def _created_tables(sql: str) -> list[str]:
    return re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", sql, flags=re.IGNORECASE)


def check_database(url: PgUrl) -> Health:
    """Check a PostgreSQL store without changing it: reachable, writable, schema version and tables, ledger rows.

    The server checks its own pages (checksums, ``amcheck``); this looks at what flowkit relies on.
    """
    from flowkit.store.postgres import connect

    health = Health(url)
    try:
        conn = connect(url, timeout=10, application="flowkit state check")
    except FlowkitError as exc:
        health.problems.append(f"cannot connect: {exc.message}")
        return health
    try:
        server = conn.execute("SHOW server_version").fetchone()[0]
        health.found.append(f"database {url}: PostgreSQL {server}")
        if conn.execute("SHOW transaction_read_only").fetchone()[0] == "on":
            health.problems.append("read-only: the server or the role takes no writes (a standby?); runs exit 78")
        tables = {
            row[0]
            for row in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        }
        version = 0
        if "flowkit_schema" in tables:
            version = int(conn.execute("SELECT COALESCE(MAX(version), 0) FROM flowkit_schema").fetchone()[0])
        available = migrations("postgresql")
        _say_version(health, version, available)
        for number, name, sql in available:
            missing = [t for t in _created_tables(sql) if t not in tables]
            if number <= version and missing:
                health.problems.append(f"schema: table(s) {', '.join(missing)} of migration {name} missing")
        for table, what in LEDGERS.items():
            if table in tables:
                count = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                health.found.append(f"{table}: {count} row(s), {what}")
    except Exception as exc:  # the server went away or refused a read
        health.problems.append(f"unreadable: {' '.join(str(exc).split())}")
    finally:
        conn.close()
    return health
