"""deliver to a hotfolder: ledger, duplicates, templates, conflicts, retries, exit codes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from conftest import Invoke, conversation, record_line, records
from hostile_names import check_names, hostile

from flowkit.errors import RecordError
from flowkit.store import Store, bodies
from flowkit.store import delivery as ledger
from flowkit.store.lock import exclusive
from flowkit.transports import names


def payload(key: str, body: str = "", channel: str = "web", **meta: object) -> str:
    return record_line(
        "payload",
        key,
        body or f'<order number="{key}"/>',
        meta={"channel": channel, "format": "xml", **meta},
        type="application/xml",
    )


def results(text: str) -> list[dict[str, object]]:
    return [r["body"] for r in records(text) if r["kind"] == "result"]


def test_delivers_each_payload_once_and_reports_duplicates(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "out"
    stream = payload("1201") + payload("1202") + record_line("alert", "1201", {"rule": "r"})
    first = invoke(["deliver", "--to", f"file://{out}/", "--name", "{meta.channel}/{key}.{ext}"], input=stream)
    assert first.exit_code == 0, first.stderr
    kinds = [r["kind"] for r in records(first.stdout)]
    assert kinds == ["result", "result", "alert"]
    body = results(first.stdout)[0]
    assert body["status"] == "delivered" and body["attempts"] == 1 and body["error"] is None
    assert body["remote_ref"] == str(out / "web" / "1201.xml")
    assert str(body["content_hash"]).startswith("sha256:")
    assert (out / "web" / "1201.xml").read_text() == '<order number="1201"/>'
    assert "2 delivered" in first.stderr
    again = invoke(["deliver", "--to", f"file://{out}/", "--name", "{meta.channel}/{key}.{ext}"], input=stream)
    assert again.exit_code == 0
    assert [b["status"] for b in results(again.stdout)] == ["duplicate", "duplicate"]
    assert "2 duplicate" in again.stderr
    forced = invoke(["deliver", "--to", f"file://{out}/", "--force"], input=payload("1201"))
    assert results(forced.stdout)[0]["status"] == "delivered"


def test_changed_content_is_a_new_delivery_unless_once_per_key(
    invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path]
) -> None:
    out = tmp_path / "out"
    invoke(["deliver", "--to", f"file://{out}/"], input=payload("7", "<v>1</v>"))
    changed = invoke(["deliver", "--to", f"file://{out}/"], input=payload("7", "<v>2</v>"))
    assert results(changed.stdout)[0]["status"] == "delivered"
    assert (out / "7.xml").read_text() == "<v>2</v>"
    config = tmp_config(f'[destinations.once]\ntype = "hotfolder"\npath = "{tmp_path / "once"}"\nonce_per_key = true\n')
    invoke(["deliver", "--to", "once"], input=payload("7", "<v>1</v>"), config=config)
    third = invoke(["deliver", "--to", "once"], input=payload("7", "<v>3</v>"), config=config)
    assert results(third.stdout)[0]["status"] == "duplicate"
    assert (tmp_path / "once" / "7.xml").read_text() == "<v>1</v>"


def test_a_version_delivered_before_another_goes_again_when_it_comes_back(invoke: Invoke, tmp_path: Path) -> None:
    # A versioned payload (meta.versioned: query-products' products) is a version of its key's document:
    # A, then B, then A again: the destination holds B, so A is sent (a weight changed and changed back);
    # A once more is then a duplicate. In one input and across runs.
    out = tmp_path / "out"
    statuses = []
    for body in ("<v>A</v>", "<v>B</v>", "<v>A</v>", "<v>A</v>"):
        result = invoke(["deliver", "--to", f"file://{out}/"], input=payload("7", body, versioned=True))
        assert result.exit_code == 0, result.stderr
        statuses.append(results(result.stdout)[0]["status"])
        assert (out / "7.xml").read_text() == ("<v>A</v>" if body == "<v>A</v>" else "<v>B</v>")
    assert statuses == ["delivered", "delivered", "delivered", "duplicate"]
    versions = [payload("8", f"<v>{v}</v>", versioned=True) for v in "ABAA"]
    one = invoke(["deliver", "--to", f"file://{out}/"], input="".join(versions))
    assert [b["status"] for b in results(one.stdout)] == ["delivered", "delivered", "delivered", "duplicate"]
    assert (out / "8.xml").read_text() == "<v>A</v>"
    # a message (a shop comment, a shipment) is not a version: delivered once, the same again is a duplicate
    messages = invoke(
        ["deliver", "--to", f"file://{out}/m/", "--name", "{key}-{hash}.xml"],
        input="".join(payload("9", f"<comment>{v}</comment>") for v in "ABA"),
    )
    assert [b["status"] for b in results(messages.stdout)] == ["delivered", "delivered", "duplicate"]


def test_names_are_sanitised_and_jailed(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "out"
    stream = payload("../../etc/passwd", channel="../..") + payload("x", filename="../../escape.xml")
    result = invoke(["deliver", "--to", f"file://{out}/"], input=payload("a/../../b"))
    assert result.exit_code == 0
    result = invoke(
        ["deliver", "--to", f"file://{out}/", "--name", "{meta.channel}/{key}.xml"], input=stream.split("\n")[0] + "\n"
    )
    assert result.exit_code == 0, result.stderr
    result = invoke(["deliver", "--to", f"file://{out}/"], input=stream.split("\n")[1] + "\n")
    assert result.exit_code == 0, result.stderr
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    hashed = "~[0-9a-f]{8}"  # each value that had to change carries a hash of what it was
    patterns = [
        rf"_\.\.{hashed}/_\.\._etc_passwd{hashed}\.xml",
        rf"_{hashed}/_{hashed}/escape\.xml",
        rf"a_\.\._\.\._b{hashed}\.xml",
    ]
    assert len(written) == 3 and all(re.fullmatch(p, n) for p, n in zip(patterns, written, strict=True)), written
    assert not list(tmp_path.glob("*.xml")) and not (tmp_path / "etc").exists()


def test_unknown_template_field_is_a_data_error(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(["deliver", "--to", f"file://{tmp_path}/o/", "--name", "{meta.nope}.xml"], input=payload("1"))
    assert result.exit_code == 65
    assert "meta field 'nope' missing" in result.stderr
    assert records(result.stdout)[0]["kind"] == "error"


def test_zero_byte_body_is_refused(invoke: Invoke, tmp_path: Path) -> None:
    stream = record_line("payload", "9", "", type="text/plain")
    result = invoke(["deliver", "--to", f"file://{tmp_path}/o/"], input=stream)
    assert result.exit_code == 65
    body = results(result.stdout)[0]
    assert body["status"] == "failed" and "zero-byte" in str(body["error"])
    assert not list((tmp_path / "o").iterdir())


@pytest.mark.parametrize(
    ("policy", "status", "code", "files"),
    [
        ("ignore", "skipped", 0, {"5.xml": "old"}),
        ("rename", "delivered", 0, {"5.xml": "old", "5-1.xml": '<order number="5"/>'}),
        ("fail", "failed", 65, {"5.xml": "old"}),
        ("replace", "delivered", 0, {"5.xml": '<order number="5"/>'}),
    ],
)
def test_conflict_policies(
    invoke: Invoke,
    tmp_path: Path,
    tmp_config: Callable[..., Path],
    policy: str,
    status: str,
    code: int,
    files: dict[str, str],
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "5.xml").write_text("old")
    config = tmp_config(f'[destinations.hf]\ntype = "hotfolder"\npath = "out"\nconflict = "{policy}"\n')
    result = invoke(["deliver", "--to", "hf"], input=payload("5"), config=config)
    assert result.exit_code == code
    assert results(result.stdout)[0]["status"] == status
    assert {p.name: p.read_text() for p in out.iterdir()} == files


def test_done_file_follows_the_data_file(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(["deliver", "--to", f"file://{tmp_path}/o/?done_suffix=.done"], input=payload("3"))
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["3.xml", "3.xml.done"]
    assert (tmp_path / "o" / "3.xml.done").stat().st_size == 0


def _interrupted(state_path: Path, out: Path, key: str, *, arrived: bool) -> None:
    """What a run killed between the intent and the outcome leaves behind."""
    data = f'<order number="{key}"/>'.encode()
    import hashlib

    store = Store(state_path)
    ledger.begin_attempt(
        store,
        key=key,
        destination=f"file://{out}/",
        content_hash="sha256:" + hashlib.sha256(data).hexdigest(),
        filename=f"{key}.xml",
        body=data,
        media_type="application/xml",
        meta={},
    )
    store.close()
    out.mkdir(exist_ok=True)
    (out / (f"{key}.xml" if arrived else f".{key}.xml.part")).write_bytes(data if arrived else data[:5])


def test_reconciles_an_interrupted_attempt(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    out = tmp_path / "out"
    _interrupted(state_path, out, "41", arrived=True)
    _interrupted(state_path, out, "42", arrived=False)
    inode = (out / "41.xml").stat().st_ino
    result = invoke(["deliver", "--to", f"file://{out}/"], input=payload("41") + payload("42"))
    assert result.exit_code == 0, result.stderr
    assert [(b["status"], b["attempts"]) for b in results(result.stdout)] == [("delivered", 1), ("delivered", 2)]
    assert (out / "41.xml").stat().st_ino == inode  # not written again
    assert sorted(p.name for p in out.iterdir()) == ["41.xml", "42.xml"]
    assert "1 reconciled" in result.stderr


def test_a_kill_between_link_and_unlink_leaves_no_part_file(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    # conflict = "fail" places files with link + unlink; a kill in between leaves .NAME.part as a second name
    out = tmp_path / "out"
    _interrupted(state_path, out, "43", arrived=True)
    os.link(out / "43.xml", out / ".43.xml.part")
    (out / ".44.xml.part").write_text("an unrelated leftover")  # not a name of a delivered file: kept
    result = invoke(["deliver", "--to", f"file://{out}/?conflict=fail"], input=payload("43"))
    assert result.exit_code == 0, result.stderr
    assert [b["status"] for b in results(result.stdout)] == ["delivered"]
    assert sorted(p.name for p in out.iterdir()) == [".44.xml.part", "43.xml"]
    assert (out / "43.xml").read_text() == '<order number="43"/>'


def blocked_hotfolder(tmp_path: Path, tmp_config: Callable[..., Path], extra: str) -> tuple[Path, Path]:
    """A hotfolder destination ``hf`` whose ``web/`` folder is blocked by a file (writes fail until it goes)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "web").write_text("a file where the folder should be")
    config = tmp_config(
        f'[destinations.hf]\ntype = "hotfolder"\npath = "{out}"\nfilename = "{{meta.channel}}/{{key}}.xml"\n{extra}'
    )
    return out, config


