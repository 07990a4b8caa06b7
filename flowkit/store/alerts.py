"""The alerts ledger (0014): what each run had to tell, and whether the alert destination confirmed it.

A run's problems are found among its own events (``events.run_id``) through the
partial index ``events_problems``; the query below spells that index's
condition exactly, so sqlite uses it. One row per run that had something to
tell, ``pending`` until a send confirms it (``flowkit.alerts``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from flowkit.store.db import Store, now

# The events an alert may tell of (the index's condition, word for word).
_PROBLEMS = """SELECT key, command, event, detail, at FROM events
               WHERE run_id = ? AND event IN ('dead', 'held', 'duplicate-held', 'failed', 'attempt-failed')
               ORDER BY id"""


def events(store: Store, run_id: int) -> Iterator[tuple[str, str, str, dict[str, Any], str]]:
    """(key, command, event, detail, at) of the run's events that may be problems, in the order they happened."""
    for key, command, event, detail, at in store.conn.execute(_PROBLEMS, (run_id,)):
        yield str(key), str(command), str(event), json.loads(detail) if detail else {}, str(at)


def add(store: Store, run_id: int, *, command: str, target: str | None, problems: int, summary: Mapping[str, Any]) -> None:
    """Keep what the run's alert says, pending until a send confirms it (a second call for the run changes nothing)."""
    with store.transaction() as conn:
        conn.execute(
            """INSERT INTO alerts (run_id, command, target, problems, summary, created_at) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(run_id) DO NOTHING""",
            (run_id, command, target, problems, json.dumps(summary, ensure_ascii=False, sort_keys=True), now()),
        )


def pending(store: Store, limit: int) -> list[dict[str, Any]]:
    """The oldest ``limit`` alerts no send has confirmed yet, oldest first, with their summaries decoded."""
    rows = store.conn.execute(
        "SELECT run_id, attempts, error, summary FROM alerts WHERE status = 'pending' ORDER BY run_id LIMIT ?", (limit,)
    )
    return [{**dict(row), "summary": json.loads(row["summary"])} for row in rows]


def waiting(store: Store) -> int:
    """How many runs' alerts wait for a send that works."""
    return int(store.conn.execute("SELECT COUNT(*) FROM alerts WHERE status = 'pending'").fetchone()[0])


def last_sent(store: Store) -> str | None:
    """When the last alert was confirmed (RFC 3339), or None."""
    row = store.conn.execute("SELECT MAX(sent_at) FROM alerts WHERE sent_at IS NOT NULL").fetchone()
    return None if row is None or row[0] is None else str(row[0])


def settle(
    store: Store, run_ids: Sequence[int], *, destination: str, remote_ref: str | None = None, error: str | None = None
) -> None:
    """One attempt at sending the alerts of ``run_ids``: sent (``remote_ref``) or still pending (``error``)."""
    stamp = now()
    with store.transaction() as conn:
        conn.executemany(
            """UPDATE alerts SET attempts = attempts + 1, destination = ?, error = ?,
                   status = CASE WHEN ? IS NULL THEN 'sent' ELSE status END,
                   remote_ref = COALESCE(?, remote_ref),
                   sent_at = CASE WHEN ? IS NULL THEN ? ELSE sent_at END
               WHERE run_id = ? AND status = 'pending'""",
            [(destination, error, error, remote_ref, error, stamp, run_id) for run_id in run_ids],
        )


def note(store: Store, run_id: int, counts: Mapping[str, int]) -> None:
    """Add ``counts`` to the run's counts in the run log (``state runs``, metrics)."""
    with store.transaction() as conn:
        row = conn.execute("SELECT counts FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return
        merged = {**json.loads(row[0] or "{}"), **counts}
        conn.execute("UPDATE runs SET counts = ? WHERE id = ?", (json.dumps(merged, sort_keys=True), run_id))
