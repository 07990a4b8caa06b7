"""Postbacks for an applied status: the update the shop or platform needs, ready for ``deliver``.

Each is a ``payload`` record (``application/json``) with ``meta.postback``:
``magento`` (the body of Magento's ``POST /V1/orders/{id}/comments``, an order
comment with an optional status), ``infigo`` (a status update; field names
are ours, Infigo does not publish this shape), ``gelato`` (a GelatoConnect
``/v2/order/status`` postback, for the statuses Gelato knows) and ``json``
(flowkit's own status document). The body depends on the message and the
order only, so the same status imported twice makes the same payload, which
``deliver`` then sends once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flowkit.import_shipment.postbacks import as_number, document_lines, file_stem, line_ref, order_ref
from flowkit.import_status.messages import Message
from flowkit.records import Record, make_record
from flowkit.store import now

KINDS = ("magento", "infigo", "gelato", "json")
LABELS = {
    "received": "Received by production",
    "in_production": "In production",
    "printed": "Printed",
    "shipped": "Shipped",
    "delivered": "Delivered",
    "cancelled": "Cancelled",
    "error": "Production error",
}
INFIGO = {
    "received": "Received",
    "in_production": "InProduction",
    "printed": "Printed",
    "shipped": "Shipped",
    "delivered": "Delivered",
    "cancelled": "Cancelled",
    "error": "Error",
}
GELATO = ("received", "error", "printed", "shipped", "cancelled")  # the statuses a GelatoConnect postback may carry


@dataclass
class Applied:
    """What a postback is made of: the status applied, to which lines, and the order as the store knows it."""

    message: Message
    items: list[str]  # the line ids it was applied to; empty: the whole order
    lines: list[dict[str, Any]]  # the order's lines (line_id, sku, ...)
    document: dict[str, Any] | None
    target: str = "default"
    magento_statuses: Mapping[str, str] = field(default_factory=dict)


class Ctx:
    """What a postback builder sees: the message, the lines it was applied to, the order document."""

    def __init__(self, applied: Applied) -> None:
        self.message, self.status, self.target = applied.message, str(applied.message.status), applied.target
        self.magento_statuses = applied.magento_statuses
        self.document = applied.document or {}
        self.doc_lines = document_lines(self.document)
        sku = {ln["line_id"]: ln["sku"] for ln in applied.lines}
        # (line id, sku, units or None for the whole line); empty: the whole order
        self.items = [(item, sku.get(item), applied.message.quantities.get(item)) for item in applied.items]

    def order_ref(self, name: str) -> Any:
        return order_ref(self.document, name, self.message.order)

    def comment(self) -> str:
        """One line for a person: the status, the lines it is for, the sender's words, the tracking numbers."""
        text = LABELS[self.status]
        if self.items:
            text += " (" + ", ".join((sku or item) + (f" x{qty}" if qty else "") for item, sku, qty in self.items) + ")"
        if self.message.message:
            text += ": " + self.message.message
        if self.message.tracking:
            text = text.rstrip(".") + ". Tracking: " + ", ".join(code for code, _ in self.message.tracking)
        return text


def magento(ctx: Ctx) -> dict[str, Any] | None:
    notify = 1 if ctx.message.notify else 0
    history: dict[str, Any] = {
        "comment": ctx.comment(),
        "is_customer_notified": notify,
        "is_visible_on_front": notify,
        "parent_id": as_number(ctx.order_ref("magento.entity_id")),
    }
    code = ctx.magento_statuses.get(ctx.status)
    if code:
        history["status"] = code
    return {"statusHistory": history}


def infigo(ctx: Ctx) -> dict[str, Any] | None:
    tracking = ctx.message.tracking
    return {
        "OrderId": ctx.order_ref("infigo.order_id"),
        "Status": INFIGO[ctx.status],
        "StatusDateUtc": ctx.message.at,
        "Message": ctx.message.message,
        "TrackingNumber": tracking[0][0] if tracking else None,
        "TrackingUrl": next((url for _, url in tracking if url), None),
        "OrderLines": [
            {"OrderLineId": line_ref(ctx.doc_lines, item, "infigo.line_id"), "Sku": sku, "Quantity": qty}
            for item, sku, qty in ctx.items
        ],
    }


def gelato(ctx: Ctx) -> dict[str, Any] | None:
    if ctx.status not in GELATO:
        return None
    tracking = ctx.message.tracking
    body: dict[str, Any] = {
        "timestamp": (ctx.message.at or now())[:19] + "Z",  # a message without a time: when it was applied
        "orderId": ctx.order_ref("gelato.id"),
        "status": ctx.status,
        "message": ctx.message.message or LABELS[ctx.status],
        "trackingCode": tracking[0][0] if tracking else None,
        "trackingLink": next((url for _, url in tracking if url), None),
    }
    if ctx.items:
        body["items"] = [
            {"orderItemId": line_ref(ctx.doc_lines, item, "gelato.item_id"), **({"quantity": qty} if qty else {})}
            for item, _, qty in ctx.items
        ]
    return body


def plain(ctx: Ctx) -> dict[str, Any] | None:
    m = ctx.message
    return {
        "order": m.order,
        "status": ctx.status,
        "sent_status": m.sent_status,
        "at": m.at,
        "message": m.message,
        "message_seq": m.message_seq,
        "message_id": m.message_id,
        "target": ctx.target,
        "items": [{"line_id": item, "sku": sku, "quantity": qty} for item, sku, qty in ctx.items],
        "tracking": [{"code": code, "url": url} for code, url in m.tracking],
    }


BUILDERS: dict[str, Callable[[Ctx], dict[str, Any] | None]] = {
    "magento": magento,
    "infigo": infigo,
    "gelato": gelato,
    "json": plain,
}


def postback_record(kind: str, applied: Applied, meta: Mapping[str, Any]) -> Record | None:
    """The ``payload`` record for an applied status in the ``kind`` form (None: the form has no such status)."""
    ctx = Ctx(applied)
    message = applied.message
    body = BUILDERS[kind](ctx)
    if body is None:
        return None
    extra = {
        "format": "json",
        "postback": kind,
        "filename": f"{file_stem(message.order)}-{ctx.status}-{abs(message.message_seq)}.json",
        "message_seq": message.message_seq,
        "status": ctx.status,
    }
    if kind == "magento":
        extra["magento_order_id"] = str(ctx.order_ref("magento.entity_id"))
    return make_record("payload", message.order, body, meta={**meta, **extra})