def test_failed_deliveries_are_retried_from_the_kept_body_then_dead(
    invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path]
) -> None:
    out, config = blocked_hotfolder(tmp_path, tmp_config, "retries = 2\nbase_delay = 0.01\nmax_attempts = 3\n")
    first = invoke(["deliver", "--to", "hf"], input=payload("60") + payload("61", channel="shop"), config=config)
    assert first.exit_code == 75  # every failure transient: safe to rerun
    assert [(b["status"], b["attempts"]) for b in results(first.stdout)] == [("failed", 2), ("delivered", 1)]
    assert "record '60': failed" in first.stderr
    again = invoke(["deliver", "--to", "hf", "--retry-failed"], config=config)
    assert [(b["key"], b["status"], b["attempts"]) for b in results(again.stdout)] == [("60", "dead", 3)]
    assert again.exit_code == 1
    (out / "web").unlink()
    forced = invoke(["deliver", "--to", "hf", "--force"], input=payload("60"), config=config)
    assert results(forced.stdout)[0]["status"] == "delivered"


def test_retry_failed_never_sends_a_version_older_than_one_delivered_since(
    invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path]
) -> None:
    # Version 1 fails; version 2 goes through; --retry-failed must not put 1 back over it. A message
    # (not versioned: a shipment, a comment) that failed is retried whatever was delivered after it.
    out, config = blocked_hotfolder(tmp_path, tmp_config, "retries = 1\n")
    stream = payload("62", "<v>1</v>", versioned=True) + payload("63", "<shipment>1</shipment>")
    first = invoke(["deliver", "--to", "hf"], input=stream, config=config)
    assert [b["status"] for b in results(first.stdout)] == ["failed", "failed"]
    (out / "web").unlink()
    stream = payload("62", "<v>2</v>", versioned=True) + payload("63", "<shipment>2</shipment>")
    second = invoke(["deliver", "--to", "hf"], input=stream, config=config)
    assert [b["status"] for b in results(second.stdout)] == ["delivered", "delivered"]
    (out / "web" / "63.xml").unlink()  # the MIS took shipment 2 in
    retried = invoke(["deliver", "--to", "hf", "--retry-failed"], config=config)
    assert retried.exit_code == 0, retried.stderr
    assert [(b["key"], b["status"]) for b in results(retried.stdout)] == [("63", "delivered")]
    assert (out / "web" / "62.xml").read_text() == "<v>2</v>"
    assert (out / "web" / "63.xml").read_text() == "<shipment>1</shipment>"
    back = invoke(["deliver", "--to", "hf"], input=payload("62", "<v>1</v>", versioned=True), config=config)  # 1 again
    assert results(back.stdout)[0]["status"] == "delivered" and (out / "web" / "62.xml").read_text() == "<v>1</v>"


