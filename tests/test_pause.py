"""Pause and resume per source, channel and supplier (config and ``flowkit state pause``), and ``--supplier``.

A folder source and the real HTTP order API (tests/query_orders_api.py) on 127.0.0.1; the
cron loop runs through the real commands (render, deliver to a hotfolder, mark-sent).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import ROOT, Invoke, record_line, records
from query_orders_api import OMNI_TOKEN, Api, serve

Write = Callable[..., Path]
ENV = {"OMNI_TOKEN": OMNI_TOKEN}
ORDERS = ROOT / "samples" / "orders"  # 1203, 1205 (on hold), 1206, 1207: sup-print-01; 1204: sup-print-02


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Api]]:
    yield from serve()


@pytest.fixture
def api(server: tuple[str, Api]) -> Api:
    server[1].reset()
    return server[1]


def inbox_config(tmp_path: Path, write: Write, extra: str = "") -> Path:
    """A folder source (files move to done/ once recorded) with the samples, plus an NDJSON file of three more orders."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in ORDERS.glob("*.json"):
        shutil.copy(path, inbox)
    lines = []
    for number, supplier in (("2001", "sup-print-02"), ("2002", "sup-print-01"), ("2003", "sup-print-02")):
        order = json.loads((ORDERS / "1203.json").read_text(encoding="utf-8"))
        order.update(number=number, supplier={"id": supplier, "name": supplier.upper()})
        lines.append(json.dumps(order))
    (inbox / "batch.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return write(
        '[sources.inbox]\ntype = "dir"\npath = "inbox"\nmove_processed = true\n'
        '[destinations.mis]\ntype = "hotfolder"\npath = "out"\nfilename = "{key}.xml"\n' + extra
    )


def cron_run(invoke: Invoke, cfg: Path, env: dict[str, str] | None = None, source: str = "inbox") -> list[str]:
    """query-orders --unsent | render | deliver --to mis | mark-sent; returns the keys emitted."""
    fetched = invoke(["query-orders", "--source", source, "--unsent", "--requeue-after", "0"], config=cfg, env=env)
    assert fetched.exit_code == 0, fetched.stderr
    rendered = invoke(["render"], input=fetched.stdout, config=cfg)
    delivered = invoke(["deliver", "--to", "mis"], input=rendered.stdout, config=cfg)
    assert delivered.exit_code == 0, delivered.stderr
    marked = invoke(["query-orders", "mark-sent"], input=delivered.stdout, config=cfg, env=env)
    assert marked.exit_code == 0, marked.stderr
    return [r["key"] for r in records(fetched.stdout)]


def story(invoke: Invoke, cfg: Path, key: str) -> dict[str, Any]:
    result = invoke(["state", "show", key, "--json"], config=cfg)
    assert result.exit_code == 0, result.stderr
    return dict(orjson.loads(result.stdout))


def last_counts(invoke: Invoke, cfg: Path) -> dict[str, int]:
    runs = [json.loads(line) for line in invoke(["state", "runs", "--command", "query-orders"], config=cfg).stdout.splitlines()]
    return dict(runs[0]["counts"])


def test_paused_supplier_waits_pending_then_flows_once_after_resume(invoke: Invoke, tmp_path: Path, tmp_config: Write) -> None:
    cfg = inbox_config(tmp_path, tmp_config)
    paused = invoke(["state", "pause", "--supplier", "sup-print-02", "--reason", "press down"], config=cfg)
    assert paused.exit_code == 0, paused.stderr
    assert json.loads(paused.stdout) | {"since": None, "by": None} == {
        "kind": "supplier", "name": "sup-print-02", "origin": "store", "since": None, "by": None,
        "reason": "press down", "where": None,
    }  # fmt: skip
    first = cron_run(invoke, cfg)
    assert sorted(first) == ["1203", "1206", "1207", "2002"]  # 1205 is on hold at the source
    assert last_counts(invoke, cfg)["paused"] == 3
    for key in ("1204", "2001", "2003"):  # recorded, neither queued nor held
        told = story(invoke, cfg, key)
        assert told["order"]["export_status"] == "pending" and not told["order"]["hold_reason"]
        assert [e["event"] for e in told["events"]] == ["fetched", "paused"]
        assert "press down" in told["events"][1]["detail"]["reason"]
    inbox = tmp_path / "inbox"
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == ["1204.json", "batch.ndjson"]  # kept for later
    assert cron_run(invoke, cfg) == []  # still paused: nothing, and no second "paused" event
    assert [e["event"] for e in story(invoke, cfg, "1204")["events"]] == ["fetched", "paused"]
    resumed = invoke(["state", "resume", "--supplier", "sup-print-02"], config=cfg)
    assert resumed.exit_code == 0 and json.loads(resumed.stdout)["reason"] == "press down"
    assert sorted(cron_run(invoke, cfg)) == ["1204", "2001", "2003"]  # exactly the held-back ones, no release needed
    assert cron_run(invoke, cfg) == []
    delivered = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert delivered == [f"{k}.xml" for k in ("1203", "1204", "1206", "1207", "2001", "2002", "2003")]
    assert [d["attempts"] for d in story(invoke, cfg, "2001")["deliveries"]] == [1]  # each sent once
    assert [e["event"] for e in story(invoke, cfg, "1204")["events"]][:4] == ["fetched", "paused", "queued", "exported"]
    assert not any(p.is_file() for p in inbox.iterdir())


