"""The limits in front of the handlers: read deadlines (slowloris), a rate per client, a cap on connections.

``DeadlineReader`` is the socket under a connection's ``rfile``: every read
waits at most ``read_timeout``, and no longer than the deadline of the part of
the request being read (the request line and headers: ``read_timeout`` in all;
the body: ``read_timeout`` plus its size at ``MIN_RATE`` bytes a second). A
client that trickles bytes to hold a thread (slowloris) is cut at the deadline.
``RateLimiter`` is a token bucket per client address (``rate`` posts a second,
bursts of ``rate`` or at least 1). The server counts its connections itself.
"""

from __future__ import annotations

import io
import socket
import threading
import time

MIN_RATE = 100_000  # bytes a second a body must at least arrive at


class DeadlineReader(io.RawIOBase):
    """A socket's reads, each within ``read_timeout`` and all before ``deadline`` (``time.monotonic``)."""

    def __init__(self, sock: socket.socket, read_timeout: float) -> None:
        self.sock = sock
        self.read_timeout = read_timeout
        self.deadline = time.monotonic() + read_timeout

    def readable(self) -> bool:
        return True

    def until(self, seconds: float) -> None:
        """The reads from now on must be done within ``seconds``."""
        self.deadline = time.monotonic() + seconds

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.sock.settimeout(min(self.read_timeout, left))
        return self.sock.recv_into(buffer)


class RateLimiter:
    """Token buckets by client address: ``allow`` takes a token, or says how long until one is there."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.burst = max(1.0, rate)
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, when)

    def allow(self, address: str) -> float:
        """0 when the post may go on, else the seconds to wait (for ``Retry-After``)."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, when = self._buckets.get(address, (self.burst, now))
            tokens = min(self.burst, tokens + (now - when) * self.rate)
            if tokens >= 1:
                self._buckets[address] = (tokens - 1, now)
                if len(self._buckets) > 10_000:
                    self._forget(now)
                return 0.0
            self._buckets[address] = (tokens, now)
            return (1 - tokens) / self.rate

    def _forget(self, now: float) -> None:
        """Drop the buckets that are full again (their clients have been quiet)."""
        full = [a for a, (tokens, when) in self._buckets.items() if tokens + (now - when) * self.rate >= self.burst]
        for address in full:
            del self._buckets[address]
