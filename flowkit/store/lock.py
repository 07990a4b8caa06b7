"""Cross-process locks so two cron runs of one command never overlap.

A lock is ``flock`` on a file beside the state store: the kernel releases it
when the holder dies (even by SIGKILL), so a killed run never leaves a stale
lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flowkit.errors import TempFailError


@contextmanager
def exclusive(state_path: Path, name: str, *, wait: float = 10.0) -> Iterator[None]:
    """Hold lock ``name`` for the block; after ``wait`` seconds give up with exit 75."""
    lock_path = state_path.with_name(f"{state_path.name}.{name}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TempFailError(
                        f"another flowkit {name} run holds the lock {lock_path.name}",
                        hint=f"waited {wait:g}s; it is safe to rerun later",
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)
