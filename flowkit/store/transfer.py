"""Copy a whole state store into a new, empty one (``flowkit state migrate``): sqlite to PostgreSQL, or back.

Every table of the source (opened as a ``Store``, so migrated to this
flowkit's schema first) goes into the target's table of the same name,
columns by name and values as they are: ids, sequence numbers, ledgers,
bodies' bytes, export history. Tables go parents first (foreign keys), in
batches (COPY into PostgreSQL, ``executemany`` into sqlite), inside one
transaction on each side:

- the source's is a write transaction that is rolled back at the end, so no
  flowkit run writes while the copy reads it: one consistent picture;
- the target's is committed only once every table's count matches the
  source's, so a copy that fails leaves the target as empty as it was.

On PostgreSQL each identity sequence is then set past the largest id copied
(``setval``), so the next row gets a new id. A target that holds rows is
refused; so is, by the command, a source whose runs are still going
(``running``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any

from flowkit.errors import ConfigError, ExitCode, FlowkitError, InputError
from flowkit.store.db import Store

BATCH = 5000  # rows read from the source at a time
SQLITE_ROWID = "rowid"  # sqlite's implicit row number; PostgreSQL's schema spells it out where the order matters


class CountMismatch(FlowkitError):
    """A table's rows in the target differ in number from the source's after the copy (nothing was kept)."""

    exit_code = int(ExitCode.SOFTWARE)


def tables(store: Store) -> list[str]:
    """The store's tables (its schema bookkeeping left out), every table after those its foreign keys name."""
    conn = store.conn
    parents: dict[str, set[str]] = {}
    if store.dialect == "sqlite":
        names = [
            str(row[0])
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ]
        for name in names:
            parents[name] = {str(row["table"]) for row in conn.execute(f"PRAGMA foreign_key_list({_quote(name)})")}
    else:
        names = [
            str(row[0])
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'flowkit_schema'"
            )
        ]
        for child, parent in conn.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
            " WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
        ):
            parents.setdefault(str(child), set()).add(str(parent))
    return _parents_first(sorted(names), parents)


def _parents_first(names: list[str], parents: dict[str, set[str]]) -> list[str]:
    ordered: list[str] = []
    left = list(names)
    while left:
        ready = [n for n in left if not (parents.get(n, set()) - {n}) & set(left)]
        ordered += ready or left  # a cycle (none in flowkit's schema): as they come
        left = [n for n in left if n not in ordered]
    return ordered


def running(store: Store) -> list[dict[str, Any]]:
    """The runs of this host that have not ended and whose process is still alive (the copy would miss their work)."""
    rows = store.conn.execute(
        "SELECT id, command, pid, started_at FROM runs WHERE ended_at IS NULL AND host = ? ORDER BY id",
        (os.uname().nodename,),
    )
    return [dict(row) for row in rows if row["pid"] and _alive(int(row["pid"]))]


