"""The record stream: raw documents for people, NDJSON records for pipelines.

Raw mode: the input is one plain document (JSON value or XML); output is one
plain document. Record mode: one JSON object per line carrying
``"flowkit": "record/1"``, ``kind``, ``key``, ``type``, ``meta`` and ``body``
(see docs/architecture.md). Input is read lazily, one record at a time.
"""

from __future__ import annotations

import gc
import io
import itertools
import os
import re
import select
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

import orjson

from flowkit.errors import InputError, UsageError

Record = dict[str, Any]
Peekable = io.BufferedReader  # a binary stream with peek()
MARK = "record/1"
JSON_TYPE = "application/json"
XML_TYPE = "application/xml"
_MARK_RE = re.compile(rb'^\{[^\n]*"flowkit"\s*:\s*"record/')
MAX_DEPTH = 128
"""Arrays and objects one record line (or raw JSON document) may nest: orjson encodes at most 254."""
INT_MIN, INT_MAX = -(1 << 63), (1 << 63) - 1
"""The integers a record may hold: sqlite's (and most receivers') signed 64 bits."""
_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19  # the shortest integer outside the range has 19 digits
_NUMBER_START = frozenset(b":,[ \t\r\n")  # what stands before a JSON number (after its sign)
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"\\')  # translate() keeps brackets, quotes, backslashes
_STRING = re.compile(rb'"[^"]*"')
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STEP = [1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256)]


def make_record(kind: str, key: str, body: Any, *, type: str = JSON_TYPE, meta: dict[str, Any] | None = None) -> Record:
    """Build a record with the version marker; ``body`` is JSON for JSON types, else a string."""
    return {"flowkit": MARK, "kind": kind, "key": str(key), "type": type, "meta": dict(meta or {}), "body": body}


def derive(record: Record, kind: str, body: Any, *, type: str = JSON_TYPE, **meta: Any) -> Record:
    """A new record for the same key, keeping ``meta`` and adding ``meta`` entries."""
    return make_record(kind, record["key"], body, type=type, meta={**record.get("meta", {}), **meta})


def is_json_type(media_type: str) -> bool:
    return media_type == JSON_TYPE or media_type.endswith("+json")


@dataclass
class BadLine:
    """A malformed input line: where it is and what is wrong."""

    where: str
    message: str
    key: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


Item = Record | BadLine
Decode = Callable[[str, "Peekable", bytes], Iterator[Item]]
"""A decoder: (input name, stream positioned at its first non-blank byte, that byte) -> items."""


def _open_all(paths: Sequence[str]) -> list[tuple[str, BinaryIO]]:
    if not paths or list(paths) == ["-"]:
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("no input: name a FILE or pipe data into stdin (refusing to wait on a terminal)")
        return [("<stdin>", sys.stdin.buffer)]
    out: list[tuple[str, BinaryIO]] = []
    for path in paths:
        if path == "-":
            out.append(("<stdin>", sys.stdin.buffer))
            continue
        try:
            out.append((path, open(path, "rb")))  # noqa: SIM115 - closed by Reader
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    return out


