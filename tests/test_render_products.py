"""render of product records: the standard product XML/JSON and OrderFlow's product import (create and update)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import Invoke, record_line, records
from lxml import etree

from flowkit.formats.names import ITEMS, NAMES

ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "samples" / "products"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def product(name: str = "FLY-A5-350") -> dict[str, Any]:
    value: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return value


def render(invoke: Invoke, lines: str, *args: str) -> list[dict[str, Any]]:
    result = invoke(["render", *args], input=lines)
    assert result.exit_code == 0, result.stderr
    return records(result.stdout)


def test_orderflow_create_and_update_forms(invoke: Invoke) -> None:
    body = product()
    lines = record_line("product", "FLY-A5-350", body, meta={"operation": "create", "product_hash": "sha256:x"})
    lines += record_line("product", "FLY-A5-170", product("FLY-A5-170"), meta={"operation": "update"})
    out = render(invoke, lines, "--format", "orderflow")
    assert [(r["kind"], r["key"], r["meta"]["filename"]) for r in out] == [
        ("payload", "FLY-A5-350", "FLY-A5-350.xml"),
        ("payload", "FLY-A5-170", "FLY-A5-170.xml"),
    ]
    assert out[0]["meta"]["product_hash"] == "sha256:x"  # carried to deliver and mark-sent
    created = etree.fromstring(out[0]["body"].encode(), PARSER).find("import")
    updated = etree.fromstring(out[1]["body"].encode(), PARSER).find("import")
    assert created.attrib == {"type": "product", "operation": "insert", "externalReference": "FLY-A5-350"}
    assert updated.attrib["operation"] == "update"
    fields = dict(line.split("=", 1) for line in created.text.splitlines())
    assert fields == {
        "description": "A5 flyers, 350gsm silk, pack of 250",
        "barcode": "5060000000016",
        "weight": "2.9",
        "weightUnits": "kg",
        "category": "Flyers",
        "priceNet": "24.00",
        "sellable": "true",
        "priceGross": "28.80",
        "tax": "4.80",
        "taxCode": "Taxable Goods",
        "currency": "GBP",
        "length": "215",
        "width": "155",
        "height": "90",
    }
    assert list(fields)[:3] == ["description", "barcode", "weight"]  # the vendor's order; no image without the flag
    forced = render(invoke, lines, "--format", "orderflow", "--orderflow-operation", "merge")
    assert all('operation="merge"' in r["body"] for r in forced)


def test_include_image(invoke: Invoke) -> None:
    lines = record_line("product", "FLY-A5-350", product(), meta={"operation": "create"})
    with_image = render(invoke, lines, "--format", "orderflow", "--include-image")[0]["body"]
    assert "imageReference=https://shop.example.com/media/catalog/product/f/l/fly-a5-350.jpg\n" in with_image
    xml = render(invoke, lines, "--include-image")[0]["body"]
    images = etree.fromstring(xml.encode(), PARSER).findall("Images/Image")
    assert [(i.findtext("Role"), i.findtext("Position")) for i in images] == [("image", "1"), ("gallery", "2")]
    assert "<Images>" not in render(invoke, lines)[0]["body"]


def test_the_standard_payload_xml_and_json_carry_one_tree(invoke: Invoke) -> None:
    lines = record_line("product", "FLY-A5", product("FLY-A5"), meta={"operation": "update"})
    xml = render(invoke, lines, "--include-image")[0]
    doc = render(invoke, lines, "--format", "json", "--include-image")[0]
    assert xml["type"] == "application/xml" and doc["type"] == "application/json"
    root = etree.fromstring(xml["body"].encode(), PARSER)
    assert root.tag == "Product" and root.findtext("Operation") == "update" and root.findtext("Sku") == "FLY-A5"
    assert [c.text for c in root.findall("Variants/Children/Child")] == ["101", "102"]
    assert as_json(root) == texts(doc["body"])


def texts(value: Any) -> Any:
    """A JSON value as its XML says it: numbers as text."""
    if isinstance(value, dict):
        return {k: texts(v) for k, v in value.items()}
    if isinstance(value, list):
        return [texts(v) for v in value]
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def as_json(element: Any) -> Any:
    """The XML read back into the JSON shape with the name table only."""
    to_json = {xml: js for xml, js in NAMES.values() if xml}
    wrappers = {NAMES[f][0] for f in ITEMS}
    out: dict[str, Any] = {}
    for child in element:
        name = to_json[child.tag]
        if child.tag in wrappers and (len(child) or child.text is None):
            out[name] = [as_json(c) if len(c) else c.text for c in child]
        elif len(child):
            out[name] = as_json(child)
        else:
            out[name] = child.text
    return out


def test_a_plain_product_document_and_an_invalid_product(invoke: Invoke, tmp_path: Path) -> None:
    raw = invoke(["render", str(SAMPLES / "BC-85x55-400.json")])
    assert raw.exit_code == 0 and raw.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Product>\n')
    bad = product()
    bad["weight"] = 2.9
    lines = record_line("product", "FLY-A5-350", bad) + record_line("product", "FLY-A5-170", product("FLY-A5-170"))
    result = invoke(["render"], input=lines)
    assert result.exit_code == 1
    assert "product FLY-A5-350 is not a valid flowkit.product/1: $.weight" in result.stderr
    assert [r["kind"] for r in records(result.stdout)] == ["error", "payload"]
