"""Infigo-style order (PascalCase JSON, or the same tree as XML) -> ``flowkit.order/1``.

Field names follow Infigo's MIS.Generic/Flow payload; those marked inferred in
the source-mappings spec are matched by name and easy to adjust here.
"""

from __future__ import annotations

from typing import Any

from flowkit.sources.common import (
    address,
    extra,
    integer,
    line_skeleton,
    money,
    order_skeleton,
    s,
    summary,
    timestamp,
    unit_money,
    upper,
)

STATUSES = {"pending": "pending", "processing": "in_production", "complete": "shipped", "cancelled": "cancelled"}
APPROVAL_HOLD = frozenset({"unapprovedorder", "awaitingapproval", "partiallyapproved"})
PAYMENT_FIELDS = {
    "method": "PaymentMethod",
    "transaction_id": "PaymentTransactionId",
    "capture_transaction_id": "CaptureTransactionId",
    "authorization_request_id": "AuthorizationRequestId",
    "capture_request_id": "CaptureRequestId",
    "platform_transaction_id": "InfigoTransactionId",
    "purchase_order_number": "PurchaseOrderNumber",
    "currency": "CurrencyCode",
    "amount": "Amount",
    "authorization_expires_at": "AuthorizationExpirationDateUtc",
    "transacted_at": "TransactionDateUtc",
}


def _pairs(value: Any) -> list[tuple[str, Any]]:
    """Key/value lists (``[{"Key":…, "Value":…}]``) or plain objects as pairs."""
    if isinstance(value, dict):
        return list(value.items())
    return [(str(i.get("Key")), i.get("Value")) for i in value or [] if isinstance(i, dict) and i.get("Key")]


def _address(doc: Any) -> dict[str, Any] | None:
    if not isinstance(doc, dict):
        return None
    return address(
        first_name=doc.get("FirstName"),
        last_name=doc.get("LastName"),
        company=doc.get("Company"),
        lines=[doc.get("AddressLine1"), doc.get("AddressLine2")],
        city=doc.get("Town"),
        region=doc.get("StateProvince"),
        postal_code=doc.get("ZipPostalCode"),
        country_code=doc.get("Country"),
        email=doc.get("Email"),
        phone=doc.get("Telephone"),
    )


def _history(items: Any) -> list[dict[str, Any]]:
    return [
        {
            "at": timestamp(h.get("Timestamp")),
            "status": s(h.get("Status")),
            "status_id": integer(h.get("StatusId"), 0) if h.get("StatusId") is not None else None,
            "actor_id": s(h.get("CustomerId")),
            "info": s(h.get("Info")) or "",
        }
        for h in items or []
        if isinstance(h, dict)
    ]


def _line(item: dict[str, Any], number: int) -> dict[str, Any]:
    line = line_skeleton(s(item.get("Id")) or str(number), number)
    line["external_refs"] = {k: v for k, v in {"infigo.job_id": s(item.get("JobId"))}.items() if v}
    attributes = [{"name": k, "value": s(v)} for k, v in _pairs(item.get("Attributes"))]
    status = s(item.get("OrderProductStatus"))
    line.update(
        sku=s(item.get("Sku")),
        product_ref=s(item.get("ExternalProductId")) or s(item.get("NopProductId")),
        name=s(item.get("Name")) or s(item.get("ProductName")),
        quantity=integer(item.get("Quantity")),
        unit_price=unit_money(item.get("UnitPriceExclTax")),
        unit_price_incl_tax=unit_money(item.get("UnitPriceInclTax")),
        row_total=money(item.get("PriceExclTax")),
        row_total_incl_tax=money(item.get("PriceInclTax")),
        attributes=attributes,
        attribute_summary=s(item.get("AttributeSummary")) or summary(attributes),
        delivery_type=(s(item.get("DeliveryType")) or "print").lower(),
        status="cancelled" if str(item.get("IsCancelled")).lower() == "true" else None,
        source_status=status,
        extra_data=extra(_pairs(item.get("ExtraData"))),
        history=_history(item.get("History")),
        approval_history=_history(item.get("ApprovalHistory")),
    )
    line["assets"] = [
        {"role": role, "area": "default", "url": url, "content_type": ctype, "hash": s(item.get(hkey))}
        for role, key, ctype, hkey in (
            ("print", "OutputFileUrl", "application/pdf", "PdfHash"),
            ("preview", "PreviewFileUrl", "image/png", ""),
        )
        if (url := s(item.get(key)))
    ]
    line["documents"] = [{"type": t, "url": s(item[k])} for t, k in (("job_ticket", "JobTicketUrl"),) if item.get(k)]
    return line


