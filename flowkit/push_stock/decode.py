"""Stock message formats, decoded for ``records.Reader``: NDJSON/JSON messages, stock records, CSV, SOAP.

Each input file is sniffed: ``<`` is a SOAP inventory message; ``{`` is NDJSON
(plain messages ``{"message_seq": N, "lines": [...]}``, or ``flowkit`` records
of kind ``stock``; other record kinds pass through) or one pretty-printed JSON
message; ``[`` a JSON array of messages or lines; anything else CSV
(``sku,qty,seq[,source]``, header optional, one message per file whose
message_seq is the last number in the file name). Large CSV files are cut into
parts so memory stays flat.

Each message becomes a ``stock`` record (kind, key and meta as read) whose
body is the message normalised: ``message_seq``, ``lines``, ``where`` (the
input position diagnostics name) and ``final`` (False on all but the last part
of a large CSV file). ``message`` turns it back into a ``Message``. A message
that cannot be read is a ``BadLine``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import orjson

from flowkit.push_stock.model import BEYOND, Message, as_int, in_range, seq_from_name
from flowkit.records import BadLine, Item, Peekable, Record, bad_record

PART = 5000
CSV_COLUMNS = ("sku", "qty", "seq", "source")
KIND = "stock"


def decode(name: str, stream: Peekable, first: bytes) -> Iterator[Item]:
    """Every stock message (or pass-through record, or problem) in one input (a ``records.Decode``)."""
    if first == b"<":
        from flowkit.push_stock import soap

        yield as_record(soap.parse(stream.read(), name))
    elif first in (b"{", b"["):
        yield from _json(name, stream)
    else:
        yield from _csv(name, stream)


def as_record(msg: Message) -> Record:
    """The ``stock`` record that carries ``msg`` through the record loop."""
    body = {"message_seq": msg.message_seq, "lines": msg.lines, "where": msg.where, "final": msg.final}
    return {"flowkit": "record/1", "kind": KIND, "key": msg.key, "type": "application/json", "meta": msg.meta, "body": body}


def message(record: Record) -> Message:
    """The ``Message`` a decoded ``stock`` record carries."""
    body = record["body"]
    return Message(body["message_seq"], body["lines"], body["where"], record["key"], record["meta"], body["final"])


def _json(name: str, stream: Peekable) -> Iterator[Item]:
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            if lineno == 1:  # one pretty-printed document, not NDJSON
                yield from _document(name, line + stream.read())
                return
            yield BadLine(f"{name}:{lineno}", f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        if isinstance(value, list):
            yield from _array(f"{name}:{lineno}", value)
        else:
            yield message_of(value, f"{name}:{lineno}")


def _document(name: str, data: bytes) -> Iterator[Item]:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        yield BadLine(f"{name}:{exc.lineno}:{exc.colno}", f"invalid JSON: {exc.msg}")
        return
    yield from _array(name, value) if isinstance(value, list) else [message_of(value, name)]


def _array(where: str, items: list[Any]) -> Iterator[Item]:
    if items and all(isinstance(i, Mapping) and "lines" in i for i in items):
        for index, item in enumerate(items, 1):
            yield message_of(item, f"{where}:item {index}")
    else:
        yield as_record(Message(None, items, where, where, {}))


def message_of(value: Any, where: str) -> Item:
    """A ``stock`` record from a plain JSON message or a ``stock`` record; other records pass through."""
    found = _message_of(value, where)
    return as_record(found) if isinstance(found, Message) else found


def _message_of(value: Any, where: str) -> Message | Item:
    meta: dict[str, Any] = {}
    key = None
    if isinstance(value, Mapping) and "flowkit" in value:
        bad = bad_record(where, value)
        if bad is not None:
            return bad
        if value["kind"] != "stock":
            return dict(value)
        meta, key, value = dict(value.get("meta") or {}), value["key"], value["body"]
    if not isinstance(value, Mapping):
        return BadLine(where, "a stock message must be a JSON object")
    if "lines" in value:
        lines = value["lines"]
        if not isinstance(lines, list):
            return BadLine(where, "'lines' must be a list")
    elif "sku" in value:
        lines = [value]
    else:
        return BadLine(where, "a stock message needs 'lines' (or a single line with 'sku')")
    raw_seq = value.get("message_seq", meta.get("message_seq"))
    message_seq = as_int(raw_seq) if raw_seq is not None else None
    if raw_seq is not None and (message_seq is None or message_seq < 0):
        return BadLine(where, f"message_seq {raw_seq!r} is not a non-negative integer")
    if message_seq is not None and not in_range(message_seq):
        return BadLine(where, f"message_seq {raw_seq!r} is {BEYOND}")
    return Message(message_seq, lines, where, key or (str(message_seq) if message_seq is not None else where), meta)


def _csv(name: str, stream: Peekable) -> Iterator[Item]:
    message_seq = None if name == "<stdin>" else seq_from_name(os.path.basename(name))
    if message_seq is not None and not in_range(message_seq):
        yield BadLine(name, f"the message_seq {message_seq} in the file name is {BEYOND}")
        return
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    rows = csv.reader(text)
    columns: Sequence[str] = CSV_COLUMNS
    key = str(message_seq) if message_seq is not None else name
    part: list[Any] = []
    try:
        for row in rows:
            if not row or not any(cell.strip() for cell in row):
                continue
            if rows.line_num == 1 and row[0].strip().lower() == "sku":
                columns = [cell.strip().lower() for cell in row]
                continue
            part.append({col: cell.strip() for col, cell in zip(columns, row, strict=False) if cell.strip()})
            if len(part) >= PART:
                yield as_record(Message(message_seq, part, name, key, {"format": "csv"}, final=False))
                part = []
    except (csv.Error, UnicodeDecodeError) as exc:
        yield BadLine(f"{name}:{rows.line_num}", f"unreadable CSV: {exc}")
        return
    finally:
        text.detach()  # the caller closes the file; never close stdin
    yield as_record(Message(message_seq, part, name, key, {"format": "csv"}))
