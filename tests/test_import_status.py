"""import-status: production statuses in, applied in order against a real sqlite store, postbacks out and
delivered to the suite's HTTP server; duplicates, stale and out-of-order messages, unknown orders, the story."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
from conftest import DATA, ROOT, Invoke, record_line, records

from flowkit.store import Store

ORDERS = str(DATA / "import_shipment" / "orders.ndjson")
SAMPLES = ROOT / "samples" / "statuses"


def msg(seq: int, order: str, status: str, at: str | None = None, **extra: Any) -> str:
    body = {"message_seq": seq, "order": order, "status": status, **({"at": at} if at else {}), **extra}
    return orjson.dumps(body).decode() + "\n"


def gelato(order: str, status: str, timestamp: str, **extra: Any) -> str:
    return orjson.dumps({"timestamp": timestamp, "orderId": order, "status": status, **extra}).decode() + "\n"


def status(invoke: Invoke, text: str, *args: str, config: Path | None = None) -> tuple[int, list[dict[str, Any]], str]:
    result = invoke(["import-status", "--orders", ORDERS, *args, "-"], input=text, config=config)
    return result.exit_code, records(result.stdout), result.stderr


def results(out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r["body"] for r in out if r["kind"] == "status-result"]


def payloads(out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in out if r["kind"] == "payload"]


def story(invoke: Invoke, number: str) -> dict[str, Any]:
    result = invoke(["state", "show", number, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def count(state_path: Path, sql: str) -> int:
    store = Store(state_path)  # either engine (FLOWKIT_TEST_STATE=postgresql)
    try:
        return int(store.conn.execute(sql).fetchone()[0])
    finally:
        store.close()


def test_statuses_become_magento_comments_delivered_to_the_shop(invoke: Invoke, http_server: Any) -> None:
    """Messages in, postbacks out, `flowkit deliver` POSTs them; the shop sees each status once, in order."""
    text = msg(501, "100045", "in_production", "2026-11-20T09:00:00Z", message="Plates made")
    text += msg(503, "100045", "shipped", "2026-11-21T16:30:00Z", tracking=["DPD1"], notify=True)
    text += msg(502, "100045", "printed", "2026-11-21T11:00:00Z")  # arrives after shipped: stale
    code, out, err = status(invoke, text, "--postback", "magento")
    assert code == 0, err
    assert [(b["message_seq"], b["result"]) for b in results(out)] == [(501, "success"), (503, "success"), (502, "stale")]
    sent = payloads(out)
    assert [p["meta"]["status"] for p in sent] == ["in_production", "shipped"]
    assert all(p["meta"]["magento_order_id"] == "45" and p["meta"]["postback"] == "magento" for p in sent)
    url = http_server.base + "/rest/V1/orders/{meta.magento_order_id}/comments"
    delivered = invoke(["deliver", "--to", url], input="".join(json.dumps(p) + "\n" for p in out))
    assert delivered.exit_code == 0, delivered.stderr
    assert [r["body"]["status"] for r in records(delivered.stdout) if r["kind"] == "result"] == ["delivered", "delivered"]
    posts = [(r["path"], json.loads(r["body"])) for r in http_server.state.requests]
    assert posts == [
        (
            "/rest/V1/orders/45/comments",
            {
                "statusHistory": {
                    "comment": "In production: Plates made",
                    "is_customer_notified": 0,
                    "is_visible_on_front": 0,
                    "parent_id": 45,
                }
            },
        ),
        (
            "/rest/V1/orders/45/comments",
            {
                "statusHistory": {
                    "comment": "Shipped. Tracking: DPD1",
                    "is_customer_notified": 1,
                    "is_visible_on_front": 1,
                    "parent_id": 45,
                }
            },
        ),
    ]
    # the same messages again: duplicates, no postback; and the postbacks delivered again: nothing sent twice
    code, again, err = status(invoke, text, "--postback", "magento")
    assert code == 0, err
    assert [b["result"] for b in results(again)] == ["duplicate"] * 3 and payloads(again) == []
    redo = invoke(["deliver", "--to", url], input="".join(json.dumps(p) + "\n" for p in sent))
    assert [r["body"]["status"] for r in records(redo.stdout) if r["kind"] == "result"] == ["duplicate", "duplicate"]
    assert len(http_server.state.requests) == 2


def test_gelato_in_production_event_is_posted(invoke: Invoke, http_server: Any) -> None:
    """The issue's case: a Gelato order status event `in_production` (import-shipment: 'is not a shipment')."""
    event = (SAMPLES / "gelato-event.json").read_text()
    shop_orders = str(ROOT / "samples" / "shipments" / "orders.ndjson")
    result = invoke(["import-status", "--orders", shop_orders, "--postback", "magento", "-"], input=event)
    assert result.exit_code == 0, result.stderr
    out = records(result.stdout)
    [result_body] = results(out)
    assert result_body["order"] == "300048" and result_body["result"] == "success"
    assert result_body["status"] == "in_production" and result_body["sent_status"] == "in_production"
    assert result_body["message_id"] == "os_7c31a9d2e0b44" and result_body["at"] is None
    [payload] = payloads(out)
    url = http_server.base + "/rest/V1/orders/{meta.magento_order_id}/comments"
    delivered = invoke(["deliver", "--to", url], input=json.dumps(payload) + "\n")
    assert delivered.exit_code == 0, delivered.stderr
    [request] = http_server.state.requests
    assert request["path"] == "/rest/V1/orders/48/comments"
    assert json.loads(request["body"])["statusHistory"]["comment"] == "In production"
    again = invoke(["import-status", "-"], input=event)  # Gelato retries the same event: its id makes it a duplicate
    assert [b["result"] for b in results(records(again.stdout))] == ["duplicate"]


