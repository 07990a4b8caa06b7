"""Shared fixtures: an isolated HOME/config/state per test and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner, Result

from flowkit.cli import cli

pytest_plugins = ("servers.fixtures",)  # real servers on 127.0.0.1 (tests/servers/)

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real user's config or state."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".state"))
    for name in ("FLOWKIT_CONFIG", "FLOWKIT_STATE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return home


PG_STATE = os.environ.get("FLOWKIT_TEST_STATE", "sqlite") == "postgresql"  # the store tests' second engine


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: looks at the sqlite file itself; skipped on PostgreSQL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL: skip what is sqlite's own, and leave out the tests that never open ``state_path`` (no store of theirs to run on it)."""
    if not PG_STATE:
        return
    skip = pytest.mark.skip(reason="sqlite's own (FLOWKIT_TEST_STATE=postgresql)")
    kept, left = [], []
    for item in items:
        (kept if "state_path" in getattr(item, "fixturenames", ()) else left).append(item)
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(scope="session")
def pg_migrated(pg_server: Any) -> str:
    """A database holding the store's schema, migrated once: the template each test's database is copied from."""
    from flowkit.store import Store
    from flowkit.store.location import parse

    url: str = pg_server.create_database()
    Store(parse(url)).close()
    return url.rsplit("/", 1)[1]


@pytest.fixture
def state_path(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The test's state store: a sqlite file, or with FLOWKIT_TEST_STATE=postgresql a fresh database (a PgUrl).

    Either way ``str()`` of it is what ``--state`` takes and ``Store(it)`` opens it. The database is
    a copy of ``pg_migrated`` (~40 ms, where migrating an empty one takes ~150), dropped afterwards.
    """
    if not PG_STATE:
        yield tmp_path / "state.db"
        return
    import uuid

    import psycopg

    from flowkit.store.location import parse

    server, template = request.getfixturevalue("pg_server"), request.getfixturevalue("pg_migrated")
    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield parse(server.url(name))
    server.drop_database(server.url(name))


@pytest.fixture
def tmp_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write a config file and return its path."""

    def write(text: str, name: str = "flowkit.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


Invoke = Callable[..., Result]


@pytest.fixture
def invoke(state_path: Path) -> Invoke:
    """Run ``flowkit ARGS`` in-process with a private state store."""

    def run(
        args: Sequence[str], input: str | bytes | None = None, config: Path | None = None, env: dict[str, str] | None = None
    ) -> Result:
        prefix = ["--state", str(state_path)]
        if config is not None:
            prefix += ["--config", str(config)]
        return CliRunner().invoke(cli, [*prefix, *args], input=input, env=env, catch_exceptions=False, prog_name="flowkit")

    return run


def records(text: str) -> list[dict[str, Any]]:
    """Parse NDJSON output into records."""
    return [orjson.loads(line) for line in text.splitlines() if line.strip()]


def store_rows(state: Any, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` in the test's store (either engine), as plain tuples, read by a connection of its own."""
    from flowkit.store import Store

    store = Store(state)
    try:
        return [tuple(row) for row in store.conn.execute(sql, params)]
    finally:
        store.close()


def record_line(kind: str, key: str, body: Any, meta: dict[str, Any] | None = None, type: str = "application/json") -> str:
    return (
        orjson.dumps({"flowkit": "record/1", "kind": kind, "key": key, "type": type, "meta": meta or {}, "body": body}).decode()
        + "\n"
    )


@contextmanager
def conversation(args: Sequence[str], timeout: float = 30) -> Iterator[Callable[[str], dict[str, Any]]]:
    """``flowkit ARGS`` with its stdin kept open: send one input line, read one output record back.

    A command that waited for more input before answering would hang here; it is killed
    after ``timeout`` seconds. Closing stdin at the end, the command must exit 0.
    """
    cmd = [sys.executable, "-m", "flowkit", *args]
    with subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        stdin, stdout = proc.stdin, proc.stdout
        assert stdin is not None and stdout is not None
        timer = threading.Timer(timeout, proc.kill)
        timer.start()

        def exchange(line: str) -> dict[str, Any]:
            stdin.write(line.encode())
            stdin.flush()
            answer: dict[str, Any] = orjson.loads(stdout.readline())
            return answer

        try:
            yield exchange
            stdin.close()
            assert proc.wait() == 0
        finally:
            timer.cancel()


class LivePipeline:
    """``flowkit ARGS`` run to the end in a process group of its own that stays alive afterwards.

    It stands for an overlapping cron pipeline whose query-orders has queued its
    orders while a later stage (deliver, say) is still running: the group keeps
    a process until ``end()`` (or the test's end) kills it.
    """

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen[bytes]] = []

    def __call__(self, args: Sequence[str], *, state: Path, config: Path | None = None) -> list[dict[str, Any]]:
        import os
        import shlex
        import time

        out = self.tmp_path / f"live-{len(self.procs)}.ndjson"
        prefix = [sys.executable, "-m", "flowkit", "--state", str(state)]
        if config is not None:
            prefix += ["--config", str(config)]
        part, done = shlex.quote(f"{out}.part"), shlex.quote(str(out))
        script = f"{shlex.join([*prefix, *args])} > {part} && mv {part} {done}; exec sleep 300"
        proc = subprocess.Popen(["bash", "-c", script], start_new_session=True, env=dict(os.environ))
        self.procs.append(proc)
        deadline = time.monotonic() + 30
        while not out.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "the live pipeline's command failed"
            time.sleep(0.02)
        return records(out.read_text())

    def end(self) -> None:
        import os
        import signal

        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def live_pipeline(tmp_path: Path) -> Iterator[LivePipeline]:
    pipeline = LivePipeline(tmp_path)
    try:
        yield pipeline
    finally:
        pipeline.end()
