"""The story of an order tells how its payload was made and which shipment messages were refused for it.

render -> transform (the real samples/ stylesheet) -> deliver to a hotfolder, as
one shell pipeline of real processes; then ``state show`` (JSON on a pipe, the
tables on a terminal) names the stylesheet, its sha256 and the parameters, a
secret-looking one masked. A shipment message refused for an order is a
``rejected`` event in its story, and the corrected message with the same id is
still applied (a refusal is not a duplicate).
"""

from __future__ import annotations

import hashlib
import os
import pty
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import ROOT, Invoke, record_line, records, store_rows

from flowkit import __version__
from flowkit.store import Store

SHEET = ROOT / "samples" / "transform" / "mis-jobimport.xsl"
SPEC = ROOT / "samples" / "transform" / "gelato-order.jolt.json"
SECRET = "s3cr3t-Param-Value-42"
IDENTITY = """<?xml version="1.0"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:param name="stage"/>
  <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
</xsl:stylesheet>
"""


def flowkit(args: str, *, config: Path, state: Path) -> str:
    """The words that run ``flowkit ARGS`` with this config and store in a shell pipeline."""
    return shlex.join([sys.executable, "-m", "flowkit", "--config", str(config), "--state", str(state)]) + " " + args


def setup(tmp_path: Path, write: Callable[..., Path]) -> tuple[Path, Path]:
    """A config beside a copy of the sample stylesheet (under xsl/) and a hotfolder destination."""
    (tmp_path / "xsl").mkdir()
    shutil.copy(SHEET, tmp_path / "xsl" / SHEET.name)
    config = write('[destinations.mis]\ntype = "hotfolder"\npath = "out"\n')
    return config, tmp_path / "state.db"


def pipeline(tmp_path: Path, config: Path, state: Path, *transforms: str) -> subprocess.CompletedProcess[str]:
    order = ROOT / "samples" / "orders" / "1203.json"
    stages = [
        flowkit(f"render --records --payment {shlex.quote(str(order))}", config=config, state=state),
        *(flowkit(f"transform {t}", config=config, state=state) for t in transforms),
        flowkit("deliver --to mis", config=config, state=state),
    ]
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", " | ".join(stages)], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )


def story(config: Path, state: Path, key: str = "1203") -> dict[str, Any]:
    shown = subprocess.run(
        [sys.executable, "-m", "flowkit", "--config", str(config), "--state", str(state), "state", "show", key],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    value: dict[str, Any] = orjson.loads(shown.stdout)
    return value


def on_terminal(args: list[str], cwd: Path) -> str:
    """``flowkit ARGS`` with stdout on a pseudo-terminal (a wide one): what a person at a terminal sees."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "400", "LINES": "100", "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "flowkit", *args], stdout=follower, stderr=subprocess.PIPE, cwd=cwd, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.stderr is not None
    with proc.stderr:
        problems = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, problems
    return re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode())


def test_story_shows_stylesheet_hash_and_params(tmp_path: Path, tmp_config: Callable[..., Path]) -> None:
    config, state = setup(tmp_path, tmp_config)
    run = pipeline(tmp_path, config, state, f"--xslt xsl/{SHEET.name} --param priority=high --param api_token={SECRET}")
    assert run.returncode == 0, run.stderr
    (result,) = records(run.stdout)
    assert result["body"]["status"] == "delivered"
    assert b"<JobImport" in (tmp_path / "out" / "1203.xml").read_bytes()
    digest = hashlib.sha256(SHEET.read_bytes()).hexdigest()

    (delivery,) = story(config, state)["deliveries"]
    assert delivery["destination"] == "mis" and delivery["status"] == "delivered"
    assert delivery["provenance"] == {
        "rendered": {"format": "xml", "version": __version__, "options": {"payment": True}},
        "transform": [
            # relative to the config file's folder, never this machine's absolute path
            {"stylesheet": f"xsl/{SHEET.name}", "sha256": digest, "params": {"priority": "high", "api_token": "***"}}
        ],
    }
    assert result["meta"]["transform"] == delivery["provenance"]["transform"]  # what deliver read is what it kept

    text = on_terminal(["--config", str(config), "--state", str(state), "state", "show", "1203"], tmp_path)
    assert "provenance of 1203" in text
    row = next(line for line in text.splitlines() if f"xsl/{SHEET.name}" in line)
    assert digest in row and "priority=high" in row and "api_token=***" in row and "mis" in row
    assert re.search(r"render\s*│\s*xml \(flowkit " + re.escape(__version__) + r"\)\s*│\s*│\s*payment=true", text)

    # the secret is nowhere: not in the story, not in the run log, not in the kept delivery body's meta
    with sqlite3.connect(state) as db:
        dumped = "\n".join(db.iterdump())
    assert SECRET not in dumped and SECRET not in text and SECRET not in run.stdout


def test_chained_transforms_are_a_list_oldest_first(tmp_path: Path, tmp_config: Callable[..., Path]) -> None:
    config, state = setup(tmp_path, tmp_config)
    (tmp_path / "xsl" / "identity.xsl").write_text(IDENTITY)
    run = pipeline(tmp_path, config, state, f"--xslt xsl/{SHEET.name}", "--xslt xsl/identity.xsl --param stage=two")
    assert run.returncode == 0, run.stderr
    steps = story(config, state)["deliveries"][0]["provenance"]["transform"]
    assert [(s["stylesheet"], s["params"]) for s in steps] == [
        (f"xsl/{SHEET.name}", {}),
        ("xsl/identity.xsl", {"stage": "two"}),
    ]
    assert steps[1]["sha256"] == hashlib.sha256(IDENTITY.encode()).hexdigest()


def test_jolt_spec_and_params_from_meta(invoke: Invoke, tmp_path: Path) -> None:
    order = orjson.loads((ROOT / "samples" / "orders" / "1203.json").read_bytes())
    rendered = invoke(["render", "--format", "json", "--records"], input=record_line("order", "1203", order, {"channel": "web"}))
    assert rendered.exit_code == 0, rendered.stderr
    shutil.copy(SPEC, tmp_path / SPEC.name)
    out = invoke(["transform", "--jolt", SPEC.name, "--param-from-meta", "channel"], input=rendered.stdout)
    assert out.exit_code == 0, out.stderr
    (payload,) = records(out.stdout)
    assert payload["meta"]["rendered"] == {"format": "json", "version": __version__}
    assert payload["meta"]["transform"] == [
        {"spec": SPEC.name, "sha256": hashlib.sha256(SPEC.read_bytes()).hexdigest(), "params": {"channel": "web"}}
    ]


def test_each_step_is_built_once_per_run(tmp_path: Path) -> None:
    """The sha256 is read when the stylesheet compiles; a record carries a shared step, not its own copy."""
    from flowkit.transform.core import Engine

    rendered = subprocess.run(
        [sys.executable, "-m", "flowkit", "render", "--records", str(ROOT / "samples" / "orders" / "1203.json")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    (payload,) = records(rendered.stdout)
    engine = Engine.build(xslt=str(SHEET), jolt=None, params={"priority": "high"})
    first, second = (engine.process({**payload, "key": key})[0] for key in ("1", "2"))
    assert first["meta"]["transform"][0] is second["meta"]["transform"][0]
    assert first["meta"]["transform"][0]["sha256"] == hashlib.sha256(SHEET.read_bytes()).hexdigest()


def test_a_payload_that_names_no_provenance_keeps_none(invoke: Invoke, tmp_config: Callable[..., Path]) -> None:
    config = tmp_config('[destinations.mis]\ntype = "hotfolder"\npath = "out"\n')
    raw = record_line("payload", "77", "<a/>", {"filename": "77.xml"}, "application/xml")
    assert invoke(["deliver", "--to", "mis"], input=raw, config=config).exit_code == 0
    shown = orjson.loads(invoke(["state", "show", "77"], config=config).stdout)
    assert [d["provenance"] for d in shown["deliveries"]] == [None]


# rejected shipment messages ---------------------------------------------------------------------------------
ORDERS = ROOT / "samples" / "shipments" / "orders.ndjson"


def message(seq: int, sku: str, qty: int, order: str = "300045") -> str:
    return orjson.dumps({"message_seq": seq, "order": order, "lines": [{"sku": sku, "qty": qty}]}).decode() + "\n"


def rejections(invoke: Invoke, number: str) -> list[dict[str, Any]]:
    shown = orjson.loads(invoke(["state", "show", number]).stdout)
    return [e["detail"] for e in shown["events"] if e["event"] == "rejected"]


def test_rejected_message_is_in_the_story_and_a_corrected_resend_applies(invoke: Invoke, tmp_path: Path) -> None:
    loaded = invoke(["import-shipment", "--orders", str(ORDERS)], input="")
    assert loaded.exit_code == 0, loaded.stderr
    bad = invoke(["import-shipment"], input=message(9001, "NOPE", 1) + message(9002, "BC-85X55", 9999))
    assert bad.exit_code == 65
    assert [r["body"]["result"] for r in records(bad.stdout)] == ["failure", "failure"]
    assert rejections(invoke, "300045") == [
        {"message_seq": 9001, "target": "default", "reason": 'Order Item with SKU: "NOPE" does not exist.'},
        {
            "message_seq": 9002,
            "target": "default",
            "reason": 'Quantity 9999 for Order Item with SKU: "BC-85X55" exceeds the 250 remaining to ship.',
        },
    ]
    again = invoke(["import-shipment"], input=message(9001, "NOPE", 1))  # the same refusal again: one event, not two
    assert again.exit_code == 65 and len(rejections(invoke, "300045")) == 2

    fixed = invoke(["import-shipment"], input=message(9001, "BC-85X55", 10))  # corrected, same message id
    assert fixed.exit_code == 0, fixed.stderr
    (result,) = records(fixed.stdout)
    assert result["body"]["result"] == "success"  # not "duplicate": the refusal marked nothing processed
    shown = orjson.loads(invoke(["state", "show", "300045"]).stdout)
    assert [s["lines"] for s in shown["shipments"]] == [[{"line_id": "2", "sku": "BC-85X55", "quantity": 10}]]
    assert [e["event"] for e in shown["events"]] == ["fetched", "rejected", "rejected", "partially_shipped"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("UPDATE orders SET status = 'cancelled'", 'Order "300045" is cancelled.'),
        ("UPDATE orders SET export_status = 'held', hold_reason = 'credit check'", 'Order "300045" is on hold: credit check.'),
    ],
)
def test_refused_for_the_order_state(invoke: Invoke, state_path: Path, change: str, reason: str) -> None:
    assert invoke(["import-shipment", "--orders", str(ORDERS)], input="").exit_code == 0
    store = Store(state_path)
    with store.transaction() as conn:
        conn.execute(change + " WHERE number = '300045'")
    store.close()
    before = _counts(state_path)
    refused = invoke(["import-shipment"], input=message(9100, "BC-85X55", 1))
    assert refused.exit_code == 65
    assert rejections(invoke, "300045") == [{"message_seq": 9100, "target": "default", "reason": reason}]
    after = _counts(state_path)
    assert {t: after[t] - before[t] for t in after} == {"events": 1, "shipments": 0, "processed_messages": 0}


def test_unreadable_message_for_a_known_order_and_an_unknown_order(invoke: Invoke) -> None:
    assert invoke(["import-shipment", "--orders", str(ORDERS)], input="").exit_code == 0
    unreadable = orjson.dumps({"message_seq": 9200, "order": "300045", "lines": [{"sku": "BC-85X55", "qty": -3}]}).decode()
    assert invoke(["import-shipment"], input=unreadable + "\n").exit_code == 65
    (detail,) = rejections(invoke, "300045")
    assert detail == {
        "message_seq": 9200,
        "target": "default",
        "reason": "lines[1]: quantity must be a whole number above 0, not -3",
    }
    # an order the store does not know gets no story: state show still knows nothing about it
    assert invoke(["import-shipment"], input=message(9201, "BC-85X55", 1, order="999999")).exit_code == 65
    unknown = invoke(["state", "show", "999999"])
    assert unknown.exit_code == 65 and "nothing known" in unknown.stderr


def test_rejection_shows_on_a_terminal(invoke: Invoke, state_path: Path, tmp_path: Path) -> None:
    assert invoke(["import-shipment", "--orders", str(ORDERS)], input="").exit_code == 0
    assert invoke(["import-shipment"], input=message(9300, "NOPE", 1)).exit_code == 65
    text = on_terminal(["--state", str(state_path), "state", "show", "300045"], tmp_path)
    row = next(line for line in text.splitlines() if "rejected" in line)
    assert "import-shipment" in row and "9300" in row and "NOPE" in row


def _counts(state: Path) -> dict[str, int]:
    return {t: store_rows(state, f"SELECT COUNT(*) FROM {t}")[0][0] for t in ("events", "shipments", "processed_messages")}
