"""Several deliver runs sharing one destination's work on a PostgreSQL store: per-key claims, not one lock.

On sqlite a deliver run holds its destination's lock for the whole run
(``store.lock.exclusive``), for two reasons: a row it finds ``sending`` can
only be a dead run's, so it recovers it (``Deliverer._reconcile``); and no
other run can plan and send the same key at the same time. On PostgreSQL the
run holds a lock naming itself instead (``senders``: its run id, for its life,
``store.delivery_claims.hold``), its ``sending`` rows carry that run id, and
its ``SharedDeliverer`` (the ``Deliverer`` with claims) goes key by key:

- a key another run is sending (its row ``sending``, that run's lock held) is
  left to that run: a ``skipped`` result naming it, not a failure;
- a ``sending`` row of a dead run (its lock free) and an ``unknown`` one are
  taken over first (``take``), then recovered as on sqlite;
- what ``plan`` decided from the rows it read is written (``verdicts``,
  ``sift``) in the store's serialized write transaction only if no other run
  changed those rows since; if one did, the record is planned again;
- a transport that sends one at a time and may resend after a crash (HTTP,
  FTP) is claimed a window of keys at a time (``OneByOne``), so the write
  lock every run shares is taken twice a window, not twice a record.

So two runs never send one key at once, and a key is never sent again after
another run delivered it, whichever hosts run them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from flowkit.deliver.ahead import Prepared, prepare
from flowkit.deliver.core import Deliverer
from flowkit.deliver.model import Outcome, Send
from flowkit.errors import RecordError
from flowkit.log import LOG as log
from flowkit.records import Record, derive
from flowkit.store import Store
from flowkit.store import delivery as ledger
from flowkit.store import delivery_claims as claims
from flowkit.store.location import PgUrl
from flowkit.transports.base import Receipt, Stopped, Transport

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

LEFT = "left to other runs"  # the summary's count of keys left to the live run sending them
CHANGED = "changed"  # another run changed the key's rows since they were read: plan it again
WINDOW = 8  # records a run claims at once for a transport that sends one at a time and may resend (HTTP, FTP)


class Left(NamedTuple):
    """The key is another live run's to send."""

    run_id: int


Verdict = Left | str | None  # None: claimed by this run; else why not (CHANGED)


def shared(store: Store) -> bool:
    """Whether deliver runs share destinations by per-key claims on this store (PostgreSQL), not by one lock each."""
    return store.dialect == "postgresql"


def destination_lock(state: Path | PgUrl, store: Store, name: str, wait: float) -> AbstractContextManager[None]:
    """The lock a run to one destination holds all along: sqlite's per destination; none on a shared store."""
    if shared(store):
        return nullcontext()
    from flowkit.store.lock import exclusive

    return exclusive(state, name, wait=wait)


@contextmanager
def senders(store: Store) -> Iterator[None]:
    """Hold this run's own lock for the block (on a shared store), so others can tell it is alive."""
    if not shared(store):
        yield
        return
    assert store.run_id is not None, "the run is logged first"
    with claims.hold(store, store.run_id):
        yield


def _held(rows: Sequence[ledger.Entry], me: int) -> set[int]:
    return {r.run_id for r in rows if r.status == "sending" and r.run_id is not None and r.run_id != me}


def _shape(rows: Sequence[ledger.Entry], mine: set[int]) -> list[tuple[int, str, int]]:
    """What a run decides from: each row's id, status and attempts (rows this run is sending left out)."""
    return sorted((r.id, r.status, r.attempts) for r in rows if r.id not in mine)