def test_the_latest_version_tried_is_the_one_the_destination_ends_with(
    invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path]
) -> None:
    """A delivered, B failed, then A again: A is sent (not a duplicate), and --retry-failed leaves B alone.
    A delivered, B failed, A failed: --retry-failed sends A only, the key's latest, never B after it."""
    out, config = blocked_hotfolder(tmp_path, tmp_config, "retries = 1\n")
    web = out / "web"
    web.unlink()
    web.mkdir()

    def send(key: str, version: str) -> str:
        result = invoke(["deliver", "--to", "hf"], input=payload(key, f"<v>{version}</v>", versioned=True), config=config)
        return str(results(result.stdout)[0]["status"])

    def block(key: str, blocked: bool) -> None:  # a folder where the key's file goes: its writes fail
        target = web / f"{key}.xml"
        if blocked:
            target.unlink(missing_ok=True)
            (target / "keep").mkdir(parents=True)
        else:
            shutil.rmtree(target)

    assert send("70", "A") == "delivered" and send("71", "A") == "delivered"
    block("70", True)
    block("71", True)
    assert send("70", "B") == "failed" and send("71", "B") == "failed"
    block("70", False)
    assert send("70", "A") == "delivered"  # the destination may hold A, but B was tried since: A again
    assert send("71", "A") == "failed"
    block("71", False)
    retried = invoke(["deliver", "--to", "hf", "--retry-failed"], config=config)
    assert [(b["key"], b["status"]) for b in results(retried.stdout)] == [("71", "delivered")]
    assert (web / "70.xml").read_text() == "<v>A</v>" and (web / "71.xml").read_text() == "<v>A</v>"


