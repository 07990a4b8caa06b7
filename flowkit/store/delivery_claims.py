"""Per-key claims of the delivery ledger, so several deliver runs share one destination (PostgreSQL only).

On sqlite one deliver run holds a destination's lock for its whole run, so a
row left ``sending`` can only be a dead run's. On a shared PostgreSQL store
each run instead holds a session advisory lock naming itself (``hold``: its
run id, on a connection of its own, for the run's life); a key's write-ahead
``sending`` row carries the run id, and whether that run is alive is whether
its lock is held (``live``: ``pg_locks``). The checks that use these run
inside the store's serialized write transaction (``flowkit.deliver.claims``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from flowkit.errors import TempFailError
from flowkit.store.db import Store
from flowkit.store.location import PgUrl

SPACE = 0x666B6472  # "fkdr": the first half of every deliver run's advisory lock key (pg_locks' classid)


def _run_key(run_id: int) -> int:
    """The advisory lock key (bigint) naming deliver run ``run_id``: ``SPACE`` then the run id's low 32 bits."""
    return (SPACE << 32) | (run_id & 0xFFFFFFFF)


@contextmanager
def hold(store: Store, run_id: int) -> Iterator[None]:
    """Hold run ``run_id``'s lock for the block, on a connection of its own (the server drops it when the host dies)."""
    assert isinstance(store.path, PgUrl)
    from flowkit.store.postgres import connect

    raw = connect(store.path, timeout=10, application=f"flowkit deliver run {run_id}")
    try:
        if not raw.execute(f"SELECT pg_try_advisory_lock({_run_key(run_id)})").fetchone()[0]:  # run ids are unique
            raise TempFailError(f"deliver run {run_id}: its lock in {store.path} is held already", hint="rerun")
        yield
    finally:
        try:
            raw.close()
        except Exception:  # the run's own outcome is the one to report
            pass


def live(store: Store, run_ids: Iterable[int]) -> set[int]:
    """Which of ``run_ids`` are deliver runs whose lock is held (alive, on whatever host), in this database."""
    wanted = {run_id & 0xFFFFFFFF: run_id for run_id in run_ids}
    if not wanted:
        return set()
    rows = store.conn.execute(
        """SELECT objid::bigint FROM pg_locks
           WHERE locktype = 'advisory' AND classid = ? AND objsubid = 1 AND granted
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())""",
        (SPACE,),
    )
    return {wanted[row[0]] for row in rows if row[0] in wanted}


def take_over(store: Store, entry_id: int, run_id: int) -> None:
    """Make an open row (a dead run's ``sending``, an ``unknown``) ``sending`` by run ``run_id``, which settles it next.

    In the caller's transaction, after it found the row as it last saw it. Another run then
    leaves the key to this one; should this one die too, the row is a dead run's again.
    """
    store.conn.execute("UPDATE deliveries SET status = 'sending', run_id = ? WHERE id = ?", (run_id, entry_id))
