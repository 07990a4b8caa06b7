"""The core of ``query-orders``: fetch, filter, record in the store, emit order records.

Each emitted order is recorded in the state store (``orders``/``order_lines``)
and moved pending -> queued in one short transaction *before* its record is
written, so a run killed half-way loses nothing: a queued order that never
got exported comes back on the next ``--unsent`` run once the pipeline that
queued it has ended (``exports.in_flight``), and after ``requeue_after``
seconds in any case; while that pipeline runs, an overlapping cron run does
not send it too.

The run goes through the one record loop, ``pipeline.run``: ``Documents`` is its
input (the source's fetched documents, then the orders carried over in the
store), ``Run.process`` turns each into its record, and ``Run`` is the
``pipeline.StagedWindow`` that settles each batch of up to 100 documents in one
transaction (``prepare`` reads the batch's export statuses in one query and opens
it, ``commit`` inserts the batch's new orders, commits, and moves the source's
files) before any record of the batch is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from flowkit.collector import roomy_collector
from flowkit.errors import FlowkitError, InputError
from flowkit.log import LOG as log
from flowkit.pipeline import Input, Pending, StagedWindow, run
from flowkit.query_orders.pause import Pauses, names
from flowkit.records import BadLine, Record, Writer, make_record
from flowkit.sources import Fetched, Query, Source
from flowkit.sources.common import timestamp
from flowkit.store import Store, exports, orders

if TYPE_CHECKING:
    from flowkit.query_orders.readiness import Gate

COMMAND = "query-orders"
SKIP_UNSENT = frozenset({"exported", "dead", "cancelled", "held"})
YOUNG = 100_000  # objects the cyclic collector lets a run allocate (net) between collections (see ``Run.emit``)


def parse_since(text: str | None) -> str | None:
    """``2025-03-14``, an RFC 3339 time, or a relative ``30m``/``12h``/``7d`` -> RFC 3339 UTC."""
    if not text:
        return None
    match = re.fullmatch(r"(\d+)([mhd])", text.strip())
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        moment = datetime.now(UTC) - timedelta(**{unit: int(match.group(1))})
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    value = timestamp(text if "T" in text or " " in text else f"{text}T00:00:00Z")
    if not value or not value[:4].isdigit() or not value.endswith("Z"):
        raise InputError(f"--since {text!r}: not a date, time or relative age like 12h")
    return value


def excluded(order: dict[str, Any], query: Query) -> str | None:
    """Why ``order`` does not match the query's filters (None when it does)."""
    if query.number is not None and order["number"] != query.number:
        return "number"
    if query.suppliers and not (set(names(order.get("supplier"))) & set(query.suppliers)):
        return "supplier"
    channel = (order.get("source") or {}).get("channel") or {}
    if query.channels and not ({str(channel.get("id")), str(channel.get("name"))} & set(query.channels)):
        return "channel"
    if query.statuses and not ({str(order.get("status")), str(order.get("source_status"))} & set(query.statuses)):
        return "status"
    placed = order.get("placed_at") or order.get("created_at")
    if query.since and (not placed or str(placed) < query.since):
        return "since"
    return None


def order_record(order: dict[str, Any], source: str, data: bytes | None = None) -> Record:
    """The order's record; with ``data`` (the order's JSON, ``orders.encode``) its body is written from those bytes."""
    channel = ((order.get("source") or {}).get("channel") or {}).get("id")
    supplier = (order.get("supplier") or {}).get("id")
    meta = {k: v for k, v in {"channel": channel, "supplier": supplier, "source": source}.items() if v is not None}
    return make_record("order", order["number"], order if data is None else orjson.Fragment(data), meta=meta)


@dataclass
class Carried:
    """An unsent order of this source known only to the store (its file already moved)."""

    order: dict[str, Any]


Item = Fetched | Carried


class Documents:
    """``pipeline.Input`` of a query: the source's documents while the run wants more, then its carried-over orders.

    ``ready`` ends a batch where the source has no more documents, so that batch is
    settled before the carried-over orders are looked up; those are settled one by one.
    """

    mode = "record"

    def __init__(self, run: Run) -> None:
        self.run = run
        self.fetched: Iterator[Fetched] = iter(())
        self.ahead: list[Fetched] = []  # a document read to know whether there is one
        self.carrying = False

    def __iter__(self) -> Iterator[Item]:
        run = self.run
        self.fetched = iter(run.source.fetch(run.query))
        while not run.full() and self.ready():
            yield self.ahead.pop()
        self.carrying = True
        if run.query.unsent and run.source.carry_over and not run.full():
            for number in exports.carry_over(run.store, run.source.name):
                if number in run.seen or run.full():
                    continue
                found = exports.document(run.store, number)
                if found is not None:
                    yield Carried(found[0])

    def ready(self) -> bool:
        """Whether the source has another document (read ahead by one, as the batch would read it)."""
        if self.carrying:
            return False
        if not self.ahead:
            document = next(self.fetched, None)
            if document is None:
                return False
            self.ahead.append(document)
        return True


