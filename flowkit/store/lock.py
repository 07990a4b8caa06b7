"""Cross-process locks so two cron runs of one command never overlap.

A lock is ``flock`` on a file beside a sqlite state store: the kernel releases
it when the holder dies (even by SIGKILL), so a killed run never leaves a stale
lock behind. On a PostgreSQL store it is a session advisory lock of the
database (``store/postgres.py``), held by a connection of its own: the server
releases it when that connection ends, also when its host dies.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flowkit.errors import ConfigError, FlowkitError, TempFailError
from flowkit.store.location import PgUrl, lock_file


@contextmanager
def exclusive(state_path: Path | PgUrl, name: str, *, wait: float = 10.0) -> Iterator[None]:
    """Hold lock ``name`` for the block; after ``wait`` seconds give up with exit 75."""
    if isinstance(state_path, PgUrl):
        from flowkit.store.postgres import advisory

        with advisory(state_path, name, wait=wait):
            yield
        return
    lock_path = lock_file(state_path, name)
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    except OSError as exc:
        raise _unusable(lock_path, exc) from exc
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
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError as exc:
            raise _unusable(lock_path, exc) from exc
        yield
    finally:
        os.close(fd)


def _unusable(lock_path: Path, exc: OSError) -> FlowkitError:
    """A lock file that cannot be made: a full disk is temporary (75), a read-only folder needs an admin (78)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return TempFailError(f"lock file {lock_path}: the disk is full ({exc.strerror})", hint="free space, then rerun")
    return ConfigError(
        f"lock file {lock_path}: cannot write it ({exc.strerror})",
        hint="the state store's folder must be writable (mount, permissions, chattr)",
    )
