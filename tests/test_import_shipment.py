"""import-shipment: every rule of the Shipments spec, driven through the CLI against a real sqlite store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import DATA, Invoke, record_line, records

from flowkit.store import Store

HERE = DATA / "import_shipment"
ORDERS = str(HERE / "orders.ndjson")


def msg(seq: int, order: str, lines: list[dict[str, Any]], **extra: Any) -> str:
    return orjson.dumps({"message_seq": seq, "order": order, "lines": lines, **extra}).decode() + "\n"


def ship(invoke: Invoke, text: str, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    result = invoke(["import-shipment", "--orders", ORDERS, *args, "-"], input=text)
    return result.exit_code, records(result.stdout), result.stderr


def results(out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r["body"] for r in out if r["kind"] == "shipment-result"]


def story(invoke: Invoke, number: str) -> dict[str, Any]:
    result = invoke(["state", "show", number, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def shipped(invoke: Invoke, number: str) -> dict[str, int]:
    return {ln["sku"] + "#" + ln["line_id"]: ln["quantity_shipped"] for ln in story(invoke, number)["order"]["lines"]}


def table_count(state_path: Path, sql: str) -> int:
    store = Store(state_path)  # either engine (FLOWKIT_TEST_STATE=postgresql)
    try:
        return int(store.conn.execute(sql).fetchone()[0])
    finally:
        store.close()


FULL = [{"sku": "FLY-A5-350", "qty": 500}, {"sku": "BC-85X55", "qty": 250}]


def test_full_shipment(invoke: Invoke) -> None:
    code, out, err = ship(
        invoke,
        msg(
            1,
            "100045",
            FULL,
            courier="Royal Mail",
            service="Tracked 24",
            tracking=["RM1GB"],
            date_shipped="2026-11-20",
            notify=True,
        ),
    )
    assert code == 0, err
    [body] = results(out)
    assert body["result"] == "success" and body["status"] == "shipped" and body["message_seq"] == 1
    assert body["shipment_id"] == 1 and body["shipment_ids"] == [1]
    assert [ln["remaining"] for ln in body["remaining"]] == [0, 0]
    data = story(invoke, "100045")
    assert data["order"]["status"] == "shipped"
    [shipment] = data["shipments"]
    assert shipment["shipped_at"] == "2026-11-20" and shipment["courier"] == "Royal Mail" and shipment["notify"]
    assert shipment["tracking"] == [{"code": "RM1GB", "url": None}]
    assert [e["event"] for e in data["events"]][-1] == "shipped"


def test_partial_then_rest(invoke: Invoke) -> None:
    code, out, _ = ship(invoke, msg(1, "100045", [{"sku": "FLY-A5-350", "qty": 200}]))
    first = results(out)[0]
    assert code == 0 and first["status"] == "partially_shipped"
    assert first["remaining"][0] == {"line_id": "1", "sku": "FLY-A5-350", "ordered": 500, "shipped": 200, "remaining": 300}
    code, out, _ = ship(invoke, msg(2, "100045", [{"sku": "FLY-A5-350", "qty": 300}, {"sku": "BC-85X55", "qty": 250}]))
    assert code == 0 and results(out)[0]["status"] == "shipped"
    assert shipped(invoke, "100045") == {"FLY-A5-350#1": 500, "BC-85X55#2": 250}


def test_same_partials_in_reverse_order(invoke: Invoke) -> None:
    late = msg(2, "100045", [{"sku": "FLY-A5-350", "qty": 300}, {"sku": "BC-85X55", "qty": 250}])
    early = msg(1, "100045", [{"sku": "FLY-A5-350", "qty": 200}])
    code, out, err = ship(invoke, late + early)
    assert code == 0, err
    assert [(b["message_seq"], b["result"], b["status"]) for b in results(out)] == [
        (2, "success", "partially_shipped"),
        (1, "success", "shipped"),
    ]
    assert len(story(invoke, "100045")["shipments"]) == 2


def test_duplicate_message_ships_nothing_twice(invoke: Invoke, state_path: Path) -> None:
    message = msg(7, "100045", [{"sku": "FLY-A5-350", "qty": 100}])
    assert ship(invoke, message)[0] == 0
    code, out, err = ship(invoke, message)
    assert code == 0, err
    [body] = results(out)
    assert body["result"] == "duplicate" and body["message"] == "Duplicate Shipment Line Ignored."
    assert body["shipment_ids"] == [] and body["remaining"][0]["shipped"] == 100
    assert shipped(invoke, "100045")["FLY-A5-350#1"] == 100
    assert table_count(state_path, "SELECT count(*) FROM shipments") == 1


def test_message_ids_are_scoped_by_target(invoke: Invoke) -> None:
    assert ship(invoke, msg(7, "100045", [{"sku": "FLY-A5-350", "qty": 100}]))[0] == 0
    code, out, _ = ship(invoke, msg(7, "100045", [{"sku": "FLY-A5-350", "qty": 100}]), "--target", "leeds-wms")
    assert code == 0 and results(out)[0]["result"] == "success"


def test_unknown_order_fails_and_can_be_resent(invoke: Invoke, state_path: Path, tmp_path: Path) -> None:
    message = msg(3, "999999", [{"sku": "FLY-A5-350", "qty": 1}])
    code, out, err = ship(invoke, message)
    assert code == 65
    [body] = results(out)
    assert body["result"] == "failure" and body["message"] == 'Order "999999" does not exist.'
    assert "message 3 (order '999999'): Order \"999999\" does not exist." in err
    assert "Traceback" not in err
    assert table_count(state_path, "SELECT count(*) FROM processed_messages") == 0
    order = {"number": "999999", "lines": [{"id": "1", "sku": "FLY-A5-350", "quantity": 1}]}
    (tmp_path / "late.json").write_text(json.dumps(order))
    result = invoke(["import-shipment", "--orders", str(tmp_path / "late.json"), "-"], input=message)
    assert result.exit_code == 0 and results(records(result.stdout))[0]["result"] == "success"


def test_unknown_sku_with_valid_lines_writes_nothing(invoke: Invoke, state_path: Path) -> None:
    lines = [{"sku": "FLY-A5-350", "qty": 100}, {"sku": "NOT-ON-ORDER", "qty": 1}, {"sku": "BC-85X55", "qty": 5}]
    code, out, err = ship(invoke, msg(4, "100045", lines))
    assert code == 65
    [body] = results(out)
    assert body["result"] == "failure"
    assert body["message"] == 'Order Item with SKU: "NOT-ON-ORDER" does not exist.'
    assert shipped(invoke, "100045") == {"FLY-A5-350#1": 0, "BC-85X55#2": 0}
    assert table_count(state_path, "SELECT count(*) FROM shipments") == 0
    assert table_count(state_path, "SELECT count(*) FROM shipment_lines") == 0
    assert table_count(state_path, "SELECT count(*) FROM processed_messages") == 0
    assert table_count(state_path, "SELECT count(*) FROM events WHERE command = 'import-shipment' AND event LIKE '%shipped'") == 0
    assert story(invoke, "100045")["order"]["status"] == "approved"
    fixed = msg(4, "100045", [lines[0], lines[2]])  # the corrected resend with the same id is applied
    code, out, _ = ship(invoke, fixed)
    assert code == 0 and results(out)[0]["result"] == "success"


def test_over_shipment_is_refused(invoke: Invoke) -> None:
    code, out, _ = ship(invoke, msg(1, "100045", [{"sku": "FLY-A5-350", "qty": 501}]))
    assert code == 65
    assert results(out)[0]["message"] == ('Quantity 501 for Order Item with SKU: "FLY-A5-350" exceeds the 500 remaining to ship.')
    assert ship(invoke, msg(2, "100045", [{"sku": "FLY-A5-350", "qty": 400}]))[0] == 0
    code, out, _ = ship(invoke, msg(3, "100045", [{"sku": "FLY-A5-350", "qty": 60}, {"sku": "FLY-A5-350", "qty": 50}]))
    problem = results(out)[0]["message"]
    assert code == 65 and "Quantity 110" in problem and "the 100 remaining" in problem
    assert shipped(invoke, "100045")["FLY-A5-350#1"] == 400


def test_one_sku_on_two_lines_is_allocated_in_line_order(invoke: Invoke) -> None:
    code, out, _ = ship(invoke, msg(1, "100048", [{"sku": "POS-A2", "qty": 4}]))
    assert code == 0
    assert shipped(invoke, "100048") == {"POS-A2#1": 2, "STK-50#2": 0, "POS-A2#3": 2}
    assert ship(invoke, msg(2, "100048", [{"sku": "POS-A2", "qty": 2}]))[0] == 65


def test_empty_lines_fail_unless_ship_all_remaining(invoke: Invoke, state_path: Path) -> None:
    code, out, _ = ship(invoke, msg(1, "100045", []))
    assert code == 65 and results(out)[0]["message"].startswith("Shipment has no lines")
    assert table_count(state_path, "SELECT count(*) FROM shipments") == 0
    assert ship(invoke, msg(2, "100045", [{"sku": "BC-85X55", "qty": 50}]))[0] == 0
    code, out, _ = ship(invoke, msg(1, "100045", []), "--ship-all-remaining")
    assert code == 0 and results(out)[0]["status"] == "shipped"
    assert story(invoke, "100045")["shipments"][1]["lines"] == [
        {"line_id": "1", "sku": "FLY-A5-350", "quantity": 500},
        {"line_id": "2", "sku": "BC-85X55", "quantity": 200},
    ]


def test_fully_shipped_cancelled_and_held_orders_are_refused(invoke: Invoke) -> None:
    assert ship(invoke, msg(1, "100045", FULL))[0] == 0
    messages = (
        msg(2, "100045", [{"sku": "FLY-A5-350", "qty": 1}])
        + msg(3, "100046", [{"sku": "POS-A2", "qty": 1}])
        + msg(4, "100047", [{"sku": "POS-A2", "qty": 1}])
    )
    code, out, err = ship(invoke, messages)
    assert code == 65
    assert [b["message"] for b in results(out)] == [
        'Order "100045" is already fully shipped.',
        'Order "100046" is cancelled.',
        'Order "100047" is on hold: Awaiting artwork approval.',
    ]
    assert len(err.strip().splitlines()) == 4  # one line per failed message, then the summary


def test_several_tracking_numbers_and_two_sources(invoke: Invoke) -> None:
    lines = [{"sku": "FLY-A5-350", "qty": 500, "source": "leeds"}, {"sku": "BC-85X55", "qty": 250, "source": "york"}]
    text = msg(
        11,
        "100045",
        lines,
        courier="DPD",
        service="Next Day",
        tracking=["15501", "15502"],
        tracking_url="https://tracking.example.com/dpd",
        date_shipped="2026-11-21 16:30:00",
    )
    code, out, _ = ship(invoke, text, "--postback", "json")
    assert code == 0
    [body] = results(out)
    assert len(body["shipment_ids"]) == 2 and body["status"] == "shipped"
    shipments = story(invoke, "100045")["shipments"]
    assert [(s["source"], [ln["sku"] for ln in s["lines"]]) for s in shipments] == [
        ("leeds", ["FLY-A5-350"]),
        ("york", ["BC-85X55"]),
    ]
    for s in shipments:
        assert [t["code"] for t in s["tracking"]] == ["15501", "15502"]
        assert s["shipped_at"] == "2026-11-21T16:30:00Z" and s["service"] == "Next Day"
    payloads = [r for r in out if r["kind"] == "payload"]
    assert [p["body"]["source"] for p in payloads] == ["leeds", "york"]
    assert payloads[0]["body"]["tracking"] == [
        {"code": "15501", "url": "https://tracking.example.com/dpd"},
        {"code": "15502", "url": "https://tracking.example.com/dpd"},
    ]


def test_soap_shipment_create_message(invoke: Invoke) -> None:
    result = invoke(["import-shipment", "--orders", ORDERS, str(HERE / "shipment.soap.xml")])
    assert result.exit_code == 0, result.stderr
    [body] = results(records(result.stdout))
    assert (body["message_seq"], body["order"], body["result"]) == (88001, "100045", "success")
    [s] = story(invoke, "100045")["shipments"]
    assert (s["courier"], s["service"], s["shipped_at"], s["comment"], s["notify"]) == (
        "Royal Mail",
        "Tracked 24",
        "2026-11-20",
        "Left with reception",
        True,
    )
    assert [t["code"] for t in s["tracking"]] == ["RM100045001GB", "RM100045002GB"]
    assert shipped(invoke, "100045") == {"FLY-A5-350#1": 500, "BC-85X55#2": 100}
    again = invoke(["import-shipment", str(HERE / "shipment.soap.xml")])
    assert results(records(again.stdout))[0]["result"] == "duplicate"


def test_soap_with_a_dtd_is_refused(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    text = (HERE / "shipment.soap.xml").read_text()
    evil = text.replace(
        '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    )
    evil = evil.replace("Left with reception", "&e;")
    (tmp_path / "evil.xml").write_text(evil)
    result = invoke(["import-shipment", "--orders", ORDERS, str(tmp_path / "evil.xml")])
    assert result.exit_code == 65
    assert "refused: it declares a DTD or entities" in results(records(result.stdout))[0]["message"]
    assert table_count(state_path, "SELECT count(*) FROM shipments") == 0


def test_broken_soap_names_line_and_column(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "broken.xml").write_text("<Envelope>\n  <Body>\n</Envelope>\n")
    result = invoke(["import-shipment", str(tmp_path / "broken.xml")])
    assert result.exit_code == 65
    assert "SOAP message:3:12: invalid XML: Opening and ending tag mismatch" in result.stderr


def test_gelatoconnect_status_postback(invoke: Invoke) -> None:
    postback = (HERE / "gelato-shipped.json").read_text()
    code, out, err = ship(invoke, postback)
    assert code == 0, err
    [body] = results(out)
    assert body["order"] == "GC-7d41e2" and body["status"] == "partially_shipped" and body["message_seq"] < 0
    [s] = story(invoke, "GC-7d41e2")["shipments"]
    assert s["tracking"] == [{"code": "JD0002210000118", "url": "https://tracking.example.com/JD0002210000118"}]
    assert s["shipped_at"] == "2026-11-21T14:05:00Z" and s["lines"] == [{"line_id": "gi-1", "sku": "GC-CARD-A6", "quantity": 20}]
    assert results(ship(invoke, postback)[1])[0]["result"] == "duplicate"
    whole = json.loads(postback)
    del whole["items"]
    whole["trackingCode"] = "JD0002210000119"
    code, out, _ = ship(invoke, json.dumps(whole))
    assert code == 0 and results(out)[0]["status"] == "shipped"
    assert shipped(invoke, "GC-7d41e2") == {"GC-CARD-A6#gi-1": 20, "GC-ENV-C6#gi-2": 20}
    whole["status"] = "printed"
    code, out, _ = ship(invoke, json.dumps(whole))
    assert code == 65 and "is not a shipment" in results(out)[0]["message"]


def test_record_mode_input_passes_other_kinds_through(invoke: Invoke) -> None:
    body = {"message_seq": 5, "order": "100048", "lines": [{"sku": "STK-50", "qty": 100}]}
    text = record_line("alert", "100048", {"rule": "r", "order": "100048", "message": "m", "severity": "info"})
    text += record_line("shipment", "100048", body, meta={"channel": "1", "supplier": "sup-print-01"})
    code, out, _ = ship(invoke, text)
    assert code == 0
    assert [r["kind"] for r in out] == ["alert", "shipment-result"]
    assert out[1]["meta"] == {"channel": "1", "supplier": "sup-print-01", "target": "default"}


def test_bad_lines_and_bad_fields_are_reported(invoke: Invoke) -> None:
    text = (
        msg(1, "100045", [{"sku": "FLY-A5-350", "qty": 1}])
        + "{not json\n"
        + msg(2, "100045", [{"sku": "FLY-A5-350", "qty": 0}])
        + orjson.dumps({"order": "100045", "lines": []}).decode()
        + "\n"
        + msg(3, "100045", [{"sku": "FLY-A5-350", "qty": 1}], date_shipped="20/11/2026")
    )
    code, out, err = ship(invoke, text)
    assert code == 1
    assert "<stdin>:2: invalid JSON" in err
    assert [r["kind"] for r in out] == ["shipment-result", "error", "shipment-result", "shipment-result", "shipment-result"]
    messages = [b["message"] for b in results(out)][1:]
    assert messages[0] == "lines[1]: quantity must be a whole number above 0, not 0"
    assert messages[1].startswith("'message_seq' missing")
    assert "is not a date" in messages[2]


def test_pretty_json_and_arrays_are_read(invoke: Invoke, tmp_path: Path) -> None:
    one = {"message_seq": 1, "order": "100048", "lines": [{"sku": "STK-50", "qty": 10}]}
    (tmp_path / "one.json").write_text(json.dumps(one, indent=2))
    two = [{**one, "message_seq": 2}, {**one, "message_seq": 3}]
    (tmp_path / "two.json").write_text(json.dumps(two))
    result = invoke(["import-shipment", "--orders", ORDERS, str(tmp_path / "one.json"), str(tmp_path / "two.json")])
    assert result.exit_code == 0, result.stderr
    assert [b["message_seq"] for b in results(records(result.stdout))] == [1, 2, 3]
    assert shipped(invoke, "100048")["STK-50#2"] == 30


def test_raw_output_writes_bodies(invoke: Invoke) -> None:
    result = invoke(["import-shipment", "--orders", ORDERS, "--raw", "-"], input=msg(1, "100048", [{"sku": "STK-50", "qty": 1}]))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["result"] == "success"


def test_orders_file_must_be_canonical(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(json.dumps({"lines": []}))
    result = invoke(["import-shipment", "--orders", str(tmp_path / "bad.json"), "-"], input="")
    assert result.exit_code == 65
    assert "an order needs a 'number'" in result.stderr and "Traceback" not in result.stderr


def test_run_is_logged(invoke: Invoke) -> None:
    ship(invoke, msg(1, "100045", [{"sku": "FLY-A5-350", "qty": 1}]) + msg(2, "0", [{"sku": "X", "qty": 1}]))
    runs = [json.loads(line) for line in invoke(["state", "runs"]).stdout.splitlines()]
    assert runs[0]["command"] == "import-shipment" and runs[0]["status"] == "partial"
    assert runs[0]["counts"] == {"ok": 1, "failed": 1, "passed": 0, "orders_loaded": 5}


@pytest.mark.parametrize("text", ["", "\n\n"])
def test_empty_input_does_nothing(invoke: Invoke, text: str) -> None:
    result = invoke(["import-shipment", "-"], input=text)
    assert result.exit_code == 0 and result.stdout == ""


def test_two_processes_racing_on_one_message_ship_it_once(invoke: Invoke, state_path: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    assert invoke(["import-shipment", "--orders", ORDERS, "-"], input="").exit_code == 0
    (tmp_path / "m.json").write_text(msg(41, "100045", [{"sku": "FLY-A5-350", "qty": 500}]))
    argv = [sys.executable, "-m", "flowkit", "--state", str(state_path), "import-shipment", str(tmp_path / "m.json")]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    seen = sorted(records(o[0].decode())[0]["body"]["result"] for o in outs)
    assert seen == ["duplicate", "success"]
    assert shipped(invoke, "100045")["FLY-A5-350#1"] == 500
    assert table_count(state_path, "SELECT count(*) FROM shipments") == 1


BEYOND = "beyond the signed 64-bit range (-2^63 to 2^63-1)"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            '{"message_seq": 9223372036854775808, "order": "100045", "lines": [{"sku": "FLY-A5-350", "qty": 1}]}',
            f"'message_seq' 9223372036854775808 is {BEYOND}",
        ),
        (
            '{"message_seq": "99999999999999999999", "order": "100045", "lines": [{"sku": "FLY-A5-350", "qty": 1}]}',
            f"'message_seq' 99999999999999999999 is {BEYOND}",
        ),
        (
            '{"message_seq": 9, "order": "100045", "lines": [{"sku": "FLY-A5-350", "qty": 18446744073709551615}]}',
            f"lines[1]: quantity 18446744073709551615 is {BEYOND}",
        ),
        (
            '{"message_seq": 9, "order": "100045", "lines": [{"sku": "FLY-A5-350", "qty": "99999999999999999999"}]}',
            f"lines[1]: quantity 99999999999999999999 is {BEYOND}",
        ),
        (
            '{"orderId": "GC-7d41e2", "status": "shipped", "items": [{"orderItemId": "1", "quantity": 9223372036854775808}]}',
            f"items[1]: quantity 9223372036854775808 is {BEYOND}",
        ),
        (
            '{"message_seq": "²", "order": "100045", "lines": [{"sku": "FLY-A5-350", "qty": 1}]}',
            "'message_seq' must be a whole number, not '²'",
        ),
    ],
)
def test_integers_beyond_64_bits_fail_that_message_as_data(invoke: Invoke, state_path: Path, bad: str, message: str) -> None:
    """Not an OverflowError in the store: a failure naming the field, exit 1 when the others were done, nothing of it written."""
    code, out, err = ship(invoke, bad + "\n" + msg(3, "100045", [{"sku": "FLY-A5-350", "qty": 1}]))
    assert code == 1 and "Traceback" not in err
    failed, ok = results(out)
    assert failed["result"] == "failure" and failed["message"] == message
    assert sum(message in line for line in err.splitlines()) == 1
    assert ok["result"] == "success" and ok["message_seq"] == 3
    assert table_count(state_path, "SELECT COUNT(*) FROM shipments") == 1
