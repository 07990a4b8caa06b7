"""push-stock inputs: CSV, SOAP (hardened), stock records, JSON documents; quantity adjustments."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from flowkit.push_stock import soap
from flowkit.store import Store, orders
from tests.conftest import Invoke, record_line
from tests.test_push_stock import DATA, SAMPLES, bodies, ledger, line, msg, push


def test_soap_inventory_message_is_parsed(invoke: Invoke, state_path: Path) -> None:
    result = invoke(["push-stock", "--target", "web", str(SAMPLES / "inventory-1003.xml")])
    assert result.exit_code == 0, result.stderr
    got = [(b["sku"], b["received"], b["seq"], b["message_seq"], b["result"]) for b in bodies(result.stdout)]
    assert got == [("MUG-WHITE-11OZ", 128, 500140, 1003, "success"), ("CANVAS-30X40", 12, 500141, 1003, "success")]
    again = invoke(["push-stock", "--target", "web", str(SAMPLES / "inventory-1003.xml")])
    assert all(b["duplicate_message"] for b in bodies(again.stdout))


def test_soap_written_by_flowkit_reads_back() -> None:
    data = soap.render(77, [{"sku": "A&B", "qty": 3, "seq": 9, "source": "leeds"}, {"sku": "C", "qty": 0, "seq": 2}])
    message = soap.parse(data, "x.xml")
    assert message.message_seq == 77
    assert message.lines == [{"sku": "A&B", "qty": "3", "seq": "9", "source": "leeds"}, {"sku": "C", "qty": "0", "seq": "2"}]


@pytest.mark.parametrize("name", ["doctype.xml", "external.xml"])
def test_soap_with_a_dtd_or_entities_is_refused(invoke: Invoke, state_path: Path, name: str) -> None:
    result = invoke(["push-stock", "--target", "web", str(DATA / name)])
    assert result.exit_code == 65
    assert "DOCTYPE" in result.stderr and "Traceback" not in result.stderr
    assert "root:" not in result.stdout + result.stderr
    assert ledger(state_path) == {}


def test_broken_xml_names_line_and_column(invoke: Invoke) -> None:
    result = invoke(["push-stock", "--target", "web", str(DATA / "broken.xml")])
    assert result.exit_code == 65
    assert "broken.xml:4:" in result.stderr and "invalid XML" in result.stderr


def test_soap_line_without_seq_fails_alone(invoke: Invoke, tmp_path: Path) -> None:
    data = soap.render(5, [{"sku": "MUG", "qty": 1, "seq": 1}]).replace(
        b"<skuSeqId><item><key>MUG</key>", b"<skuSeqId><item><key>CAP</key>"
    )
    path = tmp_path / "m.xml"
    path.write_bytes(data)
    [body] = bodies(invoke(["push-stock", "--target", "web", str(path)]).stdout)
    assert body["result"] == "failure" and body["message"] == "missing seq"


def test_csv_one_message_per_file_seq_from_the_name(invoke: Invoke, state_path: Path, tmp_path: Path) -> None:
    result = invoke(["push-stock", "--target", "web", str(SAMPLES / "stock-1004.csv")])
    got = [(b["sku"], b["source"], b["seq"], b["message_seq"]) for b in bodies(result.stdout)]
    assert got == [
        ("TSHIRT-RED-L", "leeds", 500150, 1004),
        ("MUG-WHITE-11OZ", "default", 500151, 1004),
        ("NOTEBOOK-A5-DOT", "bristol", 500152, 1004),
    ]
    plain = tmp_path / "feed-0099.csv"
    plain.write_text("MUG,5,10\nCAP,abc,11,leeds\n", encoding="utf-8")
    result = invoke(["push-stock", "--target", "web", str(plain)])
    assert [(b["sku"], b["result"], b["message_seq"]) for b in bodies(result.stdout)] == [
        ("MUG", "success", 99),
        ("CAP", "failure", 99),
    ]
    assert result.exit_code == 1


def test_stock_records_are_read_and_other_kinds_pass_through(invoke: Invoke) -> None:
    text = (
        record_line("stock", "m8", {"message_seq": 8, "lines": [line("MUG", 4, 2)]}, meta={"channel": "web"})
        + record_line("alert", "1203", {"rule": "r", "message": "m"})
        + record_line("stock", "MUG", line("MUG", 5, 3), meta={"message_seq": 9})
    )
    result = push(invoke, text)
    out = [orjson.loads(x) for x in result.stdout.splitlines()]
    assert [r["kind"] for r in out] == ["stock-result", "alert", "stock-result"]
    assert out[0]["meta"] == {"channel": "web", "target": "web"}
    assert (out[2]["body"]["message_seq"], out[2]["body"]["result"]) == (9, "success")


def test_pretty_json_document_and_array(invoke: Invoke, tmp_path: Path) -> None:
    doc = tmp_path / "doc.json"
    doc.write_bytes(orjson.dumps({"message_seq": 3, "lines": [line("MUG", 1, 1)]}, option=orjson.OPT_INDENT_2))
    arr = tmp_path / "arr.json"
    arr.write_bytes(orjson.dumps([line("CAP", 2, 1), line("HAT", 3, 1)]))
    result = invoke(["push-stock", "--target", "web", str(doc), str(arr)])
    assert [(b["sku"], b["result"]) for b in bodies(result.stdout)] == [
        ("MUG", "success"),
        ("CAP", "success"),
        ("HAT", "success"),
    ]


def test_bad_json_line_is_reported_and_the_rest_goes_on(invoke: Invoke) -> None:
    result = push(invoke, msg(1, line("MUG", 1, 1)) + '{"message_seq": 2, "lines": [\n' + msg(3, line("CAP", 1, 1)))
    assert [b["sku"] for b in bodies(result.stdout)] == ["MUG", "CAP"]
    assert "<stdin>:2: invalid JSON" in result.stderr
    assert result.exit_code == 1


@pytest.mark.parametrize(("levels", "bad"), [(120, False), (125, True), (300, True)])
def test_a_message_nested_past_the_record_limit_is_bad_input(invoke: Invoke, levels: int, bad: bool) -> None:
    # a message record nests three levels (record, body, lines) above a line's fields; 300 is deeper than orjson goes
    deep = "[" * levels + "]" * levels
    text = msg(1, line("MUG", 1, 1)) + f'{{"message_seq": 2, "lines": [{{"sku": {deep}, "qty": 1, "seq": 2}}]}}\n'
    result = push(invoke, text)
    assert result.exit_code == 1, result.stderr  # the first message is applied either way
    assert ("<stdin>: nested deeper than 128 levels" in result.stderr) is bad
    assert [b["result"] for b in bodies(result.stdout)] == ["success"] + ([] if bad else ["failure"])


def _order(store: Store, number: str, sku: str, qty: int, status: str = "approved") -> None:
    order = {"number": number, "status": status, "lines": [{"id": "1", "sku": sku, "quantity": qty}]}
    with store.transaction():
        orders.upsert(store, order, source="test", command="test")


def test_unsent_orders_and_quotes_adjustments(invoke: Invoke, state_path: Path, tmp_path: Path) -> None:
    store = Store(state_path)
    _order(store, "1001", "MUG", 3)  # never exported: counts
    _order(store, "1002", "MUG", 2)  # exported at T: counts only if after the sender's figure
    _order(store, "1003", "MUG", 50, status="cancelled")  # status not configured: never counts
    _order(store, "1004", "CAP", 7)
    with store.transaction():
        orders.set_export_status(store, "1002", "exported", command="test")
    exported_at = store.conn.execute("SELECT exported_at FROM orders WHERE number = '1002'").fetchone()[0]
    store.close()
    quotes = tmp_path / "quotes.ndjson"
    quotes.write_text(
        '{"quote_id": "Q1", "updated_at": "2099-01-01T00:00:00Z", "items": [{"sku": "MUG", "qty": 4}]}\n'
        '{"quote_id": "Q2", "updated_at": "2000-01-01T00:00:00Z", "items": [{"sku": "MUG", "qty": 100}]}\n'
        '{"quote_id": "Q3", "updated_at": "2099-01-01T00:00:00Z", "active": false, "items": [{"sku": "MUG", "qty": 100}]}\n',
        encoding="utf-8",
    )
    before = "2000-01-01T00:00:00Z"
    result = push(
        invoke,
        msg(1, line("MUG", 20, 1, last_order_exported=before), line("MUG", 20, 1, source="b"), line("CAP", 5, 1)),
        "--adjustment",
        "unsent_orders_and_quotes",
        "--quotes",
        str(quotes),
    )
    early, plain, cap = bodies(result.stdout)
    assert (early["adjusted_unsent"], early["adjusted_quotes"], early["qty"]) == (5, 4, 11)
    assert (plain["adjusted_unsent"], plain["qty"]) == (3, 13)  # order 1002 exported: already in the figure
    assert (cap["adjusted_unsent"], cap["qty"], cap["in_stock"]) == (7, 0, False)  # 5 - 7 clamped to 0
    assert exported_at > before
    only_orders = push(invoke, msg(2, line("MUG", 20, 2)), "--adjustment", "unsent_orders", "--unsent-order-cutoff-days", "0")
    assert bodies(only_orders.stdout)[0]["adjusted_unsent"] == 0  # nothing updated within 0 days


def test_unsent_order_cutoff_counts_from_the_placed_date(invoke: Invoke, state_path: Path) -> None:
    """An order placed 10 days ago and fetched just now is outside a 1-day cutoff; one placed today is inside."""
    from datetime import UTC, datetime, timedelta

    def placed(days: float) -> str:
        return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")

    store = Store(state_path)
    for number, qty, days in (("2001", 4, 10), ("2002", 3, 0.01)):
        order = {
            "number": number,
            "status": "approved",
            "placed_at": placed(days),
            "lines": [{"id": "1", "sku": "MUG", "quantity": qty}],
        }
        with store.transaction():
            orders.upsert(store, order, source="test", command="test")
    store.close()
    args = ("--adjustment", "unsent_orders", "--unsent-order-cutoff-days")
    recent = push(invoke, msg(1, line("MUG", 20, 1)), *args, "1")
    assert bodies(recent.stdout)[0]["adjusted_unsent"] == 3  # the 10-day-old order no longer counts
    wide = push(invoke, msg(2, line("MUG", 20, 2)), *args, "30")
    assert bodies(wide.stdout)[0]["adjusted_unsent"] == 7


def test_quotes_adjustment_needs_a_quotes_file(invoke: Invoke) -> None:
    result = push(invoke, msg(1, line("MUG", 1, 1)), "--adjustment", "unsent_orders_and_quotes")
    assert result.exit_code == 2 and "--quotes" in result.stderr


def test_config_table_sets_defaults(invoke: Invoke, tmp_config, state_path: Path) -> None:
    config = tmp_config('[push-stock]\ntarget = "shop"\nallow_negative = true\n')
    result = invoke(["push-stock"], input=msg(1, line("MUG", -2, 1)), config=config)
    assert result.exit_code == 0, result.stderr
    assert ledger(state_path, "shop") == {("MUG", "default"): (1, -2)}


def test_samples_run(invoke: Invoke, tmp_path: Path) -> None:
    for name in ("message-1001.json", "late-1000.json", "inventory-1003.xml", "stock-1004.csv"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    files = [str(tmp_path / n) for n in ("message-1001.json", "late-1000.json", "inventory-1003.xml", "stock-1004.csv")]
    result = invoke(["push-stock", "--target", "web", *files])
    assert result.exit_code == 0, result.stderr
    assert "11 success, 0 duplicate, 2 superseded, 0 failure (5 message(s), 0 duplicate)" in result.stderr


BEYOND = "beyond the signed 64-bit range (-2^63 to 2^63-1)"


def test_a_stock_line_seq_beyond_64_bits_as_sent_fails_that_line(invoke: Invoke, state_path: Path) -> None:
    """The issue's case, byte for byte: ``"seq": 99999999999999999999`` (read as 1e20) fails alone, exit 1."""
    text = '{"message_seq": 7, "lines": [{"sku": "MUG", "qty": 3, "seq": 99999999999999999999}, {"sku": "CAP", "qty": 1, "seq": 1}]}\n'
    result = push(invoke, text)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    failed, ok = bodies(result.stdout)
    assert failed["result"] == "failure" and failed["message"] == f"bad seq 1e+20: {BEYOND}"
    assert f"<stdin>:1: line sku 'MUG' seq 1e+20: bad seq 1e+20: {BEYOND}" in result.stderr
    assert ok["result"] == "success" and ledger(state_path) == {("CAP", "default"): (1, 1)}


