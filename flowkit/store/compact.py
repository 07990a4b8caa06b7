"""Re-pack the bodies a store keeps with its dictionaries (``flowkit state compact``), a batch per transaction.

A store written before migration 0017, or before its dictionaries were
trained, keeps bodies packed alone (zstd, or zlib from earlier versions).
``compact`` trains the dictionary of each kind from the bodies the store keeps
when it has none yet (``dictionaries.Dictionaries.current``), then walks the
kind's table in key order, ``BATCH`` rows per short write transaction (runs go
on between two), and packs again each body that is not packed with the kind's
dictionary, keeping the new bytes only when they are fewer. A stopped compact
keeps the batches it committed; run again, it goes on with what is left.
Bodies read the same before and after: a body is only ever replaced by the
same bytes packed otherwise, in the transaction that reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowkit.store.bodies import ORDER_LEVEL, RAW, dict_id, pack, unpack

if TYPE_CHECKING:
    from flowkit.store.db import Store

BATCH = 500  # rows per transaction: ~2 s of a write lock on a slow disk at most
# kind, table, key column, body column, zstd level
TABLES = (
    ("order", "orders", "number", "document", ORDER_LEVEL),
    ("payload", "delivery_bodies", "delivery_id", "body", 3),
    ("product", "products", "sku", "document", ORDER_LEVEL),
)


def compact(store: Store, *, batch: int = BATCH) -> dict[str, dict[str, Any]]:
    """Re-pack every kind's bodies; per kind: its dictionary, rows read, rows re-packed, their bytes before and after."""
    done: dict[str, dict[str, Any]] = {}
    for kind, table, key, column, level in TABLES:
        with store.transaction():
            dictionary = store.dictionaries.current(kind, [])  # trained from the stored bodies when there is none
        counts: dict[str, Any] = {"dictionary": dictionary.id if dictionary else None, "rows": 0, "repacked": 0}
        counts.update(bytes_before=0, bytes_after=0)
        done[kind] = counts
        if dictionary is None:  # too few bodies of the kind to learn from: left as they are
            continue
        last: Any = None
        while True:
            with store.transaction() as conn:
                where = f"WHERE {key} > ? " if last is not None else ""
                rows = conn.execute(
                    f"SELECT {key}, {column} FROM {table} {where}ORDER BY {key} LIMIT ?",
                    (last, batch) if last is not None else (batch,),
                ).fetchall()
                changed = []
                for name, kept in rows:
                    if not kept or isinstance(kept, str):  # no body (purged, shared) or text before migration 0009
                        continue
                    kept = bytes(kept)
                    if kept[:1] == RAW or dict_id(kept) == dictionary.id:
                        continue
                    again = pack(unpack(kept, store.dictionaries), level=level, dictionary=dictionary)
                    if len(again) < len(kept):
                        changed.append((again, name))
                        counts["bytes_before"] += len(kept)
                        counts["bytes_after"] += len(again)
                conn.executemany(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", changed)
            counts["rows"] += len(rows)
            counts["repacked"] += len(changed)
            if len(rows) < batch:
                break
            last = rows[-1][0]
    return done
