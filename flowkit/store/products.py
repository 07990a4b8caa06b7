"""Products known to the state store and their export lifecycle (migration 0016).

Export status: pending -> queued -> exported | failed, as the Magento-WMS
extension keeps it per product. A product whose fingerprint (``content_hash``,
``product_model.fingerprint``) changes goes back to pending; its operation is
``create`` until it has been exported once, ``update`` after. Each change runs
inside the caller's transaction and appends to the product's story (events
keyed by its SKU). The document is kept compressed (``bodies.pack``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import orjson

from flowkit.store.bodies import ORDER_LEVEL as LEVEL
from flowkit.store.bodies import pack, unpack
from flowkit.store.db import Store, now

EXPORT_STATUSES = ("pending", "queued", "exported", "failed")
HISTORY = ("emitted", "created", "updated", "delivered", "duplicates", "failed", "skipped", "reset")


class Known(NamedTuple):
    """What a run needs to know of a stored product."""

    content_hash: str
    export_status: str
    exported_at: str | None
    resend: bool
    updated_at: str

    @property
    def operation(self) -> str:
        """``create`` for a product never exported, ``update`` for one exported before."""
        return "create" if self.exported_at is None else "update"


_COLUMNS = "sku, content_hash, export_status, exported_at, resend, updated_at"


def _known(row: Any) -> Known:
    return Known(str(row[1]), str(row[2]), row[3], bool(row[4]), str(row[5]))


def known(store: Store, skus: Sequence[str]) -> dict[str, Known]:
    """The stored state of many products in a few queries: sku -> ``Known`` (known ones only)."""
    found: dict[str, Known] = {}
    unique = list(dict.fromkeys(skus))
    for start in range(0, len(unique), 500):  # well under sqlite's limit on parameters
        part = unique[start : start + 500]
        sql = f"SELECT {_COLUMNS} FROM products WHERE sku IN ({', '.join('?' * len(part))})"
        found.update((str(r[0]), _known(r)) for r in store.conn.execute(sql, part))
    return found


def status(store: Store, sku: str) -> Known | None:
    row = store.conn.execute(f"SELECT {_COLUMNS} FROM products WHERE sku = ?", (sku,)).fetchone()
    return None if row is None else _known(row)


def _pack(store: Store, data: bytes) -> bytes:
    """A product's JSON as kept, with the store's product dictionary (``store/dictionaries.py``) when it has one."""
    return pack(data, level=LEVEL, dictionary=store.dictionaries.current("product", (data,)))


def insert_new(store: Store, batch: Iterable[tuple[dict[str, Any], bytes, str]], *, source: str, command: str) -> None:
    """Record products not stored yet (product, its JSON, its fingerprint) as pending, with their events."""
    stamp = now()
    rows, events = [], []
    items = list(batch)
    dictionary = store.dictionaries.current("product", [data for _, data, _ in items])
    for product, data, digest in items:
        sku = str(product["sku"])
        rows.append((sku, source, product.get("type"), digest, pack(data, level=LEVEL, dictionary=dictionary), stamp, stamp))
        events.append((sku, command, "fetched", {"source": source, "hash": digest}))
    store.conn.executemany(
        """INSERT INTO products (sku, source, type, content_hash, document, fetched_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        rows,
    )
    store.add_events(store.conn, events, at=stamp)


def changed(store: Store, product: dict[str, Any], data: bytes, digest: str, *, source: str, command: str) -> None:
    """A known product whose data changed: the new document, and back to pending (any change is exported again)."""
    sku = str(product["sku"])
    store.conn.execute(
        """UPDATE products SET source = ?, type = ?, content_hash = ?, document = ?, export_status = 'pending',
               updated_at = ? WHERE sku = ?""",
        (source, product.get("type"), digest, _pack(store, data), now(), sku),
    )
    store.add_event(store.conn, sku, command, "changed", {"source": source, "hash": digest})


def queue(store: Store, items: Iterable[tuple[str, str]], *, command: str) -> None:
    """Mark products (sku, operation) queued: emitted by this run, waiting for their delivery's result."""
    stamp = now()
    pairs = list(items)
    store.conn.executemany(
        "UPDATE products SET export_status = 'queued', operation = ?, updated_at = ? WHERE sku = ?",
        [(operation, stamp, sku) for sku, operation in pairs],
    )
    store.add_events(store.conn, [(sku, command, "queued", {"operation": op}) for sku, op in pairs], at=stamp)


def exported(store: Store, sku: str, *, command: str, exported_hash: str, current: bool, detail: dict[str, Any]) -> str:
    """A delivered product: exported now, with the fingerprint of what went out; returns its export status.

    Not ``current`` (it changed while that version was on its way): the export is kept, and
    the product stays pending, so the next run sends the change as an update.
    """
    state = "exported" if current else "pending"
    stamp = now()
    store.conn.execute(
        """UPDATE products SET export_status = ?, exported_at = ?, exported_hash = ?, resend = 0, attempts = 0,
               last_error = NULL, updated_at = ? WHERE sku = ?""",
        (state, stamp, exported_hash, stamp, sku),
    )
    store.add_event(store.conn, sku, command, "exported" if current else "exported-older-version", detail)
    return state


def failed(store: Store, sku: str, *, command: str, reason: str, detail: dict[str, Any]) -> None:
    """A failed delivery: failed with the reason (one more attempt); the next ``--changed`` run sends it again."""
    store.conn.execute(
        """UPDATE products SET export_status = 'failed', attempts = attempts + 1, last_error = ?, updated_at = ?
           WHERE sku = ?""",
        (reason, now(), sku),
    )
    store.add_event(store.conn, sku, command, "failed", {**detail, "reason": reason})


def reset(store: Store, skus: Sequence[str] | None, *, command: str, reason: str | None = None) -> list[str]:
    """Back to pending, to be sent again even as it was (``resend``): the SKUs given, or every product (None)."""
    if skus is None:
        found = [str(r[0]) for r in store.conn.execute("SELECT sku FROM products ORDER BY sku")]
    else:
        found = [sku for sku in dict.fromkeys(skus) if status(store, sku) is not None]
    stamp = now()
    store.conn.executemany(
        "UPDATE products SET export_status = 'pending', resend = 1, updated_at = ? WHERE sku = ?",
        [(stamp, sku) for sku in found],
    )
    detail = {"reason": reason} if reason else None
    store.add_events(store.conn, [(sku, command, "reset", detail) for sku in found], at=stamp)
    return found


def get(store: Store, sku: str) -> dict[str, Any] | None:
    """Everything stored of a product (its document decoded)."""
    row = store.conn.execute("SELECT * FROM products WHERE sku = ?", (sku,)).fetchone()
    if row is None:
        return None
    item = dict(row)
    item["document"] = orjson.loads(unpack(item["document"], store.dictionaries)) if item["document"] else None
    item["resend"] = bool(item["resend"])
    return item


def add_history(store: Store, command: str, source: str | None, counts: dict[str, int]) -> None:
    """Keep one run's counts as product export history."""
    with store.transaction() as conn:
        conn.execute(
            f"INSERT INTO product_history (run_id, at, command, source, {', '.join(HISTORY)}) "
            f"VALUES (?, ?, ?, ?, {', '.join('?' for _ in HISTORY)})",
            (store.run_id, now(), command, source, *(int(counts.get(f, 0)) for f in HISTORY)),
        )


def history(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    rows = store.conn.execute("SELECT * FROM product_history ORDER BY id DESC LIMIT ?", (limit,))
    return [dict(r) for r in rows]
