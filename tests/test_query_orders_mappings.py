"""Golden tests: each source format maps to the expected flowkit.order/1 document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowkit.errors import InputError
from flowkit.sources import xmldoc
from flowkit.sources.common import money, timestamp, unit_money
from flowkit.sources.mapping import apply_mapping, builtin, detect, map_auto, resolve

CASES = Path(__file__).parent / "data" / "query_orders" / "mappings"


def load(name: str) -> dict:
    return json.loads((CASES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["magento2", "omnitron", "infigo", "gelato"])
def test_builtin_mapping_matches_golden(name: str) -> None:
    doc = load(f"{name}-basic.in.json")
    assert detect(doc) == name
    assert builtin(name)(doc) == load(f"{name}-basic.out.json")
    assert map_auto(doc) == load(f"{name}-basic.out.json")


def test_infigo_xml_maps_like_its_json_form() -> None:
    doc = xmldoc.parse((CASES / "infigo-basic.in.xml").read_bytes(), "infigo-basic.in.xml")
    assert builtin("infigo")(doc) == load("infigo-basic.out.json")


def test_user_jolt_spec_overlays_the_canonical_skeleton() -> None:
    mapping = resolve("user-jolt.spec.json", base_dir=CASES, where="test")
    order = mapping(load("user-jolt.in.json"))
    assert order == load("user-jolt.out.json")
    assert order["schema"] == "flowkit.order/1"
    assert [(li["sku"], li["quantity"], li["line_number"]) for li in order["lines"]] == [("CARD-A6", 100, 1), ("ENV-C6", 100, 2)]
    assert order["source"]["system"] == "legacy-shop"


def test_omnitron_groups_unit_rows_by_sku() -> None:
    order = builtin("omnitron")(load("omnitron-basic.in.json"))
    assert [(li["sku"], li["quantity"], li["row_total"]) for li in order["lines"]] == [
        ("MUG-WHT-330", 2, "600.00"),
        ("CAL-A3-2026", 1, "600.00"),
    ]
    assert order["currency"] == "TRY"


def test_magento_holded_and_canceled_states() -> None:
    doc = load("magento2-basic.in.json")
    held = builtin("magento2")({**doc, "state": "holded", "status": "holded"})
    assert held["hold"]["on_hold"] is True and held["status"] == "on_hold"
    cancelled = builtin("magento2")({**doc, "state": "canceled", "status": "canceled"})
    assert cancelled["status"] == "cancelled" and cancelled["source_status"] == "canceled"


def test_unknown_document_and_broken_fields_are_input_errors() -> None:
    with pytest.raises(InputError, match="not a known order format"):
        map_auto({"hello": "world"})
    with pytest.raises(InputError, match="order.json: cannot map"):
        apply_mapping(builtin("magento2"), {"increment_id": "1", "items": "not-a-list"}, "order.json")


def test_xml_syntax_error_names_line_and_column() -> None:
    with pytest.raises(InputError, match=r"bad\.xml:2:\d+: invalid XML"):
        xmldoc.parse(b"<Order>\n<Id>1</Order>", "bad.xml")


def test_normalisers() -> None:
    assert money("12.5") == "12.50" and money(0.125) == "0.13" and money(None) is None
    assert unit_money("0.144") == "0.144" and unit_money("3") == "3.00"
    assert timestamp("2017-08-21 22:22:19") == "2017-08-21T22:22:19Z"
    assert timestamp("2025-06-01T10:12:33+03:00") == "2025-06-01T07:12:33Z"


def test_user_jolt_spec_goes_through_the_shared_wrapper(tmp_path: Path) -> None:
    from flowkit.errors import ConfigError

    (tmp_path / "empty.json").write_text("[] // nothing\n")
    with pytest.raises(ConfigError, match="the Jolt chain is empty"):
        resolve("empty.json", base_dir=tmp_path, where="[sources.shop] mapping")
    with pytest.raises(ConfigError, match="no such file"):
        resolve("missing.json", base_dir=tmp_path, where="[sources.shop] mapping")
