"""import-shipment --postback magento, then the payload POSTed by the HTTP transport to a local server.

This drives the transport through the shared ``open_transport`` interface only;
it runs once the HTTP transport (the deliver work) is part of the tree.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import DATA, Invoke, records
from servers.quiet import QuietHTTPServer

from flowkit.config import Config
from flowkit.records import body_bytes
from flowkit.transports import destination, open_transport

pytest.importorskip("flowkit.transports.http", reason="the HTTP transport is not in this tree yet")

ORDERS = str(DATA / "import_shipment" / "orders.ndjson")


class Shop(BaseHTTPRequestHandler):
    """A stand-in for the shop's REST endpoint: records each request, answers 200 with an id."""

    received: list[tuple[str, dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.received.append((self.path, dict(self.headers), body))
        answer = b'"7001"'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def shop() -> Iterator[str]:
    Shop.received = []
    server = QuietHTTPServer(("127.0.0.1", 0), Shop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_magento_postback_is_posted_to_the_shop(invoke: Invoke, shop: str) -> None:
    message = {
        "message_seq": 31,
        "order": "100045",
        "courier": "Royal Mail",
        "service": "Tracked 24",
        "tracking": ["RM31GB"],
        "notify": True,
        "lines": [{"sku": "FLY-A5-350", "qty": 500}],
    }
    result = invoke(["import-shipment", "--orders", ORDERS, "--postback", "magento", "-"], input=orjson.dumps(message))
    assert result.exit_code == 0, result.stderr
    [payload] = [r for r in records(result.stdout) if r["kind"] == "payload"]
    spec = destination(Config(), shop + "/rest/V1/order/{meta.magento_order_id}/ship")
    transport = open_transport(spec, Config())
    transport.open()
    try:
        receipt = transport.put(payload["meta"]["filename"], body_bytes(payload), payload)
    finally:
        transport.close()
    assert receipt.remote_ref
    [(path, headers, body)] = Shop.received
    assert path == "/rest/V1/order/45/ship"
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {
        "items": [{"order_item_id": 301, "qty": 500}],
        "notify": True,
        "tracks": [{"track_number": "RM31GB", "title": "Royal Mail Tracked 24", "carrier_code": "custom"}],
        "arguments": {"extension_attributes": {"source_code": "default"}},
    }


def test_end_to_end_query_orders_import_shipment_deliver(invoke: Invoke, shop: str, tmp_path: Any) -> None:
    """query-orders (dir) -> import-shipment --postback magento -> deliver to the shop's HTTP endpoint."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for line in Path(ORDERS).read_bytes().splitlines():
        order = orjson.loads(line)["body"]
        (inbox / f"{order['number']}.json").write_bytes(orjson.dumps(order))
    fetched = invoke(["query-orders", "--source", str(inbox)])
    assert fetched.exit_code == 0, fetched.stderr
    assert "100045" in [r["key"] for r in records(fetched.stdout)]
    message = {
        "message_seq": 32,
        "order": "100045",
        "courier": "DPD",
        "service": "Next Day",
        "tracking": ["DPD1", "DPD2"],
        "notify": False,
        "lines": [{"sku": "FLY-A5-350", "qty": 200}],
    }
    shipped = invoke(["import-shipment", "--postback", "magento", "-"], input=orjson.dumps(message))
    assert shipped.exit_code == 0, shipped.stderr
    url = shop + "/rest/V1/order/{meta.magento_order_id}/ship"
    delivered = invoke(["deliver", "--to", url], input=shipped.stdout)
    assert delivered.exit_code == 0, delivered.stderr
    results = [r for r in records(delivered.stdout) if r["kind"] == "result"]
    assert [r["body"]["status"] for r in results] == ["delivered"]
    [(path, headers, body)] = Shop.received
    assert path == "/rest/V1/order/45/ship" and headers.get("Idempotency-Key")
    posted = json.loads(body)
    assert posted["items"] == [{"order_item_id": 301, "qty": 200}] and posted["notify"] is False
    assert [t["track_number"] for t in posted["tracks"]] == ["DPD1", "DPD2"]
    again = invoke(["deliver", "--to", url], input=shipped.stdout)  # a rerun sends nothing twice
    assert [r["body"]["status"] for r in records(again.stdout) if r["kind"] == "result"] == ["duplicate"]
    assert len(Shop.received) == 1
