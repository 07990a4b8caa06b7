"""The state store: file mode, WAL, migrations, runs, events, locks, purge (on both engines but the file's own)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Invoke

from flowkit.errors import TempFailError
from flowkit.store import Store
from flowkit.store import orders as orders_store
from flowkit.store.db import migrations
from flowkit.store.lock import exclusive

ORDER = {
    "schema": "flowkit.order/1",
    "number": "1203",
    "status": "approved",
    "source": {"system": "dir", "channel": {"id": "web"}},
    "supplier": {"id": "acme"},
    "lines": [{"id": "1", "sku": "V789", "quantity": 5}, {"id": "2", "sku": "FLY", "quantity": 100}],
}


@pytest.mark.sqlite_only
def test_new_store_is_private_wal_and_migrated(state_path: Path) -> None:
    store = Store(state_path)
    assert oct(os.stat(state_path).st_mode & 0o777) == "0o600"
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.version == max(m[0] for m in migrations())
    tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"runs", "events", "orders", "order_lines", "processed_messages"} <= tables
    version = store.version
    store.close()
    again = Store(state_path)  # reopening applies nothing twice
    assert again.version == version
    again.close()


def test_failed_migration_leaves_version_unchanged(state_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(state_path)
    dialect = store.dialect
    store.close()
    import flowkit.store.db as db

    current = migrations(dialect)
    broken = [*current, (current[-1][0] + 1, "9999_broken.sql", "CREATE TABLE x (a INTEGER); SELECT * FROM nope;")]
    monkeypatch.setattr(db, "migrations", lambda engine="sqlite": broken)
    with pytest.raises(Exception, match="migration 9999_broken.sql failed"):
        Store(state_path)
    monkeypatch.undo()
    store = Store(state_path)  # the schema as it was: the version before the broken one, no table x
    assert store.version == current[-1][0]
    assert store.columns("x") == set()
    store.close()


def test_runs_and_events(state_path: Path) -> None:
    store = Store(state_path)
    run_id = store.start_run("render", ["--format", "xml"])
    with store.transaction() as conn:
        store.add_event(conn, "1203", "render", "rendered", {"hash": "sha256:x"})
    store.finish_run(run_id, "ok", {"ok": 3})
    (run,) = store.runs()
    assert run["command"] == "render" and run["counts"] == {"ok": 3} and run["ended_at"]
    (event,) = store.events("1203")
    assert event["event"] == "rendered" and event["detail"] == {"hash": "sha256:x"}


def test_transaction_rolls_back_on_error(state_path: Path) -> None:
    store = Store(state_path)
    with pytest.raises(RuntimeError):
        with store.transaction() as conn:
            store.add_event(conn, "k", "c", "e")
            raise RuntimeError("boom")
    assert store.events("k") == []


def test_orders_upsert_and_lifecycle(state_path: Path) -> None:
    store = Store(state_path)
    with store.transaction():
        assert orders_store.upsert(store, ORDER, source="inbox", command="query-orders") == "new"
        assert orders_store.upsert(store, ORDER, source="inbox", command="query-orders") == "unchanged"
        orders_store.set_export_status(store, "1203", "held", command="apply-rules", reason="Review")
    row = orders_store.get(store, "1203")
    assert row is not None
    summary = (row["channel"], row["supplier"], row["export_status"], row["hold_reason"])
    assert summary == ("web", "acme", "held", "Review")
    assert [(line["sku"], line["quantity"]) for line in row["lines"]] == [("V789", 5), ("FLY", 100)]
    assert [e["event"] for e in store.events("1203")] == ["fetched", "held"]


def test_purge_keeps_sequences_and_work(state_path: Path) -> None:
    store = Store(state_path)
    run_id = store.start_run("deliver")
    store.finish_run(run_id, "ok", {})
    with store.transaction() as conn:
        orders_store.upsert(store, ORDER, source="inbox", command="query-orders")
        conn.execute("INSERT INTO processed_messages VALUES ('stock', 't', 7, '2000-01-01T00:00:00Z', 'ok')")
        conn.execute("UPDATE runs SET ended_at = '2000-01-01T00:00:00Z'")
        conn.execute("UPDATE events SET at = '2000-01-01T00:00:00Z'")
    deleted = store.purge(30)
    assert deleted["runs"] == 1 and deleted["events"] == 1
    assert store.conn.execute("SELECT count(*) FROM processed_messages").fetchone()[0] == 1
    assert orders_store.get(store, "1203") is not None


def test_lock_excludes_second_process_then_times_out(state_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys,time\nfrom pathlib import Path\nfrom flowkit.store.lock import exclusive\n"
            "from flowkit.store.location import is_url, parse\n"
            f"state = {str(state_path)!r}\n"
            "with exclusive(parse(state) if is_url(state) else Path(state), 'deliver'):\n"
            "    print('held', flush=True)\n    time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(TempFailError, match="another flowkit deliver run holds the lock") as info:
            with exclusive(state_path, "deliver", wait=0.3):
                pass
        assert info.value.exit_code == 75 and time.monotonic() - started >= 0.3
        holder.kill()  # SIGKILL: the kernel releases the flock (the server, the session's advisory lock)
        holder.wait()
        with exclusive(state_path, "deliver", wait=2):
            pass
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout:
            holder.stdout.close()


def test_state_cli_show_runs_purge(invoke: Invoke, state_path: Path) -> None:
    store = Store(state_path)
    with store.transaction():
        orders_store.upsert(store, ORDER, source="inbox", command="query-orders")
    store.finish_run(store.start_run("query-orders"), "ok", {"ok": 1})
    store.close()
    shown = invoke(["state", "show", "1203"])
    assert shown.exit_code == 0
    story = json.loads(shown.stdout)
    assert story["order"]["number"] == "1203" and story["events"][0]["event"] == "fetched"
    runs = invoke(["state", "runs"])
    assert json.loads(runs.stdout.splitlines()[0])["command"] == "query-orders"
    missing = invoke(["state", "show", "nope"])
    assert missing.exit_code == 65 and "nothing known about 'nope'" in missing.stderr
    purged = invoke(["state", "purge", "--older-than", "0"])
    assert purged.exit_code == 0 and json.loads(purged.stdout)["deleted"]["runs"] == 1


def test_store_from_a_newer_flowkit_is_refused(state_path: Path) -> None:
    store = Store(state_path)
    if store.dialect == "sqlite":  # where each engine keeps its schema version
        store.conn.execute("PRAGMA user_version = 999")
    else:
        with store.transaction() as conn:
            conn.execute("UPDATE flowkit_schema SET version = 999")
    store.close()
    with pytest.raises(Exception, match="schema version 999, newer than this flowkit knows") as info:
        Store(state_path)
    assert info.value.exit_code == 78
