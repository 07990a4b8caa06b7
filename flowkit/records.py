"""The record stream: raw documents for people, NDJSON records for pipelines.

Raw mode: the input is one plain document (JSON value or XML); output is one
plain document. Record mode: one JSON object per line carrying
``"flowkit": "record/1"``, ``kind``, ``key``, ``type``, ``meta`` and ``body``
(see docs/architecture.md). Input is read lazily, one record at a time.
"""

from __future__ import annotations

import gc
import io
import os
import re
import select
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

import orjson

from flowkit import chunked, stdin
from flowkit.errors import InputError, UsageError
from flowkit.limits import INT_MAX as INT_MAX
from flowkit.limits import INT_MIN as INT_MIN
from flowkit.limits import MAX_DEPTH as MAX_DEPTH
from flowkit.limits import check_limits as check_limits
from flowkit.limits import line_limits, nests_too_deep, text_record_within, too_deep

Record = dict[str, Any]
Peekable = io.BufferedReader  # a binary stream with peek()
MARK = "record/1"
JSON_TYPE = "application/json"
XML_TYPE = "application/xml"
_MARK_RE = re.compile(rb'^\{[^\n]*"flowkit"\s*:\s*"record/')


def make_record(kind: str, key: str, body: Any, *, type: str = JSON_TYPE, meta: dict[str, Any] | None = None) -> Record:
    """Build a record with the version marker; ``body`` is JSON for JSON types, else a string."""
    return {"flowkit": MARK, "kind": kind, "key": str(key), "type": type, "meta": dict(meta or {}), "body": body}


def derive(record: Record, kind: str, body: Any, *, type: str = JSON_TYPE, **meta: Any) -> Record:
    """A new record for the same key, keeping ``meta`` and adding ``meta`` entries (``make_record``, one copy of meta)."""
    merged = {**record.get("meta", {}), **meta}
    return {"flowkit": MARK, "kind": kind, "key": str(record["key"]), "type": type, "meta": merged, "body": body}


def is_json_type(media_type: str) -> bool:
    return media_type == JSON_TYPE or media_type.endswith("+json")


@dataclass
class BadLine:
    """A malformed input line: where it is and what is wrong (``problems``: each (JSON path, message), if known)."""

    where: str
    message: str
    key: str | None = None
    problems: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


Item = Record | BadLine
Decode = Callable[[str, "Peekable", bytes], Iterator[Item]]
"""A decoder: (input name, stream positioned at its first non-blank byte, that byte) -> items."""


def _open_all(paths: Sequence[str]) -> list[tuple[str, BinaryIO]]:
    if not paths or list(paths) == ["-"]:
        if stdin.is_terminal():
            raise UsageError("no input: name a FILE or pipe data into stdin (refusing to wait on a terminal)")
        return [("<stdin>", sys.stdin.buffer)]
    out: list[tuple[str, BinaryIO]] = []
    for path in paths:
        if path == "-":
            out.append(("<stdin>", sys.stdin.buffer))
            continue
        try:
            out.append((path, open(path, "rb", buffering=0)))  # noqa: SIM115 - closed by Reader; buffered by _sniff
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    return out


def _sniff(stream: BinaryIO) -> tuple[Peekable, bytes]:
    """Return a peekable stream and its first non-blank byte (b'' when empty)."""
    buffered: Peekable = chunked.buffered(stream)  # a long record line in one read (flowkit/chunked.py)
    if buffered.peek(3).startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark is not content
        buffered.read(3)
    while True:
        head = buffered.peek(64)
        if not head:
            return buffered, b""
        stripped = head.lstrip()
        if stripped:
            buffered.read(len(head) - len(stripped))
            return buffered, stripped[:1]
        buffered.read(len(head))