@dataclass
class Run:
    """One query over one source; ``counts`` is what the run log and export history keep.

    ``process`` and the ``pipeline.StagedWindow`` methods (``prepare``, ``commit``,
    ``discard``) are what ``emit`` hands to the record loop.
    """

    source: Source
    store: Store
    query: Query
    queue: bool = True
    dry: bool = False  # decide as a real run would, then roll every change back and move no file
    requeue_after: float = 600.0
    on_error: Callable[[Fetched, FlowkitError], Record | None] = lambda item, exc: None
    gate: Gate | None = None  # --ready: an order not ready stays pending, not emitted (readiness.py)
    pauses: Pauses = field(default_factory=Pauses)  # paused source, channels, suppliers (pause.py)
    batch: int = 100
    counts: dict[str, int] = field(default_factory=lambda: {"emitted": 0, "failed": 0, "skipped": 0})
    seen: set[str] = field(default_factory=set)
    suppliers: set[str] = field(default_factory=set)  # with --supplier: the ids and names of the orders read
    commit_every = 1  # every batch (a look-ahead) is settled on its own
    # Per batch: export statuses read in one query, numbers handled so far, new orders still to insert,
    # the open transaction, and the fetched documents with the slots of those that failed.
    _known: dict[str, tuple[str, int]] = field(default_factory=dict, init=False, repr=False)
    _touched: set[str] = field(default_factory=set, init=False, repr=False)
    _new: list[tuple[dict[str, Any], str, bytes]] = field(default_factory=list, init=False, repr=False)
    _shared: bool = field(default=True, init=False, repr=False)  # a new order's record reuses its stored JSON
    _tx: AbstractContextManager[Any] | None = field(default=None, init=False, repr=False)
    _batch: list[tuple[Fetched, Pending | None]] = field(default_factory=list, init=False, repr=False)

    def emit(self, writer: Writer) -> None:
        """Run the query through the record loop, writing each batch's records once it is settled."""
        if self.pauses.skips_source(self):  # a paused source is not even fetched
            return
        documents: Input[Item] = Documents(self)
        window: StagedWindow[Item] = self
        self._shared = not writer.pretty  # an indented record re-encodes its body to indent it too
        if self.gate is not None:
            self.counts.setdefault("not_ready", 0)
        try:
            with roomy_collector(YOUNG):  # larger than a batch of parsed orders (flowkit.collector)
                run(documents, writer, self.process, consumes=None, command=COMMAND, window=window)
        finally:
            if self.gate is not None:
                self.gate.close()
        self.pauses.finish(self)
        if self.gate is not None:
            self.gate.finish(self.query, self.counts)

    @property
    def lookahead(self) -> int:
        """The next batch's size: ``batch``, or fewer when ``--limit`` leaves fewer to emit."""
        limit = self.query.limit
        return self.batch if limit is None else max(1, min(self.batch, limit - self.counts["emitted"]))

    def prepare(self, items: list[Item | BadLine]) -> None:
        """Open the batch's transaction and read the export statuses of its orders in one query."""
        if self.gate is not None:  # the readiness checks (HTTP, files) run before the transaction opens
            self.gate.prepare(items, self.query, self.store, excluded)
        self._tx = self.store.transaction(keep=not self.dry)
        self._tx.__enter__()
        numbers = [str(i.order["number"]) for i in items if isinstance(i, Fetched) and i.order]
        self._known = exports.statuses(self.store, numbers)
        self._touched, self._new, self._batch = set(), [], []

    def process(self, item: Item) -> list[Record] | Pending:
        """One document's state change in the batch's transaction; its record is written after the commit."""
        if isinstance(item, Carried):
            record = self.handle(item.order, fresh=False)
        elif item.order is None:  # its error record is made after the commit, when its file has moved
            slot = Pending(make_record("order", item.key or item.where, None))
            self._batch.append((item, slot))
            return slot
        else:
            record = self.handle(item.order, fresh=True)
            self._batch.append((item, None))
        return [] if record is None else [record]

    def closes(self, item: Item | BadLine) -> bool:
        return False  # a batch ends where the look-ahead does

    def commit(self) -> None:
        """Insert the batch's new orders and commit, then move the source's files (write-ahead, then the effect)."""
        tx, self._tx = self._tx, None
        if tx is None:
            return
        try:
            self._flush()
        except BaseException as exc:
            tx.__exit__(type(exc), exc, exc.__traceback__)  # rolled back
            raise
        tx.__exit__(None, None, None)
        for item, slot in self._batch:
            if slot is not None:
                self.counts["failed"] += 1
                if not self.dry:
                    self.source.done(item, False)
                bad = self.on_error(item, item.error or InputError(f"{item.where}: no order"))
                slot.done(*([] if bad is None else [bad]))
            elif not self.dry and item.order and excluded(item.order, self.query) is None and not self.pauses.keeps(item):
                self.source.done(item, True)  # an order another query asks for, or a paused one, stays in the inbox
        self._batch = []

    def discard(self) -> None:
        """A run stopped inside a batch: roll its transaction back, move no file, write none of its records."""
        tx, self._tx = self._tx, None
        if tx is not None:
            stop = InputError("query-orders stopped inside a batch")
            tx.__exit__(type(stop), stop, None)
        self._batch = []

    def full(self) -> bool:
        return self.query.limit is not None and self.counts["emitted"] >= self.query.limit

    def skip(self, why: str) -> None:
        self.counts["skipped"] += 1
        self.counts[f"skipped:{why}"] = self.counts.get(f"skipped:{why}", 0) + 1

    def handle(self, order: dict[str, Any], *, fresh: bool) -> Record | None:
        """One order's state change inside the caller's transaction; its record, or None when skipped."""
        number = order["number"]
        if self.source.carry_over and self.query.unsent:  # only carry-over needs to know what was seen
            self.seen.add(number)
        if self.query.suppliers:
            self.suppliers.update(names(order.get("supplier")))
        why = excluded(order, self.query)
        if why:
            self.skip(f"filter-{why}")
            return None
        known = self._status(str(number)) if fresh else exports.status(self.store, number)
        if order.get("status") == "cancelled":
            return self.cancelled(order, known)
        if self.pauses.holds_back(self, order, known, fresh=fresh, settled=SKIP_UNSENT):  # recorded, not emitted
            return None
        queue_new = known is None and self.queue and not (order.get("hold") or {}).get("on_hold")
        if queue_new and self.gate is not None and self.gate.reason(order) is not None:
            queue_new = False  # not ready: recorded pending, held back below
        if fresh and queue_new:  # inserted with the batch, before any record of it is written
            data = orders.encode(order)  # once: the stored body, its hash and the record's body
            self._new.append((order, "queued", data))
            self.counts["emitted"] += 1
            return order_record(order, self.source.name, data if self._shared else None)
        if fresh:
            orders.upsert(
                self.store,
                order,
                source=self.source.name,
                command=COMMAND,
                export_status="queued" if queue_new else "pending",
            )
        if queue_new:  # queued in the insert itself: no second write of the row
            self.store.add_event(self.store.conn, number, COMMAND, "queued")
            self.counts["emitted"] += 1
            return order_record(order, self.source.name)
        state, updated = self.lifecycle(order, number)
        if self.query.unsent:
            if state in SKIP_UNSENT or (order.get("sync") or {}).get("exported"):
                self.skip(state if state in SKIP_UNSENT else "exported-at-source")
                return None
            if (
                state == "queued"
                and _age(updated) < self.requeue_after
                and exports.in_flight(self.store, number, self.store.run_id)
            ):
                self.skip("queued-recently")
                return None
        if self.gate is not None and self.gate.holds(order, self.counts, self.store):  # not ready: not emitted, not queued
            return None
        if self.queue and state in ("pending", "failed", "queued"):
            orders.set_export_status(self.store, number, "queued", command=COMMAND)
        self.counts["emitted"] += 1
        return order_record(order, self.source.name)

    def _status(self, number: str) -> tuple[str, int] | None:
        """An order's export status inside ``settle``: from the batch query, or read again once touched."""
        if number in self._touched:
            self._flush()
            return exports.status(self.store, number)
        self._touched.add(number)
        return self._known.get(number)

    def _flush(self) -> None:
        if self._new:
            orders.insert_new(self.store, self._new, source=self.source.name, command=COMMAND)
            self._new = []

    def lifecycle(self, order: dict[str, Any], number: str) -> tuple[str, str]:
        """Apply the source's hold flag; returns (export_status, updated_at)."""
        state, reason, updated = exports.lifecycle(self.store, number)
        hold = order.get("hold") or {}
        if hold.get("on_hold") and state in ("pending", "queued", "failed"):
            reason = f"source: {hold.get('reason') or 'on hold'}"
            orders.set_export_status(self.store, number, "held", command=COMMAND, reason=reason)
            state = "held"
        elif not hold.get("on_hold") and state == "held" and str(reason or "").startswith("source:"):
            orders.set_export_status(self.store, number, "pending", command=COMMAND, reason="released at source")
            state = "pending"
        return state, updated

    def cancelled(self, order: dict[str, Any], known: tuple[str, int] | None) -> Record | None:
        """A cancelled order is never queued; a known one is moved to cancelled, loudly if it was queued.

        It is emitted only when asked for by hand (``--status cancelled``, or ``--number`` without ``--unsent``).
        """
        wanted = "cancelled" in self.query.statuses or (self.query.number is not None and not self.query.unsent)
        if known is not None and known[0] != "cancelled":
            orders.upsert(self.store, order, source=self.source.name, command=COMMAND)
            previous = known[0]
            if previous in ("queued", "exported"):
                log.warning("order %s was cancelled at the source after it was %s", order["number"], previous)
            orders.set_export_status(
                self.store, order["number"], "cancelled", command=COMMAND, reason=f"cancelled at source (was {previous})"
            )
        elif known is None and wanted:
            orders.upsert(self.store, order, source=self.source.name, command=COMMAND, export_status="cancelled")
        if not wanted:
            self.skip("cancelled")
            return None
        self.counts["emitted"] += 1
        return order_record(order, self.source.name)


def _age(stamp: str) -> float:
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return float("inf")
    return (datetime.now(UTC) - moment).total_seconds()
