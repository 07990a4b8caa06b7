"""query-products: products from a folder, a Magento-shaped API on 127.0.0.1 and a Jolt mapping, and their
export lifecycle in the store (pending -> queued -> exported | failed, create vs update)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke, record_line, records
from products_api import TOKEN, Api, serve

from flowkit.store import Store

ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "samples" / "products"
ENV = {"SHOP_TOKEN": TOKEN}
BIN = str(Path(sys.executable).parent)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Api]]:
    yield from serve()


@pytest.fixture
def api(server: tuple[str, Api]) -> Api:
    server[1].reset()
    return server[1]


@pytest.fixture
def config(server: tuple[str, Api], tmp_config: Any) -> Path:
    path: Path = tmp_config(f"""
[sources.shop]
type = "http"
preset = "magento2"
base_url = "{server[0]}"
token = "${{SHOP_TOKEN}}"
page_size = 3
retries = 1
backoff = 0.01
""")
    return path


def query(invoke: Invoke, config: Path | None, *args: str) -> Any:
    return invoke(["query-products", *args], config=config, env=ENV)


def keys(result: Any) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [r["key"] for r in records(result.stdout)]


def test_a_folder_of_products_simple_ones_by_default(invoke: Invoke) -> None:
    result = query(invoke, None, "--source", str(SAMPLES), "--changed")
    out = records(result.stdout)
    assert result.exit_code == 0, result.stderr
    assert [r["key"] for r in out] == ["BC-85x55-400", "FLY-A5-170", "FLY-A5-350", "POS-A2-GLOSS"]  # FLY-A5 is configurable
    first = out[0]
    assert first["kind"] == "product" and first["body"]["schema"] == "flowkit.product/1"
    assert first["meta"]["operation"] == "create" and first["meta"]["type"] == "simple"
    assert first["meta"]["product_hash"].startswith("sha256:")
    every = keys(query(invoke, None, "--source", str(SAMPLES), "--all", "--type", "any", "--dry-run"))
    assert "FLY-A5" in every and len(every) == 5
    configurable = keys(query(invoke, None, "--source", str(SAMPLES), "--all", "--type", "configurable"))
    assert configurable == ["FLY-A5"]


def test_one_product_by_hand(invoke: Invoke) -> None:
    result = query(invoke, None, "--source", str(SAMPLES), "--sku", "FLY-A5-350", "--raw")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["sku"] == "FLY-A5-350" and body["weight"] == "2.9"
    missing = query(invoke, None, "--source", str(SAMPLES), "--sku", "NOPE", "--raw")
    assert missing.exit_code == 65 and "product NOPE not found" in missing.stderr


def test_an_empty_source_a_missing_sku_and_a_missing_folder_are_said(invoke: Invoke, tmp_path: Path) -> None:
    """Nothing exported for a mistyped SKU or an empty folder is a warning on stderr (exit 0), and a folder that is
    not there is named as the --source given (78), not as a config table's path."""
    empty = tmp_path / "empty"
    empty.mkdir()
    result = query(invoke, None, "--source", str(empty), "--all")
    assert result.exit_code == 0 and result.stdout == ""
    assert f"query-products: source '{empty}' has no products: nothing read, nothing to export" in result.stderr
    result = query(invoke, None, "--source", str(SAMPLES), "--sku", "FLY-A5-35,BC-85x55-400", "--dry-run")
    assert keys(result) == ["BC-85x55-400"]
    assert f"--sku FLY-A5-35 not found in source '{SAMPLES}' (or not of the asked --type)" in result.stderr
    result = query(invoke, None, "--source", str(SAMPLES), "--changed", "--dry-run")  # all there: nothing said
    assert len(keys(result)) == 4 and result.stderr == ""
    result = query(invoke, None, "--source", str(tmp_path / "prodcts"), "--all")
    assert result.exit_code == 78 and f"--source {tmp_path / 'prodcts'}: no such folder" in result.stderr
    result = query(invoke, None, "--source", str(SAMPLES / "FLY-A5-350.json"), "--all")
    assert result.exit_code == 78 and "FLY-A5-350.json: a file, not a folder of order or product files" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "say which products: --changed, --sku SKUS or --all"),
        (("--all", "--changed"), "--all takes every product"),
        (("--raw", "--changed"), "--raw prints one product"),
        (("--changed", "--type", "simpel"), "--type 'simpel'"),
    ],
)
def test_usage_errors(invoke: Invoke, args: tuple[str, ...], message: str) -> None:
    result = query(invoke, None, "--source", str(SAMPLES), *args)
    assert result.exit_code == 2 and message in result.stderr