def test_unknown_order_fails_writes_nothing_and_can_be_resent(invoke: Invoke, state_path: Path, tmp_path: Path) -> None:
    text = msg(7, "999999", "printed", "2026-11-20T10:00:00Z")
    result = invoke(["import-status", "--postback", "json", "-"], input=text)
    assert result.exit_code == 65
    [body] = results(records(result.stdout))
    assert body["result"] == "failure" and body["message"] == 'Order "999999" does not exist.'
    assert "message 7 (order '999999'): Order \"999999\" does not exist." in result.stderr
    assert payloads(records(result.stdout)) == []
    assert count(state_path, "SELECT COUNT(*) FROM processed_messages WHERE kind = 'status'") == 0
    assert count(state_path, "SELECT COUNT(*) FROM order_statuses") == 0
    assert invoke(["state", "show", "999999"]).exit_code == 65  # not even a story for a number nobody has
    order = json.loads(Path(ORDERS).read_text().splitlines()[0])
    order["key"] = order["body"]["number"] = "999999"
    (tmp_path / "late.ndjson").write_text(json.dumps(order) + "\n")
    later = invoke(["import-status", "--orders", str(tmp_path / "late.ndjson"), "-"], input=text)  # resent, order known
    assert later.exit_code == 0, later.stderr
    assert [b["result"] for b in results(records(later.stdout))] == ["success"]


def test_unknown_line_and_bad_status_are_failures(invoke: Invoke, state_path: Path) -> None:
    text = gelato("GC-7d41e2", "printed", "2026-11-20T10:00:00Z", items=[{"orderItemId": "gi-9"}])
    text += msg(8, "100045", "folded", "2026-11-20T10:00:00Z")
    text += msg(9, "100045", "printed", "yesterday")
    text += msg(10, "100045", "printed", "2026-11-20T10:00:00Z")
    code, out, err = status(invoke, text)
    assert code == 1, err  # some failed, the rest were done
    assert [b["result"] for b in results(out)] == ["failure", "failure", "failure", "success"]
    messages = [b["message"] for b in results(out)]
    assert messages[0] == 'Order Item with ID: "gi-9" does not exist.'
    assert messages[1].startswith("unknown status 'folded' (known: received, in_production, printed")
    assert messages[2] == "time 'yesterday' is not a date (YYYY-MM-DD) or RFC 3339 date-time"
    assert err.count("flowkit: message") == 3
    assert count(state_path, "SELECT COUNT(*) FROM processed_messages WHERE kind = 'status'") == 1
    rejected = [e["detail"] for e in story(invoke, "100045")["events"] if e["event"] == "rejected"]
    assert [(r["message_seq"], r["reason"].split(" (")[0]) for r in rejected] == [
        (8, "unknown status 'folded'"),
        (9, "time 'yesterday' is not a date"),
    ]
    assert [e["event"] for e in story(invoke, "GC-7d41e2")["events"]][-1] == "rejected"  # the unknown line


