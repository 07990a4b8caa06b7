"""Statuses pushed to ``flowkit receive``, taken to the shop from cron, end to end, as docs/commands/receive.md says.

A real receiver (samples/receive.toml, its HMAC-signed ``status`` route) takes
GelatoConnect status postbacks and Gelato order status events over loopback;
the documented cron line (``import-status --from-dir … --postback magento |
deliver --to shop-status``), run verbatim in bash with ``pipefail``, applies
them to orders in a real store and posts the shop's comments to the suite's
HTTP server: each status once, in the order it arrived; a sender's retry is
neither a second file nor a second comment; the same status sent again under
another key is a duplicate; a rerun sends nothing; the orders' stories list
the statuses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, Invoke, records
from docs_lines import doc_lines
from receive_helpers import Receiver, sign, visible

DOC = ROOT / "docs" / "commands" / "receive.md"
STATUS = ROOT / "samples" / "receive" / "status"
ORDERS = str(ROOT / "samples" / "shipments" / "orders.ndjson")
SECRETS = {"SHOP_WEBHOOK_SECRET": "shop-s3cret", "WMS_TOKEN": "wms-t0ken", "PRINT_WEBHOOK_SECRET": "print-s3cret"}
BIN = str(Path(sys.executable).parent)


def cron_line() -> str:
    """The documented line that takes the status inbox to the shop, as written."""
    [line] = [d for d in doc_lines([DOC]) if any(argv[:1] == ("import-status",) for argv in d.invocations)]
    assert "--from-dir /srv/flowkit/inbox/status" in line.shell and "deliver --to shop-status" in line.shell
    return line.shell


@pytest.fixture
def loop(tmp_path: Path, state_path: Any, http_server: Any, invoke: Invoke) -> Iterator[dict[str, Any]]:
    """The reader's config (the shop's endpoint on the suite's HTTP server), the orders in the store, and a
    receiver started as the docs start it (samples/receive.toml, --inbox /srv/flowkit/inbox moved here)."""
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "flowkit" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        "[destinations.shop-status]\n"
        'type = "http"\n'
        f'url = "{http_server.base}/shop/V1/orders/{{meta.magento_order_id}}/comments"\n',
        encoding="utf-8",
    )
    loaded = invoke(["import-status", "--orders", ORDERS], input="")
    assert loaded.exit_code == 0, loaded.stderr
    inbox = tmp_path / "srv" / "flowkit" / "inbox"
    receiver = Receiver(tmp_path, (ROOT / "samples" / "receive.toml").read_text(), "--inbox", str(inbox), env=SECRETS).start()
    env = {**os.environ, "FLOWKIT_STATE": str(state_path), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    try:
        yield {"receiver": receiver, "inbox": inbox / "status", "env": env, "root": tmp_path}
    finally:
        receiver.close()


def post(receiver: Receiver, name: str, key: str | None, secret: str = SECRETS["PRINT_WEBHOOK_SECRET"]) -> Any:
    body = (STATUS / name).read_bytes()
    headers = {"Content-Type": "application/json", "X-Signature": sign(body, secret)}
    if key:
        headers["Idempotency-Key"] = key
    return receiver.post("/status", body, headers)


def run_cron(loop: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    script = cron_line().replace("/srv/", f"{loop['root']}/srv/")
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", script],
        cwd=loop["root"],
        env=loop["env"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def comments(http_server: Any) -> list[tuple[str, str]]:
    return [(r["path"], json.loads(r["body"])["statusHistory"]["comment"]) for r in http_server.state.requests]


def story(invoke: Invoke, number: str) -> dict[str, Any]:
    shown = invoke(["state", "show", number, "--json"])
    assert shown.exit_code == 0, shown.stderr
    return json.loads(shown.stdout)  # type: ignore[no-any-return]


def test_received_statuses_reach_the_shop_once_in_order(loop: dict[str, Any], http_server: Any, invoke: Invoke) -> None:
    receiver, inbox = loop["receiver"], loop["inbox"]
    answers = [
        post(receiver, "in-production-300048.json", "gelato-os_7c31a9d2e0b44"),
        post(receiver, "printed-300045.json", "leeds-300045-printed"),
        post(receiver, "shipped-300048.json", "gelato-os_9e02b4c7f1d58"),
        post(receiver, "shipped-300048.json", "gelato-os_9e02b4c7f1d58"),  # the sender's retry: same key
        post(receiver, "shipped-300045.json", "leeds-300045-shipped"),
    ]
    assert [a.status_code for a in answers] == [202] * 5
    assert answers[3].headers.get("Idempotent-Replayed") == "true" and answers[3].json() == answers[2].json()
    forged = post(receiver, "shipped-300045.json", "forged", secret="not-the-secret")
    assert forged.status_code == 403
    files = visible(inbox)
    assert files == sorted(a.json()["id"] for a in answers[:3] + answers[4:])  # the retry and the forgery: no file
    assert all(name.startswith("status-") and name.endswith(".json") for name in files)

    done = run_cron(loop)
    assert done.returncode == 0, done.stderr
    results = [r["body"] for r in records(done.stdout) if r["kind"] == "result"]
    assert [(r["key"], r["status"]) for r in results] == [
        ("300048", "delivered"),
        ("300045", "delivered"),
        ("300048", "delivered"),
        ("300045", "delivered"),
    ]
    assert comments(http_server) == [
        ("/shop/V1/orders/48/comments", "In production"),
        ("/shop/V1/orders/45/comments", "Printed: Printed on press 2"),
        ("/shop/V1/orders/48/comments", "Shipped. Tracking: RM300048001GB"),
        ("/shop/V1/orders/45/comments", "Shipped: Left the Leeds site. Tracking: 15503000450001"),
    ]
    assert visible(inbox) == [] and visible(inbox / "done") == files

    for number, events, last in (
        ("300045", ["printed", "shipped"], "2026-11-21T16:30:00.000Z"),
        ("300048", ["in_production", "shipped"], None),
    ):
        shown = story(invoke, number)
        assert [e["event"] for e in shown["events"]] == ["fetched", *events]  # fetched: --orders
        [whole] = [s for s in shown["statuses"] if s["item"] is None]
        assert (whole["status"], whole["at"]) == ("shipped", last)

    # the next cron run: nothing in the inbox, nothing sent
    again = run_cron(loop)
    assert again.returncode == 0, again.stderr
    assert [r for r in records(again.stdout) if r["kind"] == "result"] == []
    assert len(http_server.state.requests) == 4

    # the print house sends a status again under a new key, Gelato its event again without one: kept as files,
    # reported as duplicates, not posted
    resent = [post(receiver, "printed-300045.json", "leeds-300045-printed-again"), post(receiver, "shipped-300048.json", None)]
    assert [a.status_code for a in resent] == [202, 202]
    assert len(visible(inbox)) == 2
    third = run_cron(loop)
    assert third.returncode == 0, third.stderr
    assert [r for r in records(third.stdout) if r["kind"] == "result"] == []
    assert len(http_server.state.requests) == 4 and visible(inbox) == []
    for number in ("300045", "300048"):
        assert [e["event"] for e in story(invoke, number)["events"]][3:] == ["duplicate"]


def test_a_status_before_its_order_waits_in_the_inbox(
    loop: dict[str, Any], http_server: Any, invoke: Invoke, tmp_path: Path
) -> None:
    """A status for an order the store does not know yet: the cron line fails (65), the file stays, nothing is
    posted; once query-orders has brought the order, the next run applies and posts it."""
    receiver, inbox = loop["receiver"], loop["inbox"]
    body = json.loads((STATUS / "printed-300045.json").read_text())
    body["orderId"] = "300049"
    data = json.dumps(body).encode()
    answer = receiver.post(
        "/status",
        data,
        {"Content-Type": "application/json", "X-Signature": sign(data, SECRETS["PRINT_WEBHOOK_SECRET"])},
    )
    assert answer.status_code == 202
    early = run_cron(loop)
    assert early.returncode == 65, early.stderr
    assert 'Order "300049" does not exist.' in early.stderr and "attempt 1 of 5, kept for the next run" in early.stderr
    assert visible(inbox) == [answer.json()["id"]] and http_server.state.requests == []

    order = json.loads(Path(ORDERS).read_text().splitlines()[0])
    order["key"] = order["body"]["number"] = "300049"
    order["body"]["id"] = "fk-300049"
    order["body"]["external_refs"] = {"magento.entity_id": "49"}
    (tmp_path / "300049.ndjson").write_text(json.dumps(order) + "\n", encoding="utf-8")
    loaded = invoke(["import-status", "--orders", str(tmp_path / "300049.ndjson")], input="")
    assert loaded.exit_code == 0, loaded.stderr
    later = run_cron(loop)
    assert later.returncode == 0, later.stderr
    assert comments(http_server) == [("/shop/V1/orders/49/comments", "Printed: Printed on press 2")]
    assert visible(inbox) == []