def test_the_magento_api_filters_type_and_sku_on_the_server_and_pages(invoke: Invoke, config: Path, api: Api) -> None:
    first = query(invoke, config, "--source", "shop", "--changed")
    assert first.exit_code == 0, first.stderr
    out = records(first.stdout)
    simple = [sku for sku, p in api.products.items() if p["type_id"] == "simple"]
    assert [r["key"] for r in out] == simple  # the configurable and the virtual product stay at the server
    assert all(
        "searchCriteria[filter_groups][0][filters][0][field]=type_id" in u.replace("%5B", "[").replace("%5D", "]")
        for u in api.requests
    )
    assert len(api.requests) == 3  # 7 products, 3 a page
    body = out[0]["body"]
    assert body["images"][0]["url"] == f"{config_base(config)}/media/catalog/product/f/l/fly-a5-350.jpg"
    assert body["weight"] == "2.9" and body["barcodes"] == [{"type": "ean", "value": "5060000100400"}]
    api.requests.clear()
    two = keys(query(invoke, config, "--source", "shop", "--sku", "NB-A5-DOT,POS-A1-GLOSS", "--dry-run"))
    assert two == ["POS-A1-GLOSS", "NB-A5-DOT"] and len(api.requests) == 1
    asked = api.requests[0].replace("%5B", "[").replace("%5D", "]").replace("%2C", ",")
    assert "[field]=sku" in asked and "[value]=NB-A5-DOT,POS-A1-GLOSS" in asked and "[condition_type]=in" in asked
    every = keys(query(invoke, config, "--source", "shop", "--all", "--type", "any", "--dry-run"))
    assert set(every) == set(api.products)


def config_base(config: Path) -> str:
    return next(line.split('"')[1] for line in config.read_text().splitlines() if line.startswith("base_url"))


def test_a_refusing_or_failing_api(invoke: Invoke, config: Path, api: Api) -> None:
    api.faults = [503, 503]
    failing = query(invoke, config, "--source", "shop", "--changed")
    assert failing.exit_code == 75 and "HTTP 503 after 2 attempt(s)" in failing.stderr
    bad = invoke(["query-products", "--source", "shop", "--changed"], config=config, env={"SHOP_TOKEN": "wrong"})
    assert bad.exit_code == 69 and "refused, HTTP 401" in bad.stderr and "Traceback" not in bad.stderr