def text_order(store: Store) -> str | None:
    """None when the store sorts text byte by byte, as sqlite does; else the collation it sorts by instead."""
    if store.dialect == "sqlite":
        return None
    row = store.conn.execute("SELECT 'B' < 'a' AS bytewise, * FROM pg_database WHERE datname = current_database()").fetchone()
    if row["bytewise"]:
        return None
    found = dict(row)  # an ICU locale has its name in datlocale (PostgreSQL 17) or daticulocale (15, 16)
    return str(found.get("datlocale") or found.get("daticulocale") or found["datcollate"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def copy(store: Store, target: Store, *, told: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Copy every table of ``store`` into the empty ``target``; returns the rows copied per table.

    ``told(table, rows)`` hears of each table as it is copied. Raises ``ConfigError`` (78) for a
    target that holds rows or lacks a table or column of the source, ``InputError`` (65) for a row
    the target refuses, ``CountMismatch`` (70) when the counts differ; the target then keeps nothing.
    """
    source_tables = tables(store)
    names = [name for name in tables(target) if name in source_tables]
    missing = [name for name in source_tables if name not in names]
    if missing:
        raise ConfigError(
            f"state store {target.path} has no table {missing[0]} (the source has)", hint="use the same flowkit for both"
        )
    copied: dict[str, int] = {}
    with store.transaction(keep=False), target.transaction() as conn:
        full = [name for name in names if conn.execute(f"SELECT 1 FROM {_quote(name)} LIMIT 1").fetchone()]
        if full:
            raise ConfigError(
                f"state store {target.path} is not empty ({', '.join(full[:3])}{', …' if len(full) > 3 else ''} hold rows)",
                hint="migrate into a new, empty database",
            )
        for name in names:
            copied[name] = _copy_table(store, target, name)
            if told is not None:
                told(name, copied[name])
        if target.dialect == "postgresql":
            _reset_identities(target, names)
        for name in names:
            counts = [_count(store, name), _count(target, name)]
            if counts != [copied[name]] * 2:
                raise CountMismatch(
                    f"state migrate: table {name}: {counts[0]} rows in {store.path}, {counts[1]} in {target.path} "
                    f"after copying {copied[name]}; nothing was kept"
                )
    return copied


def _count(store: Store, table: str) -> int:
    return int(store.conn.execute(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0])


def _copy_table(store: Store, target: Store, table: str) -> int:
    have, want = store.columns(table), target.columns(table)
    implicit = {SQLITE_ROWID} if target.dialect == "sqlite" else set()
    extra = sorted(have - want - implicit)
    if extra:
        raise ConfigError(f"state store {target.path}: table {table} has no column {extra[0]} (the source has)")
    columns = sorted(have)
    if SQLITE_ROWID in want and SQLITE_ROWID not in have and store.dialect == "sqlite":
        columns.append(SQLITE_ROWID)  # the order lines were written in, which the ledgers read back by
    listed = ", ".join(_quote(c) for c in columns)
    batches = _read(store, f"SELECT {_selected(store, target, table, columns)} FROM {_quote(table)}")
    rows = (row for batch in batches for row in batch)
    try:
        if target.dialect == "postgresql":
            return _copy_in(target, f"COPY {_quote(table)} ({listed}) FROM STDIN", rows)
        return _insert(target, f"INSERT INTO {_quote(table)} ({listed}) VALUES ({', '.join('?' * len(columns))})", rows)
    except FlowkitError:
        raise
    except Exception as exc:
        mapped = target.error(exc)
        if mapped is not None:
            raise mapped from exc
        from flowkit.secrets import redact_text

        cause = redact_text(" ".join(str(exc).splitlines()[0].split()) if str(exc) else type(exc).__name__)
        raise InputError(
            f"state migrate: table {table}: {target.path} refused a row of {store.path} ({cause}); nothing was kept"
        ) from exc
    finally:
        batches.close()  # the source's cursor, before its connection closes


def _read(store: Store, sql: str) -> Generator[Sequence[Sequence[Any]], None, None]:
    """The rows of ``sql`` as plain tuples, ``BATCH`` at a time (a server-side cursor on PostgreSQL)."""
    if store.dialect == "postgresql":
        cursor: Any = store.conn.raw.cursor(name="flowkit_transfer")  # type: ignore[attr-defined]
        cursor.itersize = BATCH
    else:
        cursor = store.conn.cursor()
        cursor.row_factory = None
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(BATCH):
            yield batch
    finally:
        cursor.close()


def _selected(store: Store, target: Store, table: str, columns: list[str]) -> str:
    """The source's columns as the target keeps them.

    A sqlite column holds text or bytes whatever its declared type (an order's packed document
    sits in a TEXT column); PostgreSQL's are typed, so from sqlite into PostgreSQL each value is
    read as the target column's type: bytes for BYTEA, text for TEXT (sqlite's CAST, no copy in Python).
    """
    if not (store.dialect == "sqlite" and target.dialect == "postgresql"):
        return ", ".join(_quote(c) for c in columns)
    rows = target.conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?",
        (table,),
    )
    cast = {str(name): {"bytea": "BLOB", "text": "TEXT"}.get(str(kind)) for name, kind in rows}
    return ", ".join(f"CAST({_quote(c)} AS {cast[c]})" if cast.get(c) else _quote(c) for c in columns)


def _copy_in(target: Store, sql: str, rows: Iterator[Sequence[Any]]) -> int:
    copied = 0
    with target.conn.raw.cursor() as cursor, cursor.copy(sql) as stream:  # type: ignore[attr-defined]
        for row in rows:
            stream.write_row(row)
            copied += 1
    return copied


def _insert(target: Store, sql: str, rows: Iterator[Sequence[Any]]) -> int:
    copied, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            target.conn.executemany(sql, batch)
            copied, batch = copied + len(batch), []
    if batch:
        target.conn.executemany(sql, batch)
    return copied + len(batch)


def _reset_identities(target: Store, names: list[str]) -> None:
    """Each identity sequence of the copied tables set past the largest value copied (the next row's id is new)."""
    rows = target.conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name, column_name"
    ).fetchall()
    for table, column in rows:
        if table in names:
            target.conn.execute(
                f"SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX({_quote(column)}), 0) + 1, false)"
                f" FROM {_quote(table)}",
                (_quote(table), column),
            )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
