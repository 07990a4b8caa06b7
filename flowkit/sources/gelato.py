"""GelatoConnect-style order (the partner "submit order" webhook body) -> ``flowkit.order/1``.

Also reads the Gelato v4 order shape (``orderReferenceId``, ``productUid``,
``shippingAddress``) where the field names differ.
"""

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
    s,
    summary,
    timestamp,
    unit_money,
    upper,
)

ROLES = {"front": "print", "back": "print", "inside": "print", "default": "print", "text": "print"}


def _address(doc: Any) -> dict[str, Any] | None:
    if not isinstance(doc, dict):
        return None
    return address(
        first_name=doc.get("firstName"),
        last_name=doc.get("lastName"),
        company=doc.get("companyName"),
        lines=[doc.get("addressLine1"), doc.get("addressLine2"), doc.get("addressLine3")],
        city=doc.get("city"),
        region_code=doc.get("stateCode") or doc.get("state"),
        postal_code=doc.get("postalCode") or doc.get("postCode"),
        country_code=doc.get("countryCode") or doc.get("country"),
        email=doc.get("email"),
        phone=doc.get("phone"),
    )


def _asset(asset: dict[str, Any]) -> dict[str, Any]:
    kind = s(asset.get("type")) or "default"
    preview = kind.endswith("_preview")
    return {
        "role": "preview" if preview else ROLES.get(kind, "print"),
        "area": kind.removesuffix("_preview"),
        "url": s(asset.get("url")),
        "content_type": s(asset.get("contentType")),
        "hash": None,
    }


def _line(item: dict[str, Any], number: int) -> dict[str, Any]:
    line = line_skeleton(s(item.get("id")) or s(item.get("itemReferenceId")) or str(number), number)
    product = item.get("product") or {}
    attributes = [
        {"name": s(a.get("name")), "value": s(a.get("value"))} for a in product.get("attributes") or [] if isinstance(a, dict)
    ]
    sku = next((a["value"] for a in attributes if (a["name"] or "").lower() == "sku"), None)
    line["external_refs"] = {"gelato.item_id": line["id"]}
    line.update(
        sku=sku or s(item.get("productUid")) or s(product.get("modelUid")),
        product_ref=s(product.get("modelUid")) or s(item.get("productUid")),
        name=s(product.get("desc")),
        quantity=integer(item.get("count", item.get("quantity"))),
        unit_price=unit_money(item.get("unit_price")),
        attributes=[a for a in attributes if (a["name"] or "").lower() != "sku"],
        delivery_type="stock" if item.get("type") == "stock" else "print",
        assets=[_asset(a) for a in [*(item.get("assets") or []), *(item.get("files") or [])] if isinstance(a, dict)],
    )
    line["attribute_summary"] = summary(line["attributes"])
    pages = next((integer(a["value"]) for a in attributes if a["name"] == "PagesCount"), None)
    width = next((a["value"] for a in attributes if a["name"] == "Size1Mm"), None)
    height = next((a["value"] for a in attributes if a["name"] == "Size2Mm"), None)
    if pages or width or height:
        line["print"] = {"pages": pages, "width_mm": width, "height_mm": height}
    return line


def to_order(doc: dict[str, Any]) -> dict[str, Any]:
    """Map one GelatoConnect submit-order document."""
    number = s(doc.get("orderReferenceId")) or s(doc.get("id")) or ""
    order = order_skeleton(number)
    order["id"] = s(doc.get("id")) or number  # the order's identity at its source
    order["external_refs"] = {"gelato.id": s(doc.get("id")) or number}
    order["source"] = {
        "system": "gelato",
        "store": s(doc.get("storeId")),
        "channel": {"id": s(doc.get("channel")) or "gelato", "name": "GelatoConnect", "type": "partner"},
    }
    order["supplier"] = {"id": s(doc.get("printHouseUid")), "name": None} if doc.get("printHouseUid") else None
    order["status"] = "approved" if not doc.get("pending_approval") else "on_hold"
    order["source_status"] = s(doc.get("fulfillmentStatus")) or "submitted"
    order["hold"].update(
        on_hold=bool(doc.get("pending_approval")), reason="pending approval" if doc.get("pending_approval") else None
    )
    addresses = dig(doc, "shipping", "address") or []
    delivery = next((a for a in addresses if isinstance(a, dict) and a.get("type") == "delivery"), None)
    order.update(
        placed_at=timestamp(doc.get("orderDate") or doc.get("createdAt")),
        created_at=timestamp(doc.get("orderDate") or doc.get("createdAt")),
        currency=upper(doc.get("currency")),
        shipping_address=_address(delivery or doc.get("shippingAddress")),
    )
    order["customer"]["id"] = s(doc.get("customerReferenceId"))
    if order["shipping_address"]:
        for key in ("first_name", "last_name", "email", "phone"):
            order["customer"][key] = order["shipping_address"][key]
    order["shipping"].update(
        method_code=s(dig(doc, "shipping", "shipmentMethodUid") or doc.get("shipmentMethodUid")),
        dispatch_by=timestamp(doc.get("dispatchDate")),
    )
    items: list[dict[str, Any]] = []
    for item in doc.get("items") or []:  # product bundles contribute their parts as lines
        items.extend(item.get("parts") or [] if item.get("type") == "product_bundle" else [item])
    order["lines"] = [_line(item, n) for n, item in enumerate(items, 1)]
    unit_totals = [float(li["unit_price"]) * li["quantity"] for li in order["lines"] if li["unit_price"]]
    order["totals"]["subtotal"] = money(sum(unit_totals)) if unit_totals else None
    meta = [(str(m.get("key")), m.get("value")) for m in doc.get("metadata") or [] if isinstance(m, dict)]
    order["extra_data"] = extra([("version", s(doc.get("version"))), ("brandedPackaging", doc.get("brandedPackaging")), *meta])
    return order
