"""The delivery ledger: per (key, destination, content sha256) what was sent and how it ended.

Statuses: ``reserved`` -> ``sending`` -> ``delivered`` | ``failed`` | ``unknown``
| ``dead``. ``begin_attempt`` commits the intent (``sending``, attempts + 1,
the compressed body) in its own short transaction *before* the side effect;
``finish`` commits the outcome after it. A row left in ``sending`` by a killed
run is reconciled by the next run. The row is the record of a delivery
(``state show`` and ``state sent`` list it); an attempt that ends failed,
unknown or dead also appends an event to the key's story, since a later
attempt overwrites the row's error. A clean delivery costs one row and one
body, written in two transactions shared by its window.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any, NamedTuple

import orjson

from flowkit.secrets import redact_text
from flowkit.store import delivery_bodies as kept
from flowkit.store import provenance
from flowkit.store.db import Store, now

_NON_STR = orjson.OPT_NON_STR_KEYS
OPEN_STATUSES = ("reserved", "sending", "unknown")
FINAL_STATUSES = ("delivered", "failed", "unknown", "dead")
LOGGED_STATUSES = ("failed", "unknown", "dead")  # outcomes a later attempt overwrites in the row: kept as events


class Entry(NamedTuple):
    """One ledger row (a named tuple: a window builds two per record)."""

    id: int
    key: str
    destination: str
    content_hash: str
    status: str
    attempts: int
    filename: str
    size: int
    remote_ref: str | None
    error: str | None
    error_code: int | None
    updated_at: str
    run_id: int | None = None  # the run that wrote it last (read from the store; None in rows built here)


def _entry(row: Any) -> Entry:
    return Entry(
        id=row["id"],
        key=row["key"],
        destination=row["destination"],
        content_hash=row["content_hash"],
        status=row["status"],
        attempts=row["attempts"],
        filename=row["filename"],
        size=row["size"],
        remote_ref=row["remote_ref"],
        error=row["error"],
        error_code=row["error_code"],
        updated_at=row["updated_at"],
        run_id=row["run_id"],
    )


def prepare(store: Store) -> None:
    """Tune the connection for a delivery run: checkpoint the WAL every ~16 MiB instead of ~4 MiB.

    Each checkpoint costs two fsyncs; a run of small deliveries crossed the
    default threshold every few hundred records. Durability is unchanged
    (commits are in the WAL either way); the last close checkpoints the rest.
    """
    store.tune(wal_autocheckpoint=4000)


def entries_for(store: Store, keys: Sequence[str], destination: str) -> dict[str, list[Entry]]:
    """Every ledger row at ``destination`` for each of ``keys`` (one query), oldest first."""
    among, param = kept.key_filter(store, "key", keys)
    rows = store.conn.execute(f"SELECT * FROM deliveries WHERE {among} AND destination = ? ORDER BY id", (param, destination))
    found: dict[str, list[Entry]] = {key: [] for key in keys}
    for row in rows:
        found[row["key"]].append(_entry(row))
    return found


def entries(store: Store, key: str, destination: str) -> list[Entry]:
    """Every ledger row for ``key`` at ``destination``, oldest first."""
    rows = store.conn.execute("SELECT * FROM deliveries WHERE key = ? AND destination = ? ORDER BY id", (key, destination))
    return [_entry(r) for r in rows]


def begin_attempt(
    store: Store,
    *,
    key: str,
    destination: str,
    content_hash: str,
    filename: str,
    body: bytes,
    media_type: str,
    meta: dict[str, Any],
    packed: bytes | None = None,
) -> Entry:
    """Write-ahead intent: the row is ``sending`` with one more attempt, committed now, in its own transaction.

    A window of intents committed together goes through ``begin_attempts``.
    """
    stamp = now()
    with store.transaction() as tx:
        (origin,) = provenance.ids(store, [meta])
        row = tx.execute(
            _UPSERT + " RETURNING *",
            (key, destination, content_hash, filename, len(body), store.run_id, stamp, stamp, origin),
        ).fetchone()
        entry = _entry(row)
        kept.keep(store, [kept.Body(entry.id, key, content_hash, body, media_type, meta, packed)], stamp)
    return entry


_UPSERT = """INSERT INTO deliveries (key, destination, content_hash, status, attempts, filename, size,
                                     run_id, created_at, updated_at, provenance_id)
             VALUES (?, ?, ?, 'sending', 1, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (key, destination, content_hash) DO UPDATE SET status = 'sending',
                 attempts = deliveries.attempts + 1, filename = excluded.filename, run_id = excluded.run_id,
                 updated_at = excluded.updated_at,
                 provenance_id = COALESCE(excluded.provenance_id, deliveries.provenance_id)"""


_INSERT = """INSERT INTO deliveries (id, key, destination, content_hash, status, attempts, filename, size,
                                     run_id, created_at, updated_at, provenance_id)
             VALUES (?, ?, ?, ?, 'sending', 1, ?, ?, ?, ?, ?, ?)"""


class Intent(NamedTuple):
    """One record of a window about to be sent (what ``begin_attempts`` writes ahead).

    ``fresh``: the caller found no ledger row for (key, destination, hash).
    """

    key: str
    content_hash: str
    filename: str
    body: bytes
    media_type: str
    meta: dict[str, Any]
    fresh: bool = False
    packed: bytes | None = None  # ``body`` as kept (``bodies.pack``), when the caller packed it already


def begin_attempts(store: Store, destination: str, intents: Sequence[Intent]) -> list[Entry]:
    """``begin_attempt`` for a window of distinct keys, in the caller's open transaction (``store.transaction()``).

    A few statements for the whole window instead of three per record; the
    caller commits before any send. Fresh rows are inserted on their own
    (``_insert_fresh``), so only rows seen before are read back; a fresh row
    that turns out to exist falls back to the upsert.
    """
    stamp, conn = now(), store.conn
    out: list[Entry | None] = [None] * len(intents)
    origins = provenance.ids(store, [i.meta for i in intents])  # where each payload came from (render, transform)
    fresh = [n for n, i in enumerate(intents) if i.fresh]
    if fresh:
        ids = _insert_fresh(store, destination, [(intents[n], origins[n]) for n in fresh], stamp)
        for n, row_id in zip(fresh, ids, strict=True):
            if row_id is not None:  # else written since the caller looked: the general path below
                i = intents[n]
                out[n] = Entry(
                    row_id, i.key, destination, i.content_hash, "sending", 1, i.filename, len(i.body), None, None, None, stamp
                )
    seen = [(i, origin) for i, e, origin in zip(intents, out, origins, strict=True) if e is None]
    if seen and store.dialect != "sqlite":
        seen.sort(key=lambda pair: pair[0].key)  # row locks taken in key order, whatever the window's order
    if seen:
        conn.executemany(
            _UPSERT,
            [(i.key, destination, i.content_hash, i.filename, len(i.body), store.run_id, stamp, stamp, o) for i, o in seen],
        )
        cur = conn.cursor()
        cur.row_factory = None  # plain tuples: the rest of the row is the intent's own
        among, param = kept.key_filter(store, "key", [i.key for i, _ in seen])
        cur.execute(
            f"""SELECT key, content_hash, id, attempts, size, remote_ref, error, error_code FROM deliveries
               WHERE {among} AND destination = ?""",
            (param, destination),
        )
        found = {(row[0], row[1]): row[2:] for row in cur}
        for n, i in enumerate(intents):
            if out[n] is None:
                row_id, attempts, size, remote_ref, error, error_code = found[(i.key, i.content_hash)]
                out[n] = Entry(
                    row_id,
                    i.key,
                    destination,
                    i.content_hash,
                    "sending",
                    attempts,
                    i.filename,
                    size,
                    remote_ref,
                    error,
                    error_code,
                    stamp,
                )
    entries = [e for e in out if e is not None]
    kept.keep(
        store,
        [
            kept.Body(e.id, i.key, i.content_hash, i.body, i.media_type, i.meta, i.packed)
            for e, i in zip(entries, intents, strict=True)
        ],
        stamp,
    )
    return entries


def _insert_fresh(store: Store, destination: str, rows: Sequence[tuple[Intent, int | None]], stamp: str) -> list[int | None]:
    """Insert the rows of intents the caller found no row for; each one's id, or None where one exists after all.

    sqlite: the ids that follow the table's largest (the transaction holds the write lock), none read back;
    on a conflict, all None. PostgreSQL: the id's identity sequence, which every insert draws from, on any
    host (``MAX(id) + 1`` there collided with the ids the upsert draws), read back in the same statement.
    """
    run_id = store.run_id
    values = [(i.key, destination, i.content_hash, i.filename, len(i.body), run_id, stamp, stamp, o) for i, o in rows]
    if store.dialect != "sqlite":
        values.sort(key=lambda value: value[0])  # keys in order, as every claim takes them
        places = ", ".join(["(?, ?, ?, 'sending', 1, ?, ?, ?, ?, ?, ?)"] * len(values))
        inserted = store.conn.execute(
            f"""INSERT INTO deliveries (key, destination, content_hash, status, attempts, filename, size,
                                        run_id, created_at, updated_at, provenance_id)
                VALUES {places} ON CONFLICT (key, destination, content_hash) DO NOTHING RETURNING id, key""",
            [value for row in values for value in row],
        )
        ids = {key: int(row_id) for row_id, key in inserted}
        return [ids.get(i.key) for i, _ in rows]
    top = int(store.conn.execute("SELECT COALESCE(MAX(id), 0) FROM deliveries").fetchone()[0])
    store.conn.execute("SAVEPOINT fresh")
    try:
        store.conn.executemany(_INSERT, [(top + 1 + m, *value) for m, value in enumerate(values)])
    except sqlite3.IntegrityError:  # written since the caller looked: take the general path
        store.conn.execute("ROLLBACK TO fresh")
        store.conn.execute("RELEASE fresh")
        return [None] * len(rows)
    store.conn.execute("RELEASE fresh")
    return list(range(top + 1, top + 1 + len(rows)))


class Settle(NamedTuple):
    """An outcome to record with ``finish_many``; ``after`` is the row as it will be."""

    after: Entry
    remote_ref: str | None = None
    response: dict[str, Any] | None = None


def settle(
    entry: Entry,
    status: str,
    *,
    remote_ref: str | None = None,
    error: str | None = None,
    error_code: int | None = None,
    response: dict[str, Any] | None = None,
) -> Settle:
    """What ``finish`` would make of ``entry``, not yet written (see ``finish_many``).

    The error is kept redacted (``flowkit.secrets``): the row, its event and the result record show no secret.
    """
    if status not in FINAL_STATUSES:
        raise ValueError(f"not a final delivery status: {status!r}")
    if error:
        error = redact_text(error)
    after = Entry(  # _replace, at a third of its cost
        entry.id,
        entry.key,
        entry.destination,
        entry.content_hash,
        status,
        entry.attempts,
        entry.filename,
        entry.size,
        remote_ref if remote_ref is not None else entry.remote_ref,
        error,
        error_code,
        entry.updated_at,
    )
    return Settle(after, remote_ref, response)


def finish_many(store: Store, settles: Sequence[Settle], command: str = "deliver") -> None:
    """Record a window's outcomes (in order) in the caller's open transaction: one or two statements in all."""
    stamp, conn = now(), store.conn
    delivered = [s for s in settles if s.after.status == "delivered"]
    if delivered:  # the common case, in a statement of its own: a third cheaper per row than the general one
        conn.executemany(_DELIVERED, [(s.remote_ref, _response(s.response), stamp, s.after.id) for s in delivered])
    others = [s for s in settles if s.after.status != "delivered"] if len(delivered) < len(settles) else []
    if others:
        conn.executemany(
            """UPDATE deliveries SET status = ?, remote_ref = COALESCE(?, remote_ref), error = ?, error_code = ?,
                   response = COALESCE(?, response), updated_at = ? WHERE id = ?""",
            [
                (s.after.status, s.remote_ref, s.after.error, s.after.error_code, _response(s.response), stamp, s.after.id)
                for s in others
            ],
        )
    logged = [
        (s.after.key, command, s.after.status, _detail(s.after, s.remote_ref))
        for s in settles
        if s.after.status in LOGGED_STATUSES
    ]
    if logged:
        store.add_events(conn, logged, at=stamp)


_DELIVERED = """UPDATE deliveries SET status = 'delivered', remote_ref = COALESCE(?1, remote_ref), error = NULL,
                    error_code = NULL, response = COALESCE(?2, response), updated_at = ?3, delivered_at = ?3
                WHERE id = ?4"""


def _response(response: dict[str, Any] | None) -> str | None:
    return None if response is None else orjson.dumps(response, default=str, option=_NON_STR).decode()


def _detail(entry: Entry, remote_ref: str | None) -> dict[str, Any]:
    detail: dict[str, Any] = {"destination": entry.destination, "hash": entry.content_hash, "attempts": entry.attempts}
    if remote_ref:
        detail["remote_ref"] = remote_ref
    if entry.error:
        detail["error"] = entry.error
    return detail


def finish(
    store: Store,
    entry: Entry,
    status: str,
    *,
    remote_ref: str | None = None,
    error: str | None = None,
    error_code: int | None = None,
    response: dict[str, Any] | None = None,
    command: str = "deliver",
) -> Entry:
    """Record the outcome of the attempt ``entry`` stands for, in its own transaction.

    On PostgreSQL a ``delivered`` outcome is one UPDATE by id of a row the run holds, committed on its
    own without the store's write lock: it reads nothing it depends on, and no other run writes a row
    while its run is alive (``flowkit.deliver.claims``). The lock is the store's one serialized resource.
    """
    settled = settle(entry, status, remote_ref=remote_ref, error=error, error_code=error_code, response=response)
    if status == "delivered" and store.dialect != "sqlite" and not store.conn.in_transaction:
        finish_many(store, [settled], command)  # one statement (no event): atomic as it is
        return settled.after
    with store.transaction():
        finish_many(store, [settled], command)
    return settled.after


# --retry-failed's rows: ``d.status <> 'delivered'`` repeats the partial index's condition, without which
# sqlite does not use deliveries_open. ``superseded``: another row of the key was tried after this one.
RETRYABLE = """SELECT d.*, b.meta AS body_meta, EXISTS (SELECT 1 FROM deliveries n WHERE n.key = d.key
                 AND n.destination = d.destination AND n.id <> d.id AND n.updated_at > d.updated_at) AS superseded
               FROM deliveries d JOIN delivery_bodies b ON b.delivery_id = d.id
               WHERE d.destination = ? AND d.status <> 'delivered'
                 AND d.status IN ('failed', 'unknown', 'sending', 'reserved') ORDER BY d.id"""


def retryable(store: Store, destination: str) -> list[Entry]:
    """Rows at ``destination`` that ``--retry-failed`` should try again (body still kept). A version's row
    (``meta.versioned``) only while it is its key's latest (A failed, then B was tried: A would overwrite B);
    a message's whatever came after it."""
    rows = store.conn.execute(RETRYABLE, (destination,))
    return [_entry(r) for r in rows if not (r["superseded"] and json.loads(r["body_meta"] or "{}").get("versioned"))]


def body(store: Store, entry_id: int) -> tuple[str, dict[str, Any], bytes] | None:
    """(media type, meta, body bytes) kept for a ledger row, or None once purged (``delivery_bodies.body``)."""
    return kept.body(store, entry_id)


def history(store: Store, key: str) -> list[dict[str, Any]]:
    """Every delivery of ``key`` (all destinations) with the archived response and the payload's provenance."""
    rows = store.conn.execute(
        """SELECT d.*, p.detail AS provenance FROM deliveries d LEFT JOIN provenance p ON p.id = d.provenance_id
           WHERE d.key = ? ORDER BY d.id""",
        (key,),
    )
    out = []
    for row in rows:
        item = dict(row)
        item["response"] = json.loads(item["response"]) if item["response"] else None
        item.pop("provenance_id", None)
        item["provenance"] = json.loads(item["provenance"]) if item["provenance"] else None
        out.append(item)
    return out
