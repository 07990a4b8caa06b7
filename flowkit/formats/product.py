"""Product payloads: the standard product XML/JSON, and OrderFlow's product import (create and update forms).

``payload(product, options, operation)`` renders one valid ``flowkit.product/1``.
The standard payload is the order's family: the tree is keyed by the fields of
``flowkit.formats.names`` (the one table of output names), named PascalCase in
XML under ``<Product>`` and camelCase in JSON; it carries the record's
``meta.operation`` (``create``/``update``) as ``Operation``. The OrderFlow
import is ``<imports><import type="product" operation="insert|update" …>``
with the vendor's product fields as ``key=value`` lines (``realtimedespatch/
orderflow-api``, ``Entity/Product.php``), empty ones left out as the vendor's
client leaves them; ``create`` is an ``insert``, ``update`` an ``update``,
unless ``--orderflow-operation`` says otherwise. Images go out only with
``include_image`` (the extension's "include image" setting): the main image
as OrderFlow's ``imageReference``, every image in the standard payload.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flowkit.formats.names import JSON, XML
from flowkit.formats.options import RenderOptions
from flowkit.model import utc
from flowkit.product_model import main_image

OPERATIONS = {"create": "insert", "update": "update"}  # meta.operation -> OrderFlow's import operation


def tree(product: dict[str, Any], options: RenderOptions, operation: str | None, n: dict[str, Any]) -> dict[str, Any]:
    """The standard product tree, keyed by ``n[field]`` (the XML fields, or the JSON names)."""
    out: dict[str, Any] = {}
    if operation:
        out[n["operation"]] = operation
    for field in ("sku", "id", "name", "description", "type", "source_type", "status", "weight", "weight_unit"):
        out[n[field]] = product.get(field)
    size = product.get("dimensions")
    out[n["dimensions"]] = None if not size else {n[k]: size.get(k) for k in ("length", "width", "height", "unit")}
    out[n["barcodes"]] = [{n["type"]: b.get("type"), n["value"]: b.get("value")} for b in product.get("barcodes") or ()]
    for field in ("price", "price_incl_tax", "currency", "tax_class"):
        out[n[field]] = product.get(field)
    out[n["categories"]] = [str(c) for c in product.get("categories") or ()]
    wanted = options.attribute_set
    out[n["attributes"]] = [
        {n["name"]: a.get("name"), n["value"]: a.get("value")}
        for a in product.get("attributes") or ()
        if not wanted or a.get("name") in wanted
    ]
    variants = product.get("variants")
    if variants:
        out[n["variants"]] = {
            n["attributes"]: [str(a) for a in variants.get("attributes") or ()],
            n["children"]: [str(c) for c in variants.get("children") or ()],
        }
    if options.include_image:
        keys = ("url", "role", "label", "position")
        out[n["images"]] = [{n[k]: i.get(k) for k in keys} for i in product.get("images") or ()]
    refs = product.get("external_refs") or {}
    out[n["external_refs"]] = [{n["key"]: k, n["value"]: v} for k, v in refs.items()]
    out[n["created_at"]] = utc(product.get("created_at"))
    out[n["updated_at"]] = utc(product.get("updated_at"))
    if options.extra_data:
        data = product.get("extra_data") or {}
        out[n["extra_data"]] = [{n["key"]: k, n["value"]: v} for k, v in data.items() if not options.excluded(k)]
    return out


def _minus(a: Any, b: Any) -> str | None:
    try:
        return str(Decimal(str(a)) - Decimal(str(b)))
    except (InvalidOperation, TypeError, ValueError):
        return None


def orderflow_fields(product: dict[str, Any], options: RenderOptions) -> list[tuple[str, Any]]:
    """The ``key=value`` pairs of an OrderFlow product import, in the vendor's order (empty values left out)."""
    size = product.get("dimensions") or {}
    barcode = next((b.get("value") for b in product.get("barcodes") or () if b.get("value")), None)
    net, gross = product.get("price"), product.get("price_incl_tax")
    fields = [
        ("description", product.get("name")),
        ("barcode", barcode),
        ("imageReference", main_image(product) if options.include_image else None),
        ("weight", product.get("weight")),
        ("weightUnits", product.get("weight_unit")),
        ("category", next(iter(product.get("categories") or ()), None)),
        ("priceNet", net),
        ("sellable", product.get("status") != "disabled"),
        ("priceGross", gross),
        ("tax", _minus(gross, net) if net is not None and gross is not None else None),
        ("taxCode", product.get("tax_class")),
        ("currency", product.get("currency")),
        ("length", size.get("length")),
        ("width", size.get("width")),
        ("height", size.get("height")),
    ]
    return [(key, value) for key, value in fields if value not in (None, "", False)]


def payload(
    product: dict[str, Any], options: RenderOptions, operation: str | None, orderflow_operation: str | None = None
) -> tuple[str | dict[str, Any], str, str]:
    """Render one valid product: (body, media type, file extension). ``operation``: the record's create/update."""
    from flowkit.formats import standard
    from flowkit.records import JSON_TYPE, XML_TYPE

    if options.format == "orderflow":
        from flowkit.formats.orderflow import _import

        chosen = orderflow_operation or OPERATIONS.get(str(operation), "insert")
        body = _import("product", chosen, str(product["sku"]), orderflow_fields(product, options))
        return '<?xml version="1.0" encoding="UTF-8"?>\n<imports>\n' + body + "\n</imports>\n", XML_TYPE, "xml"
    if options.format == "json":
        return tree(product, options, operation, JSON), JSON_TYPE, "json"
    node = tree(product, options, operation, {field: field for field in XML})
    return (
        standard.to_xml(node, indent=options.indent, escape_non_ascii=options.escape_non_ascii, root="product"),
        XML_TYPE,
        "xml",
    )
