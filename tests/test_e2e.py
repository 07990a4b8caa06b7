"""The whole cron loop, end to end, through the real commands and one state store:

query-orders --unsent | apply-rules | render | transform | deliver (hotfolder) | query-orders mark-sent
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import orjson
from conftest import ROOT, Invoke, records

SHEET = ROOT / "samples" / "transform" / "mis-jobimport.xsl"


def config(tmp_path: Path, write: Callable[..., Path], conflict: str = "replace") -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    for number in ("1204", "1206"):
        shutil.copy(ROOT / "samples" / "orders" / f"{number}.json", inbox)
    return write(
        f'[sources.inbox]\ntype = "dir"\npath = "inbox"\n'
        f'[destinations.mis]\ntype = "hotfolder"\npath = "out"\nconflict = "{conflict}"\n'
        f"[query-orders]\nmax_attempts = 2\nrequeue-after = 0\n"
    )


def cron_run(invoke: Invoke, cfg: Path) -> tuple[list[dict], list[dict]]:  # type: ignore[type-arg]
    """One cron run; returns (orders fetched, deliver results)."""
    fetched = invoke(["query-orders", "--source", "inbox", "--unsent"], config=cfg)
    assert fetched.exit_code == 0, fetched.stderr
    rendered = invoke(["render"], input=fetched.stdout or "", config=cfg)
    transformed = invoke(["transform", "--xslt", str(SHEET)], input=rendered.stdout, config=cfg)
    assert transformed.exit_code == 0, transformed.stderr
    delivered = invoke(["deliver", "--to", "mis"], input=transformed.stdout, config=cfg)
    marked = invoke(["query-orders", "mark-sent"], input=delivered.stdout, config=cfg)
    assert marked.exit_code == 0, marked.stderr
    return records(fetched.stdout), [r for r in records(delivered.stdout) if r["kind"] == "result"]


def test_cron_loop_delivers_once_then_emits_nothing(invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path]) -> None:
    cfg = config(tmp_path, tmp_config)
    orders, results = cron_run(invoke, cfg)
    assert sorted(o["key"] for o in orders) == ["1204", "1206"]
    assert sorted((r["key"], r["body"]["status"]) for r in results) == [("1204", "delivered"), ("1206", "delivered")]
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["1204.xml", "1206.xml"]
    assert b"<JobImport" in (out / "1204.xml").read_bytes()
    again, _ = cron_run(invoke, cfg)
    assert again == []
    story = orjson.loads(invoke(["state", "show", "1204"], config=cfg).stdout)
    assert story["order"]["export_status"] == "exported"
    events = [e["event"] for e in story["events"]]
    assert events.index("queued") < events.index("exported")
    assert [(d["status"], d["attempts"]) for d in story["deliveries"]] == [("delivered", 1)]


def test_failed_delivery_comes_back_until_dead(invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path]) -> None:
    cfg = config(tmp_path, tmp_config, conflict="fail")
    out = tmp_path / "out"
    out.mkdir()
    (out / "1206.xml").write_text("a file the consumer has not picked up")  # every send of 1206 fails
    _, first = cron_run(invoke, cfg)
    assert {r["key"]: r["body"]["status"] for r in first} == {"1204": "delivered", "1206": "failed"}
    second_orders, second = cron_run(invoke, cfg)
    assert [o["key"] for o in second_orders] == ["1206"]  # the failed one comes back, the delivered one does not
    assert [r["body"]["status"] for r in second] == ["failed"]
    third_orders, _ = cron_run(invoke, cfg)
    assert third_orders == []  # dead after max_attempts = 2: reported, not retried forever
    story = orjson.loads(invoke(["state", "show", "1206"], config=cfg).stdout)
    assert story["order"]["export_status"] == "dead" and story["order"]["attempts"] == 2