def test_a_jolt_user_mapping_and_a_bad_document(invoke: Invoke, tmp_path: Path, tmp_config: Any) -> None:
    folder = tmp_path / "pim"
    folder.mkdir()
    rows = [{"code": "LBL-100x50", "title": "Labels 100 x 50 mm, roll of 1000", "kg": "0.8", "gtin": "5060000000054"}]
    rows.append({"code": "LBL-50x25", "title": "Labels 50 x 25 mm", "kg": 0.3})  # a number: not a decimal string
    (folder / "export.ndjson").write_text("".join(json.dumps(r) + "\n" for r in rows) + "{not json\n")
    spec = [
        {
            "operation": "shift",
            "spec": {"code": "sku", "title": "name", "kg": "weight", "gtin": "barcodes[0].value"},
        },
        {"operation": "default", "spec": {"weight_unit": "kg", "barcodes[]": {"0": {"type": "ean13"}}}},
    ]
    (tmp_path / "pim-products.json").write_text(json.dumps(spec))
    config = tmp_config(f'[sources.pim]\ntype = "dir"\npath = "{folder}"\nmapping = "pim-products.json"\n')
    result = query(invoke, config, "--source", "pim", "--changed")
    assert result.exit_code == 1  # two documents failed, one emitted
    out = records(result.stdout)
    assert [(r["kind"], r["key"]) for r in out] == [("product", "LBL-100x50"), ("error", "export"), ("error", "export")]
    good = out[0]["body"]
    assert (good["name"], good["weight"], good["weight_unit"]) == ("Labels 100 x 50 mm, roll of 1000", "0.8", "kg")
    assert good["barcodes"] == [{"type": "ean13", "value": "5060000000054"}]
    assert "export.ndjson:2: product LBL-50x25 is not a valid flowkit.product/1" in result.stderr
    assert "$.weight: expected string or null, got number" in result.stderr
    assert "export.ndjson:3:2: invalid JSON" in result.stderr


def test_a_product_folder_must_not_move_its_files(invoke: Invoke, tmp_config: Any) -> None:
    config = tmp_config(f'[sources.cat]\ntype = "dir"\npath = "{SAMPLES}"\nmove_processed = true\n')
    result = query(invoke, config, "--source", "cat", "--changed")
    assert result.exit_code == 78 and "move_processed would hide the products it moves" in result.stderr


def state(state_path: Path, sku: str) -> dict[str, Any]:
    store = Store(state_path)  # either engine (FLOWKIT_TEST_STATE=postgresql)
    row = store.conn.execute("SELECT * FROM products WHERE sku = ?", (sku,)).fetchone()
    events = [r["event"] for r in store.conn.execute("SELECT event FROM events WHERE key = ? ORDER BY id", (sku,))]
    store.close()
    return {**dict(row), "events": events}


def test_a_change_is_what_the_fingerprint_says_not_the_timestamp(
    invoke: Invoke, config: Path, api: Api, state_path: Path
) -> None:
    assert len(keys(query(invoke, config, "--source", "shop", "--changed"))) == 7
    before = state(state_path, "NB-A5-DOT")
    assert before["export_status"] == "queued" and before["operation"] == "create"
    api.products["NB-A5-DOT"]["updated_at"] = "2025-06-01 08:00:00"  # saved again, nothing changed
    keys(query(invoke, config, "--source", "shop", "--sku", "NB-A5-DOT", "--changed"))
    assert state(state_path, "NB-A5-DOT")["content_hash"] == before["content_hash"]
    assert "changed" not in state(state_path, "NB-A5-DOT")["events"]
    api.products["NB-A5-DOT"]["weight"] = 0.33  # changed, the timestamp left as it was
    api.products["NB-A5-DOT"]["updated_at"] = "2025-06-01 08:00:00"
    assert keys(query(invoke, config, "--source", "shop", "--sku", "NB-A5-DOT", "--dry-run")) == ["NB-A5-DOT"]
    assert state(state_path, "NB-A5-DOT")["content_hash"] == before["content_hash"]  # a dry run recorded nothing
    keys(query(invoke, config, "--source", "shop", "--sku", "NB-A5-DOT"))
    after = state(state_path, "NB-A5-DOT")
    assert after["content_hash"] != before["content_hash"] and after["events"][-2:] == ["changed", "queued"]


def results(out: list[dict[str, Any]], status: dict[str, str]) -> str:
    """deliver's result records for the emitted products (status by SKU, default delivered), meta carried along."""
    lines = []
    for record in out:
        sku = record["key"]
        body = {"key": sku, "destination": "wms", "status": status.get(sku, "delivered"), "attempts": 1}
        if body["status"] == "failed":
            body.update(error="HTTP 422: unknown barcode", exit_code=69)
        lines.append(record_line("result", sku, body, meta=record["meta"]))
    return "".join(lines)


