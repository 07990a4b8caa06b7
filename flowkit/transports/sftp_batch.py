# mypy: disable-error-code="import-untyped"
"""Pipelined SFTP uploads: a window of files in flight together, each file's next step sent as soon as its last is answered.

Each file goes OPEN ``.NAME.part`` (create, truncate); once its handle is
back, its WRITEs, an FSTAT and the CLOSE; once all of those are answered,
and only if every write succeeded and FSTAT reported the whole size, the
``posix-rename@openssh.com`` onto NAME. So nothing is renamed before its size
was checked, whatever order a server answers in, and the files of a window
move on independently: the server always has the next file's bytes while it
answers for the one before (a window in three rounds left it idle between them).

Requests are encoded and answers read here, on the session's channel, in
bulk (paramiko's request objects and its reads of one answer at a time cost
more than the upload). paramiko's ``SFTPClient`` stays usable afterwards: the
request ids come from its counter, under its lock, and a window reads exactly
the answers to its own requests. Queued requests go out in full SSH packets,
256 KiB at a time between looks at the answers, so a file's rename is not held
behind megabytes of the files after it.
"""

from __future__ import annotations

import posixpath
import struct
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from flowkit.errors import RecordError
from flowkit.records import Record
from flowkit.transports.base import OutcomeUnknown, Receipt, Transient

CHUNK = 32768  # bytes per WRITE: the size every server takes (OpenSSH's own client sends these)
BURST = 1 << 18  # bytes sent between two looks at the answers (renames go out while the next files are written)
Item = tuple[str, bytes, Record]
Result = Receipt | RecordError

_OPEN, _CLOSE, _WRITE, _FSTAT, _EXTENDED = 3, 4, 6, 8, 200  # SFTP v3 request types
_STATUS, _HANDLE, _ATTRS = 101, 102, 105  # and answers
_CREATE = (0x02 | 0x08 | 0x10).to_bytes(4, "big")  # WRITE | CREAT | TRUNC
_NO_ATTRS = bytes(4)
_RENAME = b"\x00\x00\x00\x18posix-rename@openssh.com"
_HEAD = struct.Struct(">IBI")  # length, type, request id
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")


def _string(data: bytes) -> bytes:
    return _U32.pack(len(data)) + data


class _File:
    """One upload's progress through the window."""

    __slots__ = ("data", "handle", "path", "problems", "renaming", "result", "size", "temp", "waiting")

    def __init__(self, path: str, data: bytes) -> None:
        self.path, self.data = path, data
        self.temp = posixpath.join(posixpath.dirname(path), f".{posixpath.basename(path)}.part")
        self.handle = b""
        self.waiting = 0  # requests sent and not answered yet
        self.problems: list[str] = []
        self.size: int | None = None  # as FSTAT reported it
        self.renaming = False
        self.result: Result | None = None


def _status(kind: int, body: bytes) -> str | None:
    """None for SSH_FX_OK, else the server's message (``body``: the answer after its id)."""
    if kind != _STATUS:
        return f"unexpected answer (type {kind})"
    code = _U32.unpack_from(body)[0]
    if code == 0:
        return None
    size = _U32.unpack_from(body, 4)[0] if len(body) >= 8 else 0
    return f"{body[8 : 8 + size].decode('utf-8', 'replace')} (status {code})"


