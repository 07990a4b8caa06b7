"""Golden tests: each source format maps to the expected flowkit.order/1 document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke, records

from flowkit.errors import InputError
from flowkit.sources import xmldoc
from flowkit.sources.common import AmountError, integer, money, timestamp, unit_money
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


def _inbox(tmp_path: Path, tmp_config: Any, bad_name: str, bad: bytes) -> tuple[Path, Path]:
    """A dir source holding a good canonical order, the bad document and a good magento2 order after it."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    canonical = load("magento2-basic.out.json")
    (inbox / "0001.json").write_text(json.dumps({**canonical, "number": "0001"}), encoding="utf-8")
    (inbox / bad_name).write_bytes(bad)
    (inbox / "zz-magento.json").write_text(json.dumps(load("magento2-basic.in.json")), encoding="utf-8")
    return inbox, tmp_config(f'[sources.inbox]\ntype = "dir"\npath = "{inbox}"\n')


def _bad_money_doc(where: tuple[str | int, ...], value: Any) -> bytes:
    doc = load("magento2-basic.in.json")
    doc["increment_id"] = "BAD-1"
    target = doc
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        (("items", 0, "price"), "Infinity", "$.items[0].price: 'Infinity' is not a money amount"),
        (("grand_total",), "1e30", "$.grand_total: '1e30' is not a money amount"),
        (("subtotal",), 1e30, "$.subtotal: 1e+30 is not a money amount"),
    ],
)
def test_a_bad_money_value_fails_that_document_naming_it(
    invoke: Invoke, tmp_path: Path, tmp_config: Any, where: tuple[str | int, ...], value: Any, message: str
) -> None:
    """Not a decimal.InvalidOperation traceback: exit 1, the document and the field named, the others queued."""
    inbox, config = _inbox(tmp_path, tmp_config, "bad-money.json", _bad_money_doc(where, value))
    result = invoke(["query-orders"], config=config)
    assert "Traceback" not in result.stderr
    assert result.exit_code == 1, result.stderr
    expected = f"{inbox / 'bad-money.json'}: {message} (a finite decimal of at most 28 digits)"
    assert [line for line in result.stderr.splitlines() if "bad-money" in line] == [f"flowkit: {expected}"]
    out = records(result.stdout)
    assert [(r["kind"], r["key"]) for r in out] == [("order", "0001"), ("error", "bad-money"), ("order", "2000000141")]
    assert out[1]["body"]["error"] == expected and out[1]["body"]["exit_code"] == 65


def test_an_xml_source_document_with_a_doctype_is_refused(invoke: Invoke, tmp_path: Path, tmp_config: Any) -> None:
    """As every other flowkit reader does (mapping/xmlsafe.py): no DTD is loaded, no entity expanded."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    xml = (CASES / "infigo-basic.in.xml").read_bytes()
    doctype = f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE Order [<!ENTITY x SYSTEM "file://{secret}">]>\n'
    bad = xml.replace(b'<?xml version="1.0" encoding="utf-8"?>\n', doctype.encode()).replace(b"EXT-99-5001", b"&x;")
    inbox, config = _inbox(tmp_path, tmp_config, "infigo-dtd.xml", bad)
    result = invoke(["query-orders"], config=config)
    assert "Traceback" not in result.stderr and "TOP-SECRET" not in result.stdout + result.stderr
    assert result.exit_code == 1, result.stderr
    expected = f"{inbox / 'infigo-dtd.xml'}: DOCTYPE refused: flowkit does not load DTDs or expand entities (billion laughs, XXE)"
    assert f"flowkit: {expected}" in result.stderr.splitlines()
    out = records(result.stdout)
    assert [(r["kind"], r["key"]) for r in out] == [("order", "0001"), ("error", "infigo-dtd"), ("order", "2000000141")]


def test_source_normalisers_refuse_what_no_amount_holds() -> None:
    assert money("abc") is None  # text that is no number stays lenient: no amount
    with pytest.raises(AmountError, match="'Infinity' is not a money amount"):
        money("Infinity")
    with pytest.raises(AmountError, match="'1e999999999' is not a whole number within 64 bits"):
        integer("1e999999999")  # refused before int() builds a billion-digit number
    assert integer("NaN", 7) == 7 and integer("3.0") == 3
    assert timestamp("0001-01-01T00:00:00+01:00") == "0001-01-01T00:00:00+01:00"  # before year 1 in UTC: kept as given
