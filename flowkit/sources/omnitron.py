"""Omnitron (Akinon) ``detailed_integration`` order, with items and discount items merged -> canonical.

The HTTP source merges ``order_items`` and ``discount_items`` into the order
document under those names. Order items are one row per unit, so rows with
the same SKU are grouped into one line with the quantity summed.
"""

from __future__ import annotations

from typing import Any

from flowkit.sources.common import (
    address,
    extra,
    line_skeleton,
    money,
    order_skeleton,
    rate,
    s,
    summary,
    timestamp,
    unit_money,
    upper,
)

# Omnitron status code -> canonical status.
STATUSES = {
    "50": "on_hold",
    "100": "cancelled",
    "200": "pending",
    "300": "payment_pending",
    "350": "on_hold",
    "400": "approved",
    "450": "in_production",
    "500": "shipped",
    "510": "shipped",
    "520": "shipped",
    "540": "shipped",
    "550": "delivered",
}
HOLD_CODES = {"50": "cancellation waiting", "350": "confirmation waiting"}


def _obj(value: Any) -> dict[str, Any]:
    """Customer/address fields may be an id or a nested object, depending on the endpoint."""
    return value if isinstance(value, dict) else {"pk": value} if value is not None else {}


def _address(value: Any) -> dict[str, Any] | None:
    doc = _obj(value)
    if not doc or set(doc) == {"pk"}:
        return None
    city = doc.get("city")
    country = doc.get("country")
    return address(
        first_name=doc.get("first_name"),
        last_name=doc.get("last_name"),
        company=doc.get("company_name"),
        lines=[doc.get("line")],
        city=city.get("name") if isinstance(city, dict) else city,
        district=(doc.get("district") or {}).get("name") if isinstance(doc.get("district"), dict) else doc.get("district"),
        region=(doc.get("township") or {}).get("name") if isinstance(doc.get("township"), dict) else doc.get("township"),
        postal_code=doc.get("postcode"),
        country_code=country.get("code") if isinstance(country, dict) else country,
        email=doc.get("email"),
        phone=doc.get("phone_number"),
        tax_id=doc.get("tax_no"),
        tax_office=doc.get("tax_office"),
        identity_number=doc.get("identity_number"),
    )


def _lines(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group the per-unit item rows by SKU into canonical lines."""
    grouped: dict[str, dict[str, Any]] = {}
    for row in rows:
        product = _obj(row.get("product"))
        sku = s(product.get("sku")) or s(row.get("sku")) or s(row.get("pk")) or ""
        line = grouped.get(sku)
        if line is None:
            line = line_skeleton(s(row.get("pk")) or sku, len(grouped) + 1)
            attributes = [{"name": str(k), "value": s(v)} for k, v in (product.get("attributes") or {}).items()]
            line.update(
                sku=sku,
                product_ref=s(product.get("base_code")),
                name=s(product.get("name")),
                unit_price=unit_money(row.get("price")),
                tax_rate=rate(row.get("tax_rate")),
                status=STATUSES.get(s(row.get("status")) or ""),
                source_status=s(row.get("status")),
                attributes=attributes,
                attribute_summary=summary(attributes),
                supplier=s(row.get("datasource")),
                extra_data=extra(row.get("extra_field") or {}),
                discount_amount=money(0),
                row_total=money(0),
            )
            line["external_refs"] = {"akinon.item_pks": ""}
            grouped[sku] = line
        line["quantity"] += 1
        line["external_refs"]["akinon.item_pks"] = ",".join(
            p for p in (line["external_refs"]["akinon.item_pks"], s(row.get("pk"))) if p
        )
        line["row_total"] = money(float(line["row_total"]) + float(row.get("price") or 0))
        line["discount_amount"] = money(float(line["discount_amount"]) + float(row.get("discount_amount") or 0))
    return list(grouped.values())


def to_order(doc: dict[str, Any]) -> dict[str, Any]:
    """Map one merged Omnitron order document (``order_items``/``discount_items`` included)."""
    order = order_skeleton(s(doc.get("number")) or "")
    order["id"] = s(doc.get("pk"))  # the order's identity at its source
    order["external_refs"] = {"akinon.pk": s(doc.get("pk"))}
    channel = _obj(doc.get("channel"))
    order["source"] = {
        "system": "omnitron",
        "store": None,
        "channel": {"id": s(channel.get("pk")), "name": s(channel.get("name")), "type": "web"},
    }
    code = s(doc.get("status")) or "200"
    order["status"] = STATUSES.get(code, "pending")
    order["source_status"] = code
    order["hold"].update(on_hold=code in HOLD_CODES, reason=HOLD_CODES.get(code))
    order.update(
        placed_at=timestamp(doc.get("date_placed")),
        created_at=timestamp(doc.get("created_date")),
        updated_at=timestamp(doc.get("modified_date")),
        currency=upper(doc.get("currency")),
        billing_address=_address(doc.get("billing_address")),
        shipping_address=_address(doc.get("shipping_address")),
    )
    customer = _obj(doc.get("customer"))
    order["customer"].update(
        id=s(customer.get("pk")),
        email=s(customer.get("email")),
        first_name=s(customer.get("first_name")),
        last_name=s(customer.get("last_name")),
        phone=s(customer.get("phone_number")),
        group=s(customer.get("erp_code")),
    )
    order["shipping"].update(
        method_code=s(doc.get("shipping_option_slug")),
        method_name=s(doc.get("delivery_type")),
        carrier=s(doc.get("cargo_company")),
    )
    order["totals"].update(
        subtotal=money(
            float(doc.get("amount") or 0) - float(doc.get("shipping_amount") or 0) + float(doc.get("discount_amount") or 0)
        ),
        discount=money(doc.get("discount_amount")),
        shipping=money(doc.get("shipping_amount")),
        grand_total=money(doc.get("amount")),
        prices_include_tax=True,
    )
    order["discounts"] = [
        {
            "code": s(d.get("code")) or s(d.get("pk")),
            "name": s(d.get("name")),
            "amount": money(d.get("amount")),
            "line_ids": [s(d["order_item"])] if d.get("order_item") is not None else [],
        }
        for d in doc.get("discount_items") or []
    ]
    order["lines"] = _lines(doc.get("order_items") or [])
    if doc.get("payment_option_slug") or doc.get("payment_option"):
        order["payments"] = [_payment(doc, order["currency"])]
    order["sync"]["exported"] = bool(doc.get("is_send"))
    order["extra_data"] = extra(doc.get("extra_field") or {})
    return order


def _payment(doc: dict[str, Any], currency: str | None) -> dict[str, Any]:
    option = _obj(doc.get("payment_option"))
    return {
        "method": s(doc.get("payment_option_slug")) or s(option.get("slug")) or s(option.get("pk")),
        "transaction_id": None,
        "capture_transaction_id": None,
        "authorization_request_id": None,
        "capture_request_id": None,
        "platform_transaction_id": None,
        "purchase_order_number": None,
        "currency": currency,
        "amount": money(doc.get("amount")),
        "authorization_expires_at": None,
        "transacted_at": None,
        "status": None,
    }
