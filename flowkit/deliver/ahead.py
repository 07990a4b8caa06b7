"""A payload's bytes, content hash and packed copy, worked out on a worker thread while the next records are read.

deliver hashes every body (the ledger's content hash) and keeps it packed
(``store.bodies.pack``) with its intent. zstd and sha256 let other threads run
while they work, so one worker thread does both for the records of a window as
they arrive, while the main thread reads and parses the records after them;
the window takes the results, in order, when it is sent. Nothing is written
from the worker: the ledger and the sends stay on the main thread, in order.
"""

from __future__ import annotations

import hashlib
import threading
from queue import SimpleQueue
from typing import NamedTuple

from flowkit.records import Record, body_bytes
from flowkit.store.bodies import Dictionary, pack


class Prepared(NamedTuple):
    """A payload as deliver needs it: its bytes, ``sha256:HEX`` of them, and the copy the ledger keeps."""

    data: bytes
    digest: str
    packed: bytes | None  # None: not packed yet (the ledger packs it if it keeps it)


def prepare(record: Record, *, packed: bool = True, dictionary: Dictionary | None = None) -> Prepared:
    data = body_bytes(record)
    kept = pack(data, dictionary=dictionary) if packed else None
    return Prepared(data, "sha256:" + hashlib.sha256(data).hexdigest(), kept)


class Ahead:
    """``prepare`` on a worker thread, results taken in submission order (``take``)."""

    def __init__(self) -> None:
        self._jobs: SimpleQueue[Record | None] = SimpleQueue()
        self._done: SimpleQueue[Prepared | BaseException] = SimpleQueue()
        self._thread: threading.Thread | None = None
        self._closed = False
        # the store's payload dictionary, set by the main thread between windows (the ledger repacks a body
        # packed with another: ``delivery_bodies.keep``)
        self.dictionary: Dictionary | None = None
        self._lock = threading.Lock()  # submit may come from the thread reading ahead (``readahead``)

    def submit(self, record: Record) -> None:
        with self._lock:
            if self._closed:  # a record read ahead after the run stopped: never taken
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="deliver-prepare", daemon=True)
                self._thread.start()
            self._jobs.put(record)

    def take(self, count: int) -> list[Prepared | BaseException]:
        """The next ``count`` results (an exception in place of a record ``prepare`` failed on)."""
        return [self._done.get() for _ in range(count)]

    def close(self) -> None:
        with self._lock:
            self._closed = True
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None

    def _work(self) -> None:
        while (record := self._jobs.get()) is not None:
            try:
                self._done.put(prepare(record, dictionary=self.dictionary))
            except BaseException as exc:  # handed to the main thread, raised there for its record
                self._done.put(exc)
