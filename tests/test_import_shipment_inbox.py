"""import-shipment: postback payloads, delivery through a real transport, and inbox mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
from conftest import DATA, Invoke, records

from flowkit.config import Config
from flowkit.records import body_bytes
from flowkit.transports import destination, open_transport

HERE = DATA / "import_shipment"
ORDERS = str(HERE / "orders.ndjson")
MESSAGE = {
    "message_seq": 21,
    "order": "100045",
    "courier": "Royal Mail",
    "service": "Tracked 24",
    "tracking": ["RM1GB", "RM2GB"],
    "tracking_url": "https://tracking.example.com/rm",
    "notify": True,
    "comment": "Two boxes",
    "date_shipped": "2026-11-20",
    "lines": [{"sku": "FLY-A5-350", "qty": 200}, {"sku": "BC-85X55", "qty": 250}],
}


def postbacks(invoke: Invoke, kind: str, message: dict[str, Any] = MESSAGE, *args: str) -> list[dict[str, Any]]:
    result = invoke(["import-shipment", "--orders", ORDERS, "--postback", kind, *args, "-"], input=orjson.dumps(message))
    assert result.exit_code == 0, result.stderr
    return [r for r in records(result.stdout) if r["kind"] == "payload"]


def test_magento_ship_call(invoke: Invoke, tmp_config: Any) -> None:
    config = tmp_config('[import-shipment]\ncarrier_codes = { "Royal Mail" = "royalmail" }\n')
    result = invoke(
        ["import-shipment", "--orders", ORDERS, "--postback", "magento", "-"], input=orjson.dumps(MESSAGE), config=config
    )
    assert result.exit_code == 0, result.stderr
    [payload] = [r for r in records(result.stdout) if r["kind"] == "payload"]
    assert payload["key"] == "100045" and payload["type"] == "application/json"
    assert payload["meta"]["postback"] == "magento" and payload["meta"]["format"] == "json"
    assert payload["meta"]["filename"] == "100045-shipment-1.json" and payload["meta"]["magento_order_id"] == "45"
    assert payload["body"] == {
        "items": [{"order_item_id": 301, "qty": 200}, {"order_item_id": 302, "qty": 250}],
        "notify": True,
        "tracks": [
            {"track_number": "RM1GB", "title": "Royal Mail Tracked 24", "carrier_code": "royalmail"},
            {"track_number": "RM2GB", "title": "Royal Mail Tracked 24", "carrier_code": "royalmail"},
        ],
        "arguments": {"extension_attributes": {"source_code": "default"}},
        "appendComment": True,
        "comment": {"comment": "Two boxes", "is_visible_on_front": 1},
    }


def test_gelato_infigo_and_json_postbacks(invoke: Invoke) -> None:
    [gelato] = postbacks(invoke, "gelato")
    body = gelato["body"]
    assert (body["orderId"], body["status"], body["trackingCode"], body["trackingLink"]) == (
        "100045",
        "shipped",
        "RM1GB",
        "https://tracking.example.com/rm",
    )
    assert body["items"] == [{"orderItemId": "1", "quantity": 200}, {"orderItemId": "2", "quantity": 250}]
    assert body["message"] == "Two boxes Tracking: RM1GB, RM2GB" and body["timestamp"].endswith("Z")
    [infigo] = postbacks(invoke, "infigo", {**MESSAGE, "message_seq": 22, "lines": [{"sku": "FLY-A5-350", "qty": 1}]})
    assert infigo["body"]["Status"] == "PartiallyShipped" and infigo["body"]["TrackingNumbers"] == ["RM1GB", "RM2GB"]
    assert infigo["body"]["OrderLines"] == [{"OrderLineId": "1", "Sku": "FLY-A5-350", "Quantity": 1}]
    [plain] = postbacks(invoke, "json", {**MESSAGE, "message_seq": 23, "lines": [{"sku": "FLY-A5-350", "qty": 299}]})
    assert plain["body"]["order_status"] == "shipped" and plain["body"]["shipped_at"] == "2026-11-20"
    assert plain["meta"]["message_seq"] == 23


def test_no_postback_for_failed_or_duplicate_messages(invoke: Invoke) -> None:
    assert len(postbacks(invoke, "magento")) == 1
    assert postbacks(invoke, "magento") == []  # the resend is a duplicate


def test_postback_delivered_through_a_transport(invoke: Invoke, tmp_path: Path) -> None:
    """import-shipment --postback magento | (the deliver interface) -> a hotfolder the shop connector watches."""
    [payload] = postbacks(invoke, "magento")
    spec = destination(Config(), (tmp_path / "outbox").as_uri())
    transport = open_transport(spec, Config())
    transport.open()
    receipt = transport.put(payload["meta"]["filename"], body_bytes(payload), payload)
    transport.close()
    written = tmp_path / "outbox" / "100045-shipment-1.json"
    assert receipt.remote_ref == str(written)
    assert json.loads(written.read_bytes())["tracks"][0]["track_number"] == "RM1GB"


def write(folder: Path, name: str, message: dict[str, Any]) -> None:
    (folder / name).write_text(json.dumps(message))


def inbox(invoke: Invoke, folder: Path, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    result = invoke(["import-shipment", "--orders", ORDERS, "--from-dir", str(folder), *args])
    return result.exit_code, [r["body"] for r in records(result.stdout)], result.stderr


def one(seq: int, qty: int = 1, order: str = "100048") -> dict[str, Any]:
    return {"message_seq": seq, "order": order, "lines": [{"sku": "STK-50", "qty": qty}]}


def test_inbox_numeric_order_and_batch_size(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for seq in (100, 99, 7, 1000):
        write(folder, f"shipment-{seq}.json", one(seq))
    code, out, err = inbox(invoke, folder, "--batch-size", "3")
    assert code == 0, err
    assert [b["message_seq"] for b in out] == [7, 99, 100]
    assert sorted(p.name for p in (folder / "done").iterdir()) == ["shipment-100.json", "shipment-7.json", "shipment-99.json"]
    assert [p.name for p in folder.iterdir() if p.is_file()] == ["shipment-1000.json"]
    code, out, _ = inbox(invoke, folder)
    assert code == 0 and [b["message_seq"] for b in out] == [1000]


def test_inbox_retries_then_parks_failed_messages(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    write(folder, "1.json", one(1, order="200001"))  # not known yet: fails, then dead after 2 runs
    write(folder, "2.json", one(2))
    code, out, err = inbox(invoke, folder, "--max-attempts", "2")
    assert code == 1
    assert [(b["message_seq"], b["result"]) for b in out] == [(1, "failure"), (2, "success")]
    assert (folder / "1.json").exists() and (folder / "done" / "2.json").exists()
    code, out, err = inbox(invoke, folder, "--max-attempts", "2")
    assert code == 65 and "1.json: parked in failed/ after 2 attempt(s)" in err
    assert (folder / "failed" / "1.json").exists()
    note = (folder / "failed" / "1.json.error").read_text()
    first = "message 1 (order '200001'): Order \"200001\" does not exist."
    assert note == f"1 message(s) failed; the first: {first} (after 2 attempt(s))\n"
    code, out, _ = inbox(invoke, folder, "--max-attempts", "2")
    assert code == 0 and out == []


def test_inbox_resend_after_failure_then_success(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    write(folder, "5.json", one(5, qty=101))  # more than ordered: refused
    assert inbox(invoke, folder)[0] == 65
    write(folder, "5.json", one(5, qty=100))  # the sender corrects and resends the same message id
    code, out, _ = inbox(invoke, folder)
    assert code == 0 and out[0]["result"] == "success" and (folder / "done" / "5.json").exists()


def test_inbox_parks_unreadable_files_at_once(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "3.json").write_text("{broken\n{also broken\n")
    (folder / "4.txt").write_text("hello")
    code, out, err = inbox(invoke, folder)
    assert code == 65 and out == []
    assert sorted(p.name for p in (folder / "failed").iterdir()) == ["3.json", "3.json.error", "4.txt", "4.txt.error"]


def test_inbox_and_files_are_exclusive(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(["import-shipment", "--from-dir", str(tmp_path), "x.json"])
    assert result.exit_code == 2
    missing = invoke(["import-shipment", "--from-dir", str(tmp_path / "nope")])
    assert missing.exit_code == 65 and "does not exist" in missing.stderr


def test_file_left_behind_by_a_killed_run_is_a_duplicate(invoke: Invoke, tmp_path: Path) -> None:
    """The shipment commits before the file moves: a run killed in between leaves the file, the next run skips it."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    write(folder, "8.json", one(8, qty=10))
    assert inbox(invoke, folder)[0] == 0
    (folder / "done" / "8.json").rename(folder / "8.json")  # as if the move had not happened
    code, out, _ = inbox(invoke, folder)
    assert code == 0 and out[0]["result"] == "duplicate" and (folder / "done" / "8.json").exists()
    assert out[0]["remaining"][1] == {"line_id": "2", "sku": "STK-50", "ordered": 100, "shipped": 10, "remaining": 90}


def test_purge_keeps_shipments_and_message_ids(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    write(folder, "9.json", one(9))
    assert inbox(invoke, folder)[0] == 0
    assert invoke(["state", "purge", "--older-than", "0"]).exit_code == 0
    show = json.loads(invoke(["state", "show", "100048", "--json"]).stdout)
    assert len(show["shipments"]) == 1 and show["events"] == []
    write(folder, "9.json", one(9))  # resent after the purge: still recognised
    code, out, _ = inbox(invoke, folder)
    assert code == 0 and out[0]["result"] == "duplicate"
