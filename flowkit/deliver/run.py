"""Wiring for ``flowkit deliver``: policy and templates from the config, the stream loop, the lock.

Kept apart from ``flowkit/deliver/core.py`` (the per-record ledger logic) and from
the click command, so both stay small and the loop can be driven from code.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, MutableMapping
from typing import Any

from flowkit.config import Config
from flowkit.deliver.core import CONSUMES, Deliverer, Outcome, Policy, summary
from flowkit.errors import ExitCode, RecordError
from flowkit.pipeline import Tally, error_record, report
from flowkit.records import BadLine, Reader, Record, Writer
from flowkit.store import Store
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
    return Deliverer(store, str(spec["name"]), transport, policy, template=templater(config, spec, name_template))


def lock_name(dest: str) -> str:
    """A file-name-safe lock name per destination."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", dest)[:60]
    return f"deliver-{safe}-{hashlib.sha256(dest.encode()).hexdigest()[:8]}"


def run_stream(reader: Reader, writer: Writer, deliverer: Deliverer, tally: Tally) -> None:
    """Deliver the consumed records, pass the others through, in input order.

    Payloads are handed over in windows of distinct keys (``deliverer.window``)
    so intents and outcomes are committed per window; a pass-through record, a
    repeated key, an input that has nothing more to read yet (a slow producer)
    or the end of input closes the window first.
    """
    window: list[Record] = []
    keys: set[str] = set()  # the window's keys
    for item in reader:
        if isinstance(item, BadLine) or item["kind"] not in CONSUMES or item["key"] in keys:
            flush(window, writer, deliverer, tally)
            keys.clear()
        if isinstance(item, BadLine):
            report(item.where, item.message)
            tally.failed += 1
            tally.codes.append(int(ExitCode.DATAERR))
        elif item["kind"] not in CONSUMES:
            writer.write(item)
            tally.passed += 1
        else:
            window.append(item)
            keys.add(item["key"])
            if len(window) >= deliverer.window or not reader.ready():
                flush(window, writer, deliverer, tally)
                keys.clear()
    flush(window, writer, deliverer, tally)


def flush(window: list[Record], writer: Writer, deliverer: Deliverer, tally: Tally) -> None:
    """Deliver the pending window and write its results (or error records) in order."""
    if not window:
        return
    outcomes = deliverer.deliver_many(list(window))
    chunks = []  # the window's result records, written at once
    for item, outcome in zip(window, outcomes, strict=False):
        if isinstance(outcome, RecordError):
            report(f"record {item['key']!r}", outcome.format_message())
            chunks.append(writer.encode(error_record(item, "deliver", outcome)))
            tally.failed += 1
            tally.codes.append(outcome.exit_code)
        else:
            count_outcome(outcome, tally)
            chunks.append(writer.encode(outcome.result))
    writer.put(chunks)
    window.clear()


def record_outcome(outcome: Outcome, writer: Writer, tally: Tally) -> None:
    """Write the result record; count a failure with its exit code and name it on stderr."""
    count_outcome(outcome, tally)
    writer.write(outcome.result)


def count_outcome(outcome: Outcome, tally: Tally) -> None:
    """Count an outcome in the tally (a failure with its exit code, named on stderr)."""
    if outcome.code is None:
        tally.ok += 1
        return
    body = outcome.result["body"]
    report(f"record {body['key']!r}", f"{body['status']}: {body['error']}")
    tally.failed += 1
    tally.codes.append(outcome.code)


def deliver_all(
    deliverer: Deliverer, reader: Reader | None, writer: Writer, counts: MutableMapping[str, int]
) -> tuple[Tally, str]:
    """Run the batch (records from ``reader``, or the ledger's failed ones when None); close; summarise."""
    tally = Tally()
    try:
        if reader is None:
            for outcome in deliverer.retry_failed():
                record_outcome(outcome, writer, tally)
        else:
            run_stream(reader, writer, deliverer, tally)
    finally:
        deliverer.close()
        counts.update({**tally.as_dict(), **deliverer.counts})
    return tally, summary(deliverer.destination, deliverer.counts)