def test_late_and_backward_statuses_are_stale(invoke: Invoke) -> None:
    """By time when both have one; never behind the stage reached; error moves no stage; the same status again is stale."""
    steps = [
        (msg(1, "100045", "printed", "2026-11-20T12:00:00Z"), "success"),
        (msg(2, "100045", "error", "2026-11-20T11:00:00Z"), "stale"),  # older than printed
        (msg(3, "100045", "error", "2026-11-20T13:00:00Z", message="Guillotine jam"), "success"),
        (msg(4, "100045", "in_production", "2026-11-20T14:00:00Z"), "stale"),  # newer, but behind printed
        (msg(5, "100045", "printed", "2026-11-20T15:00:00Z"), "success"),  # recovered after the error
        (msg(6, "100045", "printed"), "stale"),  # the same status, no newer time
        (msg(7, "100045", "shipped"), "success"),  # no time: the lifecycle alone decides
        (msg(8, "100045", "received"), "stale"),
    ]
    code, out, err = status(invoke, "".join(text for text, _ in steps), "--postback", "json")
    assert code == 0, err
    assert [b["result"] for b in results(out)] == [want for _, want in steps]
    stale = {b["message_seq"]: b["message"] for b in results(out) if b["result"] == "stale"}
    assert stale[2].endswith("older than the status already applied (printed at 2026-11-20T12:00:00.000Z).")
    assert stale[4].endswith("not posted: the order is already printed.")
    assert stale[8].endswith("not posted: the order is already shipped.")
    assert [p["body"]["status"] for p in payloads(out)] == ["printed", "error", "printed", "shipped"]
    [order] = story(invoke, "100045")["statuses"]
    assert (order["item"], order["status"], order["at"], order["message_seq"]) == (None, "shipped", "2026-11-20T15:00:00.000Z", 7)


def test_out_of_order_arrival_across_runs(invoke: Invoke) -> None:
    """A late "printed" after "shipped" never moves the shop backwards, whichever run it comes in."""
    code, out, _ = status(
        invoke, gelato("GC-7d41e2", "shipped", "2026-11-21T09:00:00Z", trackingCode="JD1"), "--postback", "gelato"
    )
    assert code == 0 and [p["body"]["status"] for p in payloads(out)] == ["shipped"]
    assert payloads(out)[0]["body"] == {
        "timestamp": "2026-11-21T09:00:00Z",
        "orderId": "GC-7d41e2",
        "status": "shipped",
        "message": "Shipped",
        "trackingCode": "JD1",
        "trackingLink": None,
    }
    code, out, _ = status(invoke, gelato("GC-7d41e2", "printed", "2026-11-20T18:00:00Z"), "--postback", "gelato")
    assert code == 0
    [body] = results(out)
    assert body["result"] == "stale" and payloads(out) == []
    assert [e["event"] for e in story(invoke, "GC-7d41e2")["events"] if e["command"] == "import-status"][-2:] == [
        "shipped",
        "stale",
    ]


