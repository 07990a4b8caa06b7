"""Benchmark: ``flowkit render`` in record mode against a bare-lxml script, same run, same input.

Builds N order records from the samples (default 10,000), then times, each
as a fresh process reading the same NDJSON file and writing payload records:

- ``flowkit render`` (XML, default options) and ``flowkit render --format json``;
- a bare script that reads the records with orjson and builds the same XML
  with ``lxml.etree.SubElement`` calls (no validation, no options, no name table).

It checks the baseline's XML equals flowkit's for the first orders, then
prints orders/s and the ratio flowkit XML / baseline (>= 0.90 is the goal).

    python bench/render.py [--orders 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ("1203", "1204", "1206", "1207")

BASELINE = r"""
import sys
from datetime import datetime, timezone
import orjson
from lxml import etree

E = etree.SubElement


def utc(v):
    if v is None or v.endswith("Z"):
        return v
    return datetime.fromisoformat(v).astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def leaf(parent, name, value):
    el = E(parent, name)
    if value is not None:
        el.text = ("true" if value else "false") if isinstance(value, bool) else str(value)


def group(parent, name, src, fields):
    if src is None:
        E(parent, name)
        return
    el = E(parent, name)
    for tag, key in fields:
        leaf(el, tag, src.get(key))


def plural(parent, name, item, rows, fields):
    el = E(parent, name)
    for row in rows:
        group(el, item, row, fields)


def address(parent, name, a):
    if a is None:
        E(parent, name)
        return
    el = E(parent, name)
    lines = a.get("lines") or []
    for tag, key in (("FirstName", "first_name"), ("LastName", "last_name"), ("Company", "company")):
        leaf(el, tag, a.get(key))
    leaf(el, "AddressLine1", lines[0] if lines else None)
    leaf(el, "AddressLine2", ", ".join(lines[1:]) if len(lines) > 1 else None)
    for tag, key in (("City", "city"), ("Region", "region"), ("RegionCode", "region_code"),
                     ("District", "district"), ("ZipPostalCode", "postal_code"), ("CountryCode", "country_code"),
                     ("Email", "email"), ("Phone", "phone"), ("TaxId", "tax_id"), ("TaxOffice", "tax_office"),
                     ("IdentityNumber", "identity_number")):
        leaf(el, tag, a.get(key))


KV = (("Key", "key"), ("Value", "value"))
DOC = (("Type", "type"), ("Url", "url"))


def line_el(parent, ln):
    el = E(parent, "OrderLine")
    refs = ln.get("external_refs") or {}
    leaf(el, "Id", ln.get("id")); leaf(el, "LineNumber", ln.get("line_number")); leaf(el, "JobId", refs.get("infigo.job_id"))
    for tag, key in (("Sku", "sku"), ("ExternalProductId", "product_ref"), ("Name", "name"),
                     ("Description", "description"), ("Quantity", "quantity"), ("QuantityShipped", "quantity_shipped"),
                     ("Status", "status"), ("SourceStatus", "source_status"), ("UnitPriceExclTax", "unit_price"),
                     ("UnitPriceInclTax", "unit_price_incl_tax"), ("TaxRate", "tax_rate"), ("TaxAmount", "tax_amount"),
                     ("DiscountAmount", "discount_amount"), ("PriceExclTax", "row_total"),
                     ("PriceInclTax", "row_total_incl_tax")):
        leaf(el, tag, ln.get(key))
    plural(el, "Attributes", "Attribute", ln.get("attributes") or [], (("Name", "name"), ("Value", "value")))
    leaf(el, "AttributeSummary", ln.get("attribute_summary")); leaf(el, "DeliveryType", ln.get("delivery_type"))
    group(el, "Print", ln.get("print"), (("Pages", "pages"), ("WidthMm", "width_mm"), ("HeightMm", "height_mm")))
    leaf(el, "SupplierId", ln.get("supplier"))
    plural(el, "ExternalReferences", "Reference", [{"key": k, "value": v} for k, v in refs.items()], KV)
    plural(el, "Assets", "Asset", ln.get("assets") or [], (("Role", "role"), ("Area", "area"), ("Url", "url"),
                                                           ("ContentType", "content_type"), ("Hash", "hash")))
    plural(el, "Documents", "Document", ln.get("documents") or [], DOC)
    plural(el, "ExtraData", "Item", [{"key": k, "value": v} for k, v in (ln.get("extra_data") or {}).items()], KV)