def test_retry_failed_resends_without_input(invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path]) -> None:
    out, config = blocked_hotfolder(tmp_path, tmp_config, "retries = 1\n")
    first = invoke(["deliver", "--to", "hf"], input=payload("70", "<kept/>"), config=config)
    assert first.exit_code == 75  # only transient failures: safe to rerun
    (out / "web").unlink()
    retry = invoke(["deliver", "--to", "hf", "--retry-failed"], config=config)
    assert retry.exit_code == 0, retry.stderr
    assert results(retry.stdout)[0]["status"] == "delivered"
    assert (out / "web" / "70.xml").read_text() == "<kept/>"
    shown = invoke(["state", "sent", "70", "--body"])
    sent = orjson.loads(shown.stdout)
    assert sent[0]["body"] == "<kept/>" and sent[0]["status"] == "delivered" and sent[0]["attempts"] == 2


def test_raw_document_in_raw_result_out(invoke: Invoke, tmp_path: Path) -> None:
    doc = tmp_path / "1300.xml"
    doc.write_text("<order><number>1300</number></order>")
    result = invoke(["deliver", "--to", f"file://{tmp_path}/o/", str(doc)])
    assert result.exit_code == 0
    body = orjson.loads(result.stdout)
    assert body["key"] == "1300" and body["status"] == "delivered"
    assert (tmp_path / "o" / "1300.xml").read_text() == doc.read_text()


def test_configuration_errors(invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path]) -> None:
    config = tmp_config('[destinations.mis]\ntype = "hotfolder"\npath = "out"\n')
    result = invoke(["deliver", "--to", "nowhere"], input=payload("1"), config=config)
    assert result.exit_code == 78 and "no [destinations.nowhere] (known: mis)" in result.stderr
    result = invoke(["deliver", "--to", "gopher://x/"], input=payload("1"))
    assert result.exit_code == 78 and "unknown scheme 'gopher'" in result.stderr


@pytest.mark.sqlite_only  # the run-wide destination lock: on PostgreSQL runs share a destination by per-key claims
def test_a_second_run_waits_for_the_destination_lock(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    from flowkit.deliver.run import lock_name

    target = f"file://{tmp_path}/o/"
    with exclusive(state_path, lock_name(target), wait=1):
        result = invoke(["deliver", "--to", target, "--wait", "0.2"], input=payload("1"))
    assert result.exit_code == 75
    assert "another flowkit deliver-" in result.stderr
    assert not (tmp_path / "o").exists()


def test_purge_drops_old_bodies_but_keeps_the_ledger(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    invoke(["deliver", "--to", f"file://{tmp_path}/o/"], input=payload("80"))
    invoke(["state", "purge", "--older-than", "0"])
    again = invoke(["deliver", "--to", f"file://{tmp_path}/o/"], input=payload("80"))
    assert results(again.stdout)[0]["status"] == "duplicate"
    store = Store(state_path)
    assert store.conn.execute("SELECT COUNT(*) FROM delivery_bodies").fetchone()[0] == 0
    store.close()
    assert os.path.exists(tmp_path / "o" / "80.xml")


def test_repeated_keys_in_one_input_are_settled_in_order(invoke: Invoke, tmp_path: Path) -> None:
    stream = payload("90", "<v>1</v>") + payload("90", "<v>1</v>") + payload("91") + payload("90", "<v>2</v>")
    result = invoke(["deliver", "--to", f"file://{tmp_path}/o/"], input=stream)
    assert result.exit_code == 0, result.stderr
    assert [(b["key"], b["status"]) for b in results(result.stdout)] == [
        ("90", "delivered"),
        ("90", "duplicate"),
        ("91", "delivered"),
        ("90", "delivered"),
    ]
    assert (tmp_path / "o" / "90.xml").read_text() == "<v>2</v>"


def test_a_bad_record_in_a_window_does_not_stop_the_others(invoke: Invoke, tmp_path: Path) -> None:
    stream = payload("1") + payload("2", channel="") + payload("3")
    result = invoke(["deliver", "--to", f"file://{tmp_path}/o/", "--name", "{meta.nope}/{key}.xml"], input=payload("0") + stream)
    assert result.exit_code == 65
    assert [r["kind"] for r in records(result.stdout)] == ["error"] * 4
    ok = invoke(["deliver", "--to", f"file://{tmp_path}/o/"], input=stream + record_line("payload", "4", "", type="text/plain"))
    assert ok.exit_code == 1
    assert [(b["key"], b["status"]) for b in results(ok.stdout)] == [
        ("1", "delivered"),
        ("2", "delivered"),
        ("3", "delivered"),
        ("4", "failed"),
    ]


def test_the_story_lists_deliveries_and_logs_failed_attempts(
    invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path], state_path: Path
) -> None:
    out, config = blocked_hotfolder(tmp_path, tmp_config, "retries = 1\n")
    big = "<order>" + "".join(f"<line n='{n}'>{n * 7919 % 1000}</line>" for n in range(400)) + "</order>"
    assert invoke(["deliver", "--to", "hf"], input=payload("80", big), config=config).exit_code == 75
    (out / "web").unlink()
    assert invoke(["deliver", "--to", "hf", "--retry-failed"], config=config).exit_code == 0
    story = orjson.loads(invoke(["state", "show", "80"], config=config).stdout)
    assert [(d["status"], d["attempts"], d["remote_ref"]) for d in story["deliveries"]] == [
        ("delivered", 2, str(out / "web" / "80.xml"))
    ]
    # The failed attempt's error is kept as an event (the row now says delivered); the intent and the
    # clean outcome live in the ledger row only.
    assert [(e["command"], e["event"]) for e in story["events"]] == [("deliver", "failed")]
    assert "hotfolder write" in story["events"][0]["detail"]["error"]
    sent = orjson.loads(invoke(["state", "sent", "80", "--body"], config=config).stdout)
    assert sent[0]["body"] == big  # kept compressed: well under the body's size
    store = Store(state_path)
    kept = store.conn.execute("SELECT length(body) FROM delivery_bodies").fetchone()[0]
    store.close()
    assert kept < len(big) / 3


@pytest.mark.sqlite_only  # sqlite's planner, asked by EXPLAIN QUERY PLAN
def test_retry_failed_reads_the_open_deliveries_through_their_index(
    invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path], state_path: Path
) -> None:
    out, config = blocked_hotfolder(tmp_path, tmp_config, "retries = 1\n")
    assert invoke(["deliver", "--to", "hf"], input=payload("80"), config=config).exit_code == 75
    store = Store(state_path)
    plan = " ".join(
        str(row[3])
        for row in store.conn.execute(
            "EXPLAIN QUERY PLAN " + ledger.RETRYABLE,
            ("hf",),  # the query --retry-failed runs
        )
    )
    store.close()
    assert "deliveries_open" in plan


