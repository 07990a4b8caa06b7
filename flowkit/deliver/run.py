"""Wiring for ``flowkit deliver``: policy and templates from the config, the deliver window, the lock.

Kept apart from ``flowkit/deliver/core.py`` (the per-record ledger logic) and from
the click command, so both stay small. Records go through the one record loop,
``pipeline.run``: payloads from the input in ``Staging`` windows, or with
``--retry-failed`` the ledger's failed deliveries (``Retries``), one at a time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from flowkit import pipeline
from flowkit.config import Config
from flowkit.deliver.ahead import Ahead, Prepared
from flowkit.deliver.claims import SharedDeliverer, shared
from flowkit.deliver.core import CONSUMES, Deliverer
from flowkit.deliver.model import Outcome, Policy, summary
from flowkit.deliver.readahead import ReadAhead
from flowkit.errors import FlowkitError, RecordError
from flowkit.pipeline import Pending, Tally, finish
from flowkit.records import BadLine, Reader, Record, Writer, is_json_type, make_record
from flowkit.store import Store
from flowkit.store import delivery as ledger
from flowkit.transports import destination, open_transport
from flowkit.transports.base import option


def policy_for(config: Config, spec: dict[str, Any], *, force: bool, max_attempts: int | None) -> Policy:
    """Retry policy: destination table over ``[deliver]`` over defaults; flags win."""
    merged = {**config.section("deliver"), **spec}
    defaults = Policy()
    return Policy(
        max_attempts=max_attempts or int(option(merged, "max_attempts", defaults.max_attempts, int)),
        retries=int(option(merged, "retries", defaults.retries, int)),
        base_delay=float(option(merged, "base_delay", defaults.base_delay, (int, float))),
        max_delay=float(option(merged, "max_delay", defaults.max_delay, (int, float))),
        force=force,
        once_per_key=bool(option(merged, "once_per_key", False, bool)),
    )


def templater(config: Config, spec: dict[str, Any], flag: str | None) -> Callable[[Record], str | None]:
    """Which file-name template applies to a record (flag > channel/supplier > destination > [deliver])."""
    base = config.section("deliver").get("filename")

    def template(record: Record) -> str | None:
        if flag:
            return flag
        per_record = config.options("deliver", record.get("meta")).get("filename")
        if per_record and per_record != base:
            return str(per_record)
        chosen = spec.get("filename") or base
        return str(chosen) if chosen else None

    return template


def build(
    config: Config,
    store: Store,
    target: str,
    *,
    name_template: str | None = None,
    force: bool = False,
    max_attempts: int | None = None,
) -> Deliverer:
    """A Deliverer for ``target`` (a destination name or URL), transport built but not yet opened."""
    spec = destination(config, target)
    transport = open_transport(spec, config)
    policy = policy_for(config, spec, force=force, max_attempts=max_attempts)
    kind = SharedDeliverer if shared(store) else Deliverer  # a store runs share (PostgreSQL): per-key claims
    return kind(store, str(spec["name"]), transport, policy, template=templater(config, spec, name_template))


def lock_name(dest: str) -> str:
    """A file-name-safe lock name per destination."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", dest)[:60]
    return f"deliver-{safe}-{hashlib.sha256(dest.encode()).hexdigest()[:8]}"


class Sender(Protocol):
    """What ``Staging`` sends a window through: one ``Deliverer``, or ``lanes.Router`` (one per destination)."""

    @property
    def window(self) -> int: ...

    @property
    def store(self) -> Store: ...

    def deliver_many(
        self, records: list[Record], prepared: list[Prepared | BaseException] | None = None
    ) -> list[Outcome | RecordError]: ...


FIRST_WINDOW = 8  # records in a run's first window (the next ones: the destination's window)
READ_AHEAD = 64  # records parsed ahead at most (a hotfolder's whole window of 256 ahead took 60 MiB more at peak)