@dataclass
class Claims:
    """One destination's claims for a run on a shared store; ``counts`` are its Deliverer's."""

    store: Store
    destination: str
    counts: Counter[str]

    @property
    def me(self) -> int:
        assert self.store.run_id is not None, "a deliver run on a shared store is logged first"
        return self.store.run_id

    def holder(self, rows: Sequence[ledger.Entry]) -> int | None:
        """The live run (not this one) sending the key whose ``rows`` these are, if any (pg_locks looked at only then)."""
        others = _held(rows, self.me)
        alive = claims.live(self.store, others) if others else set()
        return min(alive) if alive else None

    def verdicts(self, asks: Sequence[tuple[str, Sequence[ledger.Entry]]]) -> list[Verdict]:
        """For each (key, the rows it was planned from), in the caller's write transaction: claimed (None), Left, CHANGED.

        ``pg_locks`` is read only when a key has another run's ``sending`` row. That this run still
        holds its own lock the write transaction checked as it began (``postgres.advisory``: a run
        whose lock's session the server ended stops with 75 before its next unit of work).
        """
        me = self.me
        current = ledger.entries_for(self.store, sorted(key for key, _ in asks), self.destination)
        others = {run for rows in current.values() for run in _held(rows, me)}
        alive = claims.live(self.store, others) if others else set()
        out: list[Verdict] = []
        for key, seen in asks:
            now = current[key]
            holders = _held(now, me) & alive
            if holders:
                out.append(Left(min(holders)))
                continue
            mine = {r.id for r in now if r.status == "sending" and r.run_id == me}
            out.append(None if _shape(seen, mine) == _shape(now, mine) else CHANGED)
        return out

    def take(self, key: str, rows: Sequence[ledger.Entry], entry: ledger.Entry) -> Verdict:
        """Take an open row (a dead run's ``sending``, an ``unknown``) over before it is reconciled, if still as read."""
        with self.store.transaction():
            [verdict] = self.verdicts([(key, rows)])
            if verdict is None:
                claims.take_over(self.store, entry.id, self.me)
        return verdict

    def begin(self, step: Send) -> ledger.Entry | Left | str:
        """A send's write-ahead intent, committed, if the key is still this run's to send (else why not)."""
        with self.store.transaction():
            [verdict] = self.verdicts([(step.record["key"], step.seen)])
            if verdict is not None:
                return verdict
            [entry] = ledger.begin_attempts(self.store, self.destination, [step.intent()])
        return entry

    def sift(self, sends: list[tuple[int, Send]]) -> tuple[list[tuple[int, Send]], list[tuple[int, Send, Left | str]]]:
        """A window's sends this run may make, and those set aside with why (in the caller's write transaction)."""
        verdicts = self.verdicts([(step.record["key"], step.seen) for _, step in sends])
        keep = [send for send, verdict in zip(sends, verdicts, strict=True) if verdict is None]
        aside = [(index, step, verdict) for (index, step), verdict in zip(sends, verdicts, strict=True) if verdict is not None]
        return keep, aside

    def left(self, record: Record, run_id: int, rows: Sequence[ledger.Entry] | None, digest: str | None = None) -> Outcome:
        """The result of a key left to the live run sending it: ``skipped``, not failed (that run reports its outcome)."""
        self.counts[LEFT] += 1
        key = record["key"]
        say = log.warning if self.counts[LEFT] == 1 else log.info  # the first named; the summary counts them all
        say("deliver: %s is being sent to %s by run %d, which is alive: left to it", key, self.destination, run_id)
        body: dict[str, Any] = {
            "key": key,
            "destination": self.destination,
            "status": "skipped",
            "remote_ref": None,
            "attempts": max((r.attempts for r in rows or ()), default=0),
            "error": f"left to run {run_id}, which is sending it",
            "content_hash": digest,
            "exit_code": None,
            "run": run_id,
        }
        return Outcome(derive(record, "result", body))


