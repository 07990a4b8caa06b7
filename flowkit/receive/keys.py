"""Idempotency-Key: a key posted again on the same route gets the first answer and writes nothing new.

A key's record is a small JSON file under the route's inbox, in the hidden
``.receive/keys/`` folder (the inbox readers skip hidden names and folders):
``{"name", "sha256", "state"}``. It is made durable (``pending``, naming the file
the body will get) before the body is written, and marked ``done`` after, so a
receiver killed in between finds the key on the retry and finishes the same
file instead of writing a second one. The same key with another body is
refused (HTTP 422). Records older than ``KEEP_DAYS`` are removed at start and
then hourly. Posts of one key are serialised in this process by a lock.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson

from flowkit.receive.spool import FULL, DiskFull, sync_folder, write_synced

KEEP_DAYS = 7
VALID = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, at most 255 characters
_LOCKS = 64


@dataclass(frozen=True)
class Record:
    """What a key's first post did: the file its body got, the body's hash, and whether it is known to be done."""

    name: str
    sha256: str
    state: str = "pending"


class Keys:
    """The key records of every route, and the locks that serialise posts of one key."""

    def __init__(self) -> None:
        self._locks = [threading.Lock() for _ in range(_LOCKS)]
        self._temps = itertools.count(1)

    @staticmethod
    def folder(inbox: Path) -> Path:
        return inbox / ".receive" / "keys"

    def _path(self, inbox: Path, route: str, key: str) -> Path:
        digest = hashlib.sha256(f"{route}\0{key}".encode()).hexdigest()
        return self.folder(inbox) / digest[:2] / f"{digest}.json"

    @contextmanager
    def held(self, route: str, key: str) -> Iterator[None]:
        """Hold the lock of ``key`` (one of a few, by hash) while its post is handled."""
        with self._locks[hash((route, key)) % _LOCKS]:
            yield

    def read(self, inbox: Path, route: str, key: str) -> Record | None:
        try:
            data = orjson.loads(self._path(inbox, route, key).read_bytes())
            return Record(str(data["name"]), str(data["sha256"]), str(data.get("state", "pending")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):  # a record a power cut emptied: as if never made
            return None

    def write(self, inbox: Path, route: str, key: str, record: Record, *, durable: bool) -> None:
        """Write ``record`` under its key (``durable``: fsynced with its folder before this returns)."""
        path = self._path(inbox, route, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".key-{os.getpid()}-{next(self._temps)}.part")
        data = orjson.dumps({"name": record.name, "sha256": record.sha256, "state": record.state, "at": int(time.time())})
        try:
            if durable:
                write_synced(temp, data)
            else:
                temp.write_bytes(data)
            os.replace(temp, path)
            if durable:
                sync_folder(path.parent)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            if exc.errno in FULL:
                raise DiskFull(f"{path.parent}: no space left on the file system") from exc
            raise

    def sweep(self, inbox: Path, *, now: float | None = None) -> int:
        """Remove the records older than ``KEEP_DAYS``; returns how many went."""
        cutoff = (time.time() if now is None else now) - KEEP_DAYS * 86400
        removed = 0
        root = self.folder(inbox)
        if not root.is_dir():
            return 0
        for shard in os.scandir(root):
            if not shard.is_dir():
                continue
            for entry in os.scandir(shard.path):
                try:
                    if entry.stat().st_mtime < cutoff:
                        os.unlink(entry.path)
                        removed += 1
                except OSError:
                    continue
        return removed


def kept(inbox: Path, name: str) -> bool:
    """Whether the file ``name`` is in the inbox, or already moved by its reader to done/ or failed/."""
    return any((inbox / where / name).exists() for where in ("", "done", "failed"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