def test_dry_run_shows_the_paused_orders_with_the_reason(invoke: Invoke, tmp_path: Path, tmp_config: Write) -> None:
    cfg = inbox_config(tmp_path, tmp_config, '[suppliers.sup-print-02]\nname = "Northern"\npaused = true\n')
    result = invoke(["query-orders", "--source", "inbox", "--unsent", "--dry-run"], config=cfg)
    assert result.exit_code == 0, result.stderr
    assert [r["key"] for r in records(result.stdout)] == ["1203", "1206", "1207", "2002"]
    lines = [line for line in result.stderr.splitlines() if "would not be emitted" in line]
    assert len(lines) == 3
    assert "order 1204 would not be emitted: supplier 'sup-print-02' is paused (in the config, " in lines[0]
    assert lines[0].endswith("flowkit.toml:11)")
    assert invoke(["state", "show", "1204"], config=cfg).exit_code == 65  # a look records nothing


def test_a_paused_order_asked_for_by_number(invoke: Invoke, tmp_path: Path, tmp_config: Write) -> None:
    cfg = inbox_config(tmp_path, tmp_config)
    invoke(["state", "pause", "--supplier", "sup-print-02", "--reason", "press down"], config=cfg)
    for args in (["--number", "1204"], ["--number", "1204", "--raw"]):
        result = invoke(["query-orders", "--source", "inbox", *args], config=cfg)
        assert result.exit_code == 75 and result.stdout == ""
        assert result.stderr.startswith("flowkit: error: order 1204 not emitted: supplier 'sup-print-02' is paused (since ")
        assert "press down); 'flowkit state resume --supplier sup-print-02' lets it through" in result.stderr
        assert result.stderr.count("\n") == 1
    unsent = invoke(["query-orders", "--source", "inbox", "--number", "1204", "--unsent"], config=cfg)
    assert unsent.exit_code == 0 and unsent.stdout == ""  # nothing to send is not an error with --unsent
    assert (tmp_path / "inbox" / "1204.json").is_file()


def test_supplier_filter(invoke: Invoke, tmp_path: Path, tmp_config: Write) -> None:
    cfg = inbox_config(tmp_path, tmp_config)
    by_id = invoke(["query-orders", "--source", "inbox", "--supplier", "sup-print-02", "--dry-run"], config=cfg)
    assert [r["key"] for r in records(by_id.stdout)] == ["1204", "2001", "2003"]
    assert all(r["meta"]["supplier"] == "sup-print-02" for r in records(by_id.stdout))
    by_name = invoke(["query-orders", "--source", "inbox", "--supplier", "SUP-PRINT-01,Nobody", "--unsent"], config=cfg)
    assert by_name.exit_code == 0, by_name.stderr
    assert [r["key"] for r in records(by_name.stdout)] == ["2002"]
    assert last_counts(invoke, cfg)["skipped:filter-supplier"] == 7
    assert (tmp_path / "inbox" / "1204.json").is_file()  # an order another query asks for stays in the inbox


