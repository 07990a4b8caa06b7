"""The canonical product model (``flowkit.product/1``): its skeleton, validation and change fingerprint.

The JSON Schema in ``flowkit/schemas/product.schema.json`` is the single
definition, as ``flowkit.model`` keeps the order's: ``flowkit.validation``
compiles it into the module ``flowkit.product_validator`` (``python -m
flowkit.product_model`` writes it again; tests/test_product_model.py fails
while it is stale). Each problem names the JSON path of the offending value,
e.g. ``$.dimensions.width``.

``fingerprint`` is what ``query-products --changed`` compares: a sha256 of the
canonical product's JSON without its ``updated_at``, so a product counts as
changed when its data changed, whatever the source's timestamp says (a save
that changed nothing moves the timestamp; an import written straight to the
database may not).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from flowkit.model import ROOT, Problem

SCHEMA_ID = "flowkit.product/1"
SCHEMA_FILE = Path(__file__).parent / "schemas" / "product.schema.json"
TYPES = ("simple", "configurable", "bundle", "grouped", "virtual", "downloadable", "other")
VOLATILE = ("updated_at",)  # left out of the fingerprint: when the source last saved it is not a change


def skeleton(sku: str) -> dict[str, Any]:
    """A canonical product with every member present, to be filled by a source mapping."""
    return {
        "schema": SCHEMA_ID,
        "id": None,
        "sku": sku,
        "name": None,
        "description": None,
        "type": "simple",
        "source_type": None,
        "status": "enabled",
        "external_refs": {},
        "source": {"system": None, "store": None},
        "weight": None,
        "weight_unit": None,
        "dimensions": None,
        "barcodes": [],
        "price": None,
        "price_incl_tax": None,
        "currency": None,
        "tax_class": None,
        "attributes": [],
        "categories": [],
        "images": [],
        "variants": None,
        "created_at": None,
        "updated_at": None,
        "extra_data": {},
    }


@cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of the canonical product."""
    value: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return value


def validate(product: Any) -> list[Problem]:
    """Every problem in ``product`` against the canonical schema (empty when valid)."""
    from flowkit.product_validator import d__root

    found: list[tuple[Any, str]] = []
    d__root(product, ROOT, found)
    return [Problem(where, message) for where, message in found]


def check(product: Any, key: str | None = None) -> dict[str, Any]:
    """Return ``product`` when valid, else raise a RecordError (exit 65) naming the key and the JSON path."""
    problems = validate(product)
    if not problems:
        return product  # type: ignore[no-any-return]
    from flowkit.problems import record_error

    name = key if key is not None else (product.get("sku") if isinstance(product, dict) else None)
    raise record_error(f"product {name!s} is not a valid {SCHEMA_ID}", problems)  # every problem, as an order's


def fingerprint(product: dict[str, Any]) -> str:
    """``sha256:`` of the product's JSON without its volatile members: equal when nothing that matters changed."""
    import hashlib

    import orjson

    kept = {k: v for k, v in product.items() if k not in VOLATILE}
    return "sha256:" + hashlib.sha256(orjson.dumps(kept, option=orjson.OPT_SORT_KEYS)).hexdigest()


def main_image(product: dict[str, Any]) -> str | None:
    """The URL of the product's main image: the one whose role is ``image``, else the first."""
    images = [i for i in product.get("images") or () if isinstance(i, dict) and i.get("url")]
    chosen = next((i for i in images if i.get("role") == "image"), images[0] if images else None)
    return None if chosen is None else str(chosen["url"])


def validator_source() -> str:
    """The source of ``flowkit.product_validator`` for the current schema file."""
    from hashlib import blake2b

    from flowkit.validation import module_source

    digest = blake2b(SCHEMA_FILE.read_bytes(), digest_size=16).hexdigest()
    doc = (
        f"The compiled validator of the canonical product schema ({SCHEMA_ID}); generated, do not edit.\n\n"
        "Written by ``python -m flowkit.product_model`` from flowkit/schemas/product.schema.json.\n"
    )
    return module_source(schema(), digest=digest, doc=doc)


if __name__ == "__main__":  # python -m flowkit.product_model: write flowkit/product_validator.py again
    (Path(__file__).parent / "product_validator.py").write_text(validator_source(), encoding="utf-8")
