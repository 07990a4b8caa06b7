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
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from query_orders_api import Api, serve
from scale_out_helpers import (
    PIPELINE,
    Orders,
    Trigger,
    after,
    begun,
    chaos,
    check_clean,
    destination,
    host_config,
    make_hosts,
    posts,
    query,
    settle,
    summary,
)
from servers.http import Server


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
        assert dict(dest.state.creates) == {f"/orders/{number}": 1 for number in wanted}
        assert posts(dest) == dict(dest.state.creates)  # every POST stored: none was a second send
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
