"""The bodies the delivery ledger keeps (table ``delivery_bodies``): packed, and once per key and content.

A delivery's body is kept with its intent (``delivery.begin_attempt(s)``), so
``deliver --retry-failed`` can resend it and ``state sent --body`` show it,
until ``state purge`` takes it (never while the delivery can still be retried).
The same bytes kept for another ledger row of the same key (the payload sent
to a second destination) are not kept again: the new row's body is empty and
``same_as`` names the row that holds them. A holder hands its bytes to the
oldest row sharing them before it is deleted (a trigger, migration 0010), so
purge and the cascade of a withdrawn intent never take bytes a row still needs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

import orjson

from flowkit.store.bodies import RAW, Dictionary, dict_id, pack, unpack
from flowkit.store.db import Store

_NON_STR = orjson.OPT_NON_STR_KEYS


class Body(NamedTuple):
    """A ledger row's body to keep: the row, the key and content hash it was sent under, the bytes and how they were typed."""

    delivery_id: int
    key: str
    content_hash: str
    data: bytes
    media_type: str
    meta: dict[str, Any]
    packed: bytes | None = None  # ``data`` as ``bodies.pack`` keeps it, when the caller packed it already


def keep(store: Store, items: Sequence[Body], stamp: str) -> None:
    """Keep the bodies of ledger rows that have none yet, in the caller's open transaction.

    A body whose key and content another row already holds is kept by reference (``same_as``).
    """
    holders = _holders(store, items)
    dictionary = store.dictionaries.current("payload", [b.data for b in items if (b.key, b.content_hash) not in holders])
    store.conn.executemany(
        "INSERT OR IGNORE INTO delivery_bodies (delivery_id, at, type, meta, body, same_as) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                b.delivery_id,
                stamp,
                b.media_type,
                orjson.dumps(b.meta, default=str, option=_NON_STR).decode(),
                b"" if (b.key, b.content_hash) in holders else _packed(b, dictionary),
                holders.get((b.key, b.content_hash)),
            )
            for b in items
        ],
    )


def _packed(body: Body, dictionary: Dictionary | None) -> bytes:
    """The bytes to keep: packed ahead when that was with ``dictionary``, else packed here.

    A body packed ahead without the dictionary (trained since) or with another one (which a rolled-back
    transaction trained) is packed again: no kept body names a dictionary the store does not hold.
    """
    if body.packed is not None and (body.packed[:1] == RAW or dict_id(body.packed) == (dictionary.id if dictionary else 0)):
        return body.packed
    return pack(body.data, dictionary=dictionary)


def _holders(store: Store, items: Sequence[Body]) -> dict[tuple[str, str], int]:
    """(key, content hash) -> the row holding those bytes already, for the keys of ``items`` (one query)."""
    if not items:
        return {}
    among, keys = key_filter(store, "d.key", [b.key for b in items])
    rows = store.conn.execute(
        f"""SELECT d.key, d.content_hash, MIN(b.delivery_id) FROM deliveries d JOIN delivery_bodies b ON b.delivery_id = d.id
           WHERE {among} AND b.same_as IS NULL GROUP BY d.key, d.content_hash""",
        (keys,),
    )
    wanted = {(b.key, b.content_hash): b.delivery_id for b in items}
    return {(key, digest): holder for key, digest, holder in rows if wanted.get((key, digest), holder) != holder}


def key_filter(store: Store, column: str, keys: Sequence[str]) -> tuple[str, Any]:
    """A condition "``column`` is one of ``keys``" and its one parameter, in the form the engine plans best.

    sqlite: ``IN (SELECT value FROM json_each(?))`` with a JSON list. PostgreSQL: ``= ANY(?)`` with an
    array, whose length the planner knows, so it takes the key's index even before the tables have
    statistics (``json_array_elements_text`` is guessed at 100 rows, which made a young ledger's
    look-ups scan whole tables, inside the write transaction).
    """
    if store.dialect == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(?))", json.dumps(list(keys))
    return f"{column} = ANY(?)", list(keys)


def body(store: Store, delivery_id: int) -> tuple[str, dict[str, Any], bytes] | None:
    """(media type, meta, body bytes) kept for a ledger row, or None once purged."""
    row = store.conn.execute(
        """SELECT b.type, b.meta, b.same_as, COALESCE(h.body, b.body) FROM delivery_bodies b
           LEFT JOIN delivery_bodies h ON h.delivery_id = b.same_as WHERE b.delivery_id = ?""",
        (delivery_id,),
    ).fetchone()
    if row is None or (row[2] is not None and not row[3]):
        return None
    return row[0], json.loads(row[1]), unpack(row[3], store.dictionaries)