@dataclass
class SharedDeliverer(Deliverer):
    """A ``Deliverer`` on a store deliver runs share: the same ledger logic, each key claimed as it goes."""

    claims: Claims = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.claims = Claims(self.store, self.destination, self.counts)
        if not hasattr(self.transport, "put_many") and getattr(self.transport, "resend_unknown", False):
            self.transport = OneByOne(self.transport)

    def plan(
        self,
        record: Record,
        filename: str | None = None,
        rows: list[ledger.Entry] | None = None,
        ready: Prepared | BaseException | None = None,
    ) -> Outcome | Send:
        """``Deliverer.plan``, once no live run is sending the key and an open row it would settle is this run's."""
        if "\x00" in record["key"] or isinstance(ready, BaseException):
            return super().plan(record, filename, rows, ready)  # refused there
        if rows is None:
            rows = ledger.entries(self.store, record["key"], self.destination)
        ready = ready or prepare(record, packed=False)
        holder = self.claims.holder(rows)
        if holder is not None:
            return self.claims.left(record, holder, rows, ready.digest)
        same = next((r for r in rows if r.content_hash == ready.digest), None)
        if same is not None and same.status in ledger.OPEN_STATUSES and self._settles(record, rows):
            verdict = self.claims.take(record["key"], rows, same)
            if isinstance(verdict, Left):
                return self.claims.left(record, verdict.run_id, rows, ready.digest)
            if verdict is not None:  # another run changed the key's rows meanwhile: look again
                return self.plan(record, filename, None, ready)
        return super().plan(record, filename, rows, ready)

    def _settles(self, record: Record, rows: Sequence[ledger.Entry]) -> bool:
        """Whether ``plan`` goes on to settle the key's open row (not sent again by force, not once-per-key done)."""
        if self.policy.force or (record.get("meta") or {}).get("resend"):
            return False
        return not (self.policy.once_per_key and any(r.status == "delivered" for r in rows))

    def _intent(self, step: Send) -> ledger.Entry | Outcome:
        claimed = self.claims.begin(step)
        return claimed if isinstance(claimed, ledger.Entry) else self._aside(step, claimed)

    def _claim(self, sends: list[tuple[int, Send]]) -> tuple[list[tuple[int, Send]], list[tuple[int, Send, object]]]:
        kept, aside = self.claims.sift(sends)
        return kept, list(aside)

    def _set_aside(self, aside: list[tuple[int, Send, object]]) -> dict[int, Outcome]:
        return {index: self._aside(step, verdict) for index, step, verdict in aside}

    def _aside(self, step: Send, verdict: object) -> Outcome:
        """A send its claim set aside: left to the live run sending it, or planned again from the rows as they are now."""
        if isinstance(verdict, Left):
            return self.claims.left(step.record, verdict.run_id, step.seen, step.digest)
        again = self.plan(step.record, step.name, ready=Prepared(step.data, step.digest, step.packed))
        return again if isinstance(again, Outcome) else self._send(again)


class OneByOne:
    """A transport that sends one record at a time (HTTP, FTP), given ``put_many`` over its ``put`` on a shared store.

    So a run claims ``WINDOW`` keys at once, writes their intents in one transaction and their outcomes
    in one, as for a hotfolder or SFTP: the store's write lock, which every run shares, is taken twice a
    window rather than twice a record. Only for a transport whose resend after a crash is safe
    (``resend_unknown``: HTTP's Idempotency-Key, FTP's size check; not email): a killed run leaves up to a
    window of keys ``sending``, and the run that recovers them sends them again.
    """

    window = WINDOW

    def __init__(self, inner: Transport) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def open(self) -> None:
        self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def exists(self, name: str, size: int, record: Record | None = None) -> bool | None:
        return self.inner.exists(name, size, record)

    def put(self, name: str, data: bytes, record: Record) -> Receipt:
        return self.inner.put(name, data, record)

    def put_many(self, items: list[tuple[str, bytes, Record]]) -> list[Receipt | RecordError]:
        """``put`` each item in turn; one result (receipt or error) per item; ``Stopped`` carries the results before."""
        results: list[Receipt | RecordError] = []
        for name, data, record in items:
            try:
                results.append(self.inner.put(name, data, record))
            except Stopped as stop:
                stop.results = results
                raise
            except RecordError as exc:
                results.append(exc)
        return results
