"""Hotfolder transport: atomic writes into a local folder a consumer watches.

Each file is written as ``.NAME.part`` in the target folder, fsynced, size
checked, then moved into place, so a consumer never sees a partial file. The
folders a rename changed are fsynced before ``put`` (one file) or
``put_many`` (a window) returns, once per folder per window, so a delivery
the ledger records as done survives a power cut, not only a killed process.
Names are confined to the folder (path jail). ``conflict`` says what happens
when the name is taken: ``replace`` (default), ``ignore``, ``rename``
(``NAME-1.ext``…) or ``fail``. ``done_suffix`` writes an empty marker file
(``1203.xml.done``) after the data file. Zero-byte bodies are refused unless
``allow_empty``.

Names go through ``names.path`` (the one sanitiser) before the jail check. A
name the file system refuses (too long for it, an encoding it does not take)
fails that record as data (65). A full disk or exceeded quota (ENOSPC, EDQUOT)
stops the batch (``Stopped``, exit 75): the ``.part`` file is removed and the
records after it are not tried.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flowkit.config import Config
from flowkit.errors import ConfigError, ExitCode, RecordError
from flowkit.records import Record
from flowkit.transports import names
from flowkit.transports.base import OutcomeUnknown, Receipt, Stopped, option

CONFLICTS = ("replace", "ignore", "rename", "fail")
FULL = (errno.ENOSPC, errno.EDQUOT)  # the file system can take nothing more: stop the batch
BAD_NAME = (errno.ENAMETOOLONG, errno.EILSEQ)  # the file system refuses the name: the record's data


class Hotfolder:
    """Write files atomically under ``root``."""

    resend_unknown = True
    window = 256  # most records per ledger transaction pair (put_many); a stalled input closes it sooner

    def __init__(
        self,
        root: Path,
        *,
        allow_empty: bool = False,
        conflict: str = "replace",
        done_suffix: str | None = None,
        fsync: bool = True,
    ) -> None:
        if conflict not in CONFLICTS:
            raise ConfigError(f"hotfolder {root}: conflict must be one of {', '.join(CONFLICTS)}")
        self.root = root
        self.allow_empty = allow_empty
        self.conflict = conflict
        self.done_suffix = done_suffix
        self.fsync = fsync
        self._real_root: Path | None = None  # the root as resolved when opened
        self._folders: dict[str, str] = {}  # sanitised sub-folder ("" for the root) -> its real path, once it exists
        self._unsynced: set[str] = set()  # folders whose entries changed since the last directory fsync

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], config: Config) -> Hotfolder:
        if not spec.get("path"):
            raise ConfigError(f"destination {spec.get('name')!r}: a hotfolder needs 'path' or a file:// url")
        root = config.resolve_path(str(spec["path"]))
        return cls(
            root,
            allow_empty=bool(option(spec, "allow_empty", False, bool)),
            conflict=str(option(spec, "conflict", "replace", str)),
            done_suffix=option(spec, "done_suffix", None, str),
            fsync=bool(option(spec, "fsync", True, bool)),
        )

    def open(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except FileExistsError as exc:  # mkdir's word for a file standing where the folder should be
            raise RecordError(f"hotfolder {self.root}: not a folder", code=ExitCode.UNAVAILABLE) from exc
        except OSError as exc:
            raise RecordError(f"hotfolder {self.root}: {exc.strerror}", code=ExitCode.UNAVAILABLE) from exc
        self._real_root = self.root.resolve()
        self._folders = {}

    def target(self, name: str) -> Path:
        """The path for ``name`` (sanitised), refusing anything that escapes the folder (through a symlink too)."""
        return self._target(names.path(name), name)

    def _target(self, safe: str, name: str) -> Path:
        """``target`` of a sanitised name. A folder already written to this batch is not resolved
        again: only the file's own name is checked for a symlink, which takes the full check."""
        folder, _, base = safe.rpartition("/")
        real = self._folders.get(folder)
        if real is not None:
            known = os.path.join(real, base)
            if not os.path.islink(known):
                return Path(known)
        path = (self.root / safe).resolve()
        root = self._real_root or self.root.resolve()
        if path == root or root not in path.parents:
            raise RecordError(f"file name {name!r} escapes the hotfolder", code=ExitCode.DATAERR)
        return path

    def put(self, name: str, data: bytes, record: Record) -> Receipt:
        """Write one file and make its folder's entry durable before answering."""
        receipt = self._put(name, data, record)
        self._sync_folders()
        return receipt

    def _put(self, name: str, data: bytes, record: Record) -> Receipt:
        if not data and not self.allow_empty:
            raise RecordError("refusing to deliver an empty (zero-byte) body", code=ExitCode.DATAERR)
        safe = names.path(name)
        path = self._target(safe, name)
        tmp = path.with_name(f".{path.name}.part")
        placed = False
        try:
            if self.conflict == "ignore" and path.exists():
                return Receipt(str(path), {"size": len(data), "conflict": "ignored"})
            self._folder(safe.rpartition("/")[0], path)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)  # a stale .part may be a second name of a delivered file: never truncate it
            self._write(tmp, data)
            final = self._place(tmp, path)
            placed = True
            self._unsynced.add(str(final.parent))
            if self.done_suffix:
                self._write(final.with_name(final.name + self.done_suffix), b"")
        except OSError as exc:
            if placed:  # the data file is in place but its done file is not: take it back, the record is not delivered
                for left in (final.with_name(final.name + (self.done_suffix or "")), final):
                    with contextlib.suppress(OSError):
                        os.unlink(left)
            if exc.errno in FULL:
                if not placed:
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
                raise Stopped(
                    f"hotfolder {self.root}: {exc.strerror} (writing {path.name}); deliver stopped, "
                    "the records not written yet are left for the next run",
                    hint="free space on that file system, then rerun",
                ) from exc
            if exc.errno in BAD_NAME:
                raise RecordError(f"hotfolder {self.root}: file name refused: {exc.strerror}", code=ExitCode.DATAERR) from exc
            raise RecordError(f"hotfolder write {path}: {exc.strerror}", code=ExitCode.TEMPFAIL) from exc
        return Receipt(str(final), {"size": len(data)})

    def put_many(self, items: list[tuple[str, bytes, Record]]) -> list[Receipt | RecordError]:
        """``put`` each item in turn, the folders fsynced once at the end; one result (receipt or error) per item.

        ``Stopped`` (disk full) ends the window: it carries the results of the items before.
        """
        results: list[Receipt | RecordError] = []
        for name, data, record in items:
            try:
                results.append(self._put(name, data, record))
            except RecordError as exc:
                results.append(exc)
            except Stopped as stop:
                stop.results = self._synced(results)
                raise
        return self._synced(results)

    def _synced(self, results: list[Receipt | RecordError]) -> list[Receipt | RecordError]:
        """``results`` once their folders are durable; should that fail, each receipt becomes an unknown outcome."""
        try:
            self._sync_folders()
        except RecordError as exc:
            return [exc if isinstance(result, Receipt) else result for result in results]
        return results

    def _folder(self, folder: str, path: Path) -> None:
        """Create ``path``'s folder (``folder``, sanitised) when new to this batch; remember it and what to fsync."""
        if folder in self._folders:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        root = self._real_root or self.root.resolve()
        self._unsynced.update(str(p) for p in (path.parent, *path.parent.parents) if p == root or root in p.parents)
        if self._real_root is not None:
            self._folders[folder] = str(path.parent)

    def _sync_folders(self) -> None:
        """fsync the folders whose entries changed (renames, new folders), each once."""
        if not self.fsync:
            self._unsynced.clear()
            return
        while self._unsynced:
            folder = self._unsynced.pop()
            try:
                fd = os.open(folder, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except FileNotFoundError:
                continue  # removed since (nothing of ours is left in it to make durable)
            except OSError as exc:
                self._unsynced.clear()
                raise OutcomeUnknown(f"hotfolder fsync {folder}: {exc.strerror}") from exc

    def _write(self, tmp: Path, data: bytes) -> None:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if self.fsync:
                os.fsync(fd)
            if os.fstat(fd).st_size != len(data):
                raise RecordError(f"{tmp}: size check failed", code=ExitCode.TEMPFAIL)
        finally:
            os.close(fd)

    def _place(self, tmp: Path, path: Path) -> Path:
        """Move ``tmp`` to ``path`` by the conflict policy; returns where it went."""
        if self.conflict == "replace":
            os.replace(tmp, path)
            return path
        candidates = [path]
        if self.conflict == "rename":
            candidates += [path.with_name(f"{path.stem}-{n}{path.suffix}") for n in range(1, 1000)]
        for candidate in candidates:
            try:
                os.link(tmp, candidate)  # never overwrites
            except FileExistsError:
                continue
            os.unlink(tmp)
            return candidate
        os.unlink(tmp)
        if self.conflict == "ignore":
            return path
        raise RecordError(f"{path.name} already exists in the hotfolder (conflict = {self.conflict})", code=ExitCode.DATAERR)

    def exists(self, name: str, size: int, record: Record | None = None) -> bool | None:
        path = self.target(name)
        try:
            there = path.is_file() and path.stat().st_size == size
        except OSError as exc:  # a name the file system refuses cannot be there
            return False if exc.errno in BAD_NAME else None
        if there:
            self._drop_second_name(path)
        return there

    def _drop_second_name(self, path: Path) -> None:
        """A run killed between ``link`` and ``unlink`` (conflict != replace) left ``.NAME.part`` behind
        as a second name of the delivered file; remove it (only when it is that very file)."""
        tmp = path.with_name(f".{path.name}.part")
        with contextlib.suppress(FileNotFoundError):
            if os.path.samefile(tmp, path):
                os.unlink(tmp)

    def close(self) -> None:
        """Forget the batch's folders; the last window's are durable already (``put``/``put_many``)."""
        self._unsynced.clear()
        self._folders = {}
        self._real_root = None
