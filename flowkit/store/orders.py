"""Orders known to the state store and their export lifecycle.

Export status: pending -> queued -> exported | failed (attempts) -> dead,
with held and cancelled as side states. Each change is one transaction that
also appends to the order's event log.

An order's body (column ``document``) is its compact JSON as orjson writes it,
kept compressed by ``bodies.pack`` (zstd level ``LEVEL``); ``content_hash`` is the
sha256 of that JSON. Rows written before migration 0009 held the JSON as text
(keys sorted, which their hash was taken over): ``decode`` reads both forms.
The canonical ``id`` has its own column (``order_id``) for the SQL that needs it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import orjson

from flowkit.store.bodies import ORDER_LEVEL as LEVEL
from flowkit.store.bodies import Dictionaries, pack, unpack
from flowkit.store.db import Store, now

EXPORT_STATUSES = ("pending", "queued", "exported", "failed", "dead", "held", "cancelled")


def encode(order: dict[str, Any]) -> bytes:
    """The order's JSON as the store keeps it and query-orders writes it (compact, the order's key order)."""
    return orjson.dumps(order)


def content_hash(document: Any) -> str:
    """sha256 of the document's JSON as the store keeps it (``encode``)."""
    return _digest(orjson.dumps(document))


def _digest(data: bytes) -> str:
    import hashlib  # here: OpenSSL's start-up is ~4 ms that read-only commands need not pay

    return "sha256:" + hashlib.sha256(data).hexdigest()


def _legacy_hash(document: Any) -> str:
    """The hash a row written before migration 0009 has: over the JSON with sorted keys."""
    return _digest(orjson.dumps(document, option=orjson.OPT_SORT_KEYS))


def decode(kept: bytes | str | None, dictionaries: Dictionaries | None = None) -> Any:
    """A stored body as its JSON value: compressed (``pack``; with one of the store's ``dictionaries``), or text
    from before migration 0009; None when empty."""
    if not kept:
        return None
    if isinstance(kept, str):
        return json.loads(kept)
    return orjson.loads(unpack(kept, dictionaries))


def _pack(store: Store, data: bytes) -> bytes:
    """One order body as kept, with the store's order dictionary (``store/dictionaries.py``) when it has one."""
    return pack(data, level=LEVEL, dictionary=store.dictionaries.current("order", (data,)))


