"""The sample mappings read what `flowkit render` really writes: render | transform on every sample order.

The expected values come from the canonical order itself (samples/orders/NNNN.json), so a renamed
element in flowkit/formats/names.py or a stale stylesheet fails here instead of producing empty fields.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import ROOT, Invoke, records
from lxml import etree, html, isoschematron

ORDERS = ROOT / "samples" / "orders"
SAMPLES = ROOT / "samples" / "transform"
JOB = "{urn:example:printflow:jobimport:1}"
NUMBERS = ["1203", "1204", "1205", "1206", "1207"]


def order(number: str) -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads((ORDERS / f"{number}.json").read_bytes())
    return value


def render_then(invoke: Invoke, number: str, fmt: str, transform: list[str]) -> dict[str, Any]:
    """`flowkit render --records ORDER | flowkit transform ...`: the one payload record out."""
    rendered = invoke(["render", "--records", "--include-held", "--format", fmt, str(ORDERS / f"{number}.json")])
    assert rendered.exit_code == 0, rendered.stderr
    result = invoke(["transform", *transform], input=rendered.stdout)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    [out] = records(result.stdout)
    assert out["kind"] == "payload" and out["key"] == number
    return out


def no_empty_attributes(root: Any) -> None:
    for element in root.iter():
        for name, value in element.attrib.items():
            assert value.strip(), f"<{etree.QName(element).localname} {name}=''> is empty"


@pytest.mark.parametrize("number", NUMBERS)
def test_mis_jobimport_reads_the_rendered_xml(invoke: Invoke, number: str) -> None:
    src = order(number)
    out = render_then(invoke, number, "xml", ["--xslt", str(SAMPLES / "mis-jobimport.xsl"), "--param-from-meta", "supplier"])
    root = etree.fromstring(out["body"].encode("utf-8"))
    etree.XMLSchema(etree.parse(str(SAMPLES / "schemas" / "jobimport.xsd"))).assertValid(root)
    no_empty_attributes(root)
    job = root.find(f"{JOB}Job")
    assert job is not None
    assert job.get("ref") == src["number"] and job.get("po") == src["po_number"]
    assert job.get("placed") is not None and job.get("placed", "").startswith(src["placed_at"][:10])
    assert job.get("account") == src["supplier"]["id"]
    address = src["shipping_address"]
    assert job.findtext(f"{JOB}Delivery/{JOB}Postcode") == address["postal_code"]
    assert [s.text for s in job.iterfind(f"{JOB}Delivery/{JOB}Street")] == address["lines"]
    assert job.findtext(f"{JOB}Delivery/{JOB}Town") == address["city"]
    items = job.findall(f"{JOB}Items/{JOB}Item")
    assert [(i.get("product"), i.get("qty")) for i in items] == [(x["sku"], str(x["quantity"])) for x in src["lines"]]
    prices = [i.find(f"{JOB}Price") for i in items]
    assert [(p.get("unit"), p.get("total")) for p in prices if p is not None] == [
        (x["unit_price"], x["row_total"]) for x in src["lines"]
    ]
    value = job.find(f"{JOB}Value")
    assert value is not None and value.get("currency") == src["currency"]
    totals = src["totals"]
    assert (value.get("net"), value.get("discount"), value.get("carriage"), value.get("tax"), value.get("gross")) == (
        totals["subtotal"],
        totals["discount"],
        totals["shipping"],
        totals["tax"],
        totals["grand_total"],
    )


def test_mis_jobimport_rush_order_meets_the_business_rules(invoke: Invoke) -> None:
    out = render_then(invoke, "1203", "xml", ["--xslt", str(SAMPLES / "mis-jobimport.xsl")])
    root = etree.fromstring(out["body"].encode("utf-8"))
    rules = isoschematron.Schematron(etree.parse(str(SAMPLES / "schemas" / "jobimport-rules.sch")))
    assert rules.validate(root), rules.error_log
    job = root.find(f"{JOB}Job")
    assert job is not None and job.get("priority") == "rush"
    item = job.find(f"{JOB}Items/{JOB}Item")
    assert item is not None and item.get("job") == "J-2231"
    assert item.findtext(f"{JOB}CostCentre") == "CC-42"
    artwork = item.find(f"{JOB}Artwork")
    assert artwork is not None and artwork.get("href") == "https://files.example.com/jobs/J-2231/print.pdf"


@pytest.mark.parametrize("number", NUMBERS)
def test_lines_csv_reads_the_rendered_xml(invoke: Invoke, number: str) -> None:
    src = order(number)
    out = render_then(invoke, number, "xml", ["--xslt", str(SAMPLES / "lines-csv.xsl")])
    assert out["type"] == "text/csv" and out["meta"]["filename"] == f"{number}.csv"
    header, *rows = csv.reader(io.StringIO(out["body"], newline=""))
    assert header[0] == "order" and len(rows) == len(src["lines"])
    for row, line in zip(rows, src["lines"], strict=True):
        fields = dict(zip(header, row, strict=True))
        assert fields["order"] == src["number"] and fields["line"] == str(line["line_number"])
        assert (fields["sku"], fields["name"], fields["quantity"]) == (line["sku"], line["name"], str(line["quantity"]))
        assert (fields["unit_price"], fields["row_total"]) == (line["unit_price"], line["row_total"])
        assert fields["currency"] == src["currency"]
        assert fields["ship_to_postcode"] == src["shipping_address"]["postal_code"]
        paper = [a["value"] for a in line["attributes"] if a["name"] == "Paper"]
        assert fields["paper"] == (paper[0] if paper else "")


def test_lines_csv_of_1203_has_every_column_filled(invoke: Invoke) -> None:
    out = render_then(invoke, "1203", "xml", ["--xslt", str(SAMPLES / "lines-csv.xsl")])
    rows = list(csv.reader(io.StringIO(out["body"], newline="")))
    assert rows[1] == ["1203", "1", "FLY-A5-350", "A5 Flyer", "500", "0.05", "25.00", "GBP", "350gsm silk", "CC-42", "EC1A 1AA"]
    assert all(all(field for field in row) for row in rows)


@pytest.mark.parametrize("number", NUMBERS)
def test_job_sheet_reads_the_rendered_xml(invoke: Invoke, number: str) -> None:
    src = order(number)
    out = render_then(invoke, number, "xml", ["--xslt", str(SAMPLES / "jobsheet-html.xsl"), "--param", "site=Leeds"])
    assert out["type"] == "text/html"
    page = html.fromstring(out["body"])
    assert page.findtext(".//h1") == f"Leeds: order {src['number']}"
    address = src["shipping_address"]
    address_text = " ".join(page.find(".//address").itertext())
    assert address["postal_code"] in address_text and all(line in address_text for line in address["lines"])
    if src["po_number"]:
        assert f"PO {src['po_number']}" in page.text_content()
    cells = [[td.text_content() for td in tr.findall("td")] for tr in page.findall(".//table/tr")[1:]]
    assert [(c[0], c[2], c[3], c[4]) for c in cells] == [
        (str(x["line_number"]), x["sku"], x["name"], str(x["quantity"])) for x in src["lines"]
    ]
    for row, line in zip(cells, src["lines"], strict=True):
        assert row[1], f"line {line['line_number']}: empty job id"
        assert row[6] == f"{line['print']['width_mm']} x {line['print']['height_mm']}, {line['print']['pages']} pp"


def test_job_sheet_of_1203(invoke: Invoke) -> None:
    out = render_then(invoke, "1203", "xml", ["--xslt", str(SAMPLES / "jobsheet-html.xsl")])
    page = html.fromstring(out["body"])
    assert page.findtext(".//p[@class='rush']/strong") == "RUSH"
    assert "Placed 2026-03-14T09:26:53Z, PO PO-7781, ship by Express (next working day)" in out["body"]
    assert (
        " ".join(page.find(".//address").itertext())
        == "Ann Example Example Events Ltd 1 Example Street Floor 3 London EC1A 1AA GB"
    )
    links = [a.get("href") for a in page.iterfind(".//table//a")]
    assert links == ["https://files.example.com/jobs/J-2231/print.pdf", "https://files.example.com/jobs/J-2232/print.pdf"]


def nulls_or_blanks(value: Any, path: str = "$") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in nulls_or_blanks(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in nulls_or_blanks(v, f"{path}[{i}]")]
    return [path] if value is None or (isinstance(value, str) and not value.strip()) else []


@pytest.mark.parametrize("number", NUMBERS)
def test_gelato_spec_reads_the_rendered_json(invoke: Invoke, number: str) -> None:
    src = order(number)
    out = render_then(
        invoke, number, "json", ["--jolt", str(SAMPLES / "gelato-order.jolt.json"), "--param", "shipmentMethod=express"]
    )
    body = out["body"]
    assert nulls_or_blanks(body) == []
    assert body["orderReferenceId"] == src["number"] and body["currency"] == src["currency"]
    assert body["customerReferenceId"] == src["customer"]["id"]
    address, shipped = src["shipping_address"], body["shippingAddress"]
    assert shipped["postCode"] == address["postal_code"] and shipped["city"] == address["city"]
    assert [shipped.get("addressLine1"), shipped.get("addressLine2")][: len(address["lines"])] == address["lines"]
    assert shipped["country"] == address["country_code"] and shipped["firstName"] == address["first_name"]
    items = [(i["productUid"], i["quantity"]) for i in body["items"]]
    assert items == [(x["sku"], x["quantity"]) for x in src["lines"]]
    for item, line in zip(body["items"], src["lines"], strict=True):
        prints = [a["url"] for a in line["assets"] if a["role"] == "print"]
        assert [f["url"] for f in item.get("files", [])] == prints
    assert body["shipmentMethodUid"] == "express" and body["orderType"] == "order"


# Each case input under samples/transform/cases is a real render output: a copy of a sample payload,
# which tests/test_render.py keeps current.
CASE_INPUTS = {
    "csv/order-1204.in.xml": "1204.xml",
    "csv/order-1204-semicolon.in.xml": "1204.xml",
    "gelato/order-1203.in.json": "1203.json",
    "jobsheet/order-1203.in.xml": "1203.xml",
    "jobsheet/order-1206.in.xml": "1206.xml",
    "mis/order-1203.in.xml": "1203.xml",
    "mis/order-1204.in.xml": "1204.xml",
    "dispatch-plan/order-1203.in.xml": "1203.xml",
    "dispatch-plan/order-1204-max-lines.in.xml": "1204.xml",
    "dispatch-plan/order-1206.in.xml": "1206.xml",
    "print-run/order-1203.in.json": "1203.json",
    "print-run/order-1203-long-runs.in.json": "1203.json",
}


@pytest.mark.parametrize(("case", "payload"), CASE_INPUTS.items(), ids=list(CASE_INPUTS))
def test_case_inputs_are_render_outputs(case: str, payload: str) -> None:
    given = SAMPLES / "cases" / case
    assert given.read_bytes() == (ROOT / "samples" / "payloads" / payload).read_bytes(), (
        f"{case} is not samples/payloads/{payload}: copy it again"
    )


def test_every_case_input_is_listed() -> None:
    listed = set(CASE_INPUTS) | {"mis/order-1299-no-lines.in.xml"}
    found = {p.relative_to(SAMPLES / "cases").as_posix() for p in (SAMPLES / "cases").rglob("*.in.*")}
    assert found == listed


def test_the_no_lines_case_is_a_render_output(invoke: Invoke, tmp_path: Path) -> None:
    src = order("1203")
    src.update(number="1299", id="fk-1299", lines=[])
    path = tmp_path / "1299.json"
    path.write_bytes(orjson.dumps(src))
    result = invoke(["render", str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == (SAMPLES / "cases" / "mis" / "order-1299-no-lines.in.xml").read_bytes()