class Reader:
    """Reads records from files (or stdin), detecting raw or record mode per input.

    ``raw_kind`` and ``raw_key`` say how to wrap a raw document as a record.
    ``mode`` is ``"raw"`` when the input is one raw document, else ``"record"``.
    A command that reads message formats of its own passes ``decode`` (see
    ``Decode``): each non-empty input is then handed to it, already opened and
    sniffed, and its items are the stream (record mode).

    ``vouch`` (``flowkit.model.vouched``) finds a record line's body that
    a stamp vouches for (where it starts): its bytes are not screened for the
    limits again (the stamp was given only within them), and
    ``vouched(record)`` says so for the record the reader yielded last. It may
    also answer 0 (the whole record is within the limits: no screen) or -2
    (the body is vouched for, the line is screened); -1 vouches for nothing.
    """

    def __init__(
        self,
        paths: Sequence[str] = (),
        *,
        raw_kind: str = "document",
        raw_key: Callable[[Any, str], str] | None = None,
        decode: Decode | None = None,
        vouch: Callable[[bytes, Record], int] | None = None,
    ) -> None:
        self._inputs = _open_all(paths)
        self._raw_kind = raw_kind
        self._raw_key = raw_key
        self._decode = decode
        self._vouch = vouch
        self._vouched: Record | None = None  # the last record read whose body a stamp vouched for
        self._first: tuple[Peekable, bytes] | None = None
        name, stream = self._inputs[0]
        self._first = _sniff(stream)
        self._current: Peekable | None = None
        self._regular = True
        first_line_mode = "record" if decode else self._first_mode(self._first)
        self.mode = "raw" if len(self._inputs) == 1 and first_line_mode == "raw" else "record"

    @staticmethod
    def _first_mode(sniffed: tuple[Peekable, bytes]) -> str:
        stream, first = sniffed
        if first != b"{":
            return "raw" if first else "record"
        chunk = stream.peek(1 << 16)
        line, newline, _ = chunk.partition(b"\n")
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            # A record line longer than the peek window: look for the marker.
            return "record" if not newline and _MARK_RE.search(chunk) else "raw"
        return "record" if isinstance(value, dict) and isinstance(value.get("flowkit"), str) else "raw"

    def __iter__(self) -> Iterator[Item]:
        # Everything alive when the stream starts (modules, config, compiled rules and
        # stylesheets, the store) lives until exit: keep it out of the cyclic collector,
        # which otherwise rescans it every few thousand records (~15% of a deliver window).
        gc.freeze()
        for index, (name, stream) in enumerate(self._inputs):
            sniffed = self._first if index == 0 and self._first else _sniff(stream)
            self._current = sniffed[0]
            self._regular = _is_regular(self._current)
            try:
                if self._decode is not None:
                    if sniffed[1]:
                        yield from _within_depth(name, self._decode(name, sniffed[0], sniffed[1]))
                elif self._first_mode(sniffed) == "record":
                    yield from self._records(name, sniffed[0])
                elif sniffed[1]:
                    yield self._raw(name, sniffed[0], sniffed[1])
            finally:
                if name != "<stdin>":
                    stream.close()

    def ready(self) -> bool:
        """Whether the next record can be read without waiting for the producer.

        Files are always ready. On a pipe, a whole line already buffered or
        data (or end of input) waiting in the pipe is ready; a stalled
        producer is not. Commands that batch records (deliver's windows)
        close a batch when the input is not ready, so nothing waits on a
        slow upstream.
        """
        stream = self._current
        if stream is None or self._regular:
            return True
        try:
            fd = stream.fileno()
            if select.select([fd], [], [], 0)[0]:
                return True
            os.set_blocking(fd, False)  # peek then returns what is buffered, never waits
            try:
                buffered = stream.peek(1)
            except BlockingIOError:
                buffered = b""
            finally:
                os.set_blocking(fd, True)
        except (OSError, ValueError):
            return True  # not a pollable stream: reading it does not wait on a producer
        return b"\n" in buffered.lstrip()  # a whole record line; blank lines are skipped, not records

    def _records(self, name: str, stream: Peekable) -> Iterator[Item]:
        for lineno, line in enumerate(stream, 1):
            if line.isspace():  # a blank line (without copying the line as strip() would)
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield BadLine(f"{name}:{lineno}", f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            if _is_record(value) and (problem := self._limits(line, value)) is None:
                value.setdefault("meta", {})
                yield value
                continue
            bad = bad_record(f"{name}:{lineno}", value)
            yield bad if bad is not None else BadLine(f"{name}:{lineno}", str(problem), value["key"])

    def _limits(self, line: bytes, value: Record) -> str | None:
        """``line_limits`` of a record line; a body its stamp vouches for (``vouch``) is left out, a record it
        vouches for whole (0) is not screened."""
        at = -1 if self._vouch is None else self._vouch(line, value)
        self._vouched = None if at == -1 else value
        if at < 0:
            return None if text_record_within(value) else line_limits(line, value)
        return line_limits(line[:at] + b"}", value) if at else None  # the record without its body

    def vouched(self, record: Record) -> bool:
        """Whether ``record`` is the record read last and ``vouch`` vouched for its body (a stamp, or validated)."""
        return record is self._vouched

    def _raw(self, name: str, stream: Peekable, first: bytes) -> Record:
        data = stream.read()
        stem = "-" if name == "<stdin>" else os.path.splitext(os.path.basename(name))[0]
        if first == b"<":
            body: Any = data.decode("utf-8", errors="strict") if _is_utf8(data) else data.decode("latin-1")
            media = XML_TYPE
        else:
            try:
                body = orjson.loads(data)
            except orjson.JSONDecodeError as exc:
                raise InputError(f"{name}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
            problem = line_limits(data, body)
            if problem:
                raise InputError(f"{name}: {problem}")
            media = JSON_TYPE
        key = self._raw_key(body, stem) if self._raw_key else stem
        return make_record(self._raw_kind, key, body, type=media, meta={"filename": os.path.basename(name)})


def _is_regular(stream: Peekable) -> bool:
    """A regular file (or no file descriptor at all): reading it never waits on a producer."""
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, io.UnsupportedOperation):
        return True


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _within_depth(name: str, items: Iterator[Item]) -> Iterator[Item]:
    """A decoder's items, a record nested deeper than ``MAX_DEPTH`` turned into a bad line."""
    for item in items:
        if isinstance(item, dict) and _decoded_too_deep(item):
            key = item.get("key")
            yield BadLine(name, f"nested deeper than {MAX_DEPTH} levels", key if isinstance(key, str) else None)
        else:
            yield item


def _decoded_too_deep(item: Record) -> bool:
    """Whether a decoded record nests deeper than ``MAX_DEPTH``: read on its JSON text at C speed (walking
    a stock message of 1,000 lines took eight times as long as encoding it); what orjson cannot encode
    (deeper than it goes, an integer beyond 64 bits) is walked."""
    try:
        text = orjson.dumps(item)
    except orjson.JSONEncodeError:
        return too_deep(item, MAX_DEPTH)
    return nests_too_deep(text)


def check_record(value: Any) -> str | None:
    """Why ``value`` is not a valid record line (every problem, with its JSON path), or None when it is."""
    return None if _is_record(value) else _said(record_problems(value))


def bad_record(where: str, value: Any) -> BadLine | None:
    """The bad line ``value`` is when it breaks the record contract (naming every problem), else None."""
    if _is_record(value):
        return None
    problems = record_problems(value)
    key = value.get("key") if isinstance(value, dict) else None
    return BadLine(where, _said(problems), key if isinstance(key, str) else None, problems)


def _is_record(value: Any) -> bool:
    """The record contract's fast path: true only for a valid record line (``record_problems`` says what is wrong)."""
    return (
        isinstance(value, dict)
        and value.get("flowkit") == MARK
        and isinstance(value.get("kind"), str)
        and isinstance(value.get("key"), str)
        and isinstance(media := value.get("type"), str)
        and "body" in value
        and isinstance(value.get("meta", {}), dict)
        and (is_json_type(media) or isinstance(value["body"], str))
    )


def record_problems(value: Any) -> tuple[tuple[str, str], ...]:
    """Every way ``value`` breaks the record contract, as (JSON path, message) pairs; empty for a record line."""
    if not isinstance(value, dict):
        from flowkit.validation_fast import type_name

        return (("$", f"expected an object, got {type_name(value)}"),)
    mark = value.get("flowkit")
    if mark != MARK:  # another contract: its other members mean nothing here
        return (("$.flowkit", f"unsupported record version {mark!r} (this flowkit reads {MARK!r})"),)
    found = [
        (f"$.{field}", "missing or not a string") for field in ("kind", "key", "type") if not isinstance(value.get(field), str)
    ]
    if "body" not in value:
        found.append(("$.body", "missing"))
    elif isinstance(value.get("type"), str) and not is_json_type(value["type"]) and not isinstance(value["body"], str):
        found.append(("$.body", f"must be a string for type {value['type']!r}"))
    if not isinstance(value.get("meta", {}), dict):
        found.append(("$.meta", "must be an object"))
    return tuple(found)


def _said(problems: Sequence[tuple[str, str]]) -> str:
    """The bad line's message: every problem (``flowkit.problems.summary``)."""
    from flowkit.problems import summary

    return summary("not a valid record/1 line", [f"{path}: {message}" for path, message in problems])


class Writer:
    """Writes records (one NDJSON line each) or raw bodies, flushing every record."""

    def __init__(self, out: IO[bytes] | None = None, *, mode: str = "record", pretty: bool | None = None) -> None:
        self.out: IO[bytes] = out if out is not None else sys.stdout.buffer
        self.mode = mode
        self.pretty = _isatty(self.out) if pretty is None else pretty
        self.count = 0

    def write(self, record: Record) -> None:
        self.put((self.encode(record),))

    def put(self, chunks: Sequence[bytes]) -> None:
        """Write encoded records (``encode``) with one write and one flush."""
        chunks = [data for data in chunks if data]
        if chunks:
            self.out.write(chunks[0] if len(chunks) == 1 else b"".join(chunks))
            self.out.flush()
            self.count += len(chunks)

    def encode(self, record: Record) -> bytes:
        """The bytes ``write`` writes for ``record`` (empty when raw mode writes nothing for it)."""
        if self.mode == "raw":
            if record.get("kind") == "error":
                return b""
            data = body_bytes(record, pretty=self.pretty)
            if not data.endswith(b"\n"):
                data += b"\n"
        elif self.pretty:
            data = orjson.dumps(record, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
        else:
            data = orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)  # no copy to add the newline
        return data


def body_bytes(record: Record, *, pretty: bool = False) -> bytes:
    """The body of a record as bytes: JSON serialised, text encoded as UTF-8."""
    body = record["body"]
    if is_json_type(record.get("type", JSON_TYPE)):
        return orjson.dumps(body, option=orjson.OPT_INDENT_2 if pretty else 0)
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def _isatty(stream: IO[bytes]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
