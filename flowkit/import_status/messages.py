"""Production status messages in, one normalised ``Message`` out.

Three shapes are read: flowkit's JSON status message, a GelatoConnect status
postback (``orderId``, ``status``, ``timestamp``: what a print house sends
Gelato) and a Gelato order status event (``orderReferenceId``,
``fulfillmentStatus``: what Gelato sends the shop). A message that cannot be
understood raises ``BadMessage``: it becomes a ``failure`` result naming the
problem (nothing is written).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flowkit.import_shipment.errors import BadMessage
from flowkit.import_shipment.messages import BEYOND, derived_seq, tracking_numbers
from flowkit.records import INT_MAX

# The lifecycle, in order; ``error`` moves no stage and ``cancelled`` ends it (see core.stale).
STAGES = {"error": 0, "received": 1, "in_production": 2, "printed": 3, "shipped": 4, "delivered": 5, "cancelled": 9}
STATUSES = ("received", "in_production", "printed", "shipped", "delivered", "cancelled", "error")
CANCELLED = STAGES["cancelled"]
ALIASES = {"canceled": "cancelled", "inproduction": "in_production", "failed": "error"}
# A Gelato order status event's fulfillmentStatus -> ours; any other (created, draft, pending_approval, ...)
# is a step before production: the message is ``ignored``.
GELATO_EVENT = {
    "passed": "received",
    "in_production": "in_production",
    "printed": "printed",
    "shipped": "shipped",
    "delivered": "delivered",
    "canceled": "cancelled",
    "cancelled": "cancelled",
    "failed": "error",
}


@dataclass
class Message:
    """A status message, whatever shape it arrived in; ``status`` None: a status flowkit does not post."""

    message_seq: int
    order: str
    status: str | None
    sent_status: str  # as the sender spelt it
    at: str | None = None  # when the status happened, RFC 3339 UTC with milliseconds (comparable as text)
    items: list[str] = field(default_factory=list)  # order line ids; empty: the whole order
    quantities: dict[str, int] = field(default_factory=dict)  # line id -> the units it is for, when the sender said
    message: str | None = None
    tracking: list[tuple[str, str | None]] = field(default_factory=list)
    notify: bool = False
    message_id: str | None = None  # the sender's own id when it is not a number (Gelato's event id)
    form: str = "json"


def parse(body: Any) -> Message:
    """Read one message body: a JSON object in one of the three shapes."""
    if isinstance(body, str | bytes):
        raise BadMessage("a status message is a JSON object, not XML or text")
    if not isinstance(body, dict):
        raise BadMessage(f"a status message must be a JSON object, not {type(body).__name__}")
    if "fulfillmentStatus" in body:
        return from_gelato_event(body)
    if "orderId" in body and "status" in body and "order" not in body:
        return from_gelato(body)
    return from_json(body)


def from_json(body: dict[str, Any]) -> Message:
    order = _order(body.get("order", body.get("number")), "order")
    seq = _seq(body.get("message_seq"), order)
    status = _status(body.get("status"), order, seq)
    items = _items(body.get("items"), ("line_id", "orderItemId"), order, seq)
    return Message(
        message_seq=seq,
        order=order,
        status=status,
        sent_status=str(body.get("status")),
        at=_time(body.get("at", body.get("timestamp")), order, seq),
        items=list(items),
        quantities=_given(items),
        message=_text(body.get("message", body.get("comment"))),
        tracking=_tracking(body.get("tracking"), body.get("tracking_url"), order, seq),
        notify=_flag(body.get("notify")),
    )


def from_gelato(body: dict[str, Any]) -> Message:
    """A GelatoConnect status postback; it carries no message id, so one is derived from its content."""
    order = _order(body.get("orderId"), "orderId")
    seq = derived_seq(body) if body.get("message_seq") is None else _seq(body["message_seq"], order)
    items = _items(body.get("items"), ("orderItemId",), order, seq)
    return Message(
        message_seq=seq,
        order=order,
        status=_status(body.get("status"), order, seq),
        sent_status=str(body.get("status")),
        at=_time(body.get("timestamp"), order, seq),
        items=list(items),
        quantities=_given(items),
        message=_text(body.get("message")),
        tracking=_tracking(body.get("trackingCode"), body.get("trackingLink"), order, seq),
        form="gelato",
    )


def from_gelato_event(body: dict[str, Any]) -> Message:
    """A Gelato order status event: the order's ``fulfillmentStatus``, tracking from every item's fulfillments.

    The event's ``id`` is its message id (a resent event is a duplicate); it carries no time.
    """
    order = _order(body.get("orderReferenceId"), "orderReferenceId")
    event_id = _text(body.get("id"))
    seq = derived_seq({"id": event_id} if event_id else body)
    sent = _text(body.get("fulfillmentStatus"))
    if sent is None:
        raise BadMessage("'fulfillmentStatus' missing", order=order, seq=seq)
    tracking: list[tuple[str, str | None]] = []
    for item in body.get("items") or []:
        for done in (item.get("fulfillments") or []) if isinstance(item, dict) else []:
            if isinstance(done, dict) and _text(done.get("trackingCode")):
                tracking += _tracking(done["trackingCode"], done.get("trackingUrl"), order, seq)
    return Message(
        message_seq=seq,
        order=order,
        status=GELATO_EVENT.get(sent.lower()),
        sent_status=sent,
        at=_time(body.get("timestamp"), order, seq),
        tracking=list(dict.fromkeys(tracking)),
        message_id=event_id,
        form="gelato-event",
    )


def _order(value: Any, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise BadMessage(f"order number missing ('{name}')")
    return str(value).strip()


def _seq(value: Any, order: str) -> int:
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if value is None or isinstance(value, bool):
        raise BadMessage("'message_seq' missing: every status message needs the sender's message id", order=order)
    if not isinstance(value, int) or value < 0:
        raise BadMessage(f"'message_seq' must be a whole number, not {value!r}", order=order)
    if value > INT_MAX:
        raise BadMessage(f"'message_seq' {value} is {BEYOND}", order=order)
    return value


def _status(value: Any, order: str, seq: int) -> str:
    text = _text(value)
    if text is None:
        raise BadMessage("'status' missing", order=order, seq=seq)
    name = text.lower().replace("-", "_").replace(" ", "_")
    name = ALIASES.get(name.replace("_", ""), ALIASES.get(name, name))
    if name not in STAGES:
        raise BadMessage(f"unknown status {text!r} (known: {', '.join(STATUSES)})", order=order, seq=seq)
    return name


def _items(value: Any, names: tuple[str, ...], order: str, seq: int) -> dict[str, int | None]:
    """The order line ids a message names (``items[].line_id`` or ``orderItemId``), in order, once each, with the
    ``quantity`` given (None: the whole line)."""
    if value is None:
        return {}
    if not isinstance(value, list):
        raise BadMessage("'items' must be a list", order=order, seq=seq)
    items: dict[str, int | None] = {}
    for index, item in enumerate(value, 1):
        found = next((item.get(n) for n in names if isinstance(item, dict) and item.get(n) not in (None, "")), None)
        if found is None or isinstance(found, bool | dict | list):
            raise BadMessage(f"items[{index}]: '{names[0]}' missing", order=order, seq=seq)
        qty = item.get("quantity", item.get("qty"))
        if isinstance(qty, str) and qty.strip().isdecimal():
            qty = int(qty.strip())
        if qty is not None and (isinstance(qty, bool) or not isinstance(qty, int) or not 0 < qty <= INT_MAX):
            raise BadMessage(f"items[{index}]: quantity must be a whole number above 0, not {qty!r}", order=order, seq=seq)
        items.setdefault(str(found).strip(), qty)
    return items


def _given(items: dict[str, int | None]) -> dict[str, int]:
    return {item: qty for item, qty in items.items() if qty is not None}


def _time(value: Any, order: str, seq: int) -> str | None:
    """A date or RFC 3339 date-time as UTC with milliseconds (naive ones are UTC; a date is its midnight)."""
    text = _text(value)
    if text is None:
        return None
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        raise BadMessage(f"time {text!r} is not a date (YYYY-MM-DD) or RFC 3339 date-time", order=order, seq=seq) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _tracking(value: Any, url: Any, order: str, seq: int) -> list[tuple[str, str | None]]:
    try:
        return tracking_numbers(value, url)
    except ValueError as exc:
        raise BadMessage(str(exc), order=order, seq=seq) from exc


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)
