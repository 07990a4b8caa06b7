"""Compression dictionaries the store trains from its own bodies (table ``body_dictionaries``, migration 0017).

Orders, delivery payloads and products are many documents of one shape: the
same member names, option names, product texts and URL prefixes in each. zstd
packing one body alone cannot use what the others share; packed with a
dictionary trained on earlier bodies of its kind, a realistic print order
(bench/_data.py: 34 KB of JSON) keeps about 1.1 KB instead of 3.8 KB, and its
rendered XML about 1.0 KB instead of 3.4 KB, at the same speed (measured in
docs/performance.md; the bench's orders repeat five samples' texts, so a real
shop's gain is smaller, and it is what decides the store's size).

- One dictionary per kind (``order``, ``payload``, ``product``), trained once a
  run has ``MIN_SAMPLES`` bodies of the kind in hand, its own topped up with the
  last the store keeps by key, so a cron run of five orders trains once the
  store has seen enough of them. Training on 2 MB of samples takes about 25 ms, once.
- A dictionary's id is the zstd dictionary id written in each frame packed with
  it: a kept body names the dictionary that reads it (``bodies.unpack``), and a
  body packed before there was one stays as it is and is read as it is.
- It is inserted in the caller's transaction, with the bodies first packed with
  it: both are kept, or neither is. The dictionary to pack with is looked up in
  the table each time (one indexed query a batch), so a run never packs with a
  dictionary whose transaction was rolled back.
- Dictionaries are never deleted (a few tens of KB each); ``state migrate``
  copies them with the rest.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from flowkit.store.bodies import SMALL, Dictionary, unpack
from flowkit.store.failures import CHECK_HINT, StoreUnusable

MIN_SAMPLES = 32  # bodies a dictionary is trained on, at least (fewer: it would learn one order's quirks)
MAX_SAMPLES = 256
MIN_BYTES = 128 << 10  # and bytes of them, at least (zstd's trainer wants many times the dictionary's size)
SAMPLE_BYTES = 2 << 20  # bytes of samples, at most: ~25 ms of training for realistic orders
SIZE = 32 << 10  # the dictionary's size: 64 KB packed realistic orders no better (bench/store_size.py)
# zstd's cover parameters, fixed: its search for them took three times as long (~75 ms for 2 MB of samples)
# for bodies 1-3% smaller (realistic and varied orders, XML payloads)
COVER = {"k": 2048, "d": 8}
FIRST_ID = 1 << 15  # zstd reserves dictionary ids below 32768 for registered dictionaries

# The kinds of body (``order``, ``payload``, ``product``) and the bodies the store keeps of each, to top up a
# run's own samples: the last ones by primary key (an index scan on both engines, where a sort on a time column
# would read every row of a large store, bodies and all).
_STORED = {
    "order": "SELECT document FROM orders WHERE document IS NOT NULL ORDER BY number DESC LIMIT ?",
    "payload": "SELECT body FROM delivery_bodies WHERE same_as IS NULL ORDER BY delivery_id DESC LIMIT ?",
    "product": "SELECT document FROM products WHERE document IS NOT NULL ORDER BY sku DESC LIMIT ?",
}


class Dictionaries:
    """A store's dictionaries: the one to pack a kind with (``current``), any one by id (``get``).

    ``conn`` is the store's connection (``Store.conn``), ``where`` the store as its errors name it.
    """

    def __init__(self, conn: Any, where: object) -> None:
        self.conn = conn
        self.where = where
        self._known: dict[int, Dictionary] = {}
        self._samples: dict[str, list[bytes]] = {}
        self._topped_up: set[str] = set()
        self._failed: set[str] = set()  # kinds zstd's trainer gave up on in this run: not tried again

    def current(self, kind: str, bodies: Iterable[bytes] | None = None) -> Dictionary | None:
        """The dictionary to pack ``kind`` with now, trained here from ``bodies`` (and stored ones) when there is none yet.

        Call it inside the transaction that keeps the bodies it packs. Without ``bodies`` it only looks.
        """
        row = self.conn.execute(
            "SELECT id FROM body_dictionaries WHERE kind = ? ORDER BY created_at DESC, id DESC LIMIT 1", (kind,)
        ).fetchone()
        if row is not None:
            return self.get(int(row[0]))
        if bodies is None or kind in self._failed:
            return None
        pool = self._samples.setdefault(kind, [])
        self._gather(pool, bodies)
        if len(pool) < MIN_SAMPLES and kind not in self._topped_up:
            self._topped_up.add(kind)
            self._top_up(kind, pool)
        if len(pool) < MIN_SAMPLES or sum(map(len, pool)) < MIN_BYTES:
            return None
        return self._train(kind, pool)

    def get(self, dict_id: int) -> Dictionary:
        """The dictionary ``dict_id`` (a kept body's frame names it); a store without it is unusable."""
        found = self._known.get(dict_id)
        if found is None:
            row = self.conn.execute("SELECT data FROM body_dictionaries WHERE id = ?", (dict_id,)).fetchone()
            if row is None:
                raise StoreUnusable(
                    f"state store {self.where}: a kept body needs compression dictionary {dict_id}, "
                    "which the store does not hold",
                    hint=CHECK_HINT,
                )
            found = self._known[dict_id] = Dictionary(dict_id, bytes(row[0]))
        return found

    def _gather(self, pool: list[bytes], bodies: Iterable[bytes]) -> None:
        size = sum(map(len, pool))
        for body in bodies:
            if len(pool) >= MAX_SAMPLES or size >= SAMPLE_BYTES:
                return
            if len(body) > SMALL:  # a small body is kept as is: nothing to learn from it
                pool.append(body)
                size += len(body)

    def _top_up(self, kind: str, pool: list[bytes]) -> None:
        """Add the last bodies (by key) the store keeps of ``kind`` (once a run: a store with few is asked no more)."""
        stored = []
        for (kept,) in self.conn.execute(_STORED[kind], (MAX_SAMPLES,)):
            if kept and not isinstance(kept, str):
                stored.append(unpack(bytes(kept), self))
        self._gather(pool, stored)

    def _train(self, kind: str, pool: list[bytes]) -> Dictionary | None:
        import zstandard

        try:
            trained = zstandard.train_dictionary(
                SIZE, list[bytes | bytearray | memoryview](pool), dict_id=FIRST_ID + secrets.randbelow(1 << 30), level=3, **COVER
            )
        except zstandard.ZstdError:  # samples zstd's trainer cannot learn from: go on without one
            self._failed.add(kind)
            self._samples[kind] = []
            return None
        found = Dictionary(trained.dict_id(), trained.as_bytes())
        self.conn.execute(
            "INSERT INTO body_dictionaries (id, kind, created_at, samples, data) VALUES (?, ?, ?, ?, ?)",
            (found.id, kind, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), len(pool), found.data),
        )
        self._known[found.id] = found
        self._samples[kind] = []
        return found