def test_cancelled_orders_take_no_later_status(invoke: Invoke) -> None:
    """After a cancellation (by message, or the order's own status) every other status is stale, not a failure."""
    text = msg(1, "100045", "cancelled", "2026-11-20T10:00:00Z", message="Customer asked")
    text += msg(2, "100045", "printed", "2026-11-20T11:00:00Z")
    text += msg(3, "100045", "cancelled", "2026-11-20T12:00:00Z")
    text += msg(4, "100046", "printed", "2026-11-20T11:00:00Z")  # cancelled at its source
    text += msg(5, "100046", "cancelled", "2026-11-20T11:30:00Z")
    code, out, err = status(invoke, text, "--postback", "infigo")
    assert code == 0, err
    assert [(b["result"], b["message"].rpartition(": ")[2]) for b in results(out)] == [
        ("success", "Status cancelled applied."),
        ("stale", "the order is cancelled."),
        ("stale", "the order is already cancelled."),
        ("stale", "the order is cancelled."),
        ("stale", "the order is already cancelled."),
    ]
    [infigo] = payloads(out)
    assert infigo["body"] == {
        "OrderId": "100045",
        "Status": "Cancelled",
        "StatusDateUtc": "2026-11-20T10:00:00.000Z",
        "Message": "Customer asked",
        "TrackingNumber": None,
        "TrackingUrl": None,
        "OrderLines": [],
    }


def test_per_item_statuses(invoke: Invoke) -> None:
    """Lines move on their own; a message stale for some of its lines is applied to the others only."""
    text = gelato("GC-7d41e2", "shipped", "2026-11-21T09:00:00Z", items=[{"orderItemId": "gi-1"}])
    text += gelato("GC-7d41e2", "printed", "2026-11-21T08:00:00Z", items=[{"orderItemId": "gi-2"}])  # earlier, other line
    text += gelato("GC-7d41e2", "printed", "2026-11-21T10:00:00Z", items=[{"orderItemId": "gi-1"}, {"orderItemId": "gi-2"}])
    code, out, err = status(invoke, text, "--postback", "magento")
    assert code == 0, err
    assert [(b["result"], b["items"], b["stale_items"]) for b in results(out)] == [
        ("success", ["gi-1"], []),
        ("success", ["gi-2"], []),
        ("success", ["gi-2"], ["gi-1"]),
    ]
    comments = [p["body"]["statusHistory"]["comment"] for p in payloads(out)]
    assert comments == ["Shipped (GC-CARD-A6)", "Printed (GC-ENV-C6)", "Printed (GC-ENV-C6)"]
    rows = {s["item"]: s["status"] for s in story(invoke, "GC-7d41e2")["statuses"]}
    assert rows == {"gi-1": "shipped", "gi-2": "printed"}


def test_a_partial_cancel_leaves_the_line_going(invoke: Invoke) -> None:
    """GelatoConnect cancels some units of a line with items[].quantity: only a whole line cancelled is final."""
    text = gelato("GC-7d41e2", "cancelled", "2026-11-20T09:00:00Z", items=[{"orderItemId": "gi-1", "quantity": 5}])
    text += gelato("GC-7d41e2", "cancelled", "2026-11-20T09:00:00Z", items=[{"orderItemId": "gi-2", "quantity": 20}])
    text += gelato("GC-7d41e2", "printed", "2026-11-20T12:00:00Z", items=[{"orderItemId": "gi-1"}, {"orderItemId": "gi-2"}])
    code, out, err = status(invoke, text, "--postback", "gelato")
    assert code == 0, err
    assert [(b["result"], b["items"], b["stale_items"]) for b in results(out)] == [
        ("success", ["gi-1"], []),
        ("success", ["gi-2"], []),
        ("success", ["gi-1"], ["gi-2"]),
    ]
    assert [p["body"].get("items") for p in payloads(out)] == [
        [{"orderItemId": "gi-1", "quantity": 5}],
        [{"orderItemId": "gi-2", "quantity": 20}],
        [{"orderItemId": "gi-1"}],
    ]
    code, out, _ = status(
        invoke, gelato("GC-7d41e2", "printed", "2026-11-20T12:00:00Z", items=[{"orderItemId": "gi-1", "quantity": 0}])
    )
    assert code == 65 and results(out)[0]["message"] == "items[1]: quantity must be a whole number above 0, not 0"


def test_the_story_tells_every_message(invoke: Invoke) -> None:
    code, out, err = status(invoke, (SAMPLES / "gelato-statuses.ndjson").read_text())
    assert code == 0, err
    assert [b["result"] for b in results(out)] == ["success", "success", "duplicate", "stale"]
    data = story(invoke, "GC-7d41e2")
    events = [(e["event"], e["detail"]["status"]) for e in data["events"] if e["event"] != "fetched"]
    assert events[-4:] == [("received", "received"), ("printed", "printed"), ("duplicate", "received"), ("stale", "printed")]
    stale = data["events"][-1]["detail"]
    assert stale["items"] == ["gi-1"] and stale["reason"].startswith("older than the status already applied (printed at")
    assert [(s["item"], s["status"]) for s in data["statuses"]] == [(None, "received"), ("gi-1", "printed")]


