"""The process's own stdin: whether anything is piped in, and whether a worker may still be reading it.

Python's shutdown flushes and closes ``sys.stdin``'s buffer; a daemon thread blocked in a read
holds its lock, and the interpreter then aborts (exit 134). A reader that leaves such a thread
behind says so (``abandon_input``) and the CLI ends the process with ``os._exit`` after flushing.
"""

from __future__ import annotations

import sys

_ABANDONED: list[str] = []  # inputs a worker thread may still be blocked reading (see ``abandon_input``)


def abandon_input(name: str) -> None:
    """Say that a worker thread may still be blocked reading ``name`` as the command ends.

    Python's shutdown would then wait for that read's lock on stdin and abort (exit 134); the CLI
    ends such a process with ``os._exit`` after flushing its output instead (``input_abandoned``).
    """
    _ABANDONED.append(name)


def input_abandoned() -> bool:
    """True when a worker may still be reading the process's own stdin (not a test's stand-in for it)."""
    return bool(_ABANDONED) and sys.stdin is sys.__stdin__


def is_terminal() -> bool:
    """True when nothing is piped in (stdin closed or a terminal): a command must not wait on it."""
    return sys.stdin is None or sys.stdin.isatty()