class Staging:
    """``pipeline.StagedWindow`` for deliver: a window of payloads with distinct keys, sent at commit.

    ``process`` queues a payload and returns its ``Pending`` result; ``commit`` hands the
    window to ``Deliverer.deliver_many`` (intents committed in one transaction before any
    side effect, ``put_many``, outcomes committed after) and fills the results. A bad
    line or a repeated key closes the window first (a pass-through record keeps its
    place in the output without closing it); so do a full window (``Deliverer.window``
    records) and an input that has nothing more to read yet.
    A queued payload is hashed and packed on a worker thread (``ahead.Ahead``) while the
    next records are read; ``close`` stops the worker. When the input is read ahead
    (``readahead``), payloads go to that worker as they are read (``early``), not as queued.
    """

    lookahead = 1  # nothing to look up ahead: the window reads its keys' ledger rows when it is sent
    keeps_passed = True  # a pass-through record in the window is written even when the window is dropped

    def __init__(self, deliverer: Sender) -> None:
        self.deliverer = deliverer
        self.queued: list[Pending] = []
        self.keys: set[str] = set()  # the window's keys
        self.ahead = Ahead() if deliverer.window > 1 else None
        if self.ahead is not None:
            self.ahead.dictionary = deliverer.store.dictionaries.current("payload")
        self.early = False  # payloads are handed to ``ahead`` as they are read (``submit``), not in ``process``
        self.committed = 0  # windows sent so far

    @property
    def commit_every(self) -> int:
        # a router's window grows as its destinations are first used; a run's first window is small, so the
        # first send (and the connection it opens) starts before a whole window has been read
        return self.deliverer.window if self.committed else min(self.deliverer.window, FIRST_WINDOW)

    def prepare(self, items: list[Record | BadLine]) -> None:
        pass

    def closes(self, item: Record | BadLine) -> bool:
        # A pass-through record (apply-rules' alerts between the payloads) joins the window's place in the
        # output like any other: closing on it made windows of one payload, two fsyncs and two transactions
        # each, on a stream with an alert per order.
        return isinstance(item, BadLine) or item["key"] in self.keys and item["kind"] in CONSUMES

    def submit(self, item: Record | BadLine) -> None:
        """Hand a payload to the worker as it is read (the records ``process`` will get, in the same order)."""
        if self.ahead is not None and not isinstance(item, BadLine) and item["kind"] in CONSUMES:
            self.ahead.submit(item)

    def process(self, record: Record) -> Pending:
        if self.ahead is not None and not self.early:
            self.ahead.submit(record)
        slot = Pending(record)
        self.queued.append(slot)
        self.keys.add(record["key"])
        return slot

    def commit(self) -> None:
        if not self.queued:
            return
        prepared = self.ahead.take(len(self.queued)) if self.ahead is not None else None
        self.committed += 1
        self.queued, queued = [], self.queued
        outcomes = self.deliverer.deliver_many([slot.record for slot in queued], prepared)
        if self.ahead is not None:  # the next windows' payloads are packed with the dictionary the ledger has now
            self.ahead.dictionary = self.deliverer.store.dictionaries.current("payload")
        for slot, outcome in zip(queued, outcomes, strict=True):
            if isinstance(outcome, RecordError):
                slot.failed(outcome)
            else:
                fill(slot, outcome)
        self.keys.clear()

    def discard(self) -> None:
        if self.ahead is not None:
            self.ahead.take(len(self.queued))  # the worker's results for records that will not be sent
        self.queued.clear()
        self.keys.clear()

    def close(self) -> None:
        if self.ahead is not None:
            self.ahead.close()


def fill(slot: Pending, outcome: Outcome) -> None:
    """A record's result: done, or failed with its result record (named on stderr, counted with its code)."""
    if outcome.code is None:
        slot.done(outcome.result)
        return
    body = outcome.result["body"]
    error = RecordError(f"{body['status']}: {body['error']}", code=outcome.code, quiet=outcome.quiet)
    slot.failed(error, outcome.result)


@dataclass
class Retry:
    """A failed delivery to send again: the payload its kept body stands for, and its ledger row."""

    record: Record
    entry: ledger.Entry


@dataclass
class Retries:
    """``pipeline.Input`` for ``--retry-failed``: the destination's failed deliveries whose body is kept."""

    deliverer: Deliverer
    mode: str = "record"

    def __iter__(self) -> Iterator[Retry | BadLine]:
        store, destination = self.deliverer.store, self.deliverer.destination
        for entry in ledger.retryable(store, destination):
            kept = ledger.body(store, entry.id)
            if kept is not None:
                yield Retry(rebuild(entry.key, *kept), entry)

    def ready(self) -> bool:
        return True  # the ledger is read as fast as the records are sent

    def process(self, item: Retry) -> Pending:
        slot = Pending(item.record)
        fill(slot, self.deliverer.retry(item.record, item.entry))
        return slot


def rebuild(key: str, media: str, meta: dict[str, Any], data: bytes) -> Record:
    """The payload record a kept body stands for."""
    body: Any = orjson.loads(data) if is_json_type(media) else data.decode("utf-8")
    return make_record("payload", key, body, type=media, meta=dict(meta))


def read_ahead(reader: Reader, staging: Staging) -> Reader | ReadAhead:
    """The input read up to ``READ_AHEAD`` records ahead on a worker thread (``readahead``) when records go
    out in windows, each payload hashed and packed as soon as it is read."""
    if staging.ahead is None:
        return reader
    staging.early = True
    return ReadAhead(reader, min(staging.deliverer.window, READ_AHEAD), staging.submit)


def deliver_all(
    deliverer: Deliverer, reader: Reader | None, writer: Writer, counts: MutableMapping[str, int]
) -> tuple[Tally, str]:
    """Run the batch (records from ``reader``, or the ledger's failed ones when None); close; summarise."""
    tally = Tally()
    try:
        if reader is None:
            retries = Retries(deliverer)
            pipeline.run(retries, writer, retries.process, consumes=None, command="deliver", tally=tally)
        else:
            staging = Staging(deliverer)
            source = read_ahead(reader, staging)
            try:
                pipeline.run(source, writer, staging.process, consumes=CONSUMES, command="deliver", window=staging, tally=tally)
            finally:
                staging.close()
    finally:
        deliverer.close()
        counts.update({**tally.as_dict(), **deliverer.counts})
    return tally, summary(deliverer.destination, deliverer.counts)


def finish_run(tally: Tally, downs: list[FlowkitError]) -> None:
    """The run's exit: when every failure is one destination refusing us (69), that code; else ``pipeline.finish``.

    A refusal wins even beside duplicates or payloads sent before (a cron script tells 69 "fix
    credentials" from 1 "bad data"); all-75 is finish's ("all failures are temporary").
    """
    refused = {int(down.exit_code) for down in downs if down.exit_code != 75}
    if tally.codes and len(set(tally.codes)) == 1 and tally.codes[0] in refused:
        from flowkit.errors import PartialError

        raise PartialError(f"{tally.failed} record(s) not sent, {tally.ok} done").with_code(tally.codes[0])
    finish(tally)
