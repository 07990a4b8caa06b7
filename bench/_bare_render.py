"""The bare baselines of bench/render.py: the same payloads as ``flowkit render``, written plainly.

``xml``: the standard XML built with ``lxml.etree.SubElement`` calls; ``json``:
the standard JSON built as a dict with camelCase keys and written with orjson.
Either reads order records (NDJSON) on stdin and writes payload records on
stdout, with no validation, no options and no name table: the least work
that gives the same bytes.

    python bench/_bare_render.py xml|json < orders.ndjson > payloads.ndjson
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

import orjson

X: Any = None  # lxml.etree and its SubElement, imported only by the XML baseline
E: Any = None


def utc(v):
    if v is None or v.endswith("Z"):
        return v
    return datetime.fromisoformat(v).astimezone(UTC).isoformat().replace("+00:00", "Z")


def leaf(parent, name, value):
    el = E(parent, name)
    if value is not None:
        el.text = ("true" if value else "false") if isinstance(value, bool) else str(value)


def group(parent, name, src, fields):
    if src is None:
        E(parent, name)
        return
    el = E(parent, name)
    for tag, key in fields:
        leaf(el, tag, src.get(key))


def plural(parent, name, item, rows, fields):
    el = E(parent, name)
    for row in rows:
        group(el, item, row, fields)


def address(parent, name, a):
    if a is None:
        E(parent, name)
        return
    el = E(parent, name)
    lines = a.get("lines") or []
    for tag, key in (("FirstName", "first_name"), ("LastName", "last_name"), ("Company", "company")):
        leaf(el, tag, a.get(key))
    leaf(el, "AddressLine1", lines[0] if lines else None)
    leaf(el, "AddressLine2", ", ".join(lines[1:]) if len(lines) > 1 else None)
    for tag, key in (
        ("City", "city"),
        ("Region", "region"),
        ("RegionCode", "region_code"),
        ("District", "district"),
        ("ZipPostalCode", "postal_code"),
        ("CountryCode", "country_code"),
        ("Email", "email"),
        ("Phone", "phone"),
        ("TaxId", "tax_id"),
        ("TaxOffice", "tax_office"),
        ("IdentityNumber", "identity_number"),
    ):
        leaf(el, tag, a.get(key))


KV = (("Key", "key"), ("Value", "value"))
DOC = (("Type", "type"), ("Url", "url"))


def line_el(parent, ln):
    el = E(parent, "OrderLine")
    refs = ln.get("external_refs") or {}
    leaf(el, "Id", ln.get("id"))
    leaf(el, "LineNumber", ln.get("line_number"))
    leaf(el, "JobId", refs.get("infigo.job_id"))
    for tag, key in (
        ("Sku", "sku"),
        ("ExternalProductId", "product_ref"),
        ("Name", "name"),
        ("Description", "description"),
        ("Quantity", "quantity"),
        ("QuantityShipped", "quantity_shipped"),
        ("Status", "status"),
        ("SourceStatus", "source_status"),
        ("UnitPriceExclTax", "unit_price"),
        ("UnitPriceInclTax", "unit_price_incl_tax"),
        ("TaxRate", "tax_rate"),
        ("TaxAmount", "tax_amount"),
        ("DiscountAmount", "discount_amount"),
        ("PriceExclTax", "row_total"),
        ("PriceInclTax", "row_total_incl_tax"),
    ):
        leaf(el, tag, ln.get(key))
    plural(el, "Attributes", "Attribute", ln.get("attributes") or [], (("Name", "name"), ("Value", "value")))
    leaf(el, "AttributeSummary", ln.get("attribute_summary"))
    leaf(el, "DeliveryType", ln.get("delivery_type"))
    group(el, "Print", ln.get("print"), (("Pages", "pages"), ("WidthMm", "width_mm"), ("HeightMm", "height_mm")))
    leaf(el, "SupplierId", ln.get("supplier"))
    plural(el, "ExternalReferences", "Reference", [{"key": k, "value": v} for k, v in refs.items()], KV)
    plural(
        el,
        "Assets",
        "Asset",
        ln.get("assets") or [],
        (("Role", "role"), ("Area", "area"), ("Url", "url"), ("ContentType", "content_type"), ("Hash", "hash")),
    )
    plural(el, "Documents", "Document", ln.get("documents") or [], DOC)
    plural(el, "ExtraData", "Item", [{"key": k, "value": v} for k, v in (ln.get("extra_data") or {}).items()], KV)


def build_xml(o):
    root = X.Element("Order")
    for tag, key in (("Id", "id"), ("OrderNumber", "number"), ("Status", "status"), ("SourceStatus", "source_status")):
        leaf(root, tag, o.get(key))
    hold = o.get("hold") or {}
    h = E(root, "Hold")
    leaf(h, "OnHold", bool(hold.get("on_hold")))
    leaf(h, "Reason", hold.get("reason"))
    leaf(h, "UntilUtc", utc(hold.get("until")))
    tags = E(root, "Tags")
    for t in o.get("tags") or []:
        leaf(tags, "Tag", t)
    for tag, key in (("PlacedOnUtc", "placed_at"), ("CreatedOnUtc", "created_at"), ("UpdatedOnUtc", "updated_at")):
        leaf(root, tag, utc(o.get(key)))
    leaf(root, "CurrencyCode", o.get("currency"))
    leaf(root, "PurchaseOrderNumber", o.get("po_number"))
    src = o.get("source") or {}
    s = E(root, "Source")
    leaf(s, "System", src.get("system"))
    leaf(s, "Store", src.get("store"))
    group(s, "Channel", src.get("channel"), (("Id", "id"), ("Name", "name"), ("Type", "type")))
    group(root, "Supplier", o.get("supplier"), (("Id", "id"), ("Name", "name")))
    plural(
        root, "ExternalReferences", "Reference", [{"key": k, "value": v} for k, v in (o.get("external_refs") or {}).items()], KV
    )
    group(
        root,
        "Customer",
        o.get("customer"),
        (
            ("Id", "id"),
            ("Email", "email"),
            ("FirstName", "first_name"),
            ("LastName", "last_name"),
            ("Phone", "phone"),
            ("Company", "company"),
            ("IsGuest", "is_guest"),
            ("Group", "group"),
        ),
    )
    address(root, "BillingAddress", o.get("billing_address"))
    address(root, "ShippingAddress", o.get("shipping_address"))
    notes = o.get("notes") or {}
    n = E(root, "Notes")
    leaf(n, "CustomerNote", notes.get("customer"))
    internal = E(n, "InternalNotes")
    for note in notes.get("internal") or []:
        leaf(internal, "Note", note)
    sh = o.get("shipping")
    if sh is None:
        E(root, "Shipping")
    else:
        el = E(root, "Shipping")
        leaf(el, "MethodCode", sh.get("method_code"))
        leaf(el, "MethodName", sh.get("method_name"))
        leaf(el, "Carrier", sh.get("carrier"))
        leaf(el, "DeliverByUtc", utc(sh.get("deliver_by")))
        leaf(el, "DispatchByUtc", utc(sh.get("dispatch_by")))
        leaf(el, "Instructions", sh.get("instructions"))
    group(
        root,
        "Totals",
        o.get("totals"),
        (
            ("Subtotal", "subtotal"),
            ("Discount", "discount"),
            ("ShippingTotal", "shipping"),
            ("Tax", "tax"),
            ("GrandTotal", "grand_total"),
            ("PricesIncludeTax", "prices_include_tax"),
        ),
    )
    ds = E(root, "Discounts")
    for d in o.get("discounts") or []:
        el = E(ds, "Discount")
        leaf(el, "Code", d.get("code"))
        leaf(el, "Name", d.get("name"))
        leaf(el, "Amount", d.get("amount"))
        ids = E(el, "LineIds")
        for i in d.get("line_ids") or []:
            leaf(ids, "LineId", i)
    lines = E(root, "OrderLines")
    for ln in o.get("lines") or []:
        line_el(lines, ln)
    plural(root, "Documents", "Document", o.get("documents") or [], DOC)
    plural(root, "ExtraData", "Item", [{"key": k, "value": v} for k, v in (o.get("extra_data") or {}).items()], KV)
    return X.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()


# ---- JSON -------------------------------------------------------------------------------------------------------

LINE_SCALARS = (
    ("sku", "sku"),
    ("product_ref", "externalProductId"),
    ("name", "name"),
    ("description", "description"),
    ("quantity", "quantity"),
    ("quantity_shipped", "quantityShipped"),
    ("status", "status"),
    ("source_status", "sourceStatus"),
    ("unit_price", "unitPriceExclTax"),
    ("unit_price_incl_tax", "unitPriceInclTax"),
    ("tax_rate", "taxRate"),
    ("tax_amount", "taxAmount"),
    ("discount_amount", "discountAmount"),
    ("row_total", "priceExclTax"),
    ("row_total_incl_tax", "priceInclTax"),
)
ADDRESS = (
    ("first_name", "firstName"),
    ("last_name", "lastName"),
    ("company", "company"),
    ("city", "city"),
    ("region", "region"),
    ("region_code", "regionCode"),
    ("district", "district"),
    ("postal_code", "zipPostalCode"),
    ("country_code", "countryCode"),
    ("email", "email"),
    ("phone", "phone"),
    ("tax_id", "taxId"),
    ("tax_office", "taxOffice"),
    ("identity_number", "identityNumber"),
)
CUSTOMER = (
    ("id", "id"),
    ("email", "email"),
    ("first_name", "firstName"),
    ("last_name", "lastName"),
    ("phone", "phone"),
    ("company", "company"),
    ("is_guest", "isGuest"),
    ("group", "group"),
)
ASSET = (("role", "role"), ("area", "area"), ("url", "url"), ("content_type", "contentType"), ("hash", "hash"))


def pick(src, names):
    return None if src is None else {j: src.get(k) for k, j in names}


def address_json(a):
    if a is None:
        return None
    lines = a.get("lines") or []
    out = {j: a.get(k) for k, j in ADDRESS[:3]}
    out["addressLine1"] = lines[0] if lines else None
    out["addressLine2"] = ", ".join(lines[1:]) if len(lines) > 1 else None
    for k, j in ADDRESS[3:]:
        out[j] = a.get(k)
    return out


def pairs(mapping):
    return [{"key": k, "value": v} for k, v in (mapping or {}).items()]


def documents(items):
    return [{"type": d.get("type"), "url": d.get("url")} for d in items or []]


def line_json(ln):
    refs = ln.get("external_refs") or {}
    out = {"id": ln.get("id"), "lineNumber": ln.get("line_number"), "jobId": refs.get("infigo.job_id")}
    for k, j in LINE_SCALARS:
        out[j] = ln.get(k)
    out["attributes"] = [{"name": a.get("name"), "value": a.get("value")} for a in ln.get("attributes") or []]
    out["attributeSummary"] = ln.get("attribute_summary")
    out["deliveryType"] = ln.get("delivery_type")
    out["print"] = pick(ln.get("print"), (("pages", "pages"), ("width_mm", "widthMm"), ("height_mm", "heightMm")))
    out["supplierId"] = ln.get("supplier")
    out["externalReferences"] = pairs(refs)
    out["assets"] = [pick(a, ASSET) for a in ln.get("assets") or []]
    out["documents"] = documents(ln.get("documents"))
    out["extraData"] = pairs(ln.get("extra_data"))
    return out


def build_json(o):
    hold, src, notes = o.get("hold") or {}, o.get("source") or {}, o.get("notes") or {}
    sh, totals = o.get("shipping"), o.get("totals")
    return {
        "id": o.get("id"),
        "orderNumber": o.get("number"),
        "status": o.get("status"),
        "sourceStatus": o.get("source_status"),
        "hold": {"onHold": bool(hold.get("on_hold")), "reason": hold.get("reason"), "untilUtc": utc(hold.get("until"))},
        "tags": list(o.get("tags") or []),
        "placedOnUtc": utc(o.get("placed_at")),
        "createdOnUtc": utc(o.get("created_at")),
        "updatedOnUtc": utc(o.get("updated_at")),
        "currencyCode": o.get("currency"),
        "purchaseOrderNumber": o.get("po_number"),
        "source": {
            "system": src.get("system"),
            "store": src.get("store"),
            "channel": pick(src.get("channel"), (("id", "id"), ("name", "name"), ("type", "type"))),
        },
        "supplier": pick(o.get("supplier"), (("id", "id"), ("name", "name"))),
        "externalReferences": pairs(o.get("external_refs")),
        "customer": pick(o.get("customer"), CUSTOMER),
        "billingAddress": address_json(o.get("billing_address")),
        "shippingAddress": address_json(o.get("shipping_address")),
        "notes": {"customerNote": notes.get("customer"), "internalNotes": list(notes.get("internal") or [])},
        "shipping": None
        if sh is None
        else {
            "methodCode": sh.get("method_code"),
            "methodName": sh.get("method_name"),
            "carrier": sh.get("carrier"),
            "deliverByUtc": utc(sh.get("deliver_by")),
            "dispatchByUtc": utc(sh.get("dispatch_by")),
            "instructions": sh.get("instructions"),
        },
        "totals": None
        if totals is None
        else {
            "subtotal": totals.get("subtotal"),
            "discount": totals.get("discount"),
            "shippingTotal": totals.get("shipping"),
            "tax": totals.get("tax"),
            "grandTotal": totals.get("grand_total"),
            "pricesIncludeTax": totals.get("prices_include_tax"),
        },
        "discounts": [
            {"code": d.get("code"), "name": d.get("name"), "amount": d.get("amount"), "lineIds": list(d.get("line_ids") or [])}
            for d in o.get("discounts") or []
        ],
        "orderLines": [line_json(ln) for ln in o.get("lines") or []],
        "documents": documents(o.get("documents")),
        "extraData": pairs(o.get("extra_data")),
    }


def main(fmt):
    global X, E
    if fmt == "xml":
        from lxml import etree

        X, E = etree, etree.SubElement
    build, media = (build_xml, "application/xml") if fmt == "xml" else (build_json, "application/json")
    out = sys.stdout.buffer
    for raw in sys.stdin.buffer:
        rec = orjson.loads(raw)
        meta = {**rec["meta"], "format": fmt, "filename": rec["key"] + "." + fmt}
        body = build(rec["body"])
        out.write(
            orjson.dumps({"flowkit": "record/1", "kind": "payload", "key": rec["key"], "type": media, "meta": meta, "body": body})
            + b"\n"
        )
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1])