def _id(value: Any) -> str | None:
    """The ``order_id`` column: the canonical ``id`` as SQL's ``json_extract`` gave it, as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)


_INSERT = """INSERT INTO orders (number, channel, source, supplier, status, content_hash, document, placed_at,
                               fetched_at, updated_at, tags, export_status, hold_reason, order_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
_LINES = """INSERT INTO order_lines (number, line_id, sku, source, quantity, quantity_shipped)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(number, line_id) DO UPDATE SET sku = excluded.sku, source = excluded.source,
               quantity = excluded.quantity"""  # two lines with one id: the last one is kept


def upsert(
    store: Store,
    order: dict[str, Any],
    *,
    source: str,
    command: str,
    export_status: str = "pending",
) -> str:
    """Record ``order`` (canonical); returns "new", "changed" or "unchanged".

    ``export_status`` is the status of a new order (an existing one keeps its own).
    """
    conn = store.conn
    number = str(order["number"])
    data = encode(order)
    digest = _digest(data)
    row = conn.execute("SELECT content_hash FROM orders WHERE number = ?", (number,)).fetchone()
    if row and (row["content_hash"] == digest or row["content_hash"] == _legacy_hash(order)):
        return "unchanged"
    stamp = now()
    conn.execute(
        _INSERT
        + """ ON CONFLICT(number) DO UPDATE SET channel = excluded.channel, source = excluded.source,
               supplier = excluded.supplier, status = excluded.status, content_hash = excluded.content_hash,
               document = excluded.document, updated_at = excluded.updated_at, order_id = excluded.order_id""",
        _order_row(order, number, source, digest, _pack(store, data), stamp, export_status),
    )
    conn.executemany(_LINES, _line_rows(order, number))
    store.add_event(conn, number, command, "fetched" if row is None else "updated", {"source": source, "hash": digest})
    return "new" if row is None else "changed"


def insert_new(
    store: Store,
    batch: Sequence[tuple[dict[str, Any], str] | tuple[dict[str, Any], str, bytes]],
    *,
    source: str,
    command: str,
    reasons: dict[str, str] | None = None,
    rules: dict[str, str] | None = None,
) -> None:
    """Record a batch of orders not in the store yet, each with its (new) export status, in a few statements.

    An item may carry the order's ``encode``d JSON as a third element (query-orders has it already for
    the record it writes). The caller knows, inside its transaction, that none of the numbers is stored
    (a plain INSERT: a stored one fails loudly). Each order gets the "fetched" event ``upsert`` writes,
    then one event for its export status unless it is "pending". ``reasons``: number -> hold/cancel
    reason, kept as ``set_export_status`` keeps it (the row's ``hold_reason`` and the status event's detail);
    ``rules``: number -> the rule or check that decided it, named in that event.
    """
    stamp = now()
    reasons = reasons or {}
    datas = [item[2] if len(item) > 2 else encode(item[0]) for item in batch]
    dictionary = store.dictionaries.current("order", datas)
    rows: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    events: list[tuple[str, str, str, Any]] = []
    for item, data in zip(batch, datas, strict=True):
        order, export_status = item[0], item[1]
        number = str(order["number"])
        digest = _digest(data)
        reason = reasons.get(number)
        kept = pack(data, level=LEVEL, dictionary=dictionary)
        rows.append(_order_row(order, number, source, digest, kept, stamp, export_status, reason))
        lines.extend(_line_rows(order, number))
        events.append((number, command, "fetched", {"source": source, "hash": digest}))
        if export_status != "pending":
            rule = (rules or {}).get(number)
            detail = {k: v for k, v in (("reason", reason), ("rule", rule)) if v}
            events.append((number, command, export_status, detail or None))
    conn = store.conn
    conn.executemany(_INSERT, rows)
    conn.executemany(_LINES, lines)
    store.add_events(conn, events, at=stamp)


def _order_row(
    order: dict[str, Any],
    number: str,
    source: str,
    digest: str,
    kept: bytes,
    stamp: str,
    export_status: str,
    hold_reason: str | None = None,
) -> tuple[Any, ...]:
    origin = order.get("source")
    channel = _ref(origin.get("channel")) if isinstance(origin, dict) else None
    supplier = _ref(order.get("supplier"))
    tags = order.get("tags")
    return (
        number,
        channel,
        source,
        supplier,
        order.get("status"),
        digest,
        kept,
        order.get("placed_at"),
        stamp,
        stamp,
        orjson.dumps(tags).decode() if tags else "[]",
        export_status,
        hold_reason,
        _id(order.get("id")),
    )


def _line_rows(order: dict[str, Any], number: str) -> list[tuple[Any, ...]]:
    rows = []
    index = 0
    for line in order.get("lines") or ():
        index += 1
        if not isinstance(line, dict):
            continue
        get = line.get
        quantity, shipped = get("quantity"), get("quantity_shipped", 0)
        origin = get("supplier") or get("source")
        rows.append(
            (
                number,
                str(get("id") or index),
                get("sku"),
                origin if origin.__class__ is str else _line_source(origin),
                quantity if quantity.__class__ is int and -_INT64 <= quantity <= _INT64 else _count(quantity),
                shipped if shipped.__class__ is int and -_INT64 <= shipped <= _INT64 else _count(shipped),
            )
        )
    return rows


_INT64 = 2**63 - 1


def _count(value: Any) -> int:
    """A line quantity as the integer the lines table keeps ("3", 3.0 -> 3; nothing usable -> 0;
    held within sqlite's 64-bit integers)."""
    try:
        count = value if value.__class__ is int else int(float(value or 0))
    except (TypeError, ValueError, OverflowError):
        return 0
    return max(-_INT64, min(_INT64, count))


def get(store: Store, number: str) -> dict[str, Any] | None:
    conn = store.conn
    row = conn.execute("SELECT * FROM orders WHERE number = ?", (number,)).fetchone()
    if row is None:
        return None
    item = dict(row)
    item["tags"] = json.loads(item["tags"] or "[]")
    item["document"] = decode(item["document"], store.dictionaries)
    item["lines"] = [
        dict(r)
        for r in conn.execute(
            "SELECT line_id, sku, source, quantity, quantity_shipped FROM order_lines WHERE number = ? ORDER BY rowid",
            (number,),
        )
    ]
    return item


def set_document(store: Store, number: str, document: dict[str, Any]) -> None:
    """Keep ``document`` as the order's body (inside the caller's transaction); its content hash is left as it was.

    For a change flowkit makes to a stored order (``state release`` clears its hold): the hash stays
    the one of what the source sent, so the same document fetched again is still "unchanged".
    """
    store.conn.execute("UPDATE orders SET document = ? WHERE number = ?", (_pack(store, encode(document)), number))


def set_export_status(
    store: Store,
    number: str,
    status: str,
    *,
    command: str,
    reason: str | None = None,
    count_attempt: bool = False,
) -> None:
    """Move an order along its export lifecycle (inside the caller's transaction)."""
    if status not in EXPORT_STATUSES:
        raise ValueError(f"unknown export status {status!r}")
    stamp = now()
    conn = store.conn
    conn.execute(
        """UPDATE orders SET export_status = ?, hold_reason = ?, updated_at = ?,
               attempts = attempts + ?, exported_at = CASE WHEN ? = 'exported' THEN ? ELSE exported_at END
           WHERE number = ?""",
        (status, reason, stamp, 1 if count_attempt else 0, status, stamp, number),
    )
    store.add_event(conn, number, command, status, {"reason": reason} if reason else None)


def _ref(value: Any) -> Any:
    """A channel or supplier id: given as ``{"id": …}`` or as the id itself."""
    return value.get("id") if isinstance(value, dict) else value


def _line_source(value: Any) -> str | None:
    """A line's supplier/source id (its ``supplier`` or ``source``): an object with an id, or the id itself."""
    if isinstance(value, dict):
        value = value.get("id")
    return None if value is None else str(value)