def build(o):
    root = etree.Element("Order")
    for tag, key in (("Id", "id"), ("OrderNumber", "number"), ("Status", "status"), ("SourceStatus", "source_status")):
        leaf(root, tag, o.get(key))
    hold = o.get("hold") or {}
    h = E(root, "Hold"); leaf(h, "OnHold", bool(hold.get("on_hold"))); leaf(h, "Reason", hold.get("reason"))
    leaf(h, "UntilUtc", utc(hold.get("until")))
    tags = E(root, "Tags")
    for t in o.get("tags") or []:
        leaf(tags, "Tag", t)
    for tag, key in (("PlacedOnUtc", "placed_at"), ("CreatedOnUtc", "created_at"), ("UpdatedOnUtc", "updated_at")):
        leaf(root, tag, utc(o.get(key)))
    leaf(root, "CurrencyCode", o.get("currency")); leaf(root, "PurchaseOrderNumber", o.get("po_number"))
    src = o.get("source") or {}
    s = E(root, "Source"); leaf(s, "System", src.get("system")); leaf(s, "Store", src.get("store"))
    group(s, "Channel", src.get("channel"), (("Id", "id"), ("Name", "name"), ("Type", "type")))
    group(root, "Supplier", o.get("supplier"), (("Id", "id"), ("Name", "name")))
    plural(root, "ExternalReferences", "Reference",
           [{"key": k, "value": v} for k, v in (o.get("external_refs") or {}).items()], KV)
    group(root, "Customer", o.get("customer"), (("Id", "id"), ("Email", "email"), ("FirstName", "first_name"),
          ("LastName", "last_name"), ("Phone", "phone"), ("Company", "company"), ("IsGuest", "is_guest"),
          ("Group", "group")))
    address(root, "BillingAddress", o.get("billing_address")); address(root, "ShippingAddress", o.get("shipping_address"))
    notes = o.get("notes") or {}
    n = E(root, "Notes"); leaf(n, "CustomerNote", notes.get("customer"))
    internal = E(n, "InternalNotes")
    for note in notes.get("internal") or []:
        leaf(internal, "Note", note)
    sh = o.get("shipping")
    if sh is None:
        E(root, "Shipping")
    else:
        el = E(root, "Shipping")
        leaf(el, "MethodCode", sh.get("method_code")); leaf(el, "MethodName", sh.get("method_name"))
        leaf(el, "Carrier", sh.get("carrier")); leaf(el, "DeliverByUtc", utc(sh.get("deliver_by")))
        leaf(el, "DispatchByUtc", utc(sh.get("dispatch_by"))); leaf(el, "Instructions", sh.get("instructions"))
    group(root, "Totals", o.get("totals"), (("Subtotal", "subtotal"), ("Discount", "discount"),
          ("ShippingTotal", "shipping"), ("Tax", "tax"), ("GrandTotal", "grand_total"),
          ("PricesIncludeTax", "prices_include_tax")))
    ds = E(root, "Discounts")
    for d in o.get("discounts") or []:
        el = E(ds, "Discount"); leaf(el, "Code", d.get("code")); leaf(el, "Name", d.get("name"))
        leaf(el, "Amount", d.get("amount")); ids = E(el, "LineIds")
        for i in d.get("line_ids") or []:
            leaf(ids, "LineId", i)
    lines = E(root, "OrderLines")
    for ln in o.get("lines") or []:
        line_el(lines, ln)
    plural(root, "Documents", "Document", o.get("documents") or [], DOC)
    plural(root, "ExtraData", "Item", [{"key": k, "value": v} for k, v in (o.get("extra_data") or {}).items()], KV)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()


