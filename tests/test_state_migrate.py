"""``flowkit state migrate``: a real sqlite store, built by the sample pipeline, moved into a real PostgreSQL database.

The store is made by the commands themselves (query-orders | apply-rules | render | transform | deliver |
mark-sent, push-stock, import-shipment on samples/), copied with ``state migrate`` as a user runs it (a
subprocess), then compared table by table and row by row, and the pipeline is run again on the database:
nothing delivered twice, a stale stock line still refused, each order's story the same. The page that tells
users how (docs/scale-out.md) is run as written, its PostgreSQL host reached through libpq's PGHOSTADDR.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import ROOT, records
from docs_lines import doc_lines
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from flowkit.store import Store
from flowkit.store.location import parse
from flowkit.store.transfer import tables

PAGE = ROOT / "docs" / "scale-out.md"
SECRET = "Pg-s3cret-never-shown"
CONFIG = """\
[sources.inbox]
type = "dir"
path = "inbox"

[destinations.mis]
type = "hotfolder"
path = "out/mis"

[apply-rules]
rules = "samples/demo-rules.toml"

[render]
format = "xml"
history = true
approval_history = true

[channels.web.render]
payment = true
"""
ORDERS = (
    "flowkit query-orders --source inbox --unsent | flowkit apply-rules | flowkit render"
    " | flowkit transform --xslt samples/transform/mis-jobimport.xsl --param-from-meta supplier"
    " | tee -a payloads.ndjson | flowkit deliver --to mis | flowkit query-orders mark-sent"
)
STOCK = "flowkit push-stock samples/stock/message-1001.json samples/stock/late-1000.json samples/stock/inventory-1003.xml"
STOCK += " samples/stock/stock-1004.csv --target web"
SHIPMENTS = "flowkit import-shipment --orders samples/shipments/orders.ndjson samples/shipments/orderflow-shipment.soap.xml"
SHIPMENTS += " samples/shipments/despatch.ndjson --postback json"
KEYS = ("1203", "1204", "1205", "1206", "1207", "300045", "300048")


def env_for(work: Path, state: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLOWKIT_", "PG", "XDG_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
        HOME=str(work / "home"),
        FLOWKIT_CONFIG=str(work / "flowkit.toml"),
        FLOWKIT_STATE=state,
        NO_COLOR="1",
    )
    env.update(extra)
    return env


def sh(work: Path, script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )


def ok(work: Path, script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = sh(work, script, env)
    assert done.returncode == 0, f"{script}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose state.db the sample pipeline made: orders delivered to a hotfolder, stock and shipments applied."""
    work = tmp_path_factory.mktemp("built")
    shutil.copytree(ROOT / "samples", work / "samples")
    (work / "inbox").mkdir()
    (work / "home").mkdir()
    for order in (ROOT / "samples" / "orders").glob("*.json"):
        shutil.copy(order, work / "inbox")
    (work / "flowkit.toml").write_text(CONFIG, encoding="utf-8")
    env = env_for(work, str(work / "state.db"))
    for script in (ORDERS, STOCK, SHIPMENTS):
        ok(work, script, env)
    return work


@pytest.fixture
def work(built: Path, tmp_path: Path) -> Path:
    """This test's copy of the built folder (its state.db, hotfolder and payloads)."""
    return Path(shutil.copytree(built, tmp_path / "work"))


def sqlite_rows(path: Path, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    listed = ", ".join(f'"{c}"' for c in columns)
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute(f'SELECT {listed} FROM "{table}"').fetchall(), key=repr)


def pg_rows(url: str, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        query = sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table))
        return sorted(conn.execute(query).fetchall(), key=repr)


def pg_columns(url: str, table: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s", (table,)
        ).fetchall()
    return sorted(name for (name,) in rows)


