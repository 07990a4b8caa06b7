"""Magento 2 REST product (``GET /V1/products``, ``/V1/products/{sku}``) -> ``flowkit.product/1``.

Magento keeps most product data as ``custom_attributes`` (``attribute_code``,
``value``): the ones mapped below become canonical members, the others
``attributes`` in the source's order. Image files (``media_gallery_entries[].file``,
``/f/l/fly.jpg``) are relative to the catalog's media folder: ``media_url``
(``{base_url}/media/catalog/product`` for an API source) makes them absolute.
The product API does not say the weight unit (a store setting): a
``weight_unit`` attribute gives it, else it stays null.
"""

from __future__ import annotations

from typing import Any

from flowkit.product_model import TYPES, skeleton
from flowkit.sources.common import dig, extra, money, rate, s, timestamp

BARCODES = ("ean", "ean13", "gtin", "upc", "isbn", "barcode")  # attribute codes a shop keeps barcodes under
DIMENSIONS = {
    "length": ("length", "ts_dimensions_length"),
    "width": ("width", "ts_dimensions_width"),
    "height": ("height", "ts_dimensions_height"),
}
UNITS = {"kgs": "kg", "kg": "kg", "lbs": "lb", "lb": "lb", "g": "g", "oz": "oz"}
MAPPED = frozenset(
    {"description", "tax_class_id", "image", "small_image", "thumbnail", "category_ids", "weight_unit", "dimension_unit"}
    | set(BARCODES)
    | {code for codes in DIMENSIONS.values() for code in codes}
)
_KNOWN = frozenset(
    {
        "id",
        "sku",
        "name",
        "price",
        "status",
        "type_id",
        "created_at",
        "updated_at",
        "weight",
        "extension_attributes",
        "custom_attributes",
        "media_gallery_entries",
        "product_links",
        "options",
        "tier_prices",
    }
)


def _custom(doc: dict[str, Any]) -> dict[str, Any]:
    """``custom_attributes`` as code -> value, in the source's order."""
    found: dict[str, Any] = {}
    for item in doc.get("custom_attributes") or ():
        if isinstance(item, dict) and item.get("attribute_code"):
            found[str(item["attribute_code"])] = item.get("value")
    return found


def _images(doc: dict[str, Any], custom: dict[str, Any], media_url: str) -> list[dict[str, Any]]:
    """The gallery's enabled images by position (role: ``image`` for the main one), else the ``image`` attribute."""

    def url(file: Any) -> str:
        text = str(file)
        return text if "://" in text or not media_url else media_url.rstrip("/") + "/" + text.lstrip("/")

    entries = [
        e
        for e in doc.get("media_gallery_entries") or ()
        if isinstance(e, dict) and e.get("file") and not e.get("disabled") and e.get("media_type", "image") == "image"
    ]
    entries.sort(key=lambda e: int(e.get("position") or 0))
    images = []
    for entry in entries:
        types = [str(t) for t in entry.get("types") or ()]
        role = "image" if "image" in types else (types[0] if types else "gallery")
        images.append(
            {"url": url(entry["file"]), "role": role, "label": s(entry.get("label")), "position": entry.get("position")}
        )
    if not images and s(custom.get("image")) and custom.get("image") != "no_selection":
        images.append({"url": url(custom["image"]), "role": "image", "label": None, "position": None})
    return images


def _dimensions(custom: dict[str, Any]) -> dict[str, Any] | None:
    sizes = {name: next((rate(custom[c]) for c in codes if s(custom.get(c))), None) for name, codes in DIMENSIONS.items()}
    if not any(sizes.values()):
        return None
    unit = s(custom.get("dimension_unit"))
    return {**sizes, "unit": unit.lower() if unit else None}


def _variants(doc: dict[str, Any]) -> dict[str, Any] | None:
    links = dig(doc, "extension_attributes", "configurable_product_links")
    options = dig(doc, "extension_attributes", "configurable_product_options")
    if doc.get("type_id") != "configurable" and not links:
        return None
    labels = [s(o.get("label")) or s(o.get("attribute_id")) for o in options or () if isinstance(o, dict)]
    return {"attributes": [str(label) for label in labels if label], "children": [str(c) for c in links or ()]}


def _categories(doc: dict[str, Any], custom: dict[str, Any]) -> list[str]:
    links = dig(doc, "extension_attributes", "category_links") or ()
    found = [str(link.get("category_id")) for link in links if isinstance(link, dict) and link.get("category_id") is not None]
    return found or [str(c) for c in custom.get("category_ids") or ()]


def to_product(doc: dict[str, Any], media_url: str = "") -> dict[str, Any]:
    """Map one Magento 2 product document."""
    custom = _custom(doc)
    product = skeleton(s(doc.get("sku")) or "")
    kind = s(doc.get("type_id"))
    unit = s(custom.get("weight_unit"))
    product.update(
        id=s(doc.get("id")),
        name=s(doc.get("name")),
        description=s(custom.get("description")),
        type=kind if kind in TYPES else ("other" if kind else "simple"),
        source_type=kind,
        status={1: "enabled", 2: "disabled"}.get(int(doc.get("status") or 1), "enabled"),
        external_refs={"magento.entity_id": str(doc["id"])} if doc.get("id") is not None else {},
        source={"system": "magento", "store": None},
        weight=rate(doc.get("weight")),
        weight_unit=UNITS.get(unit.lower()) if unit else None,
        dimensions=_dimensions(custom),
        barcodes=[{"type": code, "value": str(custom[code])} for code in BARCODES if s(custom.get(code))],
        price=money(doc.get("price")),
        tax_class=s(custom.get("tax_class_id")),
        categories=_categories(doc, custom),
        images=_images(doc, custom, media_url),
        variants=_variants(doc),
        created_at=timestamp(doc.get("created_at")),
        updated_at=timestamp(doc.get("updated_at")),
    )
    product["attributes"] = [
        {"name": name, "value": value} for name, value in extra({k: v for k, v in custom.items() if k not in MAPPED}).items()
    ]
    product["extra_data"] = extra({k: v for k, v in doc.items() if k not in _KNOWN and not isinstance(v, (dict, list))})
    return product
