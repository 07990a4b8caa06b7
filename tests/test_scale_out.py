"""Several hosts, one PostgreSQL store: the cron pipeline, push-stock and import-shipment, killed at random.

Each host is a working folder of its own with its own flowkit.toml, all naming
one database (``[state] url``), its commands run as process groups that the
test SIGKILLs at random moments (tests/scale_out_helpers.py). After the chaos
every host reruns, unharmed, until nothing is left to do. Then: every order
delivered exactly once (the destination counts every POST it stores) and
marked at the source, nothing left queued; no SKU's stock sequence ever goes
back; no shipment counted twice; a dead host's lock taken over within seconds.
"""

from __future__ import annotations

import random
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest
from query_orders_api import Api, serve
from scale_out_helpers import (
    PIPELINE,
    Host,
    Orders,
    Run,
    Trigger,
    advisory_holders,
    after,
    begun,
    chaos,
    check_clean,
    destination,
    each,
    host_config,
    kill_group,
    make_hosts,
    output_lines,
    posts,
    query,
    sessions,
    settle,
    summary,
    wait_for,
)
from servers.http import Server
from servers.postgres import kill_connections


@pytest.fixture(scope="module")
def api_server() -> Iterator[tuple[str, Api]]:
    yield from serve()


def exported(url: str) -> set[str]:
    return {number for (number,) in query(url, "SELECT number FROM orders WHERE export_status = 'exported'")}


def mid_run(dest: Server) -> Trigger:
    """When to SIGKILL a pipeline: when k more orders have reached the destination (k random, 1 to 4:
    while the k-th is being sent, before its answer), for a host's first run and a third of the others;
    at a random moment for another third; never for the rest. Runs still going at the end die then."""
    timed = after(0.3, 4.0)

    def draw(rng: random.Random, n: int) -> Callable[[float], bool] | None:
        pick = 0.0 if n == 0 else rng.random()
        if pick < 1 / 3:
            goal = begun(dest) + rng.randint(1, 4)
            return lambda elapsed: begun(dest) >= goal
        return timed(rng, n) if pick < 2 / 3 else None

    return draw


@pytest.mark.parametrize("count", [2, 4])
def test_the_cron_pipeline_on_several_hosts_killed_at_random_delivers_every_order_once(
    count: int, tmp_path: Path, pg_url: str, api_server: tuple[str, Api]
) -> None:
    base, api = api_server
    api.reset()
    orders = Orders(api, cancelled_every=8)
    orders.add(10)
    dest = destination(delay=0.02)
    try:
        hosts = make_hosts(tmp_path, count, host_config(pg_url, api_base=base, dest_base=dest.base))
        started = time.monotonic()
        feeding = orders.feed(2, every=1.0, until=started + 8)  # orders keep coming while hosts die
        wild = chaos(hosts, lambda host, n: PIPELINE, seconds=10, seed=count, trigger=mid_run(dest))
        feeding.join()
        chaos_seconds, during = time.monotonic() - started, begun(dest)
        assert wild.killed >= count, summary(wild.runs)  # each host died at least once
        unharmed = [run for run in wild.runs if run.code is not None]
        assert {run.code for run in unharmed} <= {0}, summary(wild.runs)
        wanted = orders.wanted
        calm = settle(hosts, lambda host, n: PIPELINE, lambda: exported(pg_url) == wanted and orders.marked() == wanted)
        recovered = query(pg_url, "SELECT count(*) FROM deliveries WHERE response LIKE '%reconciled%' OR attempts > 1")
        print(
            f"{count} hosts: {len(wild.runs)} pipelines in {chaos_seconds:.1f}s, {wild.killed} SIGKILLed;"
            f" {len(calm)} after; {sum(posts(dest).values())} POSTs ({during} during the kills) for {len(wanted)} orders,"
            f" {recovered[0][0]} found again after a kill; {time.monotonic() - started:.1f}s in all"
        )
        # the server keeps every POST as a create (it knows no idempotency header of flowkit's): once each
        assert dict(dest.state.creates) == {f"/orders/{number}": 1 for number in wanted}
        assert orders.marked() == wanted
        statuses = dict(query(pg_url, "SELECT number, export_status FROM orders"))
        assert {n for n, s in statuses.items() if s == "exported"} == wanted
        assert {s for n, s in statuses.items() if n not in wanted} <= {"cancelled"}  # never queued, never sent
        ledger = query(pg_url, "SELECT key, status, count(*) FROM deliveries GROUP BY key, status ORDER BY key")
        assert ledger == [(number, "delivered", 1) for number in sorted(wanted)]
        if hosts[0].own_name:  # the store saw each host by its own name
            names = {name for (name,) in query(pg_url, "SELECT DISTINCT host FROM runs")}
            assert names == {host.name for host in hosts}
        check_clean(hosts)
    finally:
        dest.stop()