out = sys.stdout.buffer
for raw in sys.stdin.buffer:
    rec = orjson.loads(raw)
    body = build(rec["body"])
    meta = {**rec["meta"], "format": "xml", "filename": rec["key"] + ".xml"}
    out.write(orjson.dumps({"flowkit": "record/1", "kind": "payload", "key": rec["key"],
                            "type": "application/xml", "meta": meta, "body": body}) + b"\n")
    out.flush()
"""


def make_input(path: Path, count: int) -> None:
    templates = [orjson.loads((ROOT / "samples" / "orders" / f"{n}.json").read_bytes()) for n in TEMPLATES]
    with path.open("wb") as out:
        for i in range(count):
            order = templates[i % len(templates)]
            order["number"] = str(500000 + i)
            order["id"] = f"fk-{500000 + i}"
            out.write(
                orjson.dumps(
                    {
                        "flowkit": "record/1",
                        "kind": "order",
                        "key": order["number"],
                        "type": "application/json",
                        "meta": {"source": "bench"},
                        "body": order,
                    }
                )
                + b"\n"
            )


def timed(cmd: list[str], src: Path, dst: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+sys) of one run; CPU time is robust on a busy machine."""
    env = {**os.environ, "FLOWKIT_CONFIG": os.devnull}
    with src.open("rb") as stdin, dst.open("wb") as stdout:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=stdin, stdout=stdout, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def same_xml(ours: Path, theirs: Path, count: int = 50) -> bool:
    from lxml import etree

    with ours.open("rb") as a, theirs.open("rb") as b:
        for _, x, y in zip(range(count), a, b, strict=False):
            left = etree.tostring(etree.fromstring(orjson.loads(x)["body"].encode()), method="c14n")
            right = etree.tostring(etree.fromstring(orjson.loads(y)["body"].encode()), method="c14n")
            if left != right:
                return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src, script = work / "orders.ndjson", work / "baseline.py"
        make_input(src, args.orders)
        script.write_text(BASELINE, encoding="utf-8")
        flowkit = [sys.executable, "-m", "flowkit", "render"]
        runs = {
            "flowkit xml": flowkit,
            "flowkit json": [*flowkit, "--format", "json"],
            "bare lxml xml": [sys.executable, str(script)],
        }
        best: dict[str, tuple[float, float]] = {name: (float("inf"), float("inf")) for name in runs}
        for _ in range(args.repeat):  # interleaved, so background load hits every contender alike
            for name, cmd in runs.items():
                wall, cpu = timed(cmd, src, work / f"{name.replace(' ', '-')}.out")
                best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
        ours, theirs = work / "flowkit-xml.out", work / "bare-lxml-xml.out"
        identical = same_xml(ours, theirs)
    print(f"orders: {args.orders}, best of {args.repeat} (interleaved), Python {sys.version.split()[0]}")
    print(f"  {'':14s} {'wall s':>8s} {'orders/s':>10s} {'CPU s':>8s} {'orders/CPU-s':>13s}")
    for name, (wall, cpu) in best.items():
        print(f"  {name:14s} {wall:8.2f} {args.orders / wall:10,.0f} {cpu:8.2f} {args.orders / cpu:13,.0f}")
    print(f"  baseline XML identical to flowkit's (C14N, first 50): {identical}")
    wall_ratio = best["bare lxml xml"][0] / best["flowkit xml"][0]
    cpu_ratio = best["bare lxml xml"][1] / best["flowkit xml"][1]
    print(
        f"  throughput ratio flowkit XML / bare lxml: {cpu_ratio:.2f} by CPU time, {wall_ratio:.2f} by wall time (goal >= 0.90)"
    )


if __name__ == "__main__":
    main()