def to_order(doc: dict[str, Any]) -> dict[str, Any]:
    """Map one Infigo-style order document."""
    order = order_skeleton(s(doc.get("Id")) or "")
    order["id"] = s(doc.get("Id"))  # the order's identity at its source (also its number)
    order["external_refs"] = {
        k: v for k, v in {"infigo.id": s(doc.get("Id")), "infigo.external_order_id": s(doc.get("ExternalOrderId"))}.items() if v
    }
    order["source"]["system"] = "infigo"
    order["source"]["channel"].update(id=s(doc.get("StoreId")), name=s(doc.get("StoreName")), type="web")
    raw = s(doc.get("OrderStatus")) or "Pending"
    order["status"] = STATUSES.get(raw.lower(), "pending")
    order["source_status"] = raw
    lines = [_line(i, n) for n, i in enumerate(doc.get("OrderLines") or [], 1)]
    approvals = [h["status"] for line in lines for h in line["approval_history"][-1:]]
    waiting = [a for a in approvals if (a or "").lower() in APPROVAL_HOLD]
    order["hold"].update(on_hold=bool(waiting), reason=f"approval: {waiting[0]}" if waiting else None)
    payments = [
        {
            k: (
                money(p.get(v))
                if k == "amount"
                else timestamp(p.get(v))
                if k.endswith("_at")
                else upper(p.get(v))
                if k == "currency"
                else s(p.get(v))
            )
            for k, v in PAYMENT_FIELDS.items()
        }
        for p in doc.get("Payment") or doc.get("Payments") or []
        if isinstance(p, dict)
    ]
    for payment in payments:
        payment["status"] = s(doc.get("PaymentStatus"))
    order.update(
        placed_at=timestamp(doc.get("CreatedOnUtc")),
        created_at=timestamp(doc.get("CreatedOnUtc")),
        updated_at=timestamp(doc.get("UpdatedOnUtc")),
        lines=lines,
        payments=payments,
        currency=payments[0]["currency"] if payments else upper(doc.get("CurrencyCode")),
        po_number=payments[0]["purchase_order_number"] if payments else None,
        billing_address=_address(doc.get("BillingAddress")),
        shipping_address=_address(doc.get("ShippingAddress")),
        tags=[str(t) for t in (doc.get("CustomTags") or []) if t]
        or [str(doc[k]) for k in ("CustomTag1", "CustomTag2", "CustomTag3", "CustomTag4") if doc.get(k)],
    )
    billing = order["billing_address"] or {}
    order["customer"].update(
        id=s(doc.get("CustomerId")),
        email=s(doc.get("CustomerEmail")) or billing.get("email"),
        first_name=billing.get("first_name"),
        last_name=billing.get("last_name"),
        phone=billing.get("phone"),
        company=billing.get("company"),
    )
    order["shipping"].update(
        method_name=s(doc.get("ShippingMethod")),
        deliver_by=timestamp(doc.get("DeliverBy")),
        dispatch_by=timestamp(doc.get("DispatchBy")),
    )
    order["totals"]["grand_total"] = money(doc.get("OrderTotal")) or (payments[0]["amount"] if payments else None)
    order["extra_data"] = extra(
        [*_pairs(doc.get("ExtraData")), *((f"CheckoutAttribute.{k}", v) for k, v in _pairs(doc.get("CheckoutAttributes")))]
    )
    order["shipments"] = _shipments(doc.get("OrderLines") or [], lines)
    return order


def _shipments(items: list[dict[str, Any]], lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A line's ``TrackingNumber`` as a shipment of that line."""
    return [
        {
            "id": f"trk-{line['id']}",
            "status": "shipped",
            "carrier": None,
            "service": None,
            "method_code": None,
            "shipped_at": None,
            "tracking": [{"code": s(item["TrackingNumber"]), "url": None}],
            "lines": [{"line_id": line["id"], "quantity": line["quantity"]}],
            "documents": [],
        }
        for item, line in zip(items, lines, strict=True)
        if item.get("TrackingNumber")
    ]
