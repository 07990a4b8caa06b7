"""Magento 2 REST order (``GET /V1/orders``, ``/V1/orders/{id}``) -> ``flowkit.order/1``."""

from __future__ import annotations

from typing import Any

from flowkit.sources.common import (
    address,
    dig,
    extra,
    integer,
    line_skeleton,
    money,
    order_skeleton,
    rate,
    s,
    timestamp,
    unit_money,
    upper,
)

# Magento order state -> canonical status; the raw status stays in source_status.
STATES = {
    "new": "pending",
    "pending_payment": "payment_pending",
    "payment_review": "payment_pending",
    "processing": "approved",
    "complete": "shipped",
    "closed": "delivered",
    "canceled": "cancelled",
    "holded": "on_hold",
}
_KNOWN = frozenset(
    {
        "entity_id",
        "increment_id",
        "quote_id",
        "created_at",
        "updated_at",
        "state",
        "status",
        "order_currency_code",
        "customer_id",
        "customer_email",
        "customer_firstname",
        "customer_lastname",
        "customer_is_guest",
        "customer_group_id",
        "store_id",
        "store_name",
        "subtotal",
        "discount_amount",
        "shipping_amount",
        "tax_amount",
        "grand_total",
        "shipping_description",
        "applied_rule_ids",
        "discount_description",
        "coupon_code",
        "billing_address",
        "payment",
        "items",
        "status_histories",
        "extension_attributes",
        "customer_note",
        "hold_before_state",
        "hold_before_status",
    }
)


def _address(doc: Any) -> dict[str, Any] | None:
    if not isinstance(doc, dict):
        return None
    return address(
        first_name=doc.get("firstname"),
        last_name=doc.get("lastname"),
        company=doc.get("company"),
        lines=list(doc.get("street") or []),
        city=doc.get("city"),
        region=doc.get("region"),
        region_code=doc.get("region_code"),
        postal_code=doc.get("postcode"),
        country_code=doc.get("country_id"),
        email=doc.get("email"),
        phone=doc.get("telephone"),
        tax_id=doc.get("vat_id"),
    )


def _line(item: dict[str, Any], number: int) -> dict[str, Any]:
    line = line_skeleton(s(item.get("item_id")) or str(number), number)
    line["external_refs"] = {"magento.item_id": s(item.get("item_id"))}
    line.update(
        sku=s(item.get("sku")),
        product_ref=s(item.get("product_id")),
        name=s(item.get("name")),
        quantity=integer(item.get("qty_ordered")),
        quantity_shipped=integer(item.get("qty_shipped")),
        unit_price=unit_money(item.get("price")),
        unit_price_incl_tax=unit_money(item.get("price_incl_tax")),
        tax_rate=rate(item.get("tax_percent")),
        tax_amount=money(item.get("tax_amount")),
        discount_amount=money(item.get("discount_amount")),
        row_total=money(item.get("row_total")),
        row_total_incl_tax=money(item.get("row_total_incl_tax")),
        delivery_type="digital" if item.get("is_virtual") else "print",
    )
    ordered, shipped, cancelled = (integer(item.get(k)) for k in ("qty_ordered", "qty_shipped", "qty_canceled"))
    line["status"] = (
        "cancelled"
        if cancelled >= ordered > 0
        else "shipped"
        if shipped >= ordered > 0
        else ("partially_shipped" if shipped else None)
    )
    options = dig(item, "product_option", "extension_attributes") or {}
    line["extra_data"] = extra({f"product_option.{k}": v for k, v in options.items()})
    return line


def to_order(doc: dict[str, Any]) -> dict[str, Any]:
    """Map one Magento 2 order document."""
    order = order_skeleton(s(doc.get("increment_id")) or "")
    order["id"] = s(doc.get("entity_id"))  # the order's identity at its source (the number is increment_id)
    order["external_refs"] = {
        k: v
        for k, v in {
            "magento.entity_id": s(doc.get("entity_id")),
            "magento.increment_id": s(doc.get("increment_id")),
            "magento.quote_id": s(doc.get("quote_id")),
        }.items()
        if v
    }
    order["source"] = {
        "system": "magento",
        "store": s(doc.get("store_id")),
        "channel": {"id": s(doc.get("store_id")), "name": s(doc.get("store_name")), "type": "web"},
    }
    state = s(doc.get("state")) or "new"
    order["status"] = STATES.get(state, "pending")
    order["source_status"] = s(doc.get("status")) or state
    order["hold"]["on_hold"] = state == "holded"
    order["hold"]["reason"] = "holded in Magento" if state == "holded" else None
    order.update(
        placed_at=timestamp(doc.get("created_at")),
        created_at=timestamp(doc.get("created_at")),
        updated_at=timestamp(doc.get("updated_at")),
        currency=upper(doc.get("order_currency_code")),
        po_number=s(dig(doc, "payment", "po_number")),
        billing_address=_address(doc.get("billing_address")),
        shipping_address=_address(dig(doc, "extension_attributes", "shipping_assignments", 0, "shipping", "address")),
    )
    order["customer"].update(
        id=s(doc.get("customer_id")),
        email=s(doc.get("customer_email")),
        first_name=s(doc.get("customer_firstname")),
        last_name=s(doc.get("customer_lastname")),
        phone=s(dig(doc, "billing_address", "telephone")),
        is_guest=bool(doc.get("customer_is_guest")),
        group=s(doc.get("customer_group_id")),
    )
    order["shipping"].update(
        method_code=s(dig(doc, "extension_attributes", "shipping_assignments", 0, "shipping", "method")),
        method_name=s(doc.get("shipping_description")),
    )
    order["totals"].update(
        subtotal=money(doc.get("subtotal")),
        discount=money(abs(float(doc.get("discount_amount") or 0))),
        shipping=money(doc.get("shipping_amount")),
        tax=money(doc.get("tax_amount")),
        grand_total=money(doc.get("grand_total")),
    )
    _discounts_payments_history(order, doc)
    items = [i for i in doc.get("items") or [] if not i.get("parent_item_id")]
    order["lines"] = [_line(item, n) for n, item in enumerate(items, 1)]
    order["notes"]["customer"] = s(doc.get("customer_note"))
    order["extra_data"] = extra({k: v for k, v in doc.items() if k not in _KNOWN and not isinstance(v, (dict, list))})
    return order


def _discounts_payments_history(order: dict[str, Any], doc: dict[str, Any]) -> None:
    if doc.get("discount_amount") and float(doc["discount_amount"]) != 0:
        order["discounts"] = [
            {
                "code": s(doc.get("coupon_code")) or s(doc.get("applied_rule_ids")),
                "name": s(doc.get("discount_description")),
                "amount": money(abs(float(doc["discount_amount"]))),
                "line_ids": [],
            }
        ]
    payment = doc.get("payment")
    if isinstance(payment, dict):
        order["payments"] = [
            {
                "method": s(payment.get("method")),
                "transaction_id": s(payment.get("last_trans_id")),
                "capture_transaction_id": None,
                "authorization_request_id": None,
                "capture_request_id": None,
                "platform_transaction_id": None,
                "purchase_order_number": s(payment.get("po_number")),
                "currency": order["currency"],
                "amount": money(payment.get("amount_ordered")),
                "authorization_expires_at": None,
                "transacted_at": None,
                "status": "captured" if payment.get("amount_paid") else "authorized",
            }
        ]
    order["history"] = [
        {
            "at": timestamp(h.get("created_at")),
            "status": s(h.get("status")),
            "status_id": None,
            "actor_id": None,
            "info": s(h.get("comment")) or "",
        }
        for h in doc.get("status_histories") or []
    ]