@pytest.mark.parametrize("size", [0, 1, bodies.SMALL, bodies.SMALL + 1, 70_000])
def test_kept_bodies_round_trip(size: int) -> None:
    body = bytes((n * 31 + n // 7) % 256 for n in range(size))  # any bytes, a zero byte first included
    assert bodies.unpack(bodies.pack(body)) == body
    assert (bodies.pack(body)[:1] == bodies.RAW) == (size <= bodies.SMALL)


def test_a_slow_producer_gets_each_result_without_waiting_for_a_full_window(tmp_path: Path, state_path: Path) -> None:
    out = tmp_path / "out"
    with conversation(["--state", str(state_path), "-q", "deliver", "--to", f"file://{out}/"]) as exchange:
        for key in ("91", "92"):
            result = exchange(payload(key))  # while stdin stays open
            assert (result["key"], result["body"]["status"]) == (key, "delivered")
    assert sorted(p.name for p in out.iterdir()) == ["91.xml", "92.xml"]


def test_windows_keep_input_order_and_versions(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    # 700 payloads in windows of up to 256: a key comes back within a window, in the very next
    # window and much later; alerts pass through in between.
    items = [("payload", f"K{i:03d}", f"<v k='{i}'>1</v>") for i in range(600)]
    items[270] = ("payload", "K260", "<v k='260'>2</v>")
    items[300] = ("payload", "K010", "<v k='10'>2</v>")
    items[550] = ("payload", "K010", "<v k='10'>3</v>")
    for at in (650, 500, 256, 100):
        items.insert(at, ("alert", f"A{at}", ""))
    items += [("payload", f"L{i:03d}", "<v/>") for i in range(96)]
    stream = "".join(
        record_line("alert", key, {"rule": "r"}) if kind == "alert" else payload(key, body) for kind, key, body in items
    )
    result = invoke(["deliver", "--to", f"file://{tmp_path}/o/"], input=stream)
    assert result.exit_code == 0, result.stderr
    out = records(result.stdout)
    assert [(r["kind"], r["key"]) for r in out] == [("result" if kind == "payload" else "alert", key) for kind, key, _ in items]
    assert {r["body"]["status"] for r in out if r["kind"] == "result"} == {"delivered"}
    assert (tmp_path / "o" / "K010.xml").read_text() == "<v k='10'>3</v>"
    assert (tmp_path / "o" / "K260.xml").read_text() == "<v k='260'>2</v>"
    store = Store(state_path)
    rows = store.conn.execute("SELECT COUNT(*), SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) FROM deliveries").fetchone()
    store.close()
    assert tuple(rows) == (696, 696)  # one ledger row per (key, content)


def test_a_fresh_intent_that_exists_after_all_takes_the_upsert(state_path: Path) -> None:
    store = Store(state_path)

    def intents(fresh: bool) -> list[ledger.Intent]:
        return [ledger.Intent(key, "sha256:" + key, f"{key}.xml", b"<x/>", "application/xml", {}, fresh) for key in ("n1", "n2")]

    with store.transaction():
        first = ledger.begin_attempts(store, "d", intents(True)[:1])
    with store.transaction():  # n1 has a row by now although the caller thought not
        again = ledger.begin_attempts(store, "d", intents(True))
    rows = store.conn.execute("SELECT key, id, attempts FROM deliveries ORDER BY id").fetchall()
    store.close()
    assert [(e.key, e.id, e.attempts) for e in again] == [("n1", first[0].id, 2), ("n2", rows[1][1], 1)]
    assert [tuple(r) for r in rows] == [("n1", first[0].id, 2), ("n2", rows[1][1], 1)]


def test_purge_keeps_the_bodies_of_deliveries_that_can_still_be_retried(
    invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path], state_path: Path
) -> None:
    """Retention never takes unprocessed work: a failed delivery's body survives and --retry-failed sends it."""
    out, config = blocked_hotfolder(tmp_path, tmp_config, "retries = 1\n")
    first = invoke(["deliver", "--to", "hf"], input=payload("81") + payload("83", channel="shop"), config=config)
    assert [(b["key"], b["status"]) for b in results(first.stdout)] == [("81", "failed"), ("83", "delivered")]
    purged = invoke(["state", "purge", "--older-than", "0"])
    assert purged.exit_code == 0, purged.stderr
    store = Store(state_path)
    kept = store.conn.execute(
        "SELECT d.key FROM delivery_bodies b JOIN deliveries d ON d.id = b.delivery_id ORDER BY d.key"
    ).fetchall()
    store.close()
    assert [row[0] for row in kept] == ["81"]  # the delivered body (83) went, the failed one stayed
    (out / "web").unlink()
    retried = invoke(["deliver", "--to", "hf", "--retry-failed"], config=config)
    assert retried.exit_code == 0, retried.stderr
    assert [(b["key"], b["status"]) for b in results(retried.stdout)] == [("81", "delivered")]
    assert (out / "web" / "81.xml").exists()


def test_a_dead_deliverys_body_is_kept_until_the_longer_dead_window(
    invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path], state_path: Path
) -> None:
    _, config = blocked_hotfolder(tmp_path, tmp_config, "retries = 1\nmax_attempts = 1\n")
    first = invoke(["deliver", "--to", "hf"], input=payload("84") + payload("85", channel="shop"), config=config)
    assert [(b["key"], b["status"]) for b in results(first.stdout)] == [("84", "dead"), ("85", "delivered")]

    def kept() -> list[str]:
        store = Store(state_path)
        rows = store.conn.execute("SELECT d.key FROM delivery_bodies b JOIN deliveries d ON d.id = b.delivery_id ORDER BY d.key")
        keys = [row[0] for row in rows]
        store.close()
        return keys

    assert invoke(["state", "purge", "--older-than", "0"]).exit_code == 0
    assert kept() == ["84"]  # no dead window: the dead body stays (what went out, to resend by hand)
    assert invoke(["state", "purge", "--older-than", "0", "--dead-older-than", "1"]).exit_code == 0
    assert kept() == ["84"]  # it died less than a day ago
    store = Store(state_path)
    with store.transaction() as conn:  # it died two days ago
        conn.execute("UPDATE deliveries SET updated_at = '2000-01-01T00:00:00.000000Z' WHERE key = '84'")
    store.close()
    configured = tmp_config(config.read_text() + "[state]\ndead_retention_days = 1\n")
    purged = invoke(["state", "purge", "--older-than", "0"], config=configured)
    assert purged.exit_code == 0, purged.stderr
    assert kept() == [] and '"delivery_bodies": 1' in purged.stdout
    assert invoke(["state", "sent", "84"], config=configured).exit_code == 0  # its ledger row stays


def test_hostile_names_on_a_hotfolder(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    out = tmp_path / "out"
    check_names(invoke, state_path, ["--to", f"file://{out}/"], out)


@pytest.mark.sqlite_only  # a row an older flowkit left: none wrote to PostgreSQL, whose text holds no NUL
def test_a_name_kept_raw_by_an_older_run_is_reconciled_sanitised(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    """An older flowkit kept ``b\\x00c.xml`` in the ledger and crashed on it: the rerun delivers it as ``bc.xml``."""
    out = tmp_path / "out"
    stream = hostile("nul", "b\x00c.xml") + hostile("after", "after.xml")
    data = b"<order n='3'/>"
    store = Store(state_path)
    for key, name, body in (("nul", "b\x00c.xml", data), ("after", "after.xml", b"<order n='5'/>")):
        ledger.begin_attempt(
            store,
            key=key,
            destination=f"file://{out}/",
            content_hash="sha256:" + hashlib.sha256(body).hexdigest(),
            filename=name,
            body=body,
            media_type="application/xml",
            meta={},
        )
    store.close()
    result = invoke(["deliver", "--to", f"file://{out}/"], input=stream)
    assert result.exit_code == 0, result.stderr
    assert [(b["key"], b["status"], b["attempts"]) for b in results(result.stdout)] == [
        ("nul", "delivered", 2),
        ("after", "delivered", 2),
    ]
    names = sorted(p.name for p in out.iterdir())
    assert names[0] == "after.xml" and re.fullmatch(r"bc~[0-9a-f]{8}\.xml", names[1]), names
    store = Store(state_path)
    assert [e.filename for e in ledger.entries(store, "nul", f"file://{out}/")] == [names[1]]
    store.close()


@pytest.mark.parametrize(
    "raw",
    [
        "a\x00b",
        "x" * 1000 + ".xml",
        "../..",
        "/abs/../x",
        " .hidden ",
        "a\\b/c",
        "é" * 300 + ".json",
        "\u202egpj.exe",
        "a/./b//c",
    ],
)
def test_sanitised_names_are_stable_short_and_inside(raw: str) -> None:
    safe = names.path(raw)
    assert names.path(safe) == safe  # idempotent: a name kept in the ledger maps to itself
    parts = safe.split("/")
    assert all(0 < len(p.encode()) <= names.MAX_COMPONENT and not p.startswith(".") for p in parts)
    assert not any(ord(c) < 32 or c in "\x7f\u202e" for c in safe) and not safe.startswith("/")
    if len(raw.encode()) > names.MAX_COMPONENT:
        assert names.path(raw[:-5] + "y" + raw[-4:]) != safe  # distinct long names stay distinct


def test_a_template_cannot_make_an_overlong_or_hidden_name() -> None:
    record = {"kind": "payload", "key": "k" * 300, "type": "application/xml", "meta": {"a": "\x00."}}
    name = names.render("{meta.a}{key}-{key}.xml", record)
    assert len(name.encode()) == names.MAX_COMPONENT and name.endswith(".xml") and name.startswith("_~")
    with pytest.raises(RecordError) as refused:
        names.render("{key}/{key}/{key}/{key}/{key}/{key}", record)
    assert refused.value.exit_code == 65 and "too long" in str(refused.value)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB file system (tmpfs) for a hotfolder: it fills after a few files."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def grow(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,size=4m", str(mount)], check=True)


def ledger_rows(state_path: Path) -> dict[str, tuple[str, int, int | None]]:
    store = Store(state_path)
    try:
        rows = store.conn.execute("SELECT key, status, attempts, error_code FROM deliveries").fetchall()
    finally:
        store.close()
    return {row["key"]: (row["status"], row["attempts"], row["error_code"]) for row in rows}


def test_a_full_disk_stops_the_run_at_once_and_leaves_the_rest_for_the_next(
    invoke: Invoke, small_disk: Path, state_path: Path, tmp_config: Callable[..., Path]
) -> None:
    config = tmp_config(f'[destinations.small]\ntype = "hotfolder"\npath = "{small_disk}"\nmax_attempts = 1\n')
    big = "<o>" + "x" * 10_000 + "</o>"
    stream = "".join(payload(str(n), big + str(n)) for n in range(12))
    started = time.monotonic()
    full = invoke(["deliver", "--to", "small"], input=stream, config=config)
    assert time.monotonic() - started < 5  # no backoff walk through the remaining records
    assert full.exit_code == 75, full.stderr
    lines = [line for line in full.stderr.splitlines() if line.startswith("flowkit:")]
    assert len(lines) == 1 and str(small_disk) in lines[0] and "No space left on device" in lines[0], full.stderr
    assert not [p for p in small_disk.iterdir() if p.name.endswith(".part")]
    written = sorted(int(p.stem) for p in small_disk.iterdir())
    assert written and written == list(range(len(written))) and len(written) < 12
    stopped = str(len(written))
    rows = ledger_rows(state_path)
    assert rows == {**{str(n): ("delivered", 1, None) for n in written}, stopped: ("failed", 0, 75)}
    again = invoke(["deliver", "--to", "small"], input=stream, config=config)  # still full: the same, never dead
    assert again.exit_code == 75 and ledger_rows(state_path) == rows
    grow(small_disk)
    freed = invoke(["deliver", "--to", "small"], input=stream, config=config)
    assert freed.exit_code == 0, freed.stderr
    statuses = [(b["key"], b["status"]) for b in results(freed.stdout)]
    assert statuses == [(str(n), "duplicate" if n in written else "delivered") for n in range(12)]
    assert {k: v[0] for k, v in ledger_rows(state_path).items()} == {str(n): "delivered" for n in range(12)}
    assert sorted(int(p.stem) for p in small_disk.iterdir()) == list(range(12))
    assert all((small_disk / f"{n}.xml").read_text() == big + str(n) for n in range(12))


def test_a_full_disk_on_a_single_send_and_on_retry_failed(
    invoke: Invoke, small_disk: Path, state_path: Path, tmp_config: Callable[..., Path]
) -> None:
    config = tmp_config(f'[destinations.small]\ntype = "hotfolder"\npath = "{small_disk}"\nmax_attempts = 1\n')
    filler = small_disk / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as handle:
        while True:
            handle.write(b"\0" * 4096)
            handle.flush()
    full = invoke(["deliver", "--to", "small"], input=payload("1", "<o>" + "y" * 5000 + "</o>"), config=config)
    assert full.exit_code == 75 and "No space left on device" in full.stderr, full.stderr
    assert ledger_rows(state_path) == {"1": ("failed", 0, 75)}
    retried = invoke(["deliver", "--to", "small", "--retry-failed"], config=config)
    assert retried.exit_code == 75 and ledger_rows(state_path) == {"1": ("failed", 0, 75)}  # not dead
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]
    filler.unlink()
    done = invoke(["deliver", "--to", "small", "--retry-failed"], config=config)
    assert done.exit_code == 0, done.stderr
    assert ledger_rows(state_path) == {"1": ("delivered", 1, None)}