class Pipeline:
    """One window of uploads over an open paramiko ``SFTPClient``."""

    def __init__(self, sftp: Any) -> None:
        self.sftp = sftp
        self.channel = sftp.sock
        self.step = max(1024, int(getattr(self.channel, "out_max_packet_size", CHUNK)) - 64)  # what one channel send takes
        self.out: deque[bytes] = deque()  # requests queued, not sent yet
        self.inbox = b""
        self.asked: dict[int, tuple[_File, int]] = {}  # request id -> (file, request type)

    def ask(self, file: _File, kind: int, *parts: bytes) -> None:
        """Queue one request for ``file`` (sent at the next ``flush``)."""
        sftp = self.sftp
        with sftp._lock:
            num = sftp.request_number
            sftp.request_number = num + 1
        self.out.append(_HEAD.pack(5 + sum(map(len, parts)), kind, num))
        self.out.extend(parts)
        self.asked[num] = (file, kind)
        file.waiting += 1

    def flush(self, limit: int = BURST) -> None:
        """Send about ``limit`` bytes of what is queued, in full SSH packets (the rest stays queued)."""
        out, channel, step, sent = self.out, self.channel, self.step, 0
        while out and sent < limit:
            parts, size = [], 0
            while out and size < step:
                piece = out.popleft()
                if len(piece) > step - size:
                    out.appendleft(piece[step - size :])
                    piece = piece[: step - size]
                parts.append(piece)
                size += len(piece)
            packet = b"".join(parts)
            taken = channel.send(packet)
            if taken <= 0:
                raise EOFError("sftp channel closed")
            if taken < len(packet):
                out.appendleft(packet[taken:])
            sent += taken

    def answers(self, wait: bool = True) -> Iterator[tuple[int, int, bytes]]:
        """(request id, answer type, rest of the answer) for every answer received: when ``wait``, at least one."""
        given = not wait
        while True:
            inbox, at = self.inbox, 0
            while len(inbox) - at >= 5:
                size = _U32.unpack_from(inbox, at)[0]
                if len(inbox) - at - 4 < size:
                    break
                body = inbox[at + 4 : at + 4 + size]
                at += 4 + size
                if size < 5:
                    raise EOFError("sftp: malformed answer")
                given = True
                yield _U32.unpack_from(body, 1)[0], body[0], body[5:]
            self.inbox = inbox[at:]
            if given and not self.channel.recv_ready():
                return
            chunk = self.channel.recv(65536)
            if not chunk:
                raise EOFError("sftp channel closed")
            self.inbox += chunk

    def open(self, file: _File) -> None:
        self.ask(file, _OPEN, _string(file.temp.encode()), _CREATE, _NO_ATTRS)

    def answer(self, num: int, kind: int, body: bytes) -> None:
        """Take one answer; queue what its file does next."""
        try:
            file, asked = self.asked.pop(num)
        except KeyError:
            raise EOFError(f"sftp: answer to a request never made (#{num})") from None
        file.waiting -= 1
        if asked == _OPEN:
            if kind == _HANDLE:
                file.handle = _string(body[4 : 4 + _U32.unpack_from(body)[0]])
                self.write_check_close(file)
            else:
                file.result = Transient(f"sftp {file.temp}: cannot open: {_status(kind, body) or 'no handle'}")
            return
        if asked == _EXTENDED:
            problem = _status(kind, body)
            file.result = (
                Transient(f"sftp rename {file.path}: {problem}") if problem else Receipt(file.path, {"size": len(file.data)})
            )
            return
        if asked == _FSTAT and kind == _ATTRS:
            file.size = _U64.unpack_from(body, 4)[0] if _U32.unpack_from(body)[0] & 1 else None
        elif (problem := _status(kind, body)) is not None:
            file.problems.append(problem)
        if file.waiting == 0:
            self.settle(file)

    def write_check_close(self, file: _File) -> None:
        data, handle = file.data, file.handle
        for offset in range(0, len(data), CHUNK):
            piece = data[offset : offset + CHUNK]
            self.ask(file, _WRITE, handle, _U64.pack(offset), _U32.pack(len(piece)), piece)
        self.ask(file, _FSTAT, handle)
        self.ask(file, _CLOSE, handle)

    def settle(self, file: _File) -> None:
        """A file written and closed: renamed when its writes succeeded and its size is right."""
        if file.size != len(file.data):
            file.problems.append(f"size check failed ({file.size} of {len(file.data)} bytes)")
        if file.problems:
            file.result = Transient(f"sftp {file.temp}: {'; '.join(file.problems)}")
            return
        file.renaming = True
        self.ask(file, _EXTENDED, _RENAME, _string(file.temp.encode()), _string(file.path.encode()))


def put_many(sftp: Any, paths: Sequence[str], items: Sequence[Item]) -> list[Result]:
    """Upload ``items`` to ``paths`` (absolute remote names); one result per item, in order."""
    pipe = Pipeline(sftp)
    files = [_File(path, item[1]) for path, item in zip(paths, items, strict=True)]
    try:
        for file in files:
            pipe.open(file)
        while pipe.asked:
            pipe.flush()
            for answer in pipe.answers(wait=not pipe.out):
                pipe.answer(*answer)
    except Exception as exc:  # connection lost mid-window
        from paramiko.ssh_exception import SSHException

        if not isinstance(exc, (OSError, EOFError, SSHException)):
            raise
        for file in files:
            if file.result is None:
                kind = OutcomeUnknown if file.renaming else Transient
                file.result = kind(f"sftp {file.path}: connection lost: {exc}")
        raise Broken([file.result for file in files]) from exc
    return [file.result if file.result is not None else Transient("sftp: no answer") for file in files]


class Broken(Exception):
    """The connection broke mid-window; ``results`` holds every item's outcome."""

    def __init__(self, results: list[Result | None]) -> None:
        super().__init__("sftp connection lost")
        self.results = [r if r is not None else Transient("sftp: connection lost") for r in results]
