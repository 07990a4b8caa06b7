"""import-status on the record loop: each status record applied by ``pipeline.run``.

The loop is ``flowkit.message_loop``'s, as import-shipment's: a failed message
writes its ``failure`` status-result, one line on stderr, and counts as failed;
the other outcomes are counted by result for the run log. In inbox mode a file
any of whose messages failed stays for the next run (the order may not be known
yet); a file that cannot be read as messages is parked at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flowkit import inbox, message_loop
from flowkit.errors import InputError
from flowkit.import_shipment.decode import decoder
from flowkit.import_status.core import COMMAND, Options, apply
from flowkit.log import LOG
from flowkit.pipeline import Tally
from flowkit.records import Item, Peekable, Writer
from flowkit.store import Store
from flowkit.store import statuses as ledger

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


class Apply(message_loop.Apply[Options]):
    """Apply one status message (``message_loop.Apply``), counting the outcomes by result for the run log."""

    def __init__(self, store: Store, options: Options) -> None:
        super().__init__(store, options, apply)
        self.results: Counter[str] = Counter()

    def seen(self, body: dict[str, Any]) -> None:
        self.results[body["result"]] += 1
        if body["result"] in ("stale", "duplicate", "ignored"):  # said with -v; the result record and the story keep it
            LOG.info("import-status: message %s (order %r): %s", body["message_seq"], body["order"], body["message"])


LOOP = message_loop.Messages(
    COMMAND, "status", decode, inbox.Policy(COMMAND, ledger.inbox_outcome, inbox.first_number, park_unreadable=True)
)


def run_files(store: Store, files: tuple[str, ...], writer: Writer, process: Apply) -> Tally:
    """Apply every status message in ``files`` (stdin when none); other kinds pass through."""
    return LOOP.files(files, writer, process)


def run_inbox(store: Store, folder: Path, writer: Writer, process: Apply, *, batch_size: int, max_attempts: int) -> Tally:
    """Process up to ``batch_size`` inbox files; each moves to done/ or, when dead, failed/."""
    return LOOP.inbox(store, folder, writer, process, batch_size=batch_size, max_attempts=max_attempts)
