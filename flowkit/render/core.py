"""Render canonical orders into payloads: standard XML/JSON or an OrderFlow import.

``Renderer`` is the pure core of ``flowkit render``: an order record in,
a payload record (or a ``skipped`` result for a held order) out. Options are
resolved per record: built-in defaults < ``[render]`` < the record's
``[suppliers.X.render]`` / ``[channels.X.render]`` < flags and environment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

import orjson

from flowkit import model
from flowkit.config import Config
from flowkit.config_keys import as_read
from flowkit.formats.options import RenderOptions, build
from flowkit.provenance import rendered
from flowkit.records import JSON_TYPE, XML_TYPE, Record, Writer, body_bytes, derive, is_json_type

ASCII_CHARSET = "us-ascii"


def order_key(body: Any, stem: str) -> str:
    """The key of a raw order document: its number (a product's SKU), else the file name."""
    number = (body.get("number") or body.get("sku")) if isinstance(body, dict) else None
    return str(number) if isinstance(number, (str, int)) and str(number) else stem


def example_order() -> dict[str, Any]:
    """The packaged sample order behind ``--example`` (a copy of samples/orders/1203.json)."""
    text = (Path(__file__).parent.parent / "data" / "example_order.json").read_text(encoding="utf-8")
    value: dict[str, Any] = json.loads(text)
    return value


def payload(order: dict[str, Any], options: RenderOptions, lines: list[dict[str, Any]] | None = None) -> tuple[Any, str, str]:
    """Render one valid order: (body, media type, file extension)."""
    if options.format == "json":  # first, and no package import per order (``from flowkit.formats import`` runs Python)
        from flowkit.formats.standard_tree import json_tree

        return json_tree(order, options, lines), JSON_TYPE, "json"
    from flowkit.formats import standard

    if options.format == "orderflow":
        from flowkit.formats import orderflow

        chosen = order.get("lines") or [] if lines is None else lines
        text = orderflow.document(order, chosen, kind=options.orderflow_type, operation=options.orderflow_operation)
        return text, XML_TYPE, "xml"
    node = standard.tree(order, options, lines)
    return standard.to_xml(node, indent=options.indent, escape_non_ascii=options.escape_non_ascii), XML_TYPE, "xml"


def skipped(record: Record, reason: str, routing: Mapping[str, Any] | None = None) -> Record:
    """The result record standing for an order render chose not to render."""
    body = {
        "key": record["key"],
        "destination": None,
        "status": "skipped",
        "remote_ref": None,
        "attempts": 0,
        "error": None,
        "content_hash": None,
        "reason": reason,
        "command": "render",
    }
    out = derive(record, "result", body)
    out["meta"].pop(model.STAMP_KEY, None)  # it vouched for the order body, not for this one
    for name, value in (routing or {}).items():
        out["meta"].setdefault(name, value)
    return out


class Renderer:
    """Per-record rendering with per-channel/supplier option overrides (cached per pair)."""

    def __init__(self, config: Config | None = None, flags: Mapping[str, Any] | None = None) -> None:
        self.config = config or Config()
        self.flags = dict(flags or {})
        self._cache: dict[tuple[str | None, str | None], RenderOptions] = {}
        self._rendered: dict[int, dict[str, Any]] = {}  # meta.rendered per options in _cache (by identity)
        self.last_skip: tuple[str, str] | None = None  # (key, reason), for raw mode's message
        self.vouched = _vouched_by_nobody  # the reader's (records.Reader.vouched): a stamp vouched for the body as read

    def check_flags(self) -> None:
        """Raise ConfigError when the flags alone are invalid (a bad --exclude-extra regex)."""
        build(self.flags, where="command line")

    def options(self, meta: Mapping[str, Any]) -> RenderOptions:
        pair = (_str(meta.get("channel")), _str(meta.get("supplier")))
        found = self._cache.get(pair)
        if found is None:
            for values, where in self._layers(pair):  # check each table alone, so errors name it
                build(values, where=where)
            merged = build(self.config.options("render", {"channel": pair[0], "supplier": pair[1]}))
            found = self._cache[pair] = build(self.flags, where="command line", base=merged)
        return found

    def _layers(self, pair: tuple[str | None, str | None]) -> Iterator[tuple[Mapping[str, Any], str]]:
        yield self.config.section("render"), f"{self.config.where('render')}: [render]"
        for kind, name in (("suppliers", pair[1]), ("channels", pair[0])):
            entry = self.config.section(kind).get(name) if name else None
            if isinstance(entry, Mapping) and isinstance(entry.get("render"), Mapping):
                where = self.config.where(kind, str(name), "render")
                yield as_read("render", entry["render"]), f"{where}: [{kind}.{name}.render]"

    def __call__(self, record: Record) -> Iterator[Record]:
        if record["kind"] == "product" or is_product(record.get("body")):  # a product record, or a raw product document
            yield self.product(record)
            return
        # validated here unless the reader did (model.vouched) or a stamp vouches for exactly this body (as parsed)
        order = record["body"] if self.vouched(record) else model.checked(record)
        meta = _routing(record, order)
        options = self.options(meta)
        reason = None if options.include_held else model.hold_reason(order)
        if reason is not None:
            self.last_skip = (record["key"], f"on hold: {reason}")
            yield skipped(record, f"on hold: {reason}", meta)
            return
        lines = order.get("lines") or []
        if options.products:
            wanted = options.product_set
            lines = [ln for ln in lines if ln.get("product_ref") in wanted or ln.get("sku") in wanted]
            if not lines:
                self.last_skip = (record["key"], "no line matches the product filter")
                yield skipped(record, "no line matches the product filter", meta)
                return
        body, media, ext = payload(order, options, lines)
        out = self.payload_record(record, options, body, media, ext)
        out["meta"].pop(model.STAMP_KEY, None)  # it vouched for the order body, not for the payload
        for name, value in meta.items():
            out["meta"].setdefault(name, value)
        yield out

    def payload_record(self, record: Record, options: RenderOptions, body: Any, media: str, ext: str) -> Record:
        """The payload record of ``record``: meta gains format, filename, rendered (and charset)."""
        extra: dict[str, Any] = {"format": options.format, "filename": f"{record['key']}.{ext}"}
        extra["rendered"] = self._rendered.get(id(options)) or self._rendered.setdefault(id(options), rendered(options))
        if options.escape_non_ascii and options.format != "orderflow":
            extra["charset"] = ASCII_CHARSET
        return derive(record, "payload", body, type=media, **extra)

    def product(self, record: Record) -> Record:
        """A flowkit.product/1 record's payload (formats/product.py); meta.operation picks create or update."""
        from flowkit import product_model
        from flowkit.formats.product import payload as product_payload

        options = self.options({})  # a product has no channel or supplier: [render] and the flags
        product = product_model.check(record["body"], record["key"])
        operation = (record.get("meta") or {}).get("operation")
        chosen = self.flags.get("orderflow_operation")  # given on the command line: wins over meta.operation
        body, media, ext = product_payload(product, options, operation, chosen)
        return self.payload_record(record, options, body, media, ext)


def is_product(body: Any) -> bool:
    """Whether a raw document is a flowkit.product/1 (render reads products and orders alike)."""
    return isinstance(body, dict) and body.get("schema") == "flowkit.product/1"


def _vouched_by_nobody(record: Record) -> bool:
    return False


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _routing(record: Record, order: dict[str, Any]) -> dict[str, Any]:
    """channel and supplier of the record (from meta, else from the order itself)."""
    meta = record.get("meta") or {}
    channel = meta.get("channel") or ((order.get("source") or {}).get("channel") or {}).get("id")
    supplier = meta.get("supplier") or (order.get("supplier") or {}).get("id")
    if channel is not None and supplier is not None:  # most records: no loop per record
        return {"channel": channel, "supplier": supplier}
    return {k: v for k, v in (("channel", channel), ("supplier", supplier)) if v is not None}


def example(fmt: str, base: RenderOptions | None = None) -> bytes:
    """A complete example payload (every node switched on) from the packaged sample order."""
    options = replace((base or RenderOptions()).everything(), format=fmt)
    body, media, _ = payload(example_order(), options)
    record = {"type": media, "body": body}
    return _raw_bytes(record, indent=True, ascii_only=options.escape_non_ascii)


def _raw_bytes(record: Record, *, indent: bool, ascii_only: bool) -> bytes:
    from flowkit.formats.standard import ascii_json

    if not is_json_type(record.get("type", JSON_TYPE)):
        data = body_bytes(record)
    else:
        data = orjson.dumps(record["body"], option=orjson.OPT_INDENT_2 if indent else 0)
        if ascii_only:
            data = ascii_json(data.decode("utf-8")).encode("ascii")
    return data if data.endswith(b"\n") else data + b"\n"


class RenderWriter(Writer):
    """The record writer, plus: raw JSON follows ``indent``; ``charset us-ascii`` payloads stay ASCII."""

    def __init__(self, out: IO[bytes] | None = None, *, mode: str = "record", indent: bool = True) -> None:
        super().__init__(out, mode=mode, pretty=False)
        self.indent = indent

    def encode(self, record: Record) -> bytes:
        ascii_only = (record.get("meta") or {}).get("charset") == ASCII_CHARSET and record.get("kind") == "payload"
        if self.mode == "raw":
            if record.get("kind") != "payload":
                return b""  # a skipped or error record: reported on stderr, nothing to print
            data = _raw_bytes(record, indent=self.indent, ascii_only=ascii_only)
        elif ascii_only:
            from flowkit.formats.standard import ascii_json

            data = ascii_json(orjson.dumps(record).decode("utf-8")).encode("ascii") + b"\n"
        else:
            data = orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)  # no copy to add the newline
        return data