def test_mark_sent_exported_failed_and_the_next_runs(invoke: Invoke, state_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "catalogue"
    shutil.copytree(SAMPLES, folder)
    first = records(query(invoke, None, "--source", str(folder), "--changed").stdout)
    marked = invoke(["query-products", "mark-sent"], input=results(first, {"FLY-A5-170": "failed"}))
    assert marked.exit_code == 0, marked.stderr
    statuses = {r["key"]: r["meta"]["export_status"] for r in records(marked.stdout)}
    assert statuses == {"BC-85x55-400": "exported", "FLY-A5-170": "failed", "FLY-A5-350": "exported", "POS-A2-GLOSS": "exported"}
    failed = state(state_path, "FLY-A5-170")
    assert failed["last_error"] == "HTTP 422: unknown barcode (exit 69)" and failed["attempts"] == 1
    assert state(state_path, "FLY-A5-350")["exported_at"] is not None
    again = records(query(invoke, None, "--source", str(folder), "--changed").stdout)
    assert [(r["key"], r["meta"]["operation"]) for r in again] == [("FLY-A5-170", "create")]  # failed: goes again
    invoke(["query-products", "mark-sent"], input=results(again, {}))
    assert keys(query(invoke, None, "--source", str(folder), "--changed")) == []  # everything exported
    doc = json.loads((folder / "FLY-A5-350.json").read_text())
    doc["weight"] = "3.1"
    (folder / "FLY-A5-350.json").write_text(json.dumps(doc))
    changed = records(query(invoke, None, "--source", str(folder), "--changed").stdout)
    assert [(r["key"], r["meta"]["operation"]) for r in changed] == [("FLY-A5-350", "update")]
    assert "resend" not in changed[0]["meta"]
    history = records(invoke(["state", "exports", "--products", "--json"]).stdout)
    assert [(h["command"], h["emitted"], h["delivered"], h["failed"]) for h in history][:3] == [
        ("query-products", 1, 0, 0),
        ("query-products", 0, 0, 0),
        ("query-products mark-sent", 0, 1, 0),
    ]
    assert history[-1]["created"] == 4 and history[-2] == {**history[-2], "delivered": 3, "failed": 1}


def test_a_product_changed_while_its_delivery_was_on_its_way(invoke: Invoke, state_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "catalogue"
    shutil.copytree(SAMPLES, folder)
    first = records(query(invoke, None, "--source", str(folder), "--sku", "FLY-A5-350").stdout)
    doc = json.loads((folder / "FLY-A5-350.json").read_text())
    doc["price"] = "26.00"
    (folder / "FLY-A5-350.json").write_text(json.dumps(doc))
    assert keys(query(invoke, None, "--source", str(folder), "--sku", "FLY-A5-350", "--dry-run")) == ["FLY-A5-350"]
    keys(query(invoke, None, "--source", str(folder), "--all"))  # records the change (pending), queues it again
    marked = records(invoke(["query-products", "mark-sent"], input=results(first, {})).stdout)
    assert marked[0]["meta"]["export_status"] == "pending"  # the older version went out: the change is still owed
    row = state(state_path, "FLY-A5-350")
    assert row["exported_hash"] == first[0]["meta"]["product_hash"] != row["content_hash"]
    assert row["events"][-1] == "exported-older-version"
    again = records(query(invoke, None, "--source", str(folder), "--changed").stdout)
    assert [(r["key"], r["meta"]["operation"], r["body"]["price"]) for r in again if r["key"] == "FLY-A5-350"] == [
        ("FLY-A5-350", "update", "26.00")
    ]


def test_reset_products(invoke: Invoke, state_path: Path) -> None:
    out = records(query(invoke, None, "--source", str(SAMPLES), "--changed").stdout)
    invoke(["query-products", "mark-sent"], input=results(out, {}))
    assert keys(query(invoke, None, "--source", str(SAMPLES), "--changed")) == []
    one = invoke(["state", "reset-products", "--sku", "FLY-A5-350,NOPE", "--reason", "WMS lost it"])
    assert one.exit_code == 0 and json.loads(one.stdout) == {"reset": 1, "skus": ["FLY-A5-350"]}
    assert "product NOPE is not known to the store" in one.stderr
    again = records(query(invoke, None, "--source", str(SAMPLES), "--changed").stdout)
    assert [(r["key"], r["meta"]["operation"], r["meta"].get("resend")) for r in again] == [("FLY-A5-350", "update", True)]
    invoke(["query-products", "mark-sent"], input=results(again, {}))
    assert state(state_path, "FLY-A5-350")["resend"] == 0  # exported again: resend cleared
    every = invoke(["state", "reset-products", "--all"])
    assert json.loads(every.stdout) == {"reset": 4}
    assert len(keys(query(invoke, None, "--source", str(SAMPLES), "--changed"))) == 4
    none = invoke(["state", "reset-products", "--sku", "NOPE"])
    assert none.exit_code == 65 and "none of the SKUs is known" in none.stderr
    usage = invoke(["state", "reset-products"])
    assert usage.exit_code == 2 and "--sku SKUS or --all" in usage.stderr and "not both" not in usage.stderr
    both = invoke(["state", "reset-products", "--all", "--sku", "FLY-A5-350"])
    assert both.exit_code == 2 and "name the products: --sku SKUS or --all, not both" in both.stderr
    story = json.loads(invoke(["state", "show", "FLY-A5-350", "--json"]).stdout)
    assert story["product"]["export_status"] == "queued" and "document" not in story["product"]
    assert [e["event"] for e in story["events"]].count("reset") == 2
    resets = [h["reset"] for h in records(invoke(["state", "exports", "--products", "--json"]).stdout)]
    assert resets == [0, 0, 4, 0, 0, 1, 0, 0, 0]  # newest first: a reset of nothing, a run, the reset of all, ...


# -- the loop, as cron runs it: real processes, the Magento-shaped API, render, deliver to a hotfolder ---------------

PIPELINE = (
    "flowkit query-products --source shop --changed | flowkit render --format orderflow --include-image"
    " | flowkit deliver --to wms | flowkit query-products mark-sent"
)


class Loop:
    """A working folder: flowkit.toml (the shop's API, a hotfolder wms), a state store beside it."""

    def __init__(self, work: Path, base: str, state: Any) -> None:
        self.work, self.out, self.store = work, work / "wms", state
        self.out.mkdir()
        (work / "flowkit.toml").write_text(
            f'[sources.shop]\ntype = "http"\npreset = "magento2"\nbase_url = "{base}"\ntoken = "${{SHOP_TOKEN}}"\n'
            f'page_size = 4\n\n[destinations.wms]\ntype = "hotfolder"\npath = "wms"\nfilename = "{{key}}.xml"\n\n'
            + ('[state]\npath = "state.db"\n' if isinstance(state, Path) else f'[state]\nurl = "{state}"\n')
        )
        self.env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(work), **ENV}
        self.env["FLOWKIT_CONFIG"] = str(work / "flowkit.toml")
        self.env.pop("FLOWKIT_STATE", None)

    def run(self, script: str = PIPELINE) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-o", "pipefail", "-c", script], cwd=self.work, env=self.env, capture_output=True, text=True, timeout=120
        )

    def files(self) -> dict[str, int]:
        """Delivered file stem -> modification time (a new delivery replaces the file and moves its time)."""
        return {p.stem: p.stat().st_mtime_ns for p in self.out.iterdir() if p.is_file() and not p.name.startswith(".")}

    def operation(self, sku: str) -> str:
        text = (self.out / f"{sku}.xml").read_text(encoding="utf-8")
        return str(etree_attr(text, "operation"))

    def state(self, sku: str) -> dict[str, Any]:
        return state(self.store, sku)


