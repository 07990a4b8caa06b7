"""Shipment messages in, one normalised ``Message`` out.

Three shapes are read: flowkit's JSON message, the OrderFlow SOAP
``orderflowShipmentCreate`` call, and a GelatoConnect-style status postback.
A message that cannot be understood raises ``BadMessage``: it becomes a
``failure`` result naming the problem (nothing is written).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flowkit.import_shipment.errors import BadMessage
from flowkit.records import INT_MAX

DEFAULT_SOURCE = "default"
BEYOND = "beyond the signed 64-bit range (-2^63 to 2^63-1)"  # what the state store keeps


@dataclass
class Line:
    """One line to ship: by ``sku`` or by order ``line_id``; ``qty`` None = all that remains."""

    sku: str | None
    line_id: str | None
    qty: int | None
    source: str = DEFAULT_SOURCE


@dataclass
class Message:
    """A shipment message, whatever shape it arrived in."""

    message_seq: int
    order: str
    lines: list[Line]
    courier: str | None = None
    service: str | None = None
    tracking: list[tuple[str, str | None]] = field(default_factory=list)
    date_shipped: str | None = None
    comment: str | None = None
    notify: bool = False
    ship_all: bool = False
    form: str = "json"


def parse(body: Any, media_type: str = "application/json") -> Message:
    """Read one message body: a JSON object (flowkit or GelatoConnect) or SOAP XML text."""
    if isinstance(body, str | bytes):
        from flowkit.import_shipment.soap import parse_soap

        return from_json(parse_soap(body), form="soap")
    if not isinstance(body, dict):
        raise BadMessage(f"a shipment message must be a JSON object, not {type(body).__name__}")
    if "orderId" in body and "status" in body:
        return from_gelato(body)
    return from_json(body)


def from_json(body: dict[str, Any], *, form: str = "json") -> Message:
    order = _order(body.get("order", body.get("number")))
    seq = _seq(body.get("message_seq"), order)
    raw_lines = body.get("lines")
    if raw_lines is None:
        raw_lines = []
    if not isinstance(raw_lines, list):
        raise BadMessage("'lines' must be a list", order=order, seq=seq)
    lines = [_line(item, index, order, seq) for index, item in enumerate(raw_lines, 1)]
    try:
        tracking = tracking_numbers(body.get("tracking"), body.get("tracking_url"))
        shipped = normalise_date(body.get("date_shipped"))
    except ValueError as exc:
        raise BadMessage(str(exc), order=order, seq=seq) from exc
    return Message(
        message_seq=seq,
        order=order,
        lines=lines,
        courier=_text(body.get("courier")),
        service=_text(body.get("service")),
        tracking=tracking,
        date_shipped=shipped,
        comment=_text(body.get("comment")),
        notify=_flag(body.get("notify")),
        form=form,
    )


def from_gelato(body: dict[str, Any]) -> Message:
    """A GelatoConnect status postback: ``status`` must be ``shipped``; no ``items`` ships the whole order."""
    order = _order(body.get("orderId"))
    seq = _seq(body.get("message_seq"), order, derive_from=body)
    if str(body.get("status")) != "shipped":
        raise BadMessage(
            f"GelatoConnect status {body.get('status')!r} is not a shipment (expected 'shipped'; "
            "production statuses go to 'flowkit import-status')",
            order=order,
            seq=seq,
        )
    items = body.get("items") or []
    if not isinstance(items, list):
        raise BadMessage("'items' must be a list", order=order, seq=seq)
    lines = []
    for index, item in enumerate(items, 1):
        if not isinstance(item, dict) or item.get("orderItemId") in (None, ""):
            raise BadMessage(f"items[{index}]: 'orderItemId' missing", order=order, seq=seq)
        qty = None if item.get("quantity") is None else _qty(item["quantity"], f"items[{index}]", order, seq)
        lines.append(Line(sku=None, line_id=str(item["orderItemId"]), qty=qty))
    try:
        tracking = tracking_numbers(body.get("trackingCode"), body.get("trackingLink"))
        shipped = normalise_date(body.get("timestamp"))
    except ValueError as exc:
        raise BadMessage(str(exc), order=order, seq=seq) from exc
    return Message(
        message_seq=seq,
        order=order,
        lines=lines,
        tracking=tracking,
        date_shipped=shipped,
        comment=_text(body.get("message")),
        ship_all=not lines,
        form="gelato",
    )


def _order(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise BadMessage("order number missing ('order')")
    return str(value).strip()


def _seq(value: Any, order: str, *, derive_from: dict[str, Any] | None = None) -> int:
    if value is None and derive_from is not None:
        return derived_seq(derive_from)
    if isinstance(value, bool) or value is None:
        raise BadMessage("'message_seq' missing: every shipment message needs the sender's message id", order=order)
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if not isinstance(value, int) or value < 0:
        raise BadMessage(f"'message_seq' must be a whole number, not {value!r}", order=order)
    if value > INT_MAX:
        raise BadMessage(f"'message_seq' {value} is {BEYOND}", order=order)
    return value


def derived_seq(body: dict[str, Any]) -> int:
    """A message id for a postback that carries none: negative, from its content (a resend is a duplicate)."""
    import orjson

    digest = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).digest()
    return -(int.from_bytes(digest[:7], "big") >> 4) - 1  # 52 bits: exact in JSON readers using doubles


def _qty(value: Any, where: str, order: str, seq: int) -> int:
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise BadMessage(f"{where}: quantity must be a whole number above 0, not {value!r}", order=order, seq=seq)
    if value > INT_MAX:
        raise BadMessage(f"{where}: quantity {value} is {BEYOND}", order=order, seq=seq)
    return value


def _line(item: Any, index: int, order: str, seq: int) -> Line:
    where = f"lines[{index}]"
    if not isinstance(item, dict):
        raise BadMessage(f"{where}: a line must be an object with 'sku' and 'qty'", order=order, seq=seq)
    sku, line_id = _text(item.get("sku")), _text(item.get("line_id"))
    if sku is None and line_id is None:
        raise BadMessage(f"{where}: 'sku' missing", order=order, seq=seq)
    qty = _qty(item.get("qty", item.get("quantity")), where, order, seq)
    return Line(sku=sku, line_id=line_id, qty=qty, source=_text(item.get("source")) or DEFAULT_SOURCE)


def tracking_numbers(value: Any, url: Any) -> list[tuple[str, str | None]]:
    """Tracking numbers from a string (comma separated), a list of strings, or ``{code, url}`` objects."""
    items = value if isinstance(value, list) else [] if value in (None, "") else [value]
    out: list[tuple[str, str | None]] = []
    for item in items:
        if isinstance(item, dict):
            code = _text(item.get("code") or item.get("number"))
            if code:
                out.append((code, _text(item.get("url")) or _text(url)))
        elif isinstance(item, str | int) and not isinstance(item, bool):
            out += [(code, _text(url)) for code in re.split(r"[,;\s]+", str(item)) if code]
        else:
            raise ValueError(f"tracking number {item!r} is not text")
    return out


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def normalise_date(value: Any) -> str | None:
    """``YYYY-MM-DD`` kept; date-times become RFC 3339 UTC (naive ones are taken as UTC)."""
    text = _text(value)
    if text is None:
        return None
    problem = f"date shipped {text!r} is not a date (YYYY-MM-DD) or RFC 3339 date-time"
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            date.fromisoformat(text)
            return text
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        raise ValueError(problem) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
