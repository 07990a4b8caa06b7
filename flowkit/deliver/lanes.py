"""One deliver run, several destinations: a lane per destination, each with its own ledger, options, lock and connection.

``Router`` picks each record's destination (``flowkit.routes``) and hands a
window's records to their lanes. A lane is the ``Deliverer`` of one destination
(its ``[destinations.NAME]`` options, its ledger rows, its connection, opened
on first send and closed at the end) and that destination's lock, the same
flock a ``deliver --to NAME`` run takes, taken the first time a record goes
there and held to the end of the run.

Two routed runs never deadlock: a run waits (``--wait`` in all) only for a lock
that sorts after every lock it already holds; a lock that sorts before one it
holds is tried once. A lock it cannot take makes that destination "not sent"
for this run (exit 75, no attempt counted, as for a destination that is down);
the other destinations go on. On a store runs share (PostgreSQL) a lane takes
no lock: its Deliverer claims each key instead (``deliver.claims``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, MutableMapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from flowkit import pipeline
from flowkit.config import Config
from flowkit.deliver.ahead import Prepared
from flowkit.deliver.claims import destination_lock
from flowkit.deliver.core import CONSUMES, Deliverer
from flowkit.deliver.model import Outcome, summary
from flowkit.deliver.run import Retries, Retry, Staging, build, fill, lock_name
from flowkit.errors import FlowkitError, RecordError, TempFailError
from flowkit.pipeline import Pending, Tally
from flowkit.records import BadLine, Reader, Record, Writer
from flowkit.routes import Routes, is_url
from flowkit.store import Store
from flowkit.store import delivery as ledger
from flowkit.store.location import PgUrl
from flowkit.transports import destination

DEFAULT_WINDOW = 256  # before any destination is known: the hotfolder's


@dataclass
class Lane:
    """One destination of the run: its Deliverer and whether its lock is held (``blocked``: why not)."""

    deliverer: Deliverer
    locked: bool = False
    blocked: FlowkitError | None = None

    @property
    def lock(self) -> str:
        """Its lock's name, the same for every run (and the order locks are taken in)."""
        return lock_name(self.deliverer.destination)

    def not_sent(self, records: list[Record]) -> list[Outcome | RecordError]:
        """Records kept from a destination whose lock another run holds: failed, no attempt counted."""
        assert self.blocked is not None
        self.deliverer.down = self.blocked
        self.deliverer.note_unreached(records)
        return [self.deliverer.unreached(record, None) for record in records]


@dataclass
class Router:
    """``run.Sender`` over several destinations: each record to the lane its route names."""

    config: Config
    store: Store
    state_path: Path | PgUrl
    routes: Routes
    wait: float
    options: dict[str, Any] = field(default_factory=dict)  # name_template, force, max_attempts for ``run.build``
    lanes: dict[str, Lane] = field(default_factory=dict)
    unrouted: int = 0
    locks: ExitStack = field(default_factory=ExitStack)
    waited: float = 0.0  # seconds spent waiting for locks so far

    def __post_init__(self) -> None:
        for name in self.routes.named():  # the destinations a route names outright: their config checked now
            self.lanes[name] = Lane(build(self.config, self.store, name, **self.options))

    def __enter__(self) -> Router:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @property
    def window(self) -> int:
        return max((lane.deliverer.window for lane in self.lanes.values()), default=DEFAULT_WINDOW)

    def built(self, name: str) -> Lane:
        """The lane of destination ``name``, built (its transport not opened) on first use."""
        lane = self.lanes.get(name)
        if lane is None:
            lane = self.lanes[name] = Lane(build(self.config, self.store, name, **self.options))
        return lane

    def lane(self, name: str) -> Lane:
        """The lane of destination ``name``, built and locked on first use."""
        lane = self.built(name)
        if not lane.locked and lane.blocked is None:
            held = [each.lock for each in self.lanes.values() if each.locked]
            left = max(0.0, self.wait - self.waited)  # --wait: the run's budget for all its locks, not each one's
            wait = left if all(other < lane.lock for other in held) else 0.0  # never wait out of order: no deadlock
            started = time.monotonic()
            try:
                self.locks.enter_context(destination_lock(self.state_path, self.store, lane.lock, wait))
                lane.locked = True
            except TempFailError as exc:
                lane.blocked = exc
            finally:
                self.waited += time.monotonic() - started  # sending time spends none of it
        return lane

    def deliver_many(
        self, records: list[Record], prepared: list[Prepared | BaseException] | None = None
    ) -> list[Outcome | RecordError]:
        """Each record to its destination's lane, lanes in sorted order; results in the records' order."""
        out: list[Outcome | RecordError | None] = [None] * len(records)
        groups: dict[str, list[int]] = {}
        for n, record in enumerate(records):
            try:
                groups.setdefault(self.routes.pick(record), []).append(n)
            except RecordError as exc:
                self.unrouted += 1
                out[n] = exc
        for name in sorted(groups, key=lambda name: self.built(name).lock):  # the order locks are waited for in
            lane, indexes = self.lane(name), groups[name]
            if lane.blocked is not None:
                results = lane.not_sent([records[i] for i in indexes])
            else:
                results = []
                size = lane.deliverer.window
                for start in range(0, len(indexes), size):  # a transport's window is the most it takes at once
                    chunk = indexes[start : start + size]
                    ready = [prepared[i] for i in chunk] if prepared else None
                    results += lane.deliverer.deliver_many([records[i] for i in chunk], ready)
            for index, result in zip(indexes, results, strict=True):
                out[index] = result
        return [result for result in out if result is not None]

    def used(self) -> list[Lane]:
        return [lane for _, lane in sorted(self.lanes.items()) if lane.locked or lane.blocked is not None]

    def close(self) -> None:
        """Close every connection, then release the locks."""
        try:
            for lane in self.lanes.values():
                lane.deliverer.close()
        finally:
            self.locks.close()


