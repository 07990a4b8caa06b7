"""Postbacks for a recorded shipment: the update the shop or platform needs, ready for ``deliver``.

Each is a ``payload`` record (``application/json``) with ``meta.postback``:
``magento`` (the body of Magento's ``POST /V1/order/{id}/ship``), ``gelato``
(a GelatoConnect ``/v2/order/status`` postback), ``infigo`` (a tracking
update; field names are ours, Infigo does not publish this shape) and
``json`` (flowkit's own shipment document).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flowkit.import_shipment.messages import Message
from flowkit.records import Record, make_record
from flowkit.store import now
from flowkit.store.shipments import NewShipment

KINDS = ("magento", "gelato", "infigo", "json")


class Ctx:
    """What a postback builder sees: the message, the shipment, the order document."""

    def __init__(
        self,
        message: Message,
        shipment_id: int,
        shipment: NewShipment,
        document: dict[str, Any] | None,
        status: str | None,
        carrier_codes: Mapping[str, str],
    ) -> None:
        self.message, self.id, self.shipment, self.status = message, shipment_id, shipment, status
        self.document = document or {}
        self.carrier_codes = carrier_codes
        self.doc_lines = document_lines(self.document)

    def ref(self, line_id: str, name: str) -> Any:
        """A line's external reference (e.g. ``magento.item_id``), else its line id."""
        return line_ref(self.doc_lines, line_id, name)

    def order_ref(self, name: str) -> Any:
        return order_ref(self.document, name, self.message.order)


# Shared with import-status's postbacks: the order document's references, numbers, file names.
def document_lines(document: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The order document's lines by id (for ``line_ref``)."""
    lines = (document or {}).get("lines") or []
    return {str(ln.get("id")): ln for ln in lines if isinstance(ln, dict)}


def line_ref(doc_lines: Mapping[str, Mapping[str, Any]], line_id: str, name: str) -> Any:
    """A line's external reference ``name`` (e.g. ``magento.item_id``), else its line id."""
    refs = doc_lines.get(line_id, {}).get("external_refs") or {}
    return refs.get(name) or line_id


def order_ref(document: Mapping[str, Any] | None, name: str, default: Any) -> Any:
    """The order's external reference ``name`` (e.g. ``magento.entity_id``), else ``default``."""
    return ((document or {}).get("external_refs") or {}).get(name) or default


def as_number(value: Any) -> Any:
    """A digit string as the integer Magento's ids are (short enough to be exact), else as it is."""
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 16 else value


def file_stem(order: str) -> str:
    """The order number made safe for a file name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", order)


def magento(ctx: Ctx) -> dict[str, Any]:
    s = ctx.shipment
    title = " ".join(x for x in (s.courier, s.service) if x) or "Shipment"
    carrier = ctx.carrier_codes.get(s.courier or "", "custom")
    body: dict[str, Any] = {
        "items": [{"order_item_id": as_number(ctx.ref(lid, "magento.item_id")), "qty": qty} for lid, _, qty in s.lines],
        "notify": s.notify,
        "tracks": [{"track_number": code, "title": title, "carrier_code": carrier} for code, _ in s.tracking],
        "arguments": {"extension_attributes": {"source_code": s.source}},
    }
    if s.comment:
        body["appendComment"] = True
        body["comment"] = {"comment": s.comment, "is_visible_on_front": 1 if s.notify else 0}
    return body


def gelato(ctx: Ctx) -> dict[str, Any]:
    s = ctx.shipment
    codes = [code for code, _ in s.tracking]
    message = s.comment or ""
    if len(codes) > 1:
        message = (message + " " if message else "") + "Tracking: " + ", ".join(codes)
    return {
        "timestamp": now()[:19] + "Z",
        "orderId": ctx.order_ref("gelato.id"),
        "status": "shipped",
        "message": message,
        "trackingCode": codes[0] if codes else None,
        "trackingLink": next((url for _, url in s.tracking if url), None),
        "items": [{"orderItemId": ctx.ref(lid, "gelato.item_id"), "quantity": qty} for lid, _, qty in s.lines],
    }


def infigo(ctx: Ctx) -> dict[str, Any]:
    s = ctx.shipment
    return {
        "OrderId": ctx.order_ref("infigo.order_id"),
        "ShipmentReference": f"{ctx.message.order}-{ctx.id}",
        "Status": "Shipped" if ctx.status == "shipped" else "PartiallyShipped",
        "TrackingNumber": s.tracking[0][0] if s.tracking else None,
        "TrackingNumbers": [code for code, _ in s.tracking],
        "TrackingUrl": next((url for _, url in s.tracking if url), None),
        "Carrier": s.courier,
        "Service": s.service,
        "ShippedDateUtc": s.shipped_at,
        "NotifyCustomer": s.notify,
        "OrderLines": [{"OrderLineId": ctx.ref(lid, "infigo.line_id"), "Sku": sku, "Quantity": qty} for lid, sku, qty in s.lines],
    }


def plain(ctx: Ctx) -> dict[str, Any]:
    s = ctx.shipment
    return {
        "order": ctx.message.order,
        "shipment_id": ctx.id,
        "message_seq": ctx.message.message_seq,
        "source": s.source,
        "order_status": ctx.status,
        "courier": s.courier,
        "service": s.service,
        "shipped_at": s.shipped_at,
        "comment": s.comment,
        "notify": s.notify,
        "tracking": [{"code": code, "url": url} for code, url in s.tracking],
        "lines": [{"line_id": lid, "sku": sku, "quantity": qty} for lid, sku, qty in s.lines],
    }


BUILDERS: dict[str, Callable[[Ctx], dict[str, Any]]] = {"magento": magento, "gelato": gelato, "infigo": infigo, "json": plain}


def postback_record(
    kind: str,
    message: Message,
    shipment_id: int,
    shipment: NewShipment,
    document: dict[str, Any] | None,
    status: str | None,
    meta: Mapping[str, Any],
    carrier_codes: Mapping[str, str],
) -> Record:
    """The ``payload`` record for one shipment in the ``kind`` form."""
    ctx = Ctx(message, shipment_id, shipment, document, status, carrier_codes)
    safe = file_stem(message.order)
    extra = {
        "format": "json",
        "postback": kind,
        "filename": f"{safe}-shipment-{shipment_id}.json",
        "shipment_id": shipment_id,
        "message_seq": message.message_seq,
        "order_status": status,
    }
    if kind == "magento":
        extra["magento_order_id"] = str(ctx.order_ref("magento.entity_id"))
    return make_record("payload", message.order, BUILDERS[kind](ctx), meta={**meta, **extra})
