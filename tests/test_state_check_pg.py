"""``flowkit state check`` on a PostgreSQL store (store/health.py ``check_database``), against a real server."""

from __future__ import annotations

import psycopg
from conftest import Invoke

from flowkit.store import Store
from flowkit.store.location import parse


def test_a_fresh_database_is_healthy_and_its_ledgers_are_counted(invoke: Invoke, pg_url: str) -> None:
    Store(parse(pg_url)).close()  # created at the current schema
    result = invoke(["--state", pg_url, "state", "check"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"state store {pg_url}: healthy"
    assert any(line.strip().startswith("database ") and "PostgreSQL" in line for line in lines)
    assert "  schema version 17 (current)" in lines
    assert "  deliveries: 0 row(s), the delivery ledger (what was sent where)" in lines


def test_a_missing_ledger_table_is_a_problem_exit_78(invoke: Invoke, pg_url: str) -> None:
    Store(parse(pg_url)).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP TABLE stock_ledger")
    result = invoke(["--state", pg_url, "state", "check"])
    assert result.exit_code == 78
    assert "NOT healthy" in result.stdout
    assert "problem: schema: table(s) stock_ledger of migration 0016_baseline.sql missing" in result.stdout
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_a_server_that_does_not_answer_is_a_problem_not_a_traceback(invoke: Invoke) -> None:
    url = "postgresql://postgres@127.0.0.1:9/none"  # the discard port: nothing listens
    result = invoke(["--state", url, "state", "check"])
    assert result.exit_code == 78
    assert f"state store {url}: NOT healthy" in result.stdout and "problem: cannot connect" in result.stdout
    assert "Traceback" not in result.stderr