def test_keys_that_clean_to_the_same_text_never_share_a_file(invoke: Invoke, tmp_path: Path) -> None:
    """ORD/1, ORD:1 and ORD_1 are three orders: three files, none overwriting another."""
    out = tmp_path / "out"
    stream = payload("ORD/1", "<v>1</v>") + payload("ORD:1", "<v>2</v>") + payload("ORD_1", "<v>3</v>")
    result = invoke(["deliver", "--to", f"file://{out}/"], input=stream)
    assert result.exit_code == 0, result.stderr
    refs = [b["remote_ref"] for b in results(result.stdout)]
    assert len(set(refs)) == 3
    assert sorted(p.read_text() for p in out.iterdir()) == ["<v>1</v>", "<v>2</v>", "<v>3</v>"]
    assert (out / "ORD_1.xml").read_text() == "<v>3</v>"  # a clean key keeps its plain name


def test_a_done_file_the_full_disk_refused_takes_its_data_file_back(
    invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path]
) -> None:
    """The data file was in place, its done file found no room: no half delivery, the rerun sends it once."""
    mount = tmp_path / "inodes"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,nr_inodes=3", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.strip()}")
    try:
        (mount / "filler").write_text("")  # root + filler + the data file: no inode left for the done file
        config = tmp_config(
            f'[destinations.hf]\ntype = "hotfolder"\npath = "{mount}"\ndone_suffix = ".done"\nconflict = "replace"\n'
        )
        first = invoke(["deliver", "--to", "hf"], input=payload("A"), config=config)
        assert first.exit_code == 75, first.stderr
        assert sorted(p.name for p in mount.iterdir()) == ["filler"]  # the data file was taken back
        (mount / "filler").unlink()
        again = invoke(["deliver", "--to", "hf"], input=payload("A"), config=config)
        assert again.exit_code == 0, again.stderr
        assert [b["status"] for b in results(again.stdout)] == ["delivered"]
        assert sorted(p.name for p in mount.iterdir()) == ["A.xml", "A.xml.done"]  # written once, with its done file
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_pass_through_records_keep_their_place_without_splitting_the_window(invoke: Invoke, tmp_path: Path) -> None:
    """apply-rules' alerts between the payloads: one window, the results and the alerts in input order."""
    out = tmp_path / "out"
    out.mkdir()
    lines = ""
    for n in range(1, 41):
        lines += record_line("payload", f"O{n}", f"<o>{n}</o>", type="application/xml")
        lines += record_line("alert", f"O{n}", {"message": f"order O{n} is large"})
    result = invoke(["-v", "deliver", "--to", out.as_uri() + "/"], input=lines)
    assert result.exit_code == 0, result.stderr
    got = [(r["kind"], r["key"]) for r in records(result.stdout)]
    assert got == [(kind, f"O{n}") for n in range(1, 41) for kind in ("result", "alert")]
    assert len(list(out.iterdir())) == 40


def test_a_pass_through_record_survives_a_window_whose_sending_stops_the_run(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowkit.deliver.core import Deliverer
    from flowkit.errors import TempFailError

    def down(self: Deliverer, records: list[object], prepared: object = None) -> list[object]:
        raise TempFailError("the destination went away mid-run")

    monkeypatch.setattr(Deliverer, "deliver_many", down)
    out = tmp_path / "out"
    out.mkdir()
    lines = record_line("payload", "1203", "<o/>", type="application/xml")
    lines += record_line("alert", "1203", {"message": "large order"})
    lines += record_line("payload", "1204", "<o/>", type="application/xml")
    given = tmp_path / "payloads.ndjson"  # a file: all three are read into one window before it is sent
    given.write_text(lines, encoding="utf-8")
    result = invoke(["deliver", "--to", out.as_uri() + "/", str(given)])
    assert result.exit_code == 75, result.stderr
    assert [(r["kind"], r["key"]) for r in records(result.stdout)] == [("alert", "1203")]  # done, so written
