"""import-status on the record loop: each status record applied by ``pipeline.run``.

A failed message writes its ``failure`` status-result (not an error record),
one line on stderr, and counts as failed in the run's tally; the other
outcomes are counted by result for the run log. Inbox mode hands each file to
``flowkit.inbox``: a file any of whose messages failed stays for the next run
(the order may not be known yet); a file that cannot be read as messages is
parked at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from flowkit import inbox
from flowkit.errors import ExitCode, InputError
from flowkit.import_shipment.decode import decoder
from flowkit.import_status.core import COMMAND, Options, apply
from flowkit.log import LOG
from flowkit.pipeline import Tally, report, run
from flowkit.records import Item, Peekable, Reader, Record, Writer
from flowkit.store import Store
from flowkit.store import statuses as ledger

CONSUMES = ("status",)
POLICY = inbox.Policy(COMMAND, ledger.inbox_outcome, inbox.first_number, park_unreadable=True)
_plain = decoder("status")


def decode(name: str, stream: Peekable, first: bytes) -> Iterator[Item]:
    """JSON messages (NDJSON, a JSON array, one object, or records) as ``status`` records keyed by their order."""
    if first not in (b"{", b"["):
        raise InputError(f"{name}: not a status message (expected JSON or NDJSON)")
    for item in _plain(name, stream, first):
        if isinstance(item, dict):
            body = item.get("body")
            if isinstance(body, dict) and body.get("orderReferenceId") is not None and item["key"] == str(body.get("orderId")):
                item["key"] = str(body["orderReferenceId"])  # a Gelato event: the shop's order number, not Gelato's id
        yield item


class Apply:
    """The per-record core for ``pipeline.run``: apply one message, count the outcomes."""

    def __init__(self, store: Store, options: Options) -> None:
        self.store, self.options = store, options
        self.failed = 0
        self.results: Counter[str] = Counter()

    def __call__(self, record: Record) -> list[Record]:
        outputs, ok = apply(self.store, record, self.options)
        body = outputs[0]["body"]
        self.results[body["result"]] += 1
        if body["result"] in ("stale", "duplicate", "ignored"):  # said with -v; the result record and the story keep it
            LOG.info("import-status: message %s (order %r): %s", body["message_seq"], body["order"], body["message"])
        if not ok:
            seq = body["message_seq"]
            where = f"message {seq}" if seq is not None else f"record {record['key']!r}"
            report(where + (f" (order {body['order']!r})" if body["order"] else ""), body["message"], key=record["key"])
            self.failed += 1
        return outputs


def _run(reader: Reader, writer: Writer, process: Apply) -> Tally:
    """``pipeline.run`` over ``reader``; a failed message counts as failed, not done."""
    before = process.failed
    tally = run(reader, writer, process, consumes=CONSUMES, command=COMMAND, bad_lines="status")
    failed = process.failed - before
    tally.ok -= failed
    tally.failed += failed
    tally.codes += [int(ExitCode.DATAERR)] * failed
    return tally


def run_files(store: Store, files: tuple[str, ...], writer: Writer, process: Apply) -> Tally:
    """Apply every status message in ``files`` (stdin when none); other kinds pass through."""
    return _run(Reader(files, decode=decode), writer, process)


def run_inbox(store: Store, folder: Path, writer: Writer, process: Apply, *, batch_size: int, max_attempts: int) -> Tally:
    """Process up to ``batch_size`` inbox files; each moves to done/ or, when dead, failed/."""
    total = Tally()

    def handle(path: Path) -> None:
        tally = _run(inbox.reader(path, decode), writer, process)
        total.ok, total.passed = total.ok + tally.ok, total.passed + tally.passed
        total.failed, total.codes = total.failed + tally.failed, total.codes + tally.codes
        if tally.failed:
            raise InputError(f"{tally.failed} message(s) failed")

    outcome = inbox.run(folder, handle, store=store, policy=POLICY, batch_size=batch_size, max_attempts=max_attempts, warn=report)
    total.failed += outcome.unreadable
    total.codes += [int(ExitCode.DATAERR)] * outcome.unreadable
    return total
