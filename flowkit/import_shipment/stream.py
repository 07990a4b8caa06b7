"""import-shipment on the message loop (``flowkit.message_loop``): each shipment record applied by ``pipeline.run``.

A failed message writes its ``failure`` shipment-result (not an error record),
one line on stderr, and counts as failed in the run's tally. Inbox mode: a
file any of whose messages failed stays for the next run; a file that cannot
be read as messages is parked at once.
"""

from __future__ import annotations

from pathlib import Path

from flowkit import inbox
from flowkit.import_shipment.core import COMMAND, Options, apply
from flowkit.import_shipment.decode import decoder
from flowkit.message_loop import Apply, Messages
from flowkit.pipeline import Tally
from flowkit.records import Writer
from flowkit.store import Store
from flowkit.store import shipments as ledger

LOOP = Messages(
    COMMAND,
    "shipment",
    decoder("shipment"),
    inbox.Policy(COMMAND, ledger.inbox_outcome, inbox.first_number, park_unreadable=True),
)


def run_files(store: Store, files: tuple[str, ...], writer: Writer, options: Options) -> Tally:
    """Apply every shipment message in ``files`` (stdin when none); other kinds pass through."""
    return LOOP.files(files, writer, Apply(store, options, apply))


def run_inbox(store: Store, folder: Path, writer: Writer, options: Options, *, batch_size: int, max_attempts: int) -> Tally:
    """Process up to ``batch_size`` inbox files; each moves to done/ or, when dead, failed/."""
    return LOOP.inbox(store, folder, writer, Apply(store, options, apply), batch_size=batch_size, max_attempts=max_attempts)
