"""import-shipment on the record loop: each shipment record applied by ``pipeline.run``.

A failed message writes its ``failure`` shipment-result (not an error record),
one line on stderr, and counts as failed in the run's tally. Inbox mode hands
each file to ``flowkit.inbox``: a file any of whose messages failed stays for
the next run; a file that cannot be read as messages is parked at once.
"""

from __future__ import annotations

from pathlib import Path

from flowkit import inbox
from flowkit.errors import ExitCode, InputError
from flowkit.import_shipment.core import COMMAND, Options, apply
from flowkit.import_shipment.decode import decoder
from flowkit.pipeline import Tally, report, run
from flowkit.records import Reader, Record, Writer
from flowkit.store import Store
from flowkit.store import shipments as ledger

CONSUMES = ("shipment",)
POLICY = inbox.Policy(COMMAND, ledger.inbox_outcome, inbox.first_number, park_unreadable=True)


class Apply:
    """The per-record core for ``pipeline.run``: apply one message, count the ones that failed."""

    def __init__(self, store: Store, options: Options) -> None:
        self.store, self.options = store, options
        self.failed = 0
        self.first: str | None = None  # the first failure since reset (an inbox file's, for its error note and alert)

    def __call__(self, record: Record) -> list[Record]:
        outputs, ok = apply(self.store, record, self.options)
        if not ok:
            body = outputs[0]["body"]
            seq = body["message_seq"]
            where = f"message {seq}" if seq is not None else f"record {record['key']!r}"
            text = where + (f" (order {body['order']!r})" if body["order"] else "")
            report(text, body["message"], key=record["key"], exit_code=body.get("exit_code"))
            self.failed += 1
            self.first = self.first or f"{text}: {body['message']}"
        return outputs


def _run(reader: Reader, writer: Writer, process: Apply) -> Tally:
    """``pipeline.run`` over ``reader``; a failed message counts as failed, not done."""
    before = process.failed
    tally = run(reader, writer, process, consumes=CONSUMES, command=COMMAND, bad_lines="shipment")
    failed = process.failed - before
    tally.ok -= failed
    tally.failed += failed
    tally.codes += [int(ExitCode.DATAERR)] * failed
    return tally


def run_files(store: Store, files: tuple[str, ...], writer: Writer, options: Options) -> Tally:
    """Apply every shipment message in ``files`` (stdin when none); other kinds pass through."""
    return _run(Reader(files, decode=decoder("shipment")), writer, Apply(store, options))


def run_inbox(store: Store, folder: Path, writer: Writer, options: Options, *, batch_size: int, max_attempts: int) -> Tally:
    """Process up to ``batch_size`` inbox files; each moves to done/ or, when dead, failed/."""
    total = Tally()
    process = Apply(store, options)

    def handle(path: Path) -> None:
        process.first = None
        tally = _run(inbox.reader(path, decoder("shipment")), writer, process)
        total.ok, total.passed = total.ok + tally.ok, total.passed + tally.passed
        total.failed, total.codes = total.failed + tally.failed, total.codes + tally.codes
        if tally.failed:
            first = f"; the first: {process.first}" if process.first else ""
            raise InputError(f"{tally.failed} message(s) failed{first}")

    outcome = inbox.run(folder, handle, store=store, policy=POLICY, batch_size=batch_size, max_attempts=max_attempts, warn=report)
    total.failed += outcome.unreadable
    total.codes += [int(ExitCode.DATAERR)] * outcome.unreadable
    return total
