"""A body made durable in an inbox folder under the name its reader expects, or not at all.

The body is written to a hidden temporary file in the inbox itself (every
inbox reader skips names starting with a dot), fsynced, given its final name
with a hard link (never over another file), the temporary name removed, and
the folder fsynced: only then is the post answered 202. A process killed on
the way leaves at most a hidden ``.receiving-PID-N.part``, removed at the next
start. A full disk (ENOSPC, EDQUOT) raises ``DiskFull`` after the temporary
file is removed.

Names: ``KIND-ARRIVAL.EXT``, ARRIVAL being the microseconds since the epoch
(16 digits, strictly increasing in one process), so the ``dir`` source (name
order), import-shipment and import-status (first number) take files in arrival
order; a stock message with a ``message_seq`` is ``stock-ARRIVAL-SEQ.EXT``, so
push-stock (last number) takes them in message_seq order.
"""

from __future__ import annotations

import errno
import itertools
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
_TEMP = re.compile(r"^\.receiving-(\d+)-\d+\.part$")
_NO_LINK = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV})


class DiskFull(Exception):
    """No room on the inbox's file system: nothing was kept (HTTP 503)."""


@dataclass(frozen=True)
class Naming:
    """How a body's file is named: ``KIND-ARRIVAL[-SEQ].EXT``."""

    kind: str
    extension: str
    message_seq: int | None = None

    def make(self, arrival: int) -> str:
        suffix = f"-{self.message_seq}" if self.message_seq is not None else ""
        return f"{self.kind}-{arrival:016d}{suffix}{self.extension}"


class Spool:
    """Writes bodies into inbox folders; one per server, shared by its threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0
        self._temps = itertools.count(1)

    def arrival(self) -> int:
        """A number larger than any this process handed out before: the time in microseconds, or one more."""
        with self._lock:
            self._last = max(time.time_ns() // 1000, self._last + 1)
            return self._last

    def name(self, naming: Naming) -> str:
        return naming.make(self.arrival())

    def write(self, folder: Path, data: bytes, naming: Naming, name: str | None = None) -> str:
        """Keep ``data`` in ``folder`` durably, as ``name`` or a new name; returns the name it got.

        A name already taken (another process, a clock set back) is never replaced: a new one is made.
        """
        temp = folder / f".receiving-{os.getpid()}-{next(self._temps)}.part"
        published: Path | None = None
        try:
            write_synced(temp, data)
            name = self._publish(folder, temp, naming, name or self.name(naming))
            published = folder / name
            sync_folder(folder)
        except OSError as exc:
            _discard(temp)
            if published is not None:  # not known to be durable: not answered 202, so not kept either
                _discard(published)
            if exc.errno in FULL:
                raise DiskFull(f"{folder}: no space left on the file system") from exc
            raise
        return name

    def _publish(self, folder: Path, temp: Path, naming: Naming, name: str) -> str:
        """Give ``temp`` its final name without replacing a file, and drop the temporary name."""
        while True:
            try:
                os.link(temp, folder / name)
            except FileExistsError:
                name = self.name(naming)
                continue
            except OSError as exc:
                if exc.errno not in _NO_LINK:
                    raise
                while (folder / name).exists():  # a file system without hard links: look, then rename
                    name = self.name(naming)
                os.replace(temp, folder / name)
                return name
            temp.unlink()
            return name


def write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o640)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_folder(folder: Path) -> None:
    """fsync a folder, so the names made in it survive a power cut."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _discard(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def prepare(folder: Path) -> int:
    """Make the inbox folder if needed, check it takes a file, and remove the temporary files of dead receivers.

    Returns how many were removed. OSError when the folder cannot be made or written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / f".receiving-{os.getpid()}-0.part"
    write_synced(probe, b"")
    probe.unlink()
    removed = 0
    for entry in os.scandir(folder):
        match = _TEMP.match(entry.name)
        if match and int(match.group(1)) != os.getpid() and not _alive(int(match.group(1))):
            _discard(Path(entry.path))
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