def pg_counts(url: str) -> dict[str, int]:
    store = Store(parse(url))
    try:
        return {t: int(store.conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in tables(store)}
    finally:
        store.close()


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


def migrate(work: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return sh(work, " ".join(["flowkit", "state", "migrate", *args]), env or env_for(work, str(work / "state.db")))


def test_a_sample_store_moves_to_postgresql_whole_and_the_pipeline_goes_on_there(work: Path, pg_url: str) -> None:
    db = work / "state.db"
    before = sqlite_counts(db)
    assert all(before[t] > 0 for t in ("deliveries", "delivery_bodies", "stock_ledger", "shipments", "processed_messages"))
    assert all(before[t] > 0 for t in ("export_history", "events", "runs", "order_lines", "shipment_lines", "provenance"))
    stories = {key: ok(work, f"flowkit state show {key}", env_for(work, str(db))).stdout for key in KEYS}
    ledgers = [ok(work, s, env_for(work, str(db))).stdout for s in ("flowkit state exports", "flowkit state stock --target web")]

    done = migrate(work, "--from", "state.db", "--to", pg_url)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert sorted(lines[:-1]) == sorted(f"flowkit: state migrate: {t}: {n} rows copied" for t, n in before.items())
    assert lines[-1] == (
        f"flowkit: state migrate: {sum(before.values())} rows in {len(before)} tables copied from state.db"
        f" to {pg_url}; every count matches"
    )
    assert json.loads(done.stdout) == {"from": "state.db", "to": pg_url, "copied": before}
    assert pg_counts(pg_url) == before
    for table in before:  # every row, every column, bytes as they were (sqlite's rowid where the database spells it out)
        columns = pg_columns(pg_url, table)
        assert sqlite_rows(db, table, columns) == pg_rows(pg_url, table, columns), table

    pg = env_for(work, pg_url)
    assert {key: ok(work, f"flowkit state show {key}", pg).stdout for key in KEYS} == stories
    assert [ok(work, s, pg).stdout for s in ("flowkit state exports", "flowkit state stock --target web")] == ledgers

    files = {p.name: p.stat().st_mtime_ns for p in (work / "out" / "mis").iterdir()}
    assert sorted(files) == ["1204.xml", "1206.xml"]
    again = ok(work, ORDERS, pg)
    assert "nothing to do" in again.stderr
    resent = ok(work, "flowkit deliver --to mis < payloads.ndjson", pg)  # the very payloads of the first run
    statuses = {r["key"]: r["body"]["status"] for r in records(resent.stdout) if r["kind"] == "result"}
    assert statuses == {"1203": "skipped", "1204": "duplicate", "1206": "duplicate", "1207": "skipped"}  # 2 held
    assert {p.name: p.stat().st_mtime_ns for p in (work / "out" / "mis").iterdir()} == files

    (work / "stale.json").write_text(
        '{"message_seq": 2000, "lines": [{"sku": "TSHIRT-RED-M", "qty": 1, "seq": 500129, "source": "leeds"},'
        ' {"sku": "TSHIRT-RED-L", "qty": 9, "seq": 500160, "source": "leeds"}]}'
    )
    stock = records(ok(work, "flowkit push-stock stale.json --target web", pg).stdout)
    assert [(r["key"], r["body"]["result"]) for r in stock] == [("TSHIRT-RED-M", "superseded"), ("TSHIRT-RED-L", "success")]
    late = records(ok(work, "flowkit push-stock samples/stock/late-1000.json --target web", pg).stdout)
    assert {r["body"]["result"] for r in late} == {"duplicate"}
    level = {
        (r["sku"], r["source"]): (r["qty"], r["last_seq"])
        for r in records(ok(work, "flowkit state stock --target web --json", pg).stdout)
    }
    assert level[("TSHIRT-RED-M", "leeds")] == (40, 500130) and level[("TSHIRT-RED-L", "leeds")] == (9, 500160)
    shipped = records(ok(work, SHIPMENTS, pg).stdout)
    assert {r["body"]["result"] for r in shipped if r["kind"] == "shipment-result"} == {"duplicate"}

    after = pg_counts(pg_url)
    assert {t: after[t] for t in ("deliveries", "shipments", "shipment_lines", "delivery_bodies")} == {
        t: before[t] for t in ("deliveries", "shipments", "shipment_lines", "delivery_bodies")
    }
    ids = [r["id"] for r in records(ok(work, "flowkit state runs --limit 100", pg).stdout)]
    assert sorted(ids) == list(range(1, len(ids) + 1)) and len(ids) > before["runs"]  # the new runs' ids follow the copied


def test_back_from_postgresql_into_a_new_sqlite_file_gives_the_same_rows(work: Path, pg_url: str) -> None:
    assert migrate(work, "--from", "state.db", "--to", pg_url).returncode == 0
    done = migrate(work, "--from", pg_url, "--to", "copy.db")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1].endswith(f"copied from {pg_url} to copy.db; every count matches")
    original, copy = work / "state.db", work / "copy.db"
    assert sqlite_counts(copy) == sqlite_counts(original)
    for table in sqlite_counts(original):
        columns = pg_columns(pg_url, table)
        assert sqlite_rows(copy, table, columns) == sqlite_rows(original, table, columns), table
    story = ok(work, "flowkit state show 1204", env_for(work, str(copy))).stdout
    assert story == ok(work, "flowkit state show 1204", env_for(work, str(original))).stdout


def test_a_database_that_holds_rows_is_refused_and_left_as_it_was(work: Path, pg_url: str) -> None:
    assert migrate(work, "--from", "state.db", "--to", pg_url).returncode == 0
    held = pg_counts(pg_url)
    done = migrate(work, "--from", "state.db", "--to", pg_url)
    assert done.returncode == 78
    assert done.stderr.count("\n") == 1 and done.stdout == ""
    assert done.stderr.startswith(f"flowkit: error: state store {pg_url} is not empty (")
    assert pg_counts(pg_url) == held


def test_runs_still_going_are_named_and_force_copies_anyway(work: Path, pg_url: str) -> None:
    store = Store(work / "state.db")
    try:
        run = store.start_run("deliver", ["deliver", "--to", "mis"])  # this process: alive, on this host
    finally:
        store.close()
    done = migrate(work, "--from", "state.db", "--to", pg_url)
    assert done.returncode == 75
    assert done.stderr.startswith(
        f"flowkit: error: state migrate: 1 run(s) of state.db still going on this host (deliver, pid {os.getpid()}"
    )
    assert done.stderr.count("\n") == 1 and "--force" in done.stderr
    assert set(pg_counts(pg_url).values()) == {0}
    # the page's own line: with FLOWKIT_STATE naming the database, --to defaults to it
    [line] = [d for d in doc_lines([PAGE]) if "--force" in d.command]
    home = work / "home" / ".local" / "state" / "flowkit"
    home.mkdir(parents=True)
    shutil.copy(work / "state.db", home / "state.db")
    forced = sh(work, line.shell, env_for(work, pg_url))
    assert forced.returncode == 0, forced.stderr
    assert [
        r["id"] for r in records(ok(work, "flowkit state runs --command deliver --limit 1", env_for(work, pg_url)).stdout)
    ] == [run]


def test_a_row_the_database_refuses_leaves_every_table_empty(work: Path, pg_url: str) -> None:
    with sqlite3.connect(work / "state.db") as conn:  # PostgreSQL's text holds no NUL character; sqlite's does
        conn.execute(
            "INSERT INTO shipment_tracking (shipment_id, position, code) VALUES ((SELECT MIN(id) FROM shipments), 99, ?)",
            ("bad\x00code",),
        )
    done = migrate(work, "--from", "state.db", "--to", pg_url)
    assert done.returncode == 65, done.stderr
    *told, error = done.stderr.splitlines()
    assert "flowkit: state migrate: deliveries: 2 rows copied" in told  # tables before it were copied, then given back
    assert error.startswith(f"flowkit: error: state migrate: table shipment_tracking: {pg_url} refused a row of state.db (")
    assert "nothing was kept" in error and done.stdout == ""
    assert set(pg_counts(pg_url).values()) == {0}


def test_text_kept_as_bytes_and_bytes_kept_as_text_land_as_the_database_types_them(work: Path, pg_url: str) -> None:
    """sqlite holds either in any column; PostgreSQL's TEXT takes text and its BYTEA bytes."""
    with sqlite3.connect(work / "state.db") as conn:
        conn.execute(
            "INSERT INTO events (key, at, command, event, detail) VALUES ('9001', '2026-01-01', 'test', 'noted', ?)",
            ('{"café": 1}'.encode(),),
        )
        conn.execute(
            "INSERT INTO products (sku, content_hash, document, fetched_at, updated_at)"
            " VALUES ('SKU-1', 'h', '{\"sku\": \"SKU-1\"}', '2026-01-01', '2026-01-01')"
        )
    assert migrate(work, "--from", "state.db", "--to", pg_url).returncode == 0
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT detail FROM events WHERE key = '9001'").fetchone() == ('{"café": 1}',)
        assert conn.execute("SELECT document FROM products").fetchone() == (b'{"sku": "SKU-1"}',)


def test_the_password_is_never_shown(work: Path, pg_url: str) -> None:
    parts = conninfo_to_dict(pg_url)
    with_secret = f"postgresql://postgres:{SECRET}@{parts['host']}:{parts['port']}/{parts['dbname']}"
    by_reference = f"'postgresql://postgres:${{FLOWKIT_PG_PASSWORD}}@{parts['host']}:{parts['port']}/{parts['dbname']}'"
    env = env_for(work, str(work / "state.db"), FLOWKIT_PG_PASSWORD=SECRET)
    first = sh(work, f"flowkit --log-format json state migrate --from state.db --to {with_secret}", env)
    assert first.returncode == 0, first.stderr
    assert all(json.loads(line)["event"].startswith("migrate-") for line in first.stderr.splitlines())
    refused = migrate(work, "--from", "state.db", "--to", by_reference, env=env)
    assert refused.returncode == 78
    back = migrate(work, "--from", with_secret, "--to", "copy.db", env=env)
    assert back.returncode == 0, back.stderr
    for done in (first, refused, back):
        assert SECRET not in done.stdout + done.stderr and pg_url in done.stdout + done.stderr
    assert SECRET not in ok(work, "flowkit state runs --limit 100", env_for(work, pg_url)).stdout


def test_a_database_that_sorts_text_otherwise_is_said(work: Path, pg_server: Any) -> None:
    """A database made without the page's LC_COLLATE 'C' (here ICU's root locale): copied, with a warning."""
    url = pg_server.url("icu_order")
    with psycopg.connect(pg_server.url(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE icu_order TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'und'")
    try:
        done = migrate(work, "--from", "state.db", "--to", url)
        assert done.returncode == 0, done.stderr
        assert done.stderr.splitlines()[0] == (
            f"flowkit: warning: state migrate: {url} sorts text by 'und', not byte by byte as sqlite does, so listings"
            " may come in another order (create the database with LC_COLLATE 'C' from template0: docs/scale-out.md)"
        )
    finally:
        pg_server.drop_database(url)


def test_a_missing_source_file_is_said_and_not_created(work: Path, pg_url: str) -> None:
    done = migrate(work, "--from", "nowhere.db", "--to", pg_url)
    assert done.returncode == 78
    assert done.stderr == "flowkit: error: --from: no state store at nowhere.db\n"
    assert not (work / "nowhere.db").exists()
    same = migrate(work, "--from", "state.db", "--to", "./state.db")
    assert same.returncode == 2 and "name the same store" in same.stderr


def test_the_scale_out_page_runs_as_written(work: Path, pg_server: Any) -> None:
    """The page's SQL, config and command lines, in order, against the test cluster as db.example.com."""
    page = PAGE.read_text(encoding="utf-8")
    [setup] = re.findall(r"```sql\n(.*?)```", page, re.S)
    [config] = re.findall(r"```toml\n(.*?)```", page, re.S)
    (work / "flowkit.toml").write_text(CONFIG + "\n" + config, encoding="utf-8")
    home = work / "home" / ".local" / "state" / "flowkit"
    home.mkdir(parents=True)
    shutil.copy(work / "state.db", home / "state.db")
    port = conninfo_to_dict(pg_server.url())["port"]
    env = env_for(work, "", FLOWKIT_PG_PASSWORD="change-me", PGHOSTADDR="127.0.0.1", PGPORT=str(port))
    del env["FLOWKIT_STATE"]  # the config's [state] url
    with psycopg.connect(pg_server.url(), autocommit=True) as admin:
        for statement in filter(str.strip, " ".join(setup.split()).split(";")):
            admin.execute(statement.strip())
    try:
        url = make_conninfo(pg_server.url(), user="flowkit", dbname="flowkit")
        with psycopg.connect(url) as conn:  # over TCP: the role's keepalive settings apply to its sessions
            assert conn.execute("SHOW tcp_keepalives_idle").fetchone() == ("10",)
            assert conn.execute("SELECT datcollate FROM pg_database WHERE datname = 'flowkit'").fetchone() == ("C",)
        lines = [d for d in doc_lines([PAGE]) if "--force" not in d.command]  # --force: the test above runs it
        outcomes = {d.command: sh(work, d.shell, env) for d in lines}
        failed = {command: done.stderr for command, done in outcomes.items() if done.returncode != 0}
        assert failed == {}
        show = outcomes["flowkit state show 1203"].stdout
        assert json.loads(show)["order"]["number"] == "1203"
        assert show == ok(work, "flowkit state show 1203", env_for(work, str(work / "state.db"))).stdout
        assert "healthy" in outcomes["flowkit state check"].stdout
        assert sqlite_counts(work / "state-copy.db") == sqlite_counts(work / "state.db")
    finally:
        with psycopg.connect(pg_server.url(), autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS flowkit WITH (FORCE)")
            admin.execute("DROP ROLE IF EXISTS flowkit")
