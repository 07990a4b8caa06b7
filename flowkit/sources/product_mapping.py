"""Product mappings: choose and apply the one that turns a source document into ``flowkit.product/1``.

The product side of ``sources/mapping.py``: built in ``canonical`` (already
flowkit.product/1) and ``magento2`` (``/V1/products``); ``auto`` detects which
from the document's fields; a user mapping is a Jolt spec file whose output is
laid over the canonical product skeleton, so a spec maps only what it knows.
Every mapped product is checked against the schema: a mapping that writes a
number where the model wants a decimal string fails that document, naming
the JSON path.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from flowkit.errors import ConfigError, FlowkitError, InputError
from flowkit.product_model import SCHEMA_ID, skeleton
from flowkit.sources.common import s
from flowkit.sources.mapping import Mapping, jolt_spec, overlay

BUILTIN = ("canonical", "magento2")


def detect(doc: Any) -> str | None:
    """The built-in product mapping a document's fields point to, or None."""
    if not isinstance(doc, dict):
        return None
    if doc.get("schema") == SCHEMA_ID:
        return "canonical"
    if "sku" in doc and ("type_id" in doc or "custom_attributes" in doc):
        return "magento2"
    return None


def builtin(name: str, media_url: str = "") -> Mapping:
    if name == "canonical":
        return _canonical
    if name == "magento2":
        from flowkit.sources.magento2_products import to_product

        return functools.partial(to_product, media_url=media_url)
    raise KeyError(name)


def _canonical(doc: dict[str, Any]) -> dict[str, Any]:
    return doc


def jolt_mapping(path: Path, where: str) -> Mapping:
    """A product mapping from a user's Jolt spec file; its output overlays the canonical product skeleton."""
    spec = jolt_spec(path, where)

    def apply(doc: dict[str, Any]) -> dict[str, Any]:
        out = spec(doc)
        sku = s(out.get("sku"))
        if not sku:
            raise InputError(f"mapping {path.name} produced no 'sku'")
        return {**overlay(skeleton(sku), out), "sku": sku}

    return apply


def resolve(name: str, *, base_dir: Path, where: str, media_url: str = "") -> Mapping:
    """The product mapping a source names (``auto``, a built-in name, or a Jolt spec path)."""
    if name == "auto":
        return functools.partial(map_auto, media_url=media_url)
    if name in BUILTIN:
        return builtin(name, media_url)
    if name.endswith(".json"):
        path = Path(name)
        return jolt_mapping(path if path.is_absolute() else base_dir / path, where)
    raise ConfigError(f"{where}: unknown product mapping {name!r} (known: auto, {', '.join(BUILTIN)}, or a Jolt spec .json)")


def map_auto(doc: dict[str, Any], media_url: str = "") -> dict[str, Any]:
    """Detect the document's format and map it."""
    name = detect(doc)
    if name is None:
        raise InputError("not a known product format (canonical flowkit.product/1, magento2)", hint="set 'mapping' on the source")
    return builtin(name, media_url)(doc)


def check_product(product: Any, where: str) -> dict[str, Any]:
    """A mapped product as query-products needs it: a valid flowkit.product/1 with a SKU."""
    from flowkit import product_model

    if not isinstance(product, dict) or not s(product.get("sku")):
        raise InputError(f"{where}: product has no 'sku'")
    product["sku"] = s(product["sku"])
    try:
        return product_model.check(product, product["sku"])
    except FlowkitError as exc:
        raise InputError(f"{where}: {exc.format_message()}") from exc