def _sniff(stream: BinaryIO) -> tuple[Peekable, bytes]:
    """Return a peekable stream and its first non-blank byte (b'' when empty)."""
    buffered: Peekable = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)  # type: ignore[arg-type]
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
    """

    def __init__(
        self,
        paths: Sequence[str] = (),
        *,
        raw_kind: str = "document",
        raw_key: Callable[[Any, str], str] | None = None,
        decode: Decode | None = None,
    ) -> None:
        self._inputs = _open_all(paths)
        self._raw_kind = raw_kind
        self._raw_key = raw_key
        self._decode = decode
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
            problem = check_record(value) or _line_limits(line, value)
            if problem:
                key = value.get("key") if isinstance(value, dict) else None
                yield BadLine(f"{name}:{lineno}", problem, key if isinstance(key, str) else None)
                continue
            value.setdefault("meta", {})
            yield value

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
            problem = _line_limits(data, body)
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
        return _too_deep(item, MAX_DEPTH)
    return _nests_too_deep(text)


def _line_limits(line: bytes, value: Any) -> str | None:
    """Why a parsed line breaks the record contract's limits (``check_limits``), or None.

    Reading the brackets and looking for 19 digits in a row are C-speed scans (a regex took
    six times as long as parsing the line): a line that could not break a limit is never walked.
    Only a line with such digits (one in thirty realistic orders, in hex hashes) is searched for
    them where a number starts, before the value is walked and the line read again.
    """
    digits = line.translate(_DIGITS)
    long_number = _LONG_NUMBER in digits and _number_at(digits)
    deep = _nests_too_deep(line)
    if not deep and not long_number:
        return None
    problem = check_limits(value)
    if problem is None and long_number:
        # orjson reads an integer beyond 2^64 as a float: read such a line again, exactly, to see it
        import json

        try:
            problem = check_limits(json.loads(line))
        except (ValueError, RecursionError):
            problem = None
    return problem


def _number_at(digits: bytes) -> bool:
    """Whether a run of 19 digits (``digits``: the line with every digit made 0) starts a JSON number,
    not the middle of a string such as a hash (a regex for it walked every byte: milliseconds a line)."""
    at = digits.find(_LONG_NUMBER)
    while at != -1:
        before = at - 1 if at and digits[at - 1] != 0x2D else at - 2  # 0x2D: the sign
        if before < 0 or digits[before] in _NUMBER_START:
            return True
        at = digits.find(_LONG_NUMBER, at + 19)
    return False


def _escaped_quote(text: bytes) -> bool:
    """Whether the JSON ``text`` has an escaped quote: its escapes read one by one (a line has a few
    dozen; a search for the two bytes took four times as long, quotes being everywhere)."""
    at = text.find(b"\\")
    while at != -1:
        if text[at + 1] == 0x22:  # the quote
            return True
        at = text.find(b"\\", at + 2)
    return False


def _nests_too_deep(text: bytes) -> bool:
    """Whether the (valid) JSON ``text`` nests more than ``MAX_DEPTH`` arrays and objects, read at C speed.

    A realistic order has hundreds of brackets but nests six deep; walking its values took three
    times as long as parsing it. All but brackets and quotes is dropped (a line with no more
    brackets than ``MAX_DEPTH`` is done), then the strings (brackets in them are text), after the
    escapes when one stands before a quote. Each pass that drops the empty ``[]`` and ``{}``
    pairs then removes one or two levels; past ``MAX_DEPTH // 2`` passes they are counted exactly.
    """
    kept = text.translate(None, _NOT_STRUCTURE)
    if len(kept) - kept.count(b'"') - kept.count(b"\\") <= MAX_DEPTH:  # too few brackets to nest that deep
        return False
    if b'\\"' in kept and _escaped_quote(text):  # only an escaped quote moves where a string ends
        kept = _ESCAPE.sub(b"", text).translate(None, _NOT_STRUCTURE)
    brackets = kept.translate(None, b"\\")
    brackets = brackets.replace(b'""', b"")  # adjacent quotes: no bracket between
    if b'"' in brackets:
        brackets = _STRING.sub(b"", brackets)
    rest = brackets
    for _ in range(MAX_DEPTH // 2):
        if not rest:
            return False
        rest = rest.replace(b"[]", b"").replace(b"{}", b"")
    return bool(rest) and max(itertools.accumulate(map(_STEP.__getitem__, brackets))) > MAX_DEPTH


def check_limits(value: Any) -> str | None:
    """Why ``value`` nests deeper than ``MAX_DEPTH`` or holds an integer outside ``INT_MIN..INT_MAX``, or None."""
    if _too_deep(value, MAX_DEPTH):
        return f"nested deeper than {MAX_DEPTH} levels"
    path = _big_integer(value)
    if path is not None:
        return f"integer out of range at {path} (flowkit reads integers from -2^63 to 2^63-1; send larger ones as strings)"
    return None


def _too_deep(value: Any, room: int) -> bool:
    """Whether ``value`` nests more than ``room`` arrays and objects."""
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list):
        return False
    if room == 0:
        return True
    return any(isinstance(v, (dict, list)) and _too_deep(v, room - 1) for v in value)


def _big_integer(value: Any, path: str = "$") -> str | None:
    """The JSON path of the first integer outside ``INT_MIN..INT_MAX`` in ``value`` (depth already bounded)."""
    if isinstance(value, dict):
        pairs: Any = ((f"{path}.{k}" if k.isidentifier() else f"{path}[{orjson.dumps(k).decode()}]", v) for k, v in value.items())
    elif isinstance(value, list):
        pairs = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    else:
        return path if type(value) is int and not INT_MIN <= value <= INT_MAX else None
    for where, v in pairs:
        if isinstance(v, (dict, list)) or type(v) is int:
            found = _big_integer(v, where)
            if found is not None:
                return found
    return None


def check_record(value: Any) -> str | None:
    """Why ``value`` is not a valid record line, or None when it is."""
    if not isinstance(value, dict):
        return "a record line must be a JSON object"
    mark = value.get("flowkit")
    if mark != MARK:
        return f"unsupported record version {mark!r} (this flowkit reads {MARK!r})"
    for field in ("kind", "key", "type"):
        if not isinstance(value.get(field), str):
            return f"record field {field!r} missing or not a string"
    if "body" not in value:
        return "record field 'body' missing"
    if not isinstance(value.get("meta", {}), dict):
        return "record field 'meta' must be an object"
    if not is_json_type(value["type"]) and not isinstance(value["body"], str):
        return f"record of type {value['type']!r} must have a string body"
    return None


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
