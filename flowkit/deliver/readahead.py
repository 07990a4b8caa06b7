"""deliver's input read and parsed on a worker thread while the main thread waits on the destination.

A window's upload is mostly waiting (an SFTP server writing, a folder's
fsync); reading and parsing the next window's lines took as long again on
the same thread, with the destination idle. ``ReadAhead`` iterates the
``records.Reader`` on a thread of its own, up to ``depth`` items ahead; the
main thread takes them in order, exactly as the reader yields them (bad
lines included), and an error the reader raises is raised in the main
thread at the same place. Only the worker touches the input streams: it
asks the reader's ``ready()`` after each item and hands the answer along.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from queue import Queue
from typing import Any

from flowkit.records import BadLine, Reader, Record
from flowkit.stdin import abandon_input

_END = object()


class ReadAhead:
    """A ``pipeline.Input`` over ``reader``, read ``depth`` items ahead on a worker thread.

    ``seen`` is called on the worker with each item as it is read (deliver starts hashing there).
    """

    def __init__(self, reader: Reader, depth: int, seen: Callable[[Record | BadLine], None] | None = None) -> None:
        self.reader = reader
        self.seen = seen
        self.mode = reader.mode
        self._queue: Queue[tuple[Any, bool]] = Queue(maxsize=max(1, depth))
        self._ready = True
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __iter__(self) -> Iterator[Record | BadLine]:
        self._thread = threading.Thread(target=self._work, name="deliver-read", daemon=True)
        self._thread.start()
        try:
            while True:
                item, self._ready = self._queue.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.close()

    def ready(self) -> bool:
        """An item is waiting, or the reader said after the last one that the next needs no waiting."""
        return self._ready or not self._queue.empty()

    def close(self) -> None:
        """Stop the worker: it returns after its next item, which the emptied queue has room for.

        Not waited for long: it may be waiting on a producer that has stalled (it is a daemon, and the
        CLI ends a process whose input is still being read without waiting for it: ``flowkit.stdin.abandon_input``).
        """
        self._stop.set()
        while not self._queue.empty():
            self._queue.get_nowait()
        thread = self._thread
        if thread is not None and thread.is_alive():
            thread.join(0.05)
            if thread.is_alive():
                abandon_input("deliver-read")

    def _work(self) -> None:
        reader, queue, stop, seen = self.reader, self._queue, self._stop, self.seen
        items = iter(reader)
        try:
            for item in items:
                if seen is not None:
                    seen(item)
                queue.put((item, reader.ready()))
                if stop.is_set():
                    return
            queue.put((_END, True))
        except BaseException as exc:  # raised in the main thread, after the items before it
            queue.put((exc, True))
        finally:
            items.close()  # type: ignore[attr-defined]  # a generator: the reader closes its input