def test_a_message_seq_beyond_64_bits_fails_that_message(invoke: Invoke, state_path: Path) -> None:
    result = push(invoke, msg(2**63, line("MUG", 3, 1)) + msg(8, line("CAP", 1, 1)))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"flowkit: <stdin>:1: message_seq {2**63} is {BEYOND}" in result.stderr.splitlines()
    assert [b["sku"] for b in bodies(result.stdout)] == ["CAP"]
    assert ledger(state_path) == {("CAP", "default"): (1, 1)}


def test_a_csv_file_whose_name_holds_a_seq_beyond_64_bits_is_bad_data(invoke: Invoke, state_path: Path, tmp_path: Path) -> None:
    big = tmp_path / "stock-99999999999999999999.csv"
    big.write_text("sku,qty,seq\nMUG,3,1\n", encoding="utf-8")
    good = tmp_path / "stock-5.csv"
    good.write_text("sku,qty,seq\nCAP,1,1\n", encoding="utf-8")
    result = invoke(["push-stock", "--target", "web", str(big), str(good)])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"the message_seq 99999999999999999999 in the file name is {BEYOND}" in result.stderr
    assert ledger(state_path) == {("CAP", "default"): (1, 1)}


def test_a_soap_message_seq_beyond_64_bits_is_bad_data(invoke: Invoke, state_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "m.xml"
    path.write_bytes(soap.render(5, [{"sku": "MUG", "qty": 1, "seq": 1}]).replace(b">5<", b">99999999999999999999<"))
    result = invoke(["push-stock", "--target", "web", str(path)])
    assert result.exit_code == 65 and "Traceback" not in result.stderr
    assert f"m.xml: messageSeqId 99999999999999999999 is {BEYOND}" in result.stderr
    assert ledger(state_path) == {}
