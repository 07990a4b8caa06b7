"""OrderFlow WMS import documents: ``<imports><import type=… operation=… externalReference=…>``.

Each import carries a CDATA body of ``key=value`` lines (field names from the
vendor's client library; see docs/formats/order.md for the mapping). Values
are single-line: CR/LF become spaces; ``]]>`` is split across CDATA sections
so the document stays well-formed. Money is computed with ``Decimal`` only
where OrderFlow wants a figure the canonical order does not carry (net = gross - tax).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.sax.saxutils import quoteattr

from flowkit.formats.standard import clean
from flowkit.model import utc

ADDRESS_FIELDS = (
    "AddressLine1",
    "AddressLine2",
    "AddressLine3",
    "AddressLine4",
    "AddressLine5",
    "AddressLine6",
    "PostCode",
    "CountryCode",
    "ContactName",
    "EmailAddress",
    "DayPhoneNumber",
    "CompanyName",
)


def _minus(a: Any, b: Any) -> str | None:
    try:
        return str(Decimal(str(a)) - Decimal(str(b)))
    except (InvalidOperation, TypeError, ValueError):
        return None


def _address(prefix: str, src: dict[str, Any] | None) -> list[tuple[str, Any]]:
    if not src:
        return []
    lines = [*(src.get("lines") or ()), src.get("city"), src.get("region") or src.get("district")]
    lines = [line for line in lines if line][:6]
    name = " ".join(p for p in (src.get("first_name"), src.get("last_name")) if p) or None
    values = [
        *lines,
        *([None] * (6 - len(lines))),
        src.get("postal_code"),
        src.get("country_code"),
        name,
        src.get("email"),
        src.get("phone"),
        src.get("company"),
    ]
    return [(prefix + field, value) for field, value in zip(ADDRESS_FIELDS, values, strict=True)]


def order_fields(order: dict[str, Any], lines: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """The ``key=value`` pairs of an order import, in a fixed order."""
    totals = order.get("totals") or {}
    payment = (order.get("payments") or [{}])[0]
    discount = (order.get("discounts") or [{}])[0]
    shipping = order.get("shipping") or {}
    channel = (order.get("source") or {}).get("channel") or {}
    fields: list[tuple[str, Any]] = [
        ("state", order.get("status")),
        ("placed", utc(order.get("placed_at"))),
        ("currency", order.get("currency")),
        ("source", channel.get("name") or channel.get("id")),
        ("customerComment", (order.get("notes") or {}).get("customer")),
        ("paymentGatewayIdentifier", payment.get("method")),
        ("paymentTransactionInfo", payment.get("transaction_id")),
        ("promotionCode", discount.get("code")),
        ("promotionDescription", discount.get("name")),
        ("totalPriceGross", totals.get("grand_total")),
        ("totalTax", totals.get("tax")),
        ("totalPriceNet", _minus(totals.get("grand_total"), totals.get("tax"))),
        ("shippingPriceNet" if not totals.get("prices_include_tax") else "shippingPriceGross", totals.get("shipping")),
        ("goodsPriceNet" if not totals.get("prices_include_tax") else "goodsPriceGross", totals.get("subtotal")),
        *_address("delivery", order.get("shipping_address")),
        *_address("invoice", order.get("billing_address")),
    ]
    for n, line in enumerate(lines, 1):
        fields += _line_fields(f"orderLine.{n}.", line)
    fields += [
        ("shipment.externalReference", order.get("number")),
        ("shipment.earliestShipDate", utc(shipping.get("dispatch_by"))),
        ("shipment.courier", shipping.get("carrier")),
        ("shipment.deliverySuggestionCode", shipping.get("method_code")),
        ("shipment.deliverySuggestionName", shipping.get("method_name")),
        ("shipment.deliveryInstruction", shipping.get("instructions")),
        ("shipment.orderItem", "entity:order"),
    ]
    return fields


def _line_fields(prefix: str, line: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        (prefix + "product.externalReference", line.get("sku")),
        (prefix + "quantity", line.get("quantity")),
        (prefix + "description", line.get("name")),
        (prefix + "totalPriceNet", line.get("row_total")),
        (prefix + "totalPriceGross", line.get("row_total_incl_tax")),
        (prefix + "totalTax", line.get("tax_amount")),
        (prefix + "unitPriceNet", line.get("unit_price")),
        (prefix + "unitPriceGross", line.get("unit_price_incl_tax")),
        (prefix + "unitTax", _minus(line.get("unit_price_incl_tax"), line.get("unit_price"))),
        (prefix + "shipment", "entity:shipment"),
    ]


def product_fields(order: dict[str, Any], line: dict[str, Any]) -> list[tuple[str, Any]]:
    """The ``key=value`` pairs of a product import for one order line's product."""
    preview = next((a.get("url") for a in line.get("assets") or () if a.get("role") == "preview"), None)
    size = line.get("print") or {}
    return [
        ("description", line.get("name")),
        ("imageReference", preview),
        ("priceNet", line.get("unit_price")),
        ("priceGross", line.get("unit_price_incl_tax")),
        ("tax", _minus(line.get("unit_price_incl_tax"), line.get("unit_price"))),
        ("currency", order.get("currency")),
        ("width", size.get("width_mm")),
        ("height", size.get("height_mm")),
    ]


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = " ".join(str(value).splitlines())
    return text if text.isprintable() else clean(text)


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _import(kind: str, operation: str, reference: str, fields: Iterable[tuple[str, Any]]) -> str:
    body = "\n".join(f"{key}={_value(value)}" for key, value in fields)
    return (
        f'  <import type="{kind}" operation="{operation}" externalReference={quoteattr(clean(reference))}>{_cdata(body)}</import>'
    )


def document(order: dict[str, Any], lines: list[dict[str, Any]], *, kind: str = "order", operation: str = "insert") -> str:
    """An ``<imports>`` document: one order import, or one product import per distinct SKU."""
    if kind == "order":
        imports = [_import("order", operation, str(order.get("number")), order_fields(order, lines))]
    else:
        seen: dict[str, dict[str, Any]] = {}
        for line in lines:
            seen.setdefault(str(line.get("sku")), line)
        imports = [_import("product", operation, sku, product_fields(order, line)) for sku, line in seen.items()]
    return '<?xml version="1.0" encoding="UTF-8"?>\n<imports>\n' + "\n".join(imports) + "\n</imports>\n"