def etree_attr(text: str, name: str) -> str | None:
    from lxml import etree

    found = etree.fromstring(text.encode()).find("import")
    return None if found is None else found.get(name)


def test_the_product_export_loop(tmp_path: Path, api: Api, server: tuple[str, Api], state_path: Path) -> None:
    loop = Loop(tmp_path, server[0], state_path)
    simple = {sku for sku, p in api.products.items() if p["type_id"] == "simple"}
    first = loop.run()
    assert first.returncode == 0, first.stderr
    files = loop.files()
    assert set(files) == simple  # every simple product, none of the others
    assert {loop.operation(sku) for sku in simple} == {"insert"}  # created
    assert all(loop.state(sku)["export_status"] == "exported" for sku in simple)
    assert "imageReference=http://127.0.0.1:" in (loop.out / "NB-A5-DOT.xml").read_text()

    again = loop.run()
    assert again.returncode == 0 and again.stdout == "" and loop.files() == files  # nothing to send

    api.products["NB-A5-DOT"]["weight"] = 0.33  # one product's weight changes
    time.sleep(0.01)
    changed = loop.run()
    assert changed.returncode == 0, changed.stderr
    after = loop.files()
    assert {sku for sku in after if after[sku] != files[sku]} == {"NB-A5-DOT"}  # exactly it
    assert loop.operation("NB-A5-DOT") == "update" and "weight=0.33\n" in (loop.out / "NB-A5-DOT.xml").read_text()
    for weight in ("0.31", "0.33"):  # back and forth (update A, B, A): the WMS holds the other, so each goes again
        api.products["NB-A5-DOT"]["weight"] = float(weight)
        time.sleep(0.01)
        back = loop.run()
        assert back.returncode == 0, back.stderr
        assert f"weight={weight}\n" in (loop.out / "NB-A5-DOT.xml").read_text()
        assert loop.operation("NB-A5-DOT") == "update" and loop.state("NB-A5-DOT")["export_status"] == "exported"
    files = loop.files()

    api.products["FLY-A6-350"]["weight"] = 3.0  # a change whose delivery fails: its file's name is taken by a folder
    (loop.out / "FLY-A6-350.xml").unlink()
    (loop.out / "FLY-A6-350.xml").mkdir()
    (loop.out / "FLY-A6-350.xml" / "keep").write_text("")
    failing = loop.run()
    assert failing.returncode != 0 and "Traceback" not in failing.stderr
    row = loop.state("FLY-A6-350")
    assert row["export_status"] == "failed" and row["last_error"] and row["attempts"] == 1
    shutil.rmtree(loop.out / "FLY-A6-350.xml")
    retried = loop.run()  # it goes again on the next run, and only it
    assert retried.returncode == 0, retried.stderr
    assert loop.state("FLY-A6-350")["export_status"] == "exported" and loop.operation("FLY-A6-350") == "update"
    assert "weight=3\n" in (loop.out / "FLY-A6-350.xml").read_text()
    before = loop.files()

    reset = loop.run("flowkit state reset-products --all")
    assert reset.returncode == 0 and json.loads(reset.stdout) == {"reset": 7}
    time.sleep(0.01)
    again = loop.run()
    assert again.returncode == 0, again.stderr
    now = loop.files()
    assert all(now[sku] != before[sku] for sku in simple)  # every product sent again, though the WMS has each
    assert {loop.operation(sku) for sku in simple} == {"update"}
    assert loop.run().stdout == "" and loop.files() == now  # and then nothing
    history = [json.loads(line) for line in loop.run("flowkit state exports --products --json").stdout.splitlines()]
    runs = [(h["command"], h["emitted"], h["created"], h["updated"], h["delivered"], h["failed"]) for h in history]
    assert runs[::-1][:2] == [("query-products", 7, 7, 0, 0, 0), ("query-products mark-sent", 0, 0, 0, 7, 0)]
    assert ("query-products mark-sent", 0, 0, 0, 0, 1) in runs and ("state reset-products", 0, 0, 0, 0, 0) in runs


