"""Several hosts, one PostgreSQL store: a named lock of a host that dies is another's within seconds.

A named lock (``flowkit.store.lock.exclusive``) on PostgreSQL is a session
advisory lock on a connection of its own; the tests watch it in ``pg_locks``.
host1 holds it (query-orders over a slow source, push-stock with its input
still open), host2 waits for it (``[state] lock_timeout``); host1 is SIGKILLed
or the server ends its sessions (tests/servers/postgres.kill_connections).
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from query_orders_api import Api, serve
from scale_out_helpers import (
    Host,
    Orders,
    Run,
    advisory_holders,
    check_clean,
    host_config,
    kill_group,
    make_hosts,
    query,
    sessions,
    wait_for,
)
from servers.postgres import kill_connections


@pytest.fixture(scope="module")
def api_server() -> Iterator[tuple[str, Api]]:
    yield from serve()


LOCKED = {  # what holds a named lock a while, what then waits for it, and the lock's session name
    "query-orders": (
        "flowkit query-orders --source api --unsent > /dev/null",  # every source request is slow meanwhile
        "flowkit query-orders --source api --unsent > /dev/null",
        "flowkit lock query-orders",
    ),
    "push-stock": (
        "sleep 60 | flowkit push-stock --target web > /dev/null",  # its input not closed yet
        "flowkit push-stock --target web stock.ndjson > /dev/null",
        "flowkit lock push-stock-web",
    ),
}


def hold_then_wait(
    name: str, tmp_path: Path, pg_url: str, api_server: tuple[str, Api]
) -> tuple[list[Host], subprocess.Popen[bytes], Path, Api]:
    """host1 holding the lock of ``name`` (seen in pg_locks): its hosts, its process and stderr, the API."""
    base, api = api_server
    api.reset()
    Orders(api).add(5)
    hosts = make_hosts(tmp_path, 2, host_config(pg_url, api_base=base))
    (hosts[1].work / "stock.ndjson").write_text('{"message_seq": 1, "lines": [{"sku": "MUG", "qty": 4, "seq": 9}]}\n')
    assert hosts[0].run("flowkit state runs > /dev/null").code == 0  # the schema, as installing it does
    holder, waiter, session = LOCKED[name]
    with api.lock:
        api.faults["/api/"] = ["slow"] * 200
    first, _out, err = hosts[0].start(holder)
    wait_for(lambda: advisory_holders(pg_url, session), timeout=20)
    return hosts, first, err, api


@pytest.mark.parametrize("name", sorted(LOCKED))
def test_a_lock_of_a_host_killed_is_taken_over_by_a_waiting_host_within_seconds(
    name: str, tmp_path: Path, pg_url: str, api_server: tuple[str, Api]
) -> None:
    hosts, first, _err, api = hold_then_wait(name, tmp_path, pg_url, api_server)
    holder, waiter, session = LOCKED[name]
    [dead] = advisory_holders(pg_url, session)
    results: list[Run] = []
    second = threading.Thread(target=lambda: results.append(hosts[1].run(waiter)))
    second.start()
    try:
        wait_for(lambda: len(sessions(pg_url, session)) == 2, timeout=20)  # host2 is asking for the lock
        time.sleep(0.5)
        assert advisory_holders(pg_url, session) == [dead]  # ... and waits
        with api.lock:
            api.faults.clear()
        killed = time.monotonic()
        kill_group(first)
        taker = wait_for(lambda: [pid for pid in advisory_holders(pg_url, session) if pid != dead], timeout=10)
        took = time.monotonic() - killed
    finally:
        second.join()
    print(f"{name}: the lock taken over {took:.2f}s after its holder was SIGKILLed")
    assert took < 5 and len(taker) == 1
    [run] = results
    assert run.code == 0, run.stderr.read_text()
    check_clean(hosts)


def test_a_lock_whose_session_the_server_ends_is_free_at_once_and_its_holder_stops_cleanly(
    tmp_path: Path, pg_url: str, api_server: tuple[str, Api]
) -> None:
    hosts, first, err, api = hold_then_wait("query-orders", tmp_path, pg_url, api_server)
    holder, waiter, session = LOCKED["query-orders"]
    ended = time.monotonic()
    assert kill_connections(pg_url) >= 2  # the holder's lock session and its store's
    with api.lock:
        api.faults.clear()
    taken = hosts[1].run(waiter)
    assert taken.code == 0, taken.stderr.read_text()
    print(f"the lock free {taken.seconds:.2f}s after the server ended its session, the next host's run included")
    assert time.monotonic() - ended < 5 + taken.seconds
    code = first.wait(timeout=30)
    said = err.read_text()
    assert code == 75, said  # its store is gone: a temporary failure, one line, nothing half-written
    assert "unreachable" in said and "Traceback" not in said
    check_clean(hosts)


def test_a_holder_whose_lock_session_alone_ends_stops_before_another_host_runs(
    tmp_path: Path, pg_url: str, api_server: tuple[str, Api]
) -> None:
    hosts, first, err, api = hold_then_wait("query-orders", tmp_path, pg_url, api_server)
    holder, waiter, session = LOCKED["query-orders"]
    [pid] = advisory_holders(pg_url, session)
    query(pg_url, "SELECT pg_terminate_backend(%s)", (pid,))
    with api.lock:
        api.faults["/api/"] = ["slow"] * 4  # the holder is still at work a moment longer
    second = hosts[1].run(waiter)
    code = first.wait(timeout=30)
    check_clean(hosts)
    assert second.code == 0, second.stderr.read_text()
    runs = query(pg_url, "SELECT host, started_at, ended_at, status FROM runs WHERE command = 'query-orders' ORDER BY id")
    overlapped = runs[0][3] == "ok" and runs[0][2] > runs[1][1]
    assert code == 75 and not overlapped, (code, err.read_text(), runs)