def stock_messages(hosts: int, per_host: int, skus: int, seed: int) -> list[list[dict[str, Any]]]:
    """Each host's stock messages: message m of host h gives seq m * hosts + h + 1 to a random half of the
    SKUs (the hosts' seqs interleave), its messages a little out of order (late ones arrive superseded)."""
    rng = random.Random(seed)
    out = []
    for h in range(hosts):
        messages = []
        for m in range(per_host):
            seq = m * hosts + h + 1
            chosen = sorted(rng.sample(range(skus), skus // 2))
            lines = [{"sku": f"SKU-{s:02d}", "qty": (seq * 7 + s) % 500, "seq": seq} for s in chosen]
            messages.append({"message_seq": (h + 1) * 1000 + m, "lines": lines})
        for i in range(0, per_host - 1, 3):  # swap neighbours now and then
            messages[i], messages[i + 1] = messages[i + 1], messages[i]
        out.append(messages)
    return out


class LedgerWatch:
    """Reads the stock ledger over and over while hosts write it; notes any SKU whose seq went back."""

    def __init__(self, url: str) -> None:
        self.url, self.reads, self.back = url, 0, []  # type: list[str]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self) -> None:
        seen: dict[str, int] = {}
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                for sku, seq in conn.execute("SELECT sku, last_seq FROM stock_ledger WHERE target = 'web'").fetchall():
                    if seq < seen.get(sku, 0):
                        self.back.append(f"{sku}: {seen[sku]} -> {seq}")
                    seen[sku] = max(seq, seen.get(sku, 0))
                self.reads += 1
                time.sleep(0.01)

    def end(self) -> None:
        self.stop.set()
        self.thread.join()


def test_hosts_pushing_interleaved_stock_sequences_never_move_a_sku_back(tmp_path: Path, pg_url: str) -> None:
    count, skus = 3, 12
    plan = stock_messages(count, per_host=18, skus=skus, seed=7)
    hosts = make_hosts(tmp_path, count, host_config(pg_url))
    batches: list[list[str]] = []
    for host, messages in zip(hosts, plan, strict=True):
        names = []
        for b in range(0, len(messages), 3):  # three messages a run
            path = host.work / f"stock-{b // 3}.ndjson"
            path.write_bytes(b"".join(orjson.dumps(m) + b"\n" for m in messages[b : b + 3]))
            names.append(path.name)
        batches.append(names)
    assert hosts[0].run("flowkit state runs > /dev/null").code == 0  # the schema, before anyone watches it
    watch = LedgerWatch(pg_url)
    kill = after(0.15, 0.9)
    started = time.monotonic()

    def push_all(index: int, host: Host) -> None:
        rng = random.Random(index)
        for name in batches[index]:
            while True:  # a killed or refused run is run again, as cron would
                run = host.run(f"flowkit push-stock --target web {name}", kill_when=kill(rng, 0) if rng.random() < 0.5 else None)
                if run.code == 0:
                    break
                assert run.code is None, summary(host.runs)

    each(hosts, push_all)
    watch.end()
    runs = [run for host in hosts for run in host.runs]
    killed = sum(run.code is None for run in runs)
    print(
        f"stock: {len(runs)} push-stock runs on {count} hosts in {time.monotonic() - started:.1f}s, {killed} SIGKILLed;"
        f" the ledger read {watch.reads} times meanwhile"
    )
    assert killed >= 1 and watch.reads > 10
    assert watch.back == []
    newest: dict[str, tuple[int, int]] = {}
    for messages in plan:
        for message in messages:
            for line in message["lines"]:
                if line["seq"] > newest.get(line["sku"], (0, 0))[0]:
                    newest[line["sku"]] = (line["seq"], line["qty"])
    ledger = {
        sku: (seq, qty) for sku, seq, qty in query(pg_url, "SELECT sku, last_seq, qty FROM stock_ledger WHERE target = 'web'")
    }
    assert ledger == newest
    applied: dict[str, list[int]] = {}
    for key, detail in query(pg_url, "SELECT key, detail FROM events WHERE event = 'stock-applied' ORDER BY id"):
        applied.setdefault(key, []).append(orjson.loads(detail)["seq"])
    for sku, seqs in applied.items():  # in the order applied: always up, never the same twice
        assert seqs == sorted(set(seqs)), (sku, seqs)
    for sku, seq, history in query(pg_url, "SELECT sku, last_seq, history FROM stock_ledger"):
        assert [int(s) for s in history.split()] == applied[sku] and applied[sku][-1] == seq
    messages = {m for (m,) in query(pg_url, "SELECT message_seq FROM processed_messages WHERE kind = 'stock'")}
    assert messages == {m["message_seq"] for ms in plan for m in ms}
    successes: dict[tuple[str, int], int] = {}
    for run in runs:  # what each run said, killed ones too: a line applied is reported applied once
        for record in output_lines(run.stdout):
            body = record.get("body") or {}
            if body.get("result") == "success":
                successes[(body["sku"], body["seq"])] = successes.get((body["sku"], body["seq"]), 0) + 1
    assert set(successes.values()) <= {1}
    assert {(sku, s) for sku, seqs in applied.items() for s in seqs} >= set(successes)
    check_clean(hosts)


def shipment_messages(numbers: list[str]) -> list[dict[str, Any]]:
    """Two despatch messages per order that ship it whole between them: a mug from leeds, then the other
    mug from york and the calendar from leeds (one message, two shipments: one per source)."""
    out = []
    for index, number in enumerate(numbers):
        out.append(
            {"message_seq": 5000 + 2 * index, "order": number, "lines": [{"sku": "MUG-WHT-330", "qty": 1, "source": "leeds"}]}
        )
        out.append(
            {
                "message_seq": 5001 + 2 * index,
                "order": number,
                "lines": [
                    {"sku": "MUG-WHT-330", "qty": 1, "source": "york"},
                    {"sku": "CAL-A3-2026", "qty": 1, "source": "leeds"},
                ],
                "tracking": [f"TRK{index}"],
            }
        )
    return out


def test_hosts_importing_the_same_shipments_at_once_count_each_once(
    tmp_path: Path, pg_url: str, api_server: tuple[str, Api]
) -> None:
    base, api = api_server
    api.reset()
    orders = Orders(api)
    orders.add(12)
    count = 3
    hosts = make_hosts(tmp_path, count, host_config(pg_url, api_base=base))
    assert hosts[0].run("flowkit query-orders --source api > /dev/null").code == 0  # the orders, as the shop has them
    numbers = sorted(orders.wanted)
    plan = shipment_messages(numbers)
    batches: list[list[str]] = []
    for index, host in enumerate(hosts):  # every host gets every message, each in its own order
        mine = random.Random(index).sample(plan, len(plan))
        names = []
        for b in range(0, len(mine), 4):
            path = host.work / f"despatch-{b // 4}.ndjson"
            path.write_bytes(b"".join(orjson.dumps(m) + b"\n" for m in mine[b : b + 4]))
            names.append(path.name)
        batches.append(names)
    kill = after(0.15, 0.9)
    started = time.monotonic()

    def import_all(index: int, host: Host) -> None:
        rng = random.Random(100 + index)
        for name in batches[index]:
            while True:
                run = host.run(f"flowkit import-shipment {name}", kill_when=kill(rng, 0) if rng.random() < 0.5 else None)
                if run.code == 0:
                    break
                assert run.code is None, summary(host.runs)

    each(hosts, import_all)
    runs = [run for host in hosts for run in host.runs]
    killed = sum(run.code is None for run in runs)
    print(
        f"shipments: {len(runs)} import-shipment runs on {count} hosts in {time.monotonic() - started:.1f}s, {killed} SIGKILLed"
    )
    assert killed >= 1
    rows = query(pg_url, "SELECT message_seq, source, count(*) FROM shipments GROUP BY message_seq, source ORDER BY 1, 2")
    expected = sorted((m["message_seq"], line["source"], 1) for m in plan for line in m["lines"])
    assert rows == sorted(set(expected))  # one shipment per message and source, none twice
    lines = query(pg_url, "SELECT number, sku, quantity, quantity_shipped FROM order_lines ORDER BY number, sku")
    assert len(lines) == 2 * len(numbers)
    assert all(shipped == quantity for _n, _s, quantity, shipped in lines), lines  # shipped in full, never more
    per_line = query(
        pg_url,
        """SELECT s.number, l.sku, sum(l.quantity) FROM shipment_lines l JOIN shipments s ON s.id = l.shipment_id
           GROUP BY s.number, l.sku ORDER BY 1, 2""",
    )
    assert per_line == [(n, s, q) for n, s, q, _shipped in lines]
    assert {s for (s,) in query(pg_url, "SELECT DISTINCT status FROM orders")} == {"shipped"}
    processed = {m for (m,) in query(pg_url, "SELECT message_seq FROM processed_messages WHERE kind = 'shipment'")}
    assert processed == {m["message_seq"] for m in plan}
    successes: dict[int, int] = {}
    for run in runs:  # what each run said, killed ones too: a message recorded is reported a success once
        for record in output_lines(run.stdout):
            body = record.get("body") or {}
            if body.get("result") == "success":
                successes[body["message_seq"]] = successes.get(body["message_seq"], 0) + 1
    assert set(successes.values()) <= {1}
    check_clean(hosts)


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


@pytest.mark.xfail(
    strict=True,
    reason="a named lock is a session advisory lock on a connection of its own (store/postgres.py advisory()): when"
    " the server ends that session alone (pg_terminate_backend, an idle or network cut of that one connection) the"
    " holder never notices and runs on, its store connection intact, while a waiting host takes the lock: two runs"
    " of one command overlap. Holding it on the store's own connection (a lost lock then fails the holder's next"
    " write, exit 75) or checking the lock session before each unit of work would close this.",
)
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


def test_orders_a_dead_host_had_queued_go_out_from_another_host_after_requeue_after(
    tmp_path: Path, pg_url: str, api_server: tuple[str, Api]
) -> None:
    """A host dies mid-delivery and never comes back: another host leaves the orders that host had queued
    alone (its pipeline may be running there: the store cannot look into another machine) until
    ``--requeue-after``, then sends each of them once; the one in flight when it died is found delivered.
    (Hosts sharing one machine's name see the dead pipeline's process group gone and take them at once.)"""
    base, api = api_server
    api.reset()
    orders = Orders(api)
    orders.add(6)
    dest = destination(delay=0.3)
    try:
        hosts = make_hosts(tmp_path, 2, host_config(pg_url, api_base=base, dest_base=dest.base))
        dead = hosts[0].run(PIPELINE, kill_when=lambda elapsed: begun(dest) >= 2)  # while its second order is sent
        assert dead.code is None
        queued = {n for (n,) in query(pg_url, "SELECT number FROM orders WHERE export_status = 'queued'")}
        assert len(queued) >= 5
        first = hosts[1].run(PIPELINE)
        assert first.code == 0, first.stderr.read_text()
        if hosts[0].own_name:  # host1's orders are left to it: only the time limit hands them over
            assert begun(dest) == 2 and orders.marked() == set()
        time.sleep(1)
        later = hosts[1].run(PIPELINE.replace("--unsent", "--unsent --requeue-after 1"))
        assert later.code == 0, later.stderr.read_text()
        assert dict(dest.state.creates) == {f"/orders/{number}": 1 for number in orders.wanted}
        assert orders.marked() == orders.wanted == exported(pg_url)
        [(reconciled,)] = query(pg_url, "SELECT count(*) FROM deliveries WHERE response LIKE '%reconciled%'")
        assert 1 <= reconciled <= 2  # in flight when host1 died (and the one before, its outcome unwritten): found there
        check_clean(hosts)
    finally:
        dest.stop()
