"""The core of ``query-products``: fetch products, keep their export state, emit the ones asked for.

Every product read from the source is recorded (``store/products.py``) with
its fingerprint (``product_model.fingerprint``: its canonical JSON without
``updated_at``): a new product is pending, a changed one goes back to pending,
an unchanged one keeps its state. Then the filters choose what is emitted:
``changed`` (pending or failed, and queued ones whose pipeline ended without
a result), ``skus``, or ``all``. An emitted product is queued, with its
operation (``create`` until it was exported once, ``update`` after) in
``meta.operation``, in the same transaction as the batch's other writes and
before any record of the batch is written: a run killed half-way loses
nothing, and its queued products come back on the next ``--changed`` run once
its pipeline has ended (``exports.in_flight``, the same test query-orders
makes), or after ``requeue_after`` seconds in any case.

The run goes through the one record loop, ``pipeline.run``, with ``Run`` as its
``pipeline.StagedWindow``: ``prepare`` opens a batch's transaction and reads its
products' states in one query, ``commit`` inserts the new ones, queues the
emitted ones and commits, ``discard`` rolls a stopped batch back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from flowkit import log
from flowkit.errors import FlowkitError, InputError
from flowkit.pipeline import Input, StagedWindow, error_record, run
from flowkit.product_model import fingerprint
from flowkit.records import BadLine, Record, Writer, make_record
from flowkit.sources import Fetched, Source
from flowkit.sources.products import ProductQuery
from flowkit.store import Store, products
from flowkit.store.db import now
from flowkit.store.exports import in_flight

COMMAND = "query-products"


@dataclass(frozen=True)
class Wanted:
    """The lifecycle filters: what is emitted of the products read (at least one of them is set)."""

    changed: bool = False  # pending, failed, or queued by a pipeline that ended
    all: bool = False  # every product read, whatever its state
    requeue_after: float = 600.0


class Documents:
    """``pipeline.Input`` of a run: the source's documents while the run wants more."""

    mode = "record"

    def __init__(self, run: Run) -> None:
        self.run = run

    def __iter__(self) -> Iterator[Fetched]:
        for item in self.run.source.fetch(self.run.query):
            if self.run.full():
                return
            yield item

    def ready(self) -> bool:
        return True  # a batch is as long as the look-ahead: the source is read as fast as it answers


