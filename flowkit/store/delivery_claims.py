"""Per-key claims of the delivery ledger, so several deliver runs share one destination (PostgreSQL only).

On sqlite one deliver run holds a destination's lock for its whole run, so a
row left ``sending`` can only be a dead run's. On a shared PostgreSQL store
each run instead holds a named lock naming itself (``hold``: ``deliver-run-N``,
a session advisory lock on a connection of its own, ``postgres.advisory``, for
the run's life; every write transaction of the run checks it still holds it);
a key's write-ahead ``sending`` row carries the run id, and whether that run
is alive is whether its lock is held (``live``: ``pg_locks``). The checks that
use these run inside the store's serialized write transaction
(``flowkit.deliver.claims``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from flowkit.store.db import Store
from flowkit.store.location import PgUrl

PREFIX = "deliver-run-"  # a run's lock is the named lock PREFIX + its run id


@contextmanager
def hold(store: Store, run_id: int) -> Iterator[None]:
    """Hold run ``run_id``'s lock for the block (a named lock: the server drops it when the host dies)."""
    assert isinstance(store.path, PgUrl)
    from flowkit.store.postgres import advisory

    with advisory(store.path, f"{PREFIX}{int(run_id)}", wait=0):  # run ids are unique: never waited for
        yield


def live(store: Store, run_ids: Iterable[int]) -> set[int]:
    """Which of ``run_ids`` are deliver runs whose lock is held (alive, on whatever host), in this database.

    A named lock's key is ``hashtextextended('flowkit:lock:' || name, 0)`` (``postgres.advisory``);
    ``pg_locks`` shows a bigint key as its high half (``classid``) and low half (``objid``).
    """
    wanted = sorted({int(run_id) for run_id in run_ids})
    if not wanted:
        return set()
    rows = store.conn.execute(
        f"""SELECT r FROM unnest(?::bigint[]) AS r
            WHERE hashtextextended('flowkit:lock:{PREFIX}' || r, 0) IN (
                SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks
                WHERE locktype = 'advisory' AND objsubid = 1 AND granted
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))""",
        (wanted,),
    )
    return {int(row[0]) for row in rows}


def take_over(store: Store, entry_id: int, run_id: int) -> None:
    """Make an open row (a dead run's ``sending``, an ``unknown``) ``sending`` by run ``run_id``, which settles it next.

    In the caller's transaction, after it found the row as it last saw it. Another run then
    leaves the key to this one; should this one die too, the row is a dead run's again.
    """
    store.conn.execute("UPDATE deliveries SET status = 'sending', run_id = ? WHERE id = ?", (run_id, entry_id))