def omni_config(write: Write, server: tuple[str, Api], extra: str = "", name: str = "flowkit.toml") -> Path:
    return write(
        f'[sources.omni]\ntype = "http"\npreset = "omnitron"\nbase_url = "{server[0]}"\ntoken = "${{OMNI_TOKEN}}"\n'
        '[destinations.mis]\ntype = "hotfolder"\npath = "out"\n' + extra,
        name,
    )


def test_paused_channel_in_the_config_over_http(invoke: Invoke, api: Api, tmp_config: Write, server: tuple[str, Api]) -> None:
    look = invoke(["query-orders", "--source", "omni", "--unsent", "--dry-run"], config=omni_config(tmp_config, server), env=ENV)
    assert look.exit_code == 0, look.stderr
    unsent = [(r["key"], r["meta"]["channel"]) for r in records(look.stdout)]
    channel_4 = [key for key, channel in unsent if channel == "4"]
    assert channel_4 and len(channel_4) < len(unsent)
    paused = omni_config(tmp_config, server, "[channels.4]\npaused = true\n", "paused.toml")
    assert cron_run(invoke, paused, ENV, "omni") == [key for key, channel in unsent if channel != "4"]
    assert {story(invoke, paused, key)["order"]["export_status"] for key in channel_4} == {"pending"}
    lifted = omni_config(tmp_config, server, "[channels.4]\npaused = false\n", "lifted.toml")
    assert cron_run(invoke, lifted, ENV, "omni") == channel_4  # the first run after the resume: exactly those
    assert cron_run(invoke, lifted, ENV, "omni") == []
    patched = [path for method, path in api.requests if method == "PATCH"]
    assert len(patched) == len(unsent) == len(set(patched))  # each order marked sent at the source once


def test_paused_source_is_not_fetched(invoke: Invoke, api: Api, tmp_config: Write, server: tuple[str, Api]) -> None:
    cfg = omni_config(tmp_config, server)
    assert invoke(["state", "pause", "--source", "omni", "--reason", "ERP migration"], config=cfg).exit_code == 0
    result = invoke(["query-orders", "--source", "omni", "--unsent"], config=cfg, env=ENV)
    assert result.exit_code == 0 and result.stdout == "" and api.requests == []
    assert result.stderr.count("\n") == 1 and "source 'omni' is paused (since " in result.stderr
    assert "ERP migration): nothing fetched; 'flowkit state resume --source omni' lets it through" in result.stderr
    number = invoke(["query-orders", "--source", "omni", "--number", "OMN-6001"], config=cfg, env=ENV)
    assert number.exit_code == 75 and "order OMN-6001 not looked up: source 'omni' is paused" in number.stderr
    assert api.requests == []
    assert invoke(["state", "resume", "--source", "omni"], config=cfg).exit_code == 0
    again = invoke(["query-orders", "--source", "omni", "--unsent"], config=cfg, env=ENV)
    assert again.exit_code == 0 and records(again.stdout) and api.requests


def test_listing(invoke: Invoke, tmp_path: Path, tmp_config: Write) -> None:
    cfg = inbox_config(tmp_path, tmp_config, "[channels.web]\npaused = true\n")
    assert invoke(["state", "pause", "--supplier", "sup-print-02"], config=cfg).exit_code == 0
    assert invoke(["state", "pause", "--source", "inbox", "--reason", "stocktake"], config=cfg).exit_code == 0
    again = invoke(["state", "pause", "--source", "inbox", "--reason", "other"], config=cfg)
    assert again.exit_code == 0 and "source 'inbox' was already paused" in again.stderr
    listed = invoke(["state", "paused", "--json"], config=cfg)
    assert listed.exit_code == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["kind"], r["name"], r["origin"], r["reason"]) for r in rows] == [
        ("channel", "web", "config", None),
        ("supplier", "sup-print-02", "store", None),
        ("source", "inbox", "store", "stocktake"),
    ]
    assert rows[0]["where"] == f"{cfg}:10" and rows[0]["since"] is None
    assert rows[2]["since"] > rows[1]["since"] and "@" in rows[2]["by"]
    invoke(["state", "resume", "--source", "inbox"], config=cfg)
    invoke(["state", "resume", "--supplier", "sup-print-02"], config=cfg)
    assert len(invoke(["state", "paused"], config=cfg).stdout.splitlines()) == 1