@dataclass
class Run:
    """One query-products run over one source; ``counts`` is what the run log and the history keep."""

    source: Source
    store: Store
    query: ProductQuery
    wanted: Wanted
    queue: bool = True  # --raw looks at one product: recorded, not queued
    dry: bool = False  # decide as a real run would, then roll every change back
    batch: int = 100
    counts: dict[str, int] = field(
        default_factory=lambda: {"emitted": 0, "created": 0, "updated": 0, "unchanged": 0, "failed": 0, "skipped": 0}
    )
    commit_every = 1  # every batch (a look-ahead) is settled on its own
    _known: dict[str, products.Known] = field(default_factory=dict, init=False, repr=False)
    _new: list[tuple[dict[str, Any], bytes, str]] = field(default_factory=list, init=False, repr=False)
    _queued: list[tuple[str, str]] = field(default_factory=list, init=False, repr=False)
    _tx: AbstractContextManager[Any] | None = field(default=None, init=False, repr=False)
    _shared: bool = field(default=True, init=False, repr=False)
    found: set[str] = field(default_factory=set, init=False, repr=False)  # the asked --sku SKUs the source has

    def emit(self, writer: Writer) -> None:
        """Run the query through the record loop, writing each batch's records once it is settled."""
        self._shared = not writer.pretty  # an indented record re-encodes its body to indent it too
        window: StagedWindow[Fetched] = self
        documents: Input[Fetched] = Documents(self)
        run(documents, writer, self.process, consumes=None, command=COMMAND, window=window)

    @property
    def lookahead(self) -> int:
        limit = self.query.limit
        return self.batch if limit is None else max(1, min(self.batch, limit - self.counts["emitted"]))

    def full(self) -> bool:
        return self.query.limit is not None and self.counts["emitted"] >= self.query.limit

    def prepare(self, items: list[Fetched | BadLine]) -> None:
        """Open the batch's transaction and read the states of its products in one query."""
        self._tx = self.store.transaction(keep=not self.dry)
        self._tx.__enter__()
        self._known = products.known(self.store, [str(i.order["sku"]) for i in items if isinstance(i, Fetched) and i.order])
        self._new, self._queued = [], []

    def closes(self, item: Fetched | BadLine) -> bool:
        return False  # a batch ends where the look-ahead does

    def commit(self) -> None:
        """Insert the batch's new products, queue the emitted ones, commit: then its records are written."""
        tx, self._tx = self._tx, None
        if tx is None:
            return
        try:
            if self._new:
                products.insert_new(self.store, self._new, source=self.source.name, command=COMMAND)
            if self._queued:
                products.queue(self.store, self._queued, command=COMMAND)
        except BaseException as exc:
            tx.__exit__(type(exc), exc, exc.__traceback__)  # rolled back
            raise
        tx.__exit__(None, None, None)

    def discard(self) -> None:
        """A run stopped inside a batch: roll its transaction back; none of its records is written."""
        tx, self._tx = self._tx, None
        if tx is not None:
            stop = InputError("query-products stopped inside a batch")
            tx.__exit__(type(stop), stop, None)

    def process(self, item: Fetched) -> list[Record]:
        if item.order is None:
            return [self.failed(item, item.error or InputError(f"{item.where}: no product"))]
        record = self.handle(item.order)
        return [] if record is None else [record]

    def failed(self, item: Fetched, exc: FlowkitError) -> Record:
        """One line on stderr naming the document, and an error record in its place."""
        self.counts["failed"] += 1
        key = item.key or item.where
        log.emit(f"flowkit: {exc.format_message()}", event="record-failed", level="error", key=key, exit_code=exc.exit_code)
        return error_record(make_record("product", key, None, meta={"source": self.source.name}), COMMAND, exc)

    def skip(self, why: str) -> None:
        self.counts["skipped"] += 1
        self.counts[f"skipped:{why}"] = self.counts.get(f"skipped:{why}", 0) + 1

    def handle(self, product: dict[str, Any]) -> Record | None:
        """Record one product's state (inside the batch's transaction); its record when it is emitted."""
        sku, query = str(product["sku"]), self.query
        if query.types and product.get("type") not in query.types:
            self.skip("type")
            return None
        if query.skus and sku not in query.skus:
            self.skip("sku")
            return None
        if query.skus:
            self.found.add(sku)
        digest, data = fingerprint(product), b""  # its JSON once it is needed: an unchanged product's never is
        state = self._known.get(sku)
        if state is None:
            data = orjson.dumps(product)
            self._new.append((product, data, digest))
            state = products.Known(digest, "pending", None, False, now())
        elif state.content_hash != digest:
            data = orjson.dumps(product)
            products.changed(self.store, product, data, digest, source=self.source.name, command=COMMAND)
            state = state._replace(content_hash=digest, export_status="pending", updated_at=now())
        else:
            self.counts["unchanged"] += 1
        if not self.chosen(sku, state):
            self._known[sku] = state
            return None
        operation = state.operation
        if self.queue:
            self._queued.append((sku, operation))
            state = state._replace(export_status="queued", updated_at=now())
        self._known[sku] = state  # a SKU the source lists twice sees what its first listing did
        self.counts["emitted"] += 1
        self.counts["created" if operation == "create" else "updated"] += 1
        meta: dict[str, Any] = {"source": self.source.name, "operation": operation, "type": product.get("type")}
        meta["product_hash"] = digest
        meta["versioned"] = True  # a version of the product: deliver keeps the destination on the latest one
        if state.resend:
            meta["resend"] = True  # reset by hand: deliver sends it even where the same payload was delivered
        body = orjson.Fragment(data or orjson.dumps(product)) if self._shared else product
        return make_record("product", sku, body, meta=meta)

    def chosen(self, sku: str, state: products.Known) -> bool:
        """Whether the lifecycle filters emit a product in ``state`` (counted as skipped when not)."""
        if self.wanted.all or not self.wanted.changed:  # --all, or --sku alone: whatever its state
            return True
        status = state.export_status
        if status in ("pending", "failed"):
            return True
        if status == "queued":
            age = _age(state.updated_at)
            if age >= self.wanted.requeue_after or not in_flight(self.store, sku, self.store.run_id):
                return True
            self.skip("queued-recently")
            return False
        self.skip(status)
        return False


def _age(stamp: str) -> float:
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return float("inf")
    return (datetime.now(UTC) - moment).total_seconds()
