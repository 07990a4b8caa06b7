"""Delivery provenance (table ``provenance``, migration 0015): where a delivered payload came from.

A payload record's ``meta.rendered`` and ``meta.transform`` (see
``flowkit.provenance``) are kept with its delivery: each distinct value once,
as compact JSON with secret-looking values masked, and the ledger row points
at it (``deliveries.provenance_id``), so a run of a thousand payloads made
by the same stylesheet and parameters adds one row here and an integer to
each ledger row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from flowkit.provenance import of
from flowkit.store.db import Store

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def ids(store: Store, metas: Sequence[Mapping[str, Any]]) -> list[int | None]:
    """The provenance row of each record's meta (None when it names none), in the caller's open transaction."""
    texts = [_text(meta) for meta in metas]
    found: dict[bytes, int] = {}
    for text in dict.fromkeys(t for t in texts if t is not None):
        kept = _kept(text)
        store.conn.execute("INSERT OR IGNORE INTO provenance (detail) VALUES (?)", (kept,))
        found[text] = int(store.conn.execute("SELECT id FROM provenance WHERE detail = ?", (kept,)).fetchone()[0])
    return [None if t is None else found[t] for t in texts]


def _text(meta: Mapping[str, Any]) -> bytes | None:
    value = of(meta)
    return None if value is None else orjson.dumps(value, option=_OPTIONS, default=str)


def _kept(text: bytes) -> str:
    """The text kept: secret-looking values masked (transform masks them already; meta may come from elsewhere)."""
    from flowkit.secrets import redact

    return orjson.dumps(redact(orjson.loads(text)), option=_OPTIONS).decode()
