"""Several hosts, one PostgreSQL store: the cron pipeline, push-stock and import-shipment, killed at random.

Each host is a working folder of its own with its own flowkit.toml, all naming
one database (``[state] url``), its commands run as process groups that the
test SIGKILLs at random moments (tests/scale_out_helpers.py). After the chaos
every host reruns, unharmed, until nothing is left to do. Then: every order
delivered exactly once (the destination counts every POST it stores) and
marked at the source, nothing left queued; no SKU's stock sequence ever goes
back; no shipment counted twice. A dead host's locks: tests/test_scale_out_locks.py.
"""

from __future__ import annotations

import random
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
    after,
    begun,
    chaos,
    check_clean,
    destination,
    each,
    host_config,
    make_hosts,
    output_lines,
    posts,
    query,
    settle,
    summary,
    until_done,
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


@pytest.mark.slow
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
        delivered_once(pg_url, dest, orders, hosts)
    finally:
        dest.stop()


def others(url: str) -> int:
    """Sessions of the database other than this look's own."""
    sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    return int(query(url, sql)[0][0])


def delivered_once(pg_url: str, dest: Server, orders: Orders, hosts: list[Host]) -> None:
    """Every order delivered once, marked at the source, exported; no other order touched; nothing left open."""
    wanted = orders.wanted
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


@pytest.mark.slow
def test_the_server_ending_every_host_session_mid_delivery_loses_and_doubles_nothing(
    tmp_path: Path, pg_url: str, api_server: tuple[str, Api]
) -> None:
    """3 hosts run the pipeline at once, two rounds, new orders before each; in each round the server ends
    all their sessions while an order is on its way to the destination: runs cut stop with 75 and one line
    naming the store, and the hosts' next runs finish the job, every order once."""
    base, api = api_server
    api.reset()
    orders = Orders(api)
    dest = destination(delay=0.05)
    try:
        hosts = make_hosts(tmp_path, 3, host_config(pg_url, api_base=base, dest_base=dest.base))
        runs: list[Run] = []
        cuts = []
        for _round in range(2):
            orders.add(6)
            goal = begun(dest) + 2
            going = [threading.Thread(target=lambda host=host: runs.append(host.run(PIPELINE))) for host in hosts]
            for thread in going:
                thread.start()
            wait_for(lambda goal=goal: begun(dest) >= goal and others(pg_url), timeout=30)  # an order on its way
            cuts.append(kill_connections(pg_url))
            for thread in going:
                thread.join()
        assert {run.code for run in runs} <= {0, 75}, summary(runs)
        cut_short = [run for run in runs if run.code == 75]
        assert cut_short, summary(runs)
        for run in cut_short:  # one line naming the store, no traceback
            assert "unreachable" in run.stderr.read_text(), run.stderr.read_text()
        settle(hosts, lambda host, n: PIPELINE, lambda: exported(pg_url) == orders.wanted == orders.marked())
        print(f"sessions ended: {cuts}; {len(cut_short)} of {len(runs)} runs stopped with 75")
        delivered_once(pg_url, dest, orders, hosts)
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


@pytest.mark.slow
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
    started = time.monotonic()

    def push_all(index: int, host: Host) -> None:
        until_done(host, [f"flowkit push-stock --target web {name}" for name in batches[index]], seed=index)

    each(hosts, push_all)
    watch.end()
    runs = [run for host in hosts for run in host.runs]
    killed = sum(run.code is None for run in runs)
    print(
        f"stock: {len(runs)} push-stock runs on {count} hosts in {time.monotonic() - started:.1f}s, {killed} SIGKILLed;"
        f" the ledger read {watch.reads} times meanwhile"
    )
    assert killed >= count and watch.reads > 10  # each host died at least once
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


@pytest.mark.slow
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
    started = time.monotonic()

    def import_all(index: int, host: Host) -> None:
        until_done(host, [f"flowkit import-shipment {name}" for name in batches[index]], seed=100 + index)

    each(hosts, import_all)
    runs = [run for host in hosts for run in host.runs]
    killed = sum(run.code is None for run in runs)
    print(
        f"shipments: {len(runs)} import-shipment runs on {count} hosts in {time.monotonic() - started:.1f}s, {killed} SIGKILLed"
    )
    assert killed >= count  # each host died at least once
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


@pytest.mark.slow
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
