"""flowkit render: golden payloads for every option, record mode, overrides, errors.

Regenerate the golden files after an intended change with
``FLOWKIT_REGEN=1 pytest tests/test_render.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from conftest import DATA, ROOT, Invoke, record_line, records
from lxml import etree

ORDERS = ROOT / "samples" / "orders"
GOLDEN = DATA / "render"
REGEN = os.environ.get("FLOWKIT_REGEN") == "1"
EXCLUDE = ["--exclude-extra", r"Internal\..*", "--exclude-extra", "_.*"]

# case name, sample order, arguments; each case is checked in XML and in JSON.
CASES: list[tuple[str, str, list[str]]] = [
    ("default", "1203", []),
    ("payment", "1204", ["--payment"]),
    ("history", "1203", ["--history"]),
    ("approval-history", "1203", ["--approval-history"]),
    ("extra-exclude", "1207", EXCLUDE),
    ("no-extra-data", "1207", ["--no-extra-data"]),
    ("products", "1207", ["--product", "V789"]),
    ("attributes", "1203", ["--attribute", "Paper", "--attribute", "Corners"]),
    ("no-links", "1203", ["--no-assets", "--no-job-ticket", "--no-invoice"]),
    ("escape-non-ascii", "1206", ["--escape-non-ascii"]),
    ("include-held", "1205", ["--include-held"]),
    ("compact", "1204", ["--compact"]),
    ("everything", "1206", ["--payment", "--history", "--approval-history"]),
]
ORDERFLOW: list[tuple[str, str, list[str]]] = [
    ("orderflow-order", "1203", ["--format", "orderflow"]),
    (
        "orderflow-products",
        "1207",
        ["--format", "orderflow", "--orderflow-type", "product", "--orderflow-operation", "merge"],
    ),
]
# The rendered samples under samples/payloads (see docs/commands/render.md).
SAMPLES: list[tuple[str, str, list[str]]] = [
    *[
        (f"{n}.{fmt}", n, ["--format", fmt, "--payment", "--history", "--approval-history", *EXCLUDE])
        for n in ("1203", "1204", "1206", "1207")
        for fmt in ("xml", "json")
    ],
    ("1205.xml", "1205", ["--include-held", "--payment"]),
    ("1206.ascii.xml", "1206", ["--escape-non-ascii"]),
    ("1206.ascii.json", "1206", ["--format", "json", "--escape-non-ascii"]),
    ("1203.orderflow.xml", "1203", ["--format", "orderflow"]),
    ("1207.products.orderflow.xml", "1207", ["--format", "orderflow", "--orderflow-type", "product"]),
]


def hardened() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def check_golden(path: Path, data: bytes) -> None:
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.is_file(), f"missing golden file {path.name}; run with FLOWKIT_REGEN=1"
    assert data == path.read_bytes(), f"{path.name} differs from the golden file"


def render_raw(invoke: Invoke, number: str, args: list[str]) -> bytes:
    result = invoke(["render", str(ORDERS / f"{number}.json"), *args])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout_bytes


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize(("name", "number", "args"), CASES, ids=[c[0] for c in CASES])
def test_golden(invoke: Invoke, name: str, number: str, args: list[str], fmt: str) -> None:
    data = render_raw(invoke, number, ["--format", fmt, *args])
    if fmt == "xml":
        etree.fromstring(data, hardened())
    else:
        orjson.loads(data)
    check_golden(GOLDEN / f"{name}.{fmt}", data)


@pytest.mark.parametrize(("name", "number", "args"), ORDERFLOW, ids=[c[0] for c in ORDERFLOW])
def test_golden_orderflow(invoke: Invoke, name: str, number: str, args: list[str]) -> None:
    data = render_raw(invoke, number, args)
    root = etree.fromstring(data, hardened())
    assert root.tag == "imports" and len(root) >= 1
    check_golden(GOLDEN / f"{name}.xml", data)


@pytest.mark.parametrize(("name", "number", "args"), SAMPLES, ids=[c[0] for c in SAMPLES])
def test_samples_are_current(invoke: Invoke, name: str, number: str, args: list[str]) -> None:
    check_golden(ROOT / "samples" / "payloads" / name, render_raw(invoke, number, args))


def test_options_change_what_is_rendered(invoke: Invoke) -> None:
    plain = render_raw(invoke, "1203", []).decode()
    assert "<Payment>" not in plain and "<History>" not in plain and "<ApprovalHistory>" not in plain
    assert "<Assets>" in plain and "<ExtraData>" in plain and "job_ticket" in plain
    full = render_raw(invoke, "1203", ["--payment", "--history", "--approval-history"]).decode()
    assert full.count("<Payment>") == 1 and full.count("<History>") == 2 and full.count("<ApprovalHistory>") == 2
    multi = render_raw(invoke, "1204", ["--payment"]).decode()
    assert multi.count("<Payment>") == 2 and multi.count("<PaymentMethod>") == 2
    excluded = render_raw(invoke, "1207", EXCLUDE).decode()
    assert "Internal." not in excluded and "_debug" not in excluded and "_trace" not in excluded
    assert "CheckoutAttribute.CostCode" in excluded and "ERP.CustomerAccount" in excluded
    links = render_raw(invoke, "1203", ["--no-assets", "--no-job-ticket", "--no-invoice"]).decode()
    assert "<Assets>" not in links and "job_ticket" not in links and "invoice" not in links
    assert "packing_slip" in links


def test_exact_exclusion_key_is_not_a_prefix(invoke: Invoke) -> None:
    text = render_raw(invoke, "1207", ["--exclude-extra", "CostCentre", "--exclude-extra", "Internal"]).decode()
    assert "<Key>CostCentre</Key>" not in text
    assert "Internal.FraudScore" in text  # "Internal" matches only the whole key


def test_products_and_attributes_filter(invoke: Invoke) -> None:
    text = render_raw(invoke, "1207", ["--product", "V789"]).decode()
    assert "<Sku>V789</Sku>" in text and "ROLLUP-850" not in text
    by_ref = render_raw(invoke, "1203", ["--product", "bc_velvet_85x55"]).decode()
    assert "<Sku>V789</Sku>" in by_ref and "FLY-A5-350" not in by_ref
    attrs = render_raw(invoke, "1203", ["--attribute", "Paper"]).decode()
    assert "<Name>Sides</Name>" not in attrs and "<AttributeSummary>Paper: 350gsm silk</AttributeSummary>" in attrs


def test_no_matching_product_is_skipped(invoke: Invoke) -> None:
    line = record_line("order", "1204", orjson.loads((ORDERS / "1204.json").read_bytes()))
    result = invoke(["render", "--product", "NOPE"], input=line)
    assert result.exit_code == 0
    (out,) = records(result.stdout)
    assert out["kind"] == "result" and out["body"]["status"] == "skipped"
    assert "product filter" in out["body"]["reason"]


def test_escape_non_ascii(invoke: Invoke) -> None:
    xml = render_raw(invoke, "1206", ["--escape-non-ascii"])
    assert xml.isascii() and b"&#199;elik" in xml and b"&#128591;" in xml
    plain = render_raw(invoke, "1206", [])
    assert etree.tostring(etree.fromstring(xml, hardened()), encoding="unicode") == etree.tostring(
        etree.fromstring(plain, hardened()), encoding="unicode"
    )
    js = render_raw(invoke, "1206", ["--format", "json", "--escape-non-ascii"])
    assert js.isascii() and b"\\u00c7elik" in js and b"\\ud83d\\ude4f" in js
    assert orjson.loads(js) == orjson.loads(render_raw(invoke, "1206", ["--format", "json"]))


def test_escape_non_ascii_in_record_mode(invoke: Invoke) -> None:
    line = record_line("order", "1206", orjson.loads((ORDERS / "1206.json").read_bytes()))
    result = invoke(["render", "--format", "json", "--escape-non-ascii"], input=line)
    assert result.exit_code == 0 and result.stdout_bytes.isascii()
    (out,) = records(result.stdout)
    assert out["meta"]["charset"] == "us-ascii" and out["body"]["customer"]["lastName"] == "Çelik"


def test_timestamps_are_utc(invoke: Invoke) -> None:
    text = render_raw(invoke, "1206", ["--history", "--approval-history"]).decode()
    assert "<PlacedOnUtc>2026-03-16T07:45:00Z</PlacedOnUtc>" in text
    assert "<Timestamp>2026-03-16T07:46:00Z</Timestamp>" in text and "+03:00" not in text


def test_held_order_skipped_raw(invoke: Invoke) -> None:
    result = invoke(["render", str(ORDERS / "1205.json")])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "1205 skipped: on hold: artwork awaiting customer approval" in result.stderr


def test_example_never_drifts(invoke: Invoke) -> None:
    from flowkit.render.core import example_order

    assert example_order() == orjson.loads((ORDERS / "1203.json").read_bytes())
    for fmt in ("xml", "json"):
        result = invoke(["render", "--example", fmt])
        assert result.exit_code == 0, result.stderr
        full = render_raw(invoke, "1203", ["--format", fmt, "--payment", "--history", "--approval-history"])
        assert result.stdout_bytes == full
    text = invoke(["render", "--example", "xml"]).stdout
    for node in ("<Payment>", "<History>", "<ApprovalHistory>", "<ExtraData>", "<Assets>", "<Documents>"):
        assert node in text


def test_a_stamped_order_is_trusted_and_a_changed_one_validated_again(invoke: Invoke) -> None:
    from flowkit import model

    order = orjson.loads((ORDERS / "1203.json").read_bytes())
    meta: dict[str, object] = {}
    model.stamp(meta, order)
    result = invoke(["render", "--format", "json"], input=record_line("order", "1203", order, meta))
    assert result.exit_code == 0, result.stderr
    (payload,) = records(result.stdout)
    assert model.STAMP_KEY not in payload["meta"]  # it vouched for the order, not for the payload
    assert payload["body"]["orderNumber"] == "1203"
    changed = {**order, "currency": 978}  # edited after stamping: the stamp no longer matches
    result = invoke(["render"], input=record_line("order", "1203", changed, meta))
    assert result.exit_code == 65
    assert "$.currency" in result.stderr