def test_errors(invoke: Invoke, tmp_path: Path, tmp_config: Write) -> None:
    cfg = inbox_config(tmp_path, tmp_config, "[suppliers.sup-print-01]\npaused = true\n")
    unknown = invoke(["state", "pause", "--source", "nope"], config=cfg)
    assert unknown.exit_code == 78 and unknown.stdout == ""
    assert unknown.stderr == f"flowkit: error: {cfg}: no [sources.nope] (known: inbox)\n"
    for args in ([], ["--source", "inbox", "--supplier", "x"]):
        usage = invoke(["state", "pause", *args], config=cfg)
        assert usage.exit_code == 2
        assert "name one of --source NAME, --channel ID or --supplier ID" in usage.stderr
    in_config = invoke(["state", "resume", "--supplier", "sup-print-01"], config=cfg)
    assert in_config.exit_code == 78
    assert in_config.stderr == (
        f"flowkit: error: {cfg}:10: supplier 'sup-print-01' is paused in the config (set paused = false there)\n"
    )
    not_paused = invoke(["state", "resume", "--channel", "web"], config=cfg)
    assert not_paused.exit_code == 0 and not_paused.stdout == ""
    assert "channel 'web' was not paused" in not_paused.stderr
    assert invoke(["state", "resume", "--source", "nope"], config=cfg).exit_code == 78
    typo = invoke(["state", "pause", "--supplier", "sup-prnt-02"], config=cfg)
    assert typo.exit_code == 0 and "no order of supplier 'sup-prnt-02' is known yet" in typo.stderr
    assert "[suppliers.sup-prnt-02] (did you mean 'sup-print-01'?): paused anyway" in typo.stderr  # the closest it knows
    far = invoke(["state", "pause", "--channel", "zzz"], config=cfg)
    assert far.exit_code == 0 and "[channels.zzz]: paused anyway" in far.stderr and "did you mean" not in far.stderr
    check = invoke(["config", "check"], config=cfg)
    assert check.exit_code == 0, check.stderr


def test_config_check_knows_paused(invoke: Invoke, tmp_config: Write) -> None:
    bad = tmp_config('[sources.x]\ntype = "dir"\npath = "."\npause = true\n[channels.web]\npaused = "yes"\n')
    result = invoke(["config", "check"], config=bad)
    assert result.exit_code == 78
    assert "unknown key 'sources.x.pause' (did you mean 'paused'?)" in result.stderr
    assert "channels.web.paused" in result.stderr


def test_carried_over_orders_are_held_back_and_come_back(invoke: Invoke, tmp_path: Path, tmp_config: Write) -> None:
    """Orders carried over from the store (their files already moved) are held back and come back too."""
    cfg = inbox_config(tmp_path, tmp_config)
    result = invoke(["query-orders", "--source", "inbox"], config=cfg)  # recorded and queued, files moved
    assert result.exit_code == 0, result.stderr
    invoke(["state", "pause", "--channel", "Web shop"], config=cfg)  # by the channel's name
    held = invoke(["query-orders", "--source", "inbox", "--unsent", "--requeue-after", "0"], config=cfg)
    assert [r["key"] for r in records(held.stdout)] == ["1206", "1207"]  # marketplace and b2b: not paused
    invoke(["state", "resume", "--channel", "Web shop"], config=cfg)
    resumed = invoke(["query-orders", "--source", "inbox", "--unsent", "--requeue-after", "0"], config=cfg)
    assert sorted(r["key"] for r in records(resumed.stdout)) == ["1203", "1204", "1206", "1207", "2001", "2002", "2003"]


def test_results_for_paused_orders_are_not_needed(invoke: Invoke, tmp_path: Path, tmp_config: Write) -> None:
    """mark-sent of a result for an order still paused moves it as any other (a pause only stops query-orders)."""
    cfg = inbox_config(tmp_path, tmp_config)
    invoke(["state", "pause", "--supplier", "sup-print-02"], config=cfg)
    invoke(["query-orders", "--source", "inbox"], config=cfg)
    result = record_line("result", "1204", {"key": "1204", "destination": "mis", "status": "delivered", "attempts": 1})
    marked = invoke(["query-orders", "mark-sent", "--no-source"], input=result, config=cfg)
    assert marked.exit_code == 0, marked.stderr
    assert story(invoke, cfg, "1204")["order"]["export_status"] == "exported"
