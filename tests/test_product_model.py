"""The canonical product (flowkit.product/1): schema, compiled validator, samples, fingerprint, Magento mapping."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from flowkit import product_model
from flowkit.errors import InputError, RecordError
from flowkit.sources import product_mapping

ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "samples" / "products"


def sample(name: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return value


def test_the_compiled_validator_module_is_the_schema_s() -> None:
    """flowkit/product_validator.py is generated; run ``python -m flowkit.product_model`` after changing the schema."""
    written = (ROOT / "flowkit" / "product_validator.py").read_text(encoding="utf-8")
    assert written == product_model.validator_source(), "stale: run 'python -m flowkit.product_model'"


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_every_sample_maps_to_a_valid_product(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    product = product_mapping.map_auto(doc)
    assert product_model.validate(product) == []
    assert product["sku"] == path.stem.removeprefix("magento-")
    assert set(product) == set(product_model.skeleton("x"))  # every member present, as the skeleton has them


def test_a_configurable_product_names_its_children() -> None:
    product = sample("FLY-A5.json")
    assert product["type"] == "configurable" and product["variants"] == {"attributes": ["Paper"], "children": ["101", "102"]}


def test_problems_name_the_json_path_and_the_key() -> None:
    product = sample("FLY-A5-350.json")
    product["weight"] = 2.9
    product["dimensions"]["width"] = "-1"
    product["images"][1]["url"] = ""
    paths = [p.path for p in product_model.validate(product)]
    assert paths == ["$.weight", "$.dimensions.width", "$.images[1].url"]
    with pytest.raises(RecordError) as caught:
        product_model.check(product)
    message = caught.value.format_message()
    assert message.startswith(
        "product FLY-A5-350 is not a valid flowkit.product/1 (3 problems): $.weight: expected string or null"
    )
    assert [path for path, _ in caught.value.problems] == paths and caught.value.exit_code == 65


def test_the_fingerprint_ignores_the_source_s_timestamp_and_nothing_else() -> None:
    product = sample("FLY-A5-350.json")
    base = product_model.fingerprint(product)
    saved = {**product, "updated_at": "2026-01-01T00:00:00Z"}
    assert product_model.fingerprint(saved) == base  # saved again, nothing changed
    reordered = dict(reversed(list(product.items())))
    assert product_model.fingerprint(reordered) == base  # key order is not content
    heavier = copy.deepcopy(product)
    heavier["weight"] = "3.1"
    assert product_model.fingerprint(heavier) != base


def test_magento_product_document() -> None:
    mapping = product_mapping.resolve(
        "magento2", base_dir=ROOT, where="test", media_url="https://shop.example.com/media/catalog/product"
    )
    product = mapping(sample("magento-POS-A2-GLOSS.json"))
    assert product_model.validate(product) == []
    assert product["id"] == "305" and product["external_refs"] == {"magento.entity_id": "305"}
    assert (product["type"], product["status"], product["weight"], product["weight_unit"]) == ("simple", "enabled", "0.35", None)
    assert product["dimensions"] == {"length": "620", "width": "80", "height": "80", "unit": None}
    assert product["barcodes"] == [{"type": "ean", "value": "5060000000047"}]
    assert product["price"] == "9.50" and product["tax_class"] == "2" and product["categories"] == ["12"]
    assert product["images"] == [
        {
            "url": "https://shop.example.com/media/catalog/product/p/o/pos-a2-gloss.jpg",
            "role": "image",
            "label": "A2 poster",
            "position": 1,
        }
    ]
    assert product["attributes"] == [
        {"name": "paper", "value": "200gsm gloss"},
        {"name": "url_key", "value": "a2-poster-200gsm-gloss"},
    ]
    assert product["updated_at"] == "2025-05-02T16:41:09Z"
    assert product["extra_data"] == {"attribute_set_id": "4", "visibility": "4"}


def test_a_magento_configurable_product() -> None:
    doc = sample("magento-POS-A2-GLOSS.json")
    doc.update(sku="POS", type_id="configurable", status=2)
    doc["extension_attributes"]["configurable_product_links"] = [306, 307]
    doc["extension_attributes"]["configurable_product_options"] = [{"attribute_id": "93", "label": "Paper"}]
    product = product_mapping.map_auto(doc)
    assert (product["type"], product["status"]) == ("configurable", "disabled")
    assert product["variants"] == {"attributes": ["Paper"], "children": ["306", "307"]}


def test_a_mapping_that_breaks_the_schema_fails_that_document() -> None:
    with pytest.raises(InputError, match=r"where: product P1 is not a valid flowkit.product/1: \$.weight"):
        product_mapping.check_product({**product_model.skeleton("P1"), "weight": 1}, "where")
    with pytest.raises(InputError, match="product has no 'sku'"):
        product_mapping.check_product({"schema": "flowkit.product/1"}, "where")
    with pytest.raises(InputError, match="not a known product format"):
        product_mapping.map_auto({"number": "1203"})
