"""query-orders over a dir source, the export lifecycle and mark-sent (the cron loop)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke, LivePipeline, record_line, records, store_rows

MAPPINGS = Path(__file__).parent / "data" / "query_orders" / "mappings"


def canonical(
    number: str, *, channel: str = "web", status: str = "approved", placed: str = "2025-05-06T08:15:42Z", on_hold: bool = False
) -> dict[str, Any]:
    order = json.loads((MAPPINGS / "magento2-basic.out.json").read_text(encoding="utf-8"))
    order.update(number=number, status=status, placed_at=placed)
    order["source"]["channel"] = {"id": channel, "name": channel.title(), "type": "web"}
    order["hold"]["on_hold"] = on_hold
    return order


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A folder mixing canonical orders and the four source formats."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    for number, channel, status in (("1001", "web", "approved"), ("1002", "b2b", "approved"), ("1003", "web", "cancelled")):
        (folder / f"{number}.json").write_text(json.dumps(canonical(number, channel=channel, status=status)))
    for name in ("magento2-basic.in.json", "omnitron-basic.in.json", "gelato-basic.in.json"):
        shutil.copy(MAPPINGS / name, folder / name.replace(".in", ""))
    shutil.copy(MAPPINGS / "infigo-basic.in.xml", folder / "infigo-basic.xml")
    return folder


@pytest.fixture
def config(tmp_config: Any, inbox: Path) -> Path:
    return tmp_config(f'[sources.inbox]\ntype = "dir"\npath = "{inbox}"\n\n[query-orders]\nmax_attempts = 2\n')


def export_status(state_path: Path, number: str) -> tuple[str, int]:
    rows = store_rows(state_path, "SELECT export_status, attempts FROM orders WHERE number = ?", (number,))
    return (rows[0][0], rows[0][1]) if rows else ("unknown", 0)


def test_dir_source_emits_every_format_and_records_each_order(invoke: Invoke, config: Path, state_path: Path) -> None:
    result = invoke(["query-orders"], config=config)
    assert result.exit_code == 0, result.stderr
    out = records(result.stdout)
    numbers = [r["key"] for r in out]
    assert sorted(numbers) == sorted(["1001", "1002", "GC-7001-aa11", "IN-5001", "2000000141", "OMN-5120"])
    assert "1003" not in numbers  # cancelled
    first = next(r for r in out if r["key"] == "1002")
    assert first["kind"] == "order" and first["type"] == "application/json"
    assert first["meta"] == {"channel": "b2b", "source": "inbox"}
    assert first["body"]["schema"] == "flowkit.order/1"
    assert export_status(state_path, "1002") == ("queued", 0)
    lines = store_rows(state_path, "SELECT sku, quantity FROM order_lines WHERE number = 'OMN-5120' ORDER BY rowid")
    assert lines == [("MUG-WHT-330", 2), ("CAL-A3-2026", 1)]
    story = json.loads(invoke(["state", "show", "1002"]).stdout)
    assert [e["event"] for e in story["events"]] == ["fetched", "queued"]
    assert story["events"][0]["detail"]["source"] == "inbox"


def test_number_raw_prints_one_canonical_order(invoke: Invoke, config: Path, state_path: Path) -> None:
    result = invoke(["query-orders", "--number", "IN-5001", "--raw"], config=config)
    assert result.exit_code == 0, result.stderr
    order = json.loads(result.stdout)
    assert order["number"] == "IN-5001" and order["source"]["system"] == "infigo"
    assert export_status(state_path, "IN-5001") == ("pending", 0)  # by hand: recorded, not queued
    missing = invoke(["query-orders", "--number", "9999", "--raw"], config=config)
    assert missing.exit_code == 65 and "order 9999 not found" in missing.stderr and missing.stdout == ""


def test_folder_path_as_source(invoke: Invoke, inbox: Path) -> None:
    result = invoke(["query-orders", "--source", str(inbox), "--number", "1001", "--raw"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["number"] == "1001"
    missing = invoke(["query-orders", "--source", str(inbox.parent / "inbx"), "--dry-run"])
    assert missing.exit_code == 78 and missing.stdout == ""
    assert f"--source {inbox.parent / 'inbx'}: no such folder (and " in missing.stderr  # not a config table's 'path'
    assert "has no [sources." in missing.stderr and ".path" not in missing.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--channel", "b2b"], ["1002"]),
        (["--channel", "web,3"], ["1001", "OMN-5120"]),
        (["--status", "in_production"], ["IN-5001"]),
        (["--status", "cancelled"], ["1003"]),
        (["--since", "2025-06-01"], ["GC-7001-aa11", "OMN-5120"]),
        (["--limit", "2"], ["1001", "1002"]),
    ],
)
def test_filters(invoke: Invoke, config: Path, args: list[str], expected: list[str]) -> None:
    result = invoke(["query-orders", *args], config=config)
    assert result.exit_code == 0, result.stderr
    assert sorted(r["key"] for r in records(result.stdout)) == expected


def test_supplier_filter_by_id_or_name_and_a_typo_is_said(invoke: Invoke, tmp_path: Path, tmp_config: Any) -> None:
    folder = tmp_path / "by-supplier"
    folder.mkdir()
    for number, supplier in (("2001", {"id": "sup-1", "name": "Acme Print"}), ("2002", {"id": "sup-2", "name": "Zeta"})):
        (folder / f"{number}.json").write_text(json.dumps({**canonical(number), "supplier": supplier}))
    config = tmp_config('[suppliers.sup-3]\nname = "Northern Large Format"\n')
    for wanted, expected in (("sup-2", ["2002"]), ("Acme Print", ["2001"]), ("sup-1,Zeta", ["2001", "2002"])):
        result = invoke(["query-orders", "--source", str(folder), "--supplier", wanted, "--dry-run"], config=config)
        assert [r["key"] for r in records(result.stdout)] == expected and result.stderr == "", result.stderr
    known = invoke(["query-orders", "--source", str(folder), "--supplier", "sup-3", "--dry-run"], config=config)
    assert known.exit_code == 0 and known.stdout == "" and known.stderr == ""  # none now, but the config knows it
    typo = invoke(["query-orders", "--source", str(folder), "--supplier", "sup-22", "--dry-run"], config=config)
    assert typo.exit_code == 0 and typo.stdout == ""
    assert typo.stderr == (
        "flowkit: WARNING: query-orders: --supplier 'sup-22': no order and no [suppliers.NAME] has that id or name"
        " (did you mean 'sup-2'?)\n"
    )


def test_bad_since_is_a_data_error(invoke: Invoke, config: Path) -> None:
    result = invoke(["query-orders", "--since", "yesterday"], config=config)
    assert result.exit_code == 65 and "--since 'yesterday'" in result.stderr


def test_malformed_file_gives_error_record_and_moves_to_failed(invoke: Invoke, tmp_config: Any, inbox: Path) -> None:
    (inbox / "0999-broken.json").write_text('{"schema": "flowkit.order/1",\n "number": }')
    config = tmp_config(f'[sources.inbox]\ntype = "dir"\npath = "{inbox}"\nmove_processed = true\n')
    result = invoke(["query-orders"], config=config)
    assert result.exit_code == 1
    assert f"{inbox / '0999-broken.json'}:2:" in result.stderr and "invalid JSON" in result.stderr
    out = records(result.stdout)
    errors = [r for r in out if r["kind"] == "error"]
    assert [e["key"] for e in errors] == ["0999-broken"] and errors[0]["body"]["exit_code"] == 65
    assert (inbox / "failed" / "0999-broken.json").exists()
    assert (inbox / "done" / "1001.json").exists() and not (inbox / "1001.json").exists()
    assert len([r for r in out if r["kind"] == "order"]) == 6


def test_unknown_source_is_a_config_error(invoke: Invoke, config: Path) -> None:
    result = invoke(["query-orders", "--source", "nope"], config=config)
    assert result.exit_code == 78 and "no [sources.nope]" in result.stderr


def results_for(numbers: dict[str, str], error: str = "connection reset") -> str:
    """A deliver result stream, as deliver writes it."""
    lines = []
    for number, status in numbers.items():
        body = {
            "key": number,
            "destination": "mis",
            "status": status,
            "remote_ref": f"/mis/{number}.xml" if status == "delivered" else None,
            "attempts": 1,
            "error": error if status == "failed" else None,
            "content_hash": "sha256:00",
        }
        lines.append(record_line("result", number, body, {"source": "inbox", "filename": f"{number}.xml"}))
    return "".join(lines)


def test_cron_loop_unsent_mark_sent_failed_until_dead(invoke: Invoke, config: Path, state_path: Path) -> None:
    first = invoke(["query-orders", "--unsent"], config=config)
    assert first.exit_code == 0, first.stderr
    emitted = [r["key"] for r in records(first.stdout)]
    assert len(emitted) == 6
    outcome = {n: "delivered" for n in emitted}
    outcome["1002"] = "failed"
    outcome["OMN-5120"] = "duplicate"
    marked = invoke(["query-orders", "mark-sent"], input=results_for(outcome) + record_line("alert", "1001", {}), config=config)
    assert marked.exit_code == 0, marked.stderr
    out = records(marked.stdout)
    assert [r["kind"] for r in out] == ["result"] * 6 + ["alert"]
    assert {r["key"]: r["meta"]["export_status"] for r in out if r["kind"] == "result"}["1002"] == "failed"
    assert export_status(state_path, "1001") == ("exported", 0)
    assert export_status(state_path, "OMN-5120") == ("exported", 0)
    assert export_status(state_path, "1002") == ("failed", 1)

    second = invoke(["query-orders", "--unsent"], config=config)
    assert [r["key"] for r in records(second.stdout)] == ["1002"]  # only the failed one comes back
    invoke(["query-orders", "mark-sent"], input=results_for({"1002": "failed"}), config=config)
    assert export_status(state_path, "1002") == ("dead", 2)  # max_attempts = 2
    third = invoke(["query-orders", "--unsent"], config=config)
    assert third.exit_code == 0 and third.stdout == ""

    story = json.loads(invoke(["state", "show", "1002"]).stdout)
    assert [e["event"] for e in story["events"]] == ["fetched", "queued", "failed", "queued", "dead"]
    history = store_rows(
        state_path, "SELECT command, emitted, delivered, duplicates, failed, dead FROM export_history ORDER BY id"
    )
    assert history == [
        ("query-orders", 6, 0, 0, 0, 0),
        ("mark-sent", 0, 4, 1, 1, 0),
        ("query-orders", 1, 0, 0, 0, 0),
        ("mark-sent", 0, 0, 0, 0, 1),
        ("query-orders", 0, 0, 0, 0, 0),
    ]
    runs = [json.loads(line) for line in invoke(["state", "runs", "--command", "mark-sent"]).stdout.splitlines()]
    assert runs[-1]["counts"]["delivered"] == 4 and runs[-1]["counts"]["duplicates"] == 1


def test_queued_order_waits_while_its_pipeline_runs_and_comes_back_once_it_ended(
    invoke: Invoke, config: Path, state_path: Path, live_pipeline: LivePipeline
) -> None:
    assert len(live_pipeline(["query-orders", "--unsent"], state=state_path, config=config)) == 6
    again = invoke(["query-orders", "--unsent"], config=config)  # an overlapping run: not sent twice at once
    assert again.exit_code == 0 and again.stdout == ""
    later = invoke(["query-orders", "--unsent", "--requeue-after", "0"], config=config)
    assert len(records(later.stdout)) == 6  # past requeue_after: back even while that pipeline runs
    live_pipeline(["query-orders", "--unsent", "--requeue-after", "0"], state=state_path, config=config)
    live_pipeline.end()  # that pipeline ended (killed, destination down) without exporting them
    next_run = invoke(["query-orders", "--unsent"], config=config)
    assert len(records(next_run.stdout)) == 6  # the very next run, not 10 minutes later


def test_dry_run_looks_without_queuing_recording_or_moving(
    invoke: Invoke, tmp_config: Any, inbox: Path, state_path: Path
) -> None:
    config = tmp_config(f'[sources.inbox]\ntype = "dir"\npath = "{inbox}"\nmove_processed = true\n')
    files = sorted(p.name for p in inbox.iterdir())
    look = invoke(["query-orders", "--unsent", "--dry-run"], config=config)
    assert look.exit_code == 0, look.stderr
    assert len(records(look.stdout)) == 6
    assert sorted(p.name for p in inbox.iterdir()) == files  # nothing moved to done/
    assert export_status(state_path, "1001") == ("unknown", 0)
    assert store_rows(state_path, "SELECT COUNT(*) FROM events") == [(0,)]
    assert store_rows(state_path, "SELECT COUNT(*) FROM runs") == [(0,)]
    cron = invoke(["query-orders", "--unsent"], config=config)  # the next real run still gets all of them
    assert sorted(r["key"] for r in records(cron.stdout)) == sorted(r["key"] for r in records(look.stdout))
    again = invoke(["query-orders", "--unsent", "--dry-run"], config=config)
    assert again.exit_code == 0 and len(records(again.stdout)) == 6  # that run ended: cron would send them again
    assert store_rows(state_path, "SELECT COUNT(*) FROM runs") == [(1,)]  # the real run only


def test_moved_files_carry_over_from_the_store(invoke: Invoke, tmp_config: Any, inbox: Path, state_path: Path) -> None:
    config = tmp_config(f'[sources.inbox]\ntype = "dir"\npath = "{inbox}"\nmove_processed = true\n')
    first = records(invoke(["query-orders", "--unsent", "--requeue-after", "0"], config=config).stdout)
    assert len(first) == 6 and not list(inbox.glob("*.json"))
    invoke(["query-orders", "mark-sent"], input=results_for({"1001": "delivered", "1002": "failed"}), config=config)
    second = records(invoke(["query-orders", "--unsent", "--requeue-after", "0"], config=config).stdout)
    assert sorted(r["key"] for r in second) == sorted(["1002", "GC-7001-aa11", "IN-5001", "2000000141", "OMN-5120"])


def test_held_and_cancelled_after_queue(
    invoke: Invoke, config: Path, inbox: Path, state_path: Path, live_pipeline: LivePipeline
) -> None:
    (inbox / "1004.json").write_text(json.dumps(canonical("1004", on_hold=True)))
    out = live_pipeline(["query-orders", "--unsent"], state=state_path, config=config)  # its pipeline still runs
    assert "1004" not in [r["key"] for r in out]
    assert export_status(state_path, "1004") == ("held", 0)
    (inbox / "1004.json").write_text(json.dumps(canonical("1004")))
    (inbox / "1001.json").write_text(json.dumps(canonical("1001", status="cancelled")))
    result = invoke(["query-orders", "--unsent"], config=config)
    assert [r["key"] for r in records(result.stdout)] == ["1004"]  # released at the source
    assert export_status(state_path, "1001") == ("cancelled", 0)
    assert "order 1001 was cancelled at the source after it was queued" in result.stderr


def test_mark_sent_error_records_count_attempts_and_unknown_keys_pass(invoke: Invoke, config: Path, state_path: Path) -> None:
    invoke(["query-orders", "--number", "1001"], config=config)
    stream = (
        record_line("error", "1001", {"error": "render: missing field", "exit_code": 65, "command": "render", "kind": "order"})
        + results_for({"SKU-1": "delivered"})
        + results_for({"1001": "unknown"})
    )
    result = invoke(["query-orders", "mark-sent"], input=stream, config=config)
    assert result.exit_code == 0, result.stderr
    assert [r["key"] for r in records(result.stdout)] == ["1001", "SKU-1", "1001"]
    assert export_status(state_path, "1001") == ("failed", 1)
    assert "failed 1" in result.stderr and "unknown 1" in result.stderr


def test_ndjson_file_one_order_per_line(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    lines = [json.dumps(canonical("2001")), "{not json", json.dumps(canonical("2002", channel="b2b"))]
    (folder / "batch.ndjson").write_text("\n".join(lines) + "\n")
    (folder / "notes.txt").write_text("ignored: not an order file")
    result = invoke(["query-orders", "--source", str(folder)])
    assert result.exit_code == 1
    out = records(result.stdout)
    assert [(r["kind"], r["key"]) for r in out] == [("order", "2001"), ("error", "batch"), ("order", "2002")]
    assert f"{folder / 'batch.ndjson'}:2:2: invalid JSON" in result.stderr


def test_overlapping_runs_wait_on_the_lock_then_exit_75(
    invoke: Invoke, config: Path, state_path: Path, tmp_config: Any, inbox: Path
) -> None:
    from flowkit.store.lock import exclusive

    quick = tmp_config(f'[state]\nlock_timeout = 0.2\n[sources.inbox]\ntype = "dir"\npath = "{inbox}"\n', "q.toml")
    with exclusive(state_path, "query-orders", wait=1):
        result = invoke(["query-orders", "--unsent"], config=quick)
    assert result.exit_code == 75 and "another flowkit query-orders run holds the lock" in result.stderr
    assert result.stdout == ""
    assert export_status(state_path, "1001") == ("unknown", 0)


def test_state_exports_lists_the_export_history(invoke: Invoke, config: Path) -> None:
    invoke(["query-orders", "--unsent"], config=config)
    invoke(["query-orders", "mark-sent"], input=results_for({"1001": "delivered", "1002": "failed"}), config=config)
    result = invoke(["state", "exports", "--limit", "5"], config=config)
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["command"], r["emitted"], r["delivered"], r["failed"]) for r in rows] == [
        ("mark-sent", 0, 1, 1),
        ("query-orders", 6, 0, 0),
    ]
    assert rows[1]["source"] == "inbox"


def test_cancelled_order_by_hand_is_shown_but_never_queued(invoke: Invoke, config: Path, state_path: Path) -> None:
    result = invoke(["query-orders", "--number", "1003", "--raw"], config=config)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "cancelled"
    assert export_status(state_path, "1003") == ("cancelled", 0)
    listed = invoke(["query-orders", "--status", "cancelled"], config=config)
    assert [r["key"] for r in records(listed.stdout)] == ["1003"]
    assert export_status(state_path, "1003") == ("cancelled", 0)
    assert invoke(["query-orders", "--unsent", "--number", "1003"], config=config).stdout == ""


def test_move_processed_leaves_orders_other_queries_want(invoke: Invoke, tmp_config: Any, inbox: Path) -> None:
    config = tmp_config(f'[sources.inbox]\ntype = "dir"\npath = "{inbox}"\nmove_processed = true\n')
    result = invoke(["query-orders", "--channel", "b2b"], config=config)
    assert [r["key"] for r in records(result.stdout)] == ["1002"]
    assert (inbox / "done" / "1002.json").exists() and (inbox / "1001.json").exists()
    assert (inbox / "1003.json").exists()  # cancelled, and another channel: left alone
    invoke(["query-orders"], config=config)
    assert (inbox / "done" / "1003.json").exists()  # cancelled: nothing to do, processed
    assert not list(inbox.glob("*.json"))
