"""The PostgreSQL test server itself (tests/servers/postgres.py): it starts, isolates tests, and can cut sessions."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from servers import postgres


@pytest.fixture
def other_url(pg_server: Any) -> Any:
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url)


def tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").fetchall()
    return [name for (name,) in rows]


def test_the_server_listens_on_loopback_and_runs_postgresql(pg_server: Any) -> None:
    assert pg_server.port > 1024
    assert pg_server.url("x") == f"postgresql://postgres@127.0.0.1:{pg_server.port}/x"
    with psycopg.connect(pg_server.url()) as conn:
        version = conn.execute("SHOW server_version_num").fetchone()
        addresses = conn.execute("SHOW listen_addresses").fetchone()
        encoding = conn.execute("SHOW server_encoding").fetchone()
    assert version is not None and int(version[0]) >= 130000
    assert addresses == ("127.0.0.1",)
    assert encoding == ("UTF8",)


def test_each_test_gets_a_different_empty_database(pg_url: str, other_url: str) -> None:
    assert pg_url != other_url
    assert tables(pg_url) == [] and tables(other_url) == []
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE ledger (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text)")
        conn.execute("INSERT INTO ledger (body) VALUES ('é✓')")
    assert tables(pg_url) == ["ledger"]
    assert tables(other_url) == []
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT id, body FROM ledger").fetchall() == [(1, "é✓")]


def test_a_dropped_database_is_gone_even_with_a_session_open(pg_server: Any) -> None:
    url = pg_server.create_database()
    lingering = psycopg.connect(url)
    try:
        pg_server.drop_database(url)
        with psycopg.connect(pg_server.url()) as conn:
            name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
            assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone() == (0,)
    finally:
        lingering.close()


def test_kill_connections_ends_the_other_sessions_of_that_database_only(pg_url: str, other_url: str) -> None:
    victim = psycopg.connect(pg_url, autocommit=True)
    bystander = psycopg.connect(other_url, autocommit=True)
    try:
        victim.execute("SELECT pg_advisory_lock(42)")  # a session lock a dying host holds
        assert postgres.kill_connections(pg_url) == 1
        with pytest.raises(psycopg.OperationalError):
            victim.execute("SELECT 1")
        assert victim.closed
        assert bystander.execute("SELECT 1").fetchone() == (1,)
        with psycopg.connect(pg_url, autocommit=True) as survivor:  # the lock died with the session
            assert survivor.execute("SELECT pg_try_advisory_lock(42)").fetchone() == (True,)
    finally:
        victim.close()
        bystander.close()


def test_a_second_cluster_starts_within_seconds() -> None:
    began = time.monotonic()
    server = postgres.start()
    try:
        elapsed = time.monotonic() - began
        with psycopg.connect(server.create_database()) as conn:
            assert conn.execute("SELECT current_user").fetchone() == ("postgres",)
    finally:
        server.stop()
    assert not server.root.exists()
    assert elapsed < 10, f"start-up took {elapsed:.1f} s"


def test_missing_binaries_are_an_error_naming_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(postgres, "DISTRO_BINDIRS", str(tmp_path / "*" / "bin"))
    with pytest.raises(FileNotFoundError, match="install the distribution's postgresql package"):
        postgres.start()