@dataclass
class RoutedRetries:
    """``pipeline.Input`` for ``--retry-failed`` without one ``--to``: every destination's failed deliveries.

    The destinations are the config's ``[destinations.NAME]`` tables and the URLs routes name,
    in the order of their locks (so a wait never goes down it); each is retried as ``--to NAME --retry-failed``.
    """

    router: Router
    mode: str = "record"
    current: Lane | None = None  # the lane whose deliveries are being read (each is processed as it is read)

    def __iter__(self) -> Iterator[Retry | BadLine]:
        routes, config = self.router.routes, self.router.config
        # each one's ledger name (a URL's without password), found without building it: only those with rows are
        ledger_names = {name: str(destination(config, name)["name"]) for name in {*routes.known, *filter(is_url, routes.named())}}
        for name in sorted(ledger_names, key=lambda name: lock_name(ledger_names[name])):  # locks taken in order
            if ledger.retryable(self.router.store, ledger_names[name]):
                self.current = self.router.lane(name)
                yield from Retries(self.current.deliverer)

    def ready(self) -> bool:
        return True

    def process(self, item: Retry) -> Pending:
        lane = self.current
        assert lane is not None and lane.deliverer.destination == item.entry.destination
        if lane.blocked is None:
            return Retries(lane.deliverer).process(item)
        slot = Pending(item.record)
        [outcome] = lane.not_sent([item.record])
        assert isinstance(outcome, Outcome)
        fill(slot, outcome)
        return slot


def deliver_routed(
    router: Router, reader: Reader | None, writer: Writer, counts: MutableMapping[str, int]
) -> tuple[Tally, list[tuple[str, str | None, dict[str, int]]]]:
    """Run the batch through the router (or retry every destination's failed deliveries when ``reader`` is None).

    Returns the tally and one summary per destination used: (line, destination, counts).
    """
    tally = Tally()
    try:
        if reader is None:
            retries = RoutedRetries(router)
            pipeline.run(retries, writer, retries.process, consumes=None, command="deliver", tally=tally)
        else:
            staging = Staging(router)
            try:
                pipeline.run(reader, writer, staging.process, consumes=CONSUMES, command="deliver", window=staging, tally=tally)
            finally:
                staging.close()
    finally:
        router.close()
        total: Counter[str] = Counter()
        for lane in router.used():
            total.update(lane.deliverer.counts)
        if router.unrouted:
            total["no destination"] = router.unrouted
        counts.update({**tally.as_dict(), **total})
    lines: list[tuple[str, str | None, dict[str, int]]] = [
        (summary(lane.deliverer.destination, lane.deliverer.counts), lane.deliverer.destination, dict(lane.deliverer.counts))
        for lane in router.used()
    ]
    if router.unrouted:
        lines.append((f"deliver: {router.unrouted} record(s) with no destination", None, {"no destination": router.unrouted}))
    if not lines:
        lines.append(("deliver: nothing to do", None, {}))
    return tally, lines


def downs(router: Router) -> list[FlowkitError]:
    """Why destinations of the run could not be reached (for ``run.finish_run``)."""
    return [lane.deliverer.down for lane in router.used() if lane.deliverer.down is not None]