def recipe(marker: str) -> str:
    """The fenced ``bash`` block of docs/recipes/cron.md that contains ``marker``, exactly as written."""
    text = (ROOT / "docs" / "recipes" / "cron.md").read_text(encoding="utf-8")
    return next(block for block in re.findall(r"```bash\n(.*?)```", text, re.S) if marker in block)


def test_the_cron_recipe_products_then_orders(tmp_path: Path, api: Api, server: tuple[str, Api], state_path: Path) -> None:
    """cron.md's "products then orders" job, verbatim, against one Magento-shaped shop and a hotfolder wms."""
    loop = Loop(tmp_path, server[0], state_path)
    job = tmp_path / "export-products-then-orders"
    job.write_text(recipe("export-products-then-orders"))
    job.chmod(0o755)

    def cron() -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(job)], cwd=tmp_path, env=loop.env, capture_output=True, text=True, timeout=120)

    first = cron()
    assert first.returncode == 0, first.stderr
    simple = {sku for sku, p in api.products.items() if p["type_id"] == "simple"}
    orders = {o["increment_id"] for o in api.shop.magento if o["state"] == "processing" and o.get("total_invoiced")}
    files = loop.files()
    assert set(files) == simple | orders and len(orders) == 3
    assert {etree_attr((loop.out / f"{n}.xml").read_text(), "type") for n in orders} == {"order"}
    assert all(loop.state(sku)["export_status"] == "exported" for sku in simple)
    again = cron()
    assert again.returncode == 0, again.stderr
    assert loop.files() == files  # nothing sent twice

    api.faults = [401] * 20  # the shop refuses the token: the job says it was the shop, not the WMS
    refused = cron()
    assert refused.returncode == 69, refused.stderr
    assert "export: the shop's product API is down or refusing" in refused.stderr and "the WMS" not in refused.stderr
    api.faults = []
    api.products["NB-A5-DOT"]["weight"] = 0.5  # a change, while the WMS's folder is gone
    shutil.rmtree(loop.out)
    loop.out.write_text("not a folder")
    down = cron()
    assert down.returncode == 69, down.stderr
    assert "export: the WMS is down or refusing the products" in down.stderr and "shop's" not in down.stderr
    assert f"hotfolder {loop.out}: not a folder" in down.stderr


def test_a_product_queued_by_a_pipeline_still_running_is_left_to_it(invoke: Invoke, state_path: Path) -> None:
    """Queued by a pipeline whose process group still lives: --changed leaves it alone, until --requeue-after."""
    assert keys(query(invoke, None, "--source", str(SAMPLES), "--sku", "FLY-A5-350")) == ["FLY-A5-350"]
    other = subprocess.Popen(["sleep", "30"], start_new_session=True)  # another pipeline, still running
    try:
        store = Store(state_path)
        with store.transaction() as conn:
            conn.execute("UPDATE runs SET pgid = ? WHERE command = 'query-products'", (other.pid,))
        store.close()
        assert keys(query(invoke, None, "--source", str(SAMPLES), "--sku", "FLY-A5-350", "--changed")) == []
        late = query(invoke, None, "--source", str(SAMPLES), "--sku", "FLY-A5-350", "--changed", "--requeue-after", "0")
        assert keys(late) == ["FLY-A5-350"]
    finally:
        other.kill()
        other.wait()
    assert keys(query(invoke, None, "--source", str(SAMPLES), "--sku", "FLY-A5-350", "--changed")) == ["FLY-A5-350"]
