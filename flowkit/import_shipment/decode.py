"""Shipment message formats, decoded for ``records.Reader`` (and orders for ``--orders``).

Per input, from its first non-blank byte: ``<`` is one XML document (the SOAP
call); ``[`` a JSON array of messages; ``{`` NDJSON (flowkit records or plain
JSON objects, one per line) or, when the first line is not a whole JSON value,
one pretty-printed JSON object. Plain objects become records of the kind the
decoder was made for.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from flowkit.errors import InputError

if TYPE_CHECKING:
    from flowkit.store import Store

from flowkit.records import XML_TYPE, BadLine, Decode, Item, Peekable, Reader, Record, bad_record, make_record


def decoder(kind: str) -> Decode:
    """The decoder that wraps plain messages as records of ``kind``."""

    def decode(name: str, stream: Peekable, first: bytes) -> Iterator[Item]:
        meta = {} if name == "<stdin>" else {"filename": os.path.basename(name)}
        stem = "-" if name == "<stdin>" else os.path.splitext(os.path.basename(name))[0]
        if first == b"<":
            data = stream.read()
            yield make_record(kind, stem, data.decode("utf-8", errors="replace"), type=XML_TYPE, meta=meta)
        elif first == b"[":
            values = _load(name, stream.read())
            if not isinstance(values, list):
                raise InputError(f"{name}: expected a JSON array of messages")
            for index, value in enumerate(values, 1):
                yield _item(value, f"{name}[{index}]", kind, stem, meta)
        elif first == b"{":
            yield from _lines(name, stream, kind, stem, meta)
        else:
            raise InputError(f"{name}: not a shipment message (expected JSON, NDJSON or a SOAP XML document)")

    return decode


def _load(name: str, data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc


def _lines(name: str, stream: Peekable, kind: str, stem: str, meta: dict[str, Any]) -> Iterator[Item]:
    first_line = stream.readline()
    try:
        value = orjson.loads(first_line)
    except orjson.JSONDecodeError:
        yield _item(_load(name, first_line + stream.read()), name, kind, stem, meta)
        return
    yield _item(value, f"{name}:1", kind, stem, meta)
    for lineno, line in enumerate(stream, 2):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield BadLine(f"{name}:{lineno}", f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        yield _item(value, f"{name}:{lineno}", kind, stem, meta)


def _item(value: Any, where: str, kind: str, stem: str, meta: dict[str, Any]) -> Item:
    if isinstance(value, dict) and "flowkit" in value:
        bad = bad_record(where, value)
        if bad is not None:
            return bad
        value.setdefault("meta", {})
        return value
    if not isinstance(value, dict):
        return BadLine(where, "expected a JSON object")
    key = value.get("order", value.get("orderId", value.get("number")))
    return make_record(kind, str(key) if key is not None else stem, value, meta=dict(meta))


def orders(paths: Sequence[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Canonical orders from ``--orders`` files: (file name, order); order records or plain objects."""
    for path in paths:
        for item in Reader([path], decode=decoder("order")):
            if isinstance(item, BadLine):
                raise InputError(str(item))
            if item["kind"] != "order":
                continue
            body: Record = item["body"]
            where = f"{path}: order {item['key']!r}"
            if not isinstance(body, dict) or not isinstance(body.get("number"), str | int):
                raise InputError(f"{where}: an order needs a 'number' (canonical flowkit.order/1 JSON)")
            if not isinstance(body.get("lines", []), list):
                raise InputError(f"{where}: 'lines' must be a list")
            yield os.path.basename(path), body


def record_orders(store: Store, paths: Sequence[str], command: str) -> int:
    """Record the canonical orders of ``--orders`` files in the store (one transaction: a bad file loads none)."""
    from flowkit.store import orders as stored

    loaded = list(orders(paths))
    with store.transaction():
        for where, order in loaded:
            stored.upsert(store, order, source=f"file:{where}", command=command)
    return len(loaded)
