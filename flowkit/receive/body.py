"""A posted body checked before it is kept: its format from the Content-Type, well-formed, within limits.

JSON and NDJSON are parsed with orjson and held to the record contract's
limits (``flowkit.limits``: nesting depth, 64-bit integers); XML goes through
the project's hardened parser (``flowkit.mapping.xmlsafe``: no DOCTYPE, so no
entity expansion and no XXE, no network, libxml2's depth limit). An order
route takes JSON objects (the ``dir`` source reads one order per file or per
NDJSON line). A stock message's ``message_seq`` (an NDJSON body's first) is
read so the file name can carry it (push-stock's inbox takes files in that order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from flowkit.errors import InputError
from flowkit.limits import INT_MAX, line_limits

JSON, NDJSON, XML = "json", "ndjson", "xml"
EXTENSIONS = {JSON: ".json", NDJSON: ".ndjson", XML: ".xml"}
_TYPES = {
    "application/json": JSON,
    "text/json": JSON,
    "application/x-ndjson": NDJSON,
    "application/ndjson": NDJSON,
    "application/jsonl": NDJSON,
    "application/xml": XML,
    "text/xml": XML,
}
ACCEPTED = "application/json, application/x-ndjson, application/xml (or text/xml, or a +json or +xml type)"


class UnsupportedType(InputError):
    """A Content-Type the receiver does not take (HTTP 415)."""


@dataclass(frozen=True)
class Checked:
    """A body that passed: its format (the file's extension follows it) and a stock message's sequence."""

    fmt: str
    message_seq: int | None = None

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.fmt]


def media_format(content_type: str | None, data: bytes) -> str:
    """The body's format from its Content-Type; without one, from its first byte (``{``/``[`` or ``<``)."""
    if not content_type:
        first = data.lstrip()[:1]
        if first in (b"{", b"["):
            return JSON
        if first == b"<":
            return XML
        raise UnsupportedType(f"no Content-Type, and the body is neither JSON nor XML; send one of {ACCEPTED}")
    media = content_type.split(";", 1)[0].strip().lower()
    fmt = _TYPES.get(media) or (JSON if media.endswith("+json") else XML if media.endswith("+xml") else None)
    if fmt is None:
        raise UnsupportedType(f"Content-Type {media[:80]} is not accepted; send one of {ACCEPTED}")
    return fmt


def check(data: bytes, content_type: str | None, kind: str) -> Checked:
    """``data`` checked for a route of ``kind``: InputError (HTTP 400) says what is wrong and where."""
    if not data.strip():
        raise InputError("the body is empty")
    fmt = media_format(content_type, data)
    if fmt == XML:
        return Checked(XML, _xml(data, kind))
    if fmt == NDJSON:
        lines = [(n, line) for n, line in enumerate(data.splitlines(), 1) if line.strip()]
        values = [_json(line, kind, f"line {lineno}: ") for lineno, line in lines]
        return Checked(NDJSON, _message_seq(values[0]) if kind == "stock" else None)  # push-stock: the first message's
    value = _json(data, kind, "")
    return Checked(JSON, _message_seq(value) if kind == "stock" else None)


def _json(data: bytes, kind: str, where: str) -> Any:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{where}invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    problem = line_limits(data, value)
    if problem is not None:
        raise InputError(f"{where}{problem}")
    if kind == "order" and not isinstance(value, dict):
        raise InputError(f"{where}an order must be a JSON object")
    return value


def _message_seq(value: Any) -> int | None:
    seq = value.get("message_seq") if isinstance(value, dict) else None
    return seq if type(seq) is int and 0 <= seq <= INT_MAX else None


def _xml(data: bytes, kind: str) -> int | None:
    from flowkit.mapping import xmlsafe

    root = xmlsafe.parse(data, "body", max_bytes=None, encoding=None)  # the document's own encoding
    if kind != "stock":
        return None
    found = root.xpath("string(//*[local-name()='messageSeqId'][1])")
    text = str(found).strip()
    return int(text) if text.isdigit() and int(text) <= INT_MAX else None
