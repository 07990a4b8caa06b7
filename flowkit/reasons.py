"""An error's low-level cause in words: "connection refused", "timed out after 10 s", not an exception's name.

Transports and sources chain the cause (``raise … from exc``); ``words`` walks
that chain and names the first cause it recognises, so every message (a
delivery, a source, ``flowkit check``) says the same thing the same way.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator

ERRNO_WORDS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset by the server",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
    errno.ETIMEDOUT: "timed out",
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EROFS: "read-only file system",
}


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc``'s chain: what it was raised from, and what was being handled, recursively (each once)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = getattr(current, "errors", None)  # paramiko's NoValidConnectionsError: one error per address
        if isinstance(nested, dict):
            todo += [e for e in nested.values() if isinstance(e, BaseException)]
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]


def words(exc: BaseException, timeout: float | None = None) -> str | None:
    """The low-level cause of ``exc`` in words, or None when none is recognised."""
    for cause in causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate not trusted: {cause.verify_message}"
        if isinstance(cause, socket.gaierror):
            return "host name not found"
        if isinstance(cause, TimeoutError) or type(cause).__name__.endswith("Timeout"):  # httpx's ConnectTimeout, …
            return f"timed out after {timeout:g} s" if timeout else "timed out"
        if isinstance(cause, OSError) and cause.errno in ERRNO_WORDS:
            text = ERRNO_WORDS[cause.errno]
            return f"timed out after {timeout:g} s" if text == "timed out" and timeout else text
    return None
