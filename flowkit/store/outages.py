"""Destination outages for the ``down`` alert, read from what deliver records already (no table of their own).

A payload kept from a destination that could not be reached or refused is a
``not-sent`` event (the transport did not open: nothing of that run went
there), or, for a transport that connects per payload (HTTP), a ``failed``
event whose ledger row ended with 75 or 69. An outage is the story of the key
``destination:NAME`` (``flowkit state show destination:NAME``): ``down`` when a
run first met it, ``down-alert`` each time a run's alert told it, ``up`` when
a payload reached it again. Every look-up here goes through an index: the
events by key (``events_key``) or by time (``events_at``), the ledger by key
(its unique index) or by id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from flowkit.store.db import Store

PREFIX = "destination:"  # the key of a destination's outage story
OPEN = ("down", "down-alert")  # the latest event of an outage that has not ended


def _detail(text: Any) -> dict[str, Any]:
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


def run_started(store: Store, run_id: int) -> str | None:
    row = store.conn.execute("SELECT started_at FROM runs WHERE id = ?", (run_id,)).fetchone()
    return None if row is None else str(row[0])


def not_sent(store: Store, run_id: int, started: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(key, at, detail) of the run's ``not-sent`` events: its own events only, found by time (``events_at``)."""
    rows = store.conn.execute(
        "SELECT key, at, detail FROM events WHERE at >= ? AND run_id = ? AND event = 'not-sent' ORDER BY id",
        (started, run_id),
    )
    for key, at, detail in rows:
        yield str(key), str(at), _detail(detail)


def rows(store: Store, destination: str, keys: Sequence[str]) -> list[dict[str, Any]]:
    """The ledger rows of ``keys`` at ``destination`` (id, key, content_hash, status, error_code, delivered_at)."""
    out: list[dict[str, Any]] = []
    for start in range(0, len(keys), 500):
        out += [
            dict(row)
            for row in store.conn.execute(
                """SELECT id, key, content_hash, status, error_code, delivered_at FROM deliveries
                   WHERE key IN (SELECT value FROM json_each(?)) AND destination = ?""",
                (json.dumps(list(keys[start : start + 500])), destination),
            )
        ]
    return out


def latest(store: Store, destination: str) -> tuple[str, str, dict[str, Any]] | None:
    """(event, at, detail) of the last event of the destination's outage story, or None."""
    row = store.conn.execute(
        "SELECT event, at, detail FROM events WHERE key = ? ORDER BY id DESC LIMIT 1", (PREFIX + destination,)
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), _detail(row[2]))


def tell(store: Store, destination: str, command: str, event: str, detail: dict[str, Any]) -> None:
    """Add ``event`` to the destination's outage story (in the run's name)."""
    with store.transaction() as conn:
        store.add_event(conn, PREFIX + destination, command, event, detail)


def last_id(store: Store) -> int:
    """The ledger's newest row id (0 when empty): rows after it are sends made after now."""
    row = store.conn.execute("SELECT MAX(id) FROM deliveries").fetchone()
    return int(row[0] or 0) if row is not None else 0


def delivered_after(store: Store, destination: str, mark: int, run_id: int | None = None) -> bool:
    """Whether a ledger row newer than ``mark`` (of the run ``run_id``, if given) was delivered to ``destination``."""
    sql = "SELECT 1 FROM deliveries WHERE id > ? AND destination = ? AND status = 'delivered'"
    params: tuple[Any, ...] = (mark, destination)
    if run_id is not None:
        sql, params = sql + " AND run_id = ?", (*params, run_id)
    return store.conn.execute(sql + " LIMIT 1", params).fetchone() is not None


def kept_from(store: Store, destination: str, since: str) -> dict[str, str]:
    """key -> its last event among the payloads kept from ``destination`` since ``since`` (not-sent, failed, dead)."""
    found: dict[str, str] = {}
    rows = store.conn.execute(
        "SELECT key, event, detail FROM events WHERE at >= ? AND event IN ('not-sent', 'failed', 'dead') ORDER BY id",
        (since,),
    )
    for key, event, detail in rows:
        if _detail(detail).get("destination") == destination:
            found.pop(str(key), None)  # in the order they last happened
            found[str(key)] = str(event)
    return found