def test_ignored_statuses_and_other_kinds(invoke: Invoke) -> None:
    event = {"id": "os_1", "orderReferenceId": "100045", "fulfillmentStatus": "pending_approval", "items": []}
    text = json.dumps(event) + "\n" + record_line("order", "x1", {"number": "x1"})
    code, out, err = status(invoke, text, "--postback", "magento")
    assert code == 0, err
    [body] = results(out)
    assert body["result"] == "ignored" and "'pending_approval' is not a production status" in body["message"]
    assert payloads(out) == [] and [r["kind"] for r in out] == ["status-result", "order"]  # the order passed through


def test_gelato_form_has_no_in_production(invoke: Invoke) -> None:
    code, out, err = status(invoke, msg(1, "GC-7d41e2", "in_production", "2026-11-20T10:00:00Z"), "--postback", "gelato")
    assert code == 0, err
    [body] = results(out)
    assert body["result"] == "success" and body["message"].endswith("No gelato postback: that form has no status in_production.")
    assert payloads(out) == []


def test_magento_status_codes_from_config(invoke: Invoke, tmp_config: Any) -> None:
    config = tmp_config('[import-status]\npostback = "magento"\nmagento_statuses = { shipped = "complete" }\n')
    assert invoke(["config", "check"], config=config).exit_code == 0
    code, out, err = status(invoke, msg(1, "100045", "shipped", "2026-11-20T10:00:00Z"), config=config)
    assert code == 0, err
    [payload] = payloads(out)
    assert payload["body"]["statusHistory"]["status"] == "complete"


def test_config_check_refuses_a_magento_status_for_no_known_status(invoke: Invoke, tmp_config: Any) -> None:
    """A misspelt status in magento_statuses would never be posted: config check (and the command) refuse it."""
    from flowkit.config_schema import PRODUCTION_STATUSES
    from flowkit.import_status.messages import STATUSES

    assert PRODUCTION_STATUSES == STATUSES
    config = tmp_config('[import-status]\nmagento_statuses = { shiped = "complete", printed = 3 }\n', name="s.toml")
    check = invoke(["config", "check"], config=config)
    assert check.exit_code == 78
    assert "s.toml:2: unknown key 'import-status.magento_statuses.shiped' (did you mean 'shipped'?)" in check.stderr
    assert "s.toml:2: 'import-status.magento_statuses.printed' must be a string" in check.stderr
    code, out, err = status(invoke, msg(1, "100045", "shipped", "2026-11-20T10:00:00Z"), "--postback", "magento", config=config)
    assert code == 78 and out == [] and "magento_statuses.shiped" in err


def test_inbox_keeps_a_file_whose_order_is_unknown(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "2.json").write_text(msg(2, "100045", "shipped", "2026-11-21T10:00:00Z"))
    (inbox / "10.json").write_text(msg(10, "100099", "printed", "2026-11-21T09:00:00Z"))
    (inbox / "1.json").write_text(msg(1, "100045", "printed", "2026-11-21T09:00:00Z"))
    (inbox / "3.json").write_text("not json\n")
    result = invoke(["import-status", "--orders", ORDERS, "--from-dir", str(inbox)])
    assert result.exit_code == 1, result.stderr
    assert [(b["message_seq"], b["result"]) for b in results(records(result.stdout))] == [
        (1, "success"),
        (2, "success"),
        (10, "failure"),
    ]
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["1.json", "2.json"]
    assert sorted(p.name for p in (inbox / "failed").iterdir()) == ["3.json", "3.json.error"]  # unreadable: parked
    assert (inbox / "10.json").exists()  # kept for the next run
    assert count(state_path, "SELECT attempts FROM status_inbox WHERE name = '10.json'") == 1
