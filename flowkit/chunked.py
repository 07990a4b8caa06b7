"""Input streams read a MiB at a time, so a long record line costs one copy, not a read per 8 KiB.

A realistic order's record line is about 35 KB. Through ``sys.stdin.buffer`` (8 KiB) each one took
five reads and a join, about 30 µs; through a 1 MiB buffer about 7 µs (render's whole budget per
order is a few hundred). The stream is wrapped, not replaced: whatever it holds already is read
first, and on a pipe each fill is one read of what is there, so a record is never held back
waiting for more input (``Reader.ready`` still sees a slow producer).
"""

from __future__ import annotations

import io
from typing import IO, Any

BUFFER = 1 << 20


class _Chunks(io.RawIOBase):
    """A buffered stream seen as a raw one: each read is one ``read1`` of it (its buffer first, else one read)."""

    def __init__(self, inner: Any) -> None:
        super().__init__()
        self.inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, into: Any) -> int | None:
        data = self.inner.read1(len(into))
        if data is None:  # a non-blocking stream with nothing to read yet
            return None
        into[: len(data)] = data
        return len(data)

    def fileno(self) -> int:
        return int(self.inner.fileno())


def buffered(stream: IO[bytes] | Any) -> io.BufferedReader:
    """``stream`` behind a ``BUFFER``-sized buffer (a raw file directly, a buffered stream through ``read1``)."""
    raw: Any = _Chunks(stream) if hasattr(stream, "read1") else stream
    return io.BufferedReader(raw, buffer_size=BUFFER)
