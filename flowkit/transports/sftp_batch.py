# mypy: disable-error-code="import-untyped"
"""Pipelined SFTP uploads: a window of files in three round trips instead of four per file.

Round 1 opens every ``.NAME.part``; round 2 writes each file, asks its size
(FSTAT) and closes it; round 3 renames (``posix-rename@openssh.com``) only the
files whose size matched. The server handles requests in order, so nothing is
renamed before its size was checked. Uses paramiko's request/response layer
(``_async_request``/``_read_response``), as paramiko's own prefetching does.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flowkit.errors import RecordError
from flowkit.records import Record
from flowkit.transports.base import OutcomeUnknown, Receipt, Transient

CHUNK = 32768
Item = tuple[str, bytes, Record]
Result = Receipt | RecordError


class _Sink:
    """Collects the responses paramiko dispatches to a request's owner."""

    def __init__(self) -> None:
        self.responses: dict[int, tuple[int, Any]] = {}

    def _async_response(self, t: int, msg: Any, num: int) -> None:
        self.responses[num] = (t, msg)


def _status(t: int, msg: Any) -> str | None:
    """None when a response is SSH_FX_OK (or not a status), else the server's message."""
    from paramiko.sftp import CMD_STATUS, SFTP_OK

    if t != CMD_STATUS:
        return None
    code = msg.get_int()
    return None if code == SFTP_OK else f"{msg.get_text()} (status {code})"


class Pipeline:
    """One window of uploads over an open paramiko SFTPClient."""

    def __init__(self, sftp: Any) -> None:
        self.sftp = sftp
        self.sink = _Sink()

    def _send(self, t: int, *args: Any) -> int:
        return int(self.sftp._async_request(self.sink, t, *args))

    @contextmanager
    def corked(self) -> Iterator[None]:
        """Queue the requests made inside and write them at the end in one go.

        SFTP is a byte stream, so a round's requests travel in a few full SSH
        packets instead of one packet (cipher, MAC, syscall) per request. On an
        exception nothing is written; the caller drops the connection.
        """
        queued: list[bytes] = []
        self.sftp._write_all = queued.append  # shadows SFTPClient._write_all for this round
        try:
            yield
        finally:
            del self.sftp._write_all
        self.sftp._write_all(b"".join(queued))

    def _wait(self, nums: Sequence[int]) -> None:
        responses = self.sink.responses
        for num in nums:
            while num not in responses:
                self.sftp._read_response()

    def _take(self, num: int) -> tuple[int, Any]:
        return self.sink.responses.pop(num)

    def open_all(self, temps: Sequence[str]) -> list[bytes | str]:
        """Handles, or the error text, for each temp path (truncating or creating it)."""
        from paramiko.sftp import CMD_HANDLE, CMD_OPEN, SFTP_FLAG_CREATE, SFTP_FLAG_TRUNC, SFTP_FLAG_WRITE
        from paramiko.sftp_attr import SFTPAttributes

        flags = SFTP_FLAG_WRITE | SFTP_FLAG_CREATE | SFTP_FLAG_TRUNC
        with self.corked():
            nums = [self._send(CMD_OPEN, path, flags, SFTPAttributes()) for path in temps]
        self._wait(nums)
        out: list[bytes | str] = []
        for num in nums:
            t, msg = self._take(num)
            out.append(msg.get_binary() if t == CMD_HANDLE else (_status(t, msg) or "no handle"))
        return out

    def write_check_close(self, handle: bytes, data: bytes) -> list[int]:
        """Queue the writes, an FSTAT and the CLOSE of one file; the request numbers."""
        from paramiko.sftp import CMD_CLOSE, CMD_FSTAT, CMD_WRITE, int64

        nums = [
            self._send(CMD_WRITE, handle, int64(offset), data[offset : offset + CHUNK]) for offset in range(0, len(data), CHUNK)
        ]
        return [*nums, self._send(CMD_FSTAT, handle), self._send(CMD_CLOSE, handle)]

    def verify(self, nums: Sequence[int], size: int) -> str | None:
        """None when every write succeeded and FSTAT reports ``size``, else why not."""
        from paramiko.sftp import CMD_ATTRS
        from paramiko.sftp_attr import SFTPAttributes

        *writes, fstat, close = nums
        problems = [p for p in (_status(*self._take(n)) for n in writes) if p]
        t, msg = self._take(fstat)
        seen = SFTPAttributes._from_msg(msg).st_size if t == CMD_ATTRS else None
        problems += [p for p in (_status(*self._take(close)),) if p]
        if seen != size:
            problems.append(f"size check failed ({seen} of {size} bytes)")
        return "; ".join(problems) or None

    def rename_all(self, pairs: Sequence[tuple[str, str]]) -> list[str | None]:
        from paramiko.sftp import CMD_EXTENDED

        with self.corked():
            nums = [self._send(CMD_EXTENDED, "posix-rename@openssh.com", old, new) for old, new in pairs]
        self._wait(nums)
        return [_status(*self._take(n)) for n in nums]


def put_many(sftp: Any, paths: Sequence[str], items: Sequence[Item]) -> list[Result]:
    """Upload ``items`` to ``paths`` (absolute remote names); one result per item, in order."""
    pipe = Pipeline(sftp)
    temps = [posixpath.join(posixpath.dirname(p), f".{posixpath.basename(p)}.part") for p in paths]
    results: list[Result | None] = [None] * len(items)
    renaming: list[int] = []
    try:
        handles = pipe.open_all(temps)
        queued: dict[int, list[int]] = {}
        with pipe.corked():
            for index, handle in enumerate(handles):
                if isinstance(handle, str):
                    results[index] = Transient(f"sftp {temps[index]}: cannot open: {handle}")
                else:
                    queued[index] = pipe.write_check_close(handle, items[index][1])
        pipe._wait([n for nums in queued.values() for n in nums])
        for index, nums in queued.items():
            problem = pipe.verify(nums, len(items[index][1]))
            if problem:
                results[index] = Transient(f"sftp {temps[index]}: {problem}")
            else:
                renaming.append(index)
        answers = pipe.rename_all([(temps[i], paths[i]) for i in renaming])
        for index, problem in zip(renaming, answers, strict=False):
            results[index] = (
                Transient(f"sftp rename {paths[index]}: {problem}")
                if problem
                else Receipt(paths[index], {"size": len(items[index][1])})
            )
    except Exception as exc:  # connection lost mid-window
        from paramiko.ssh_exception import SSHException

        if not isinstance(exc, (OSError, EOFError, SSHException)):
            raise
        for index in range(len(items)):
            if results[index] is None:
                kind = OutcomeUnknown if index in renaming else Transient
                results[index] = kind(f"sftp {paths[index]}: connection lost: {exc}")
        raise Broken(results) from exc
    return [r if r is not None else Transient("sftp: no answer") for r in results]


class Broken(Exception):
    """The connection broke mid-window; ``results`` holds every item's outcome."""

    def __init__(self, results: list[Result | None]) -> None:
        super().__init__("sftp connection lost")
        self.results = [r if r is not None else Transient("sftp: connection lost") for r in results]
