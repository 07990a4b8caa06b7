"""More senders: several deliver processes share one destination's work on a PostgreSQL store, exactly once.

Each run holds an advisory lock naming itself (its run id); a key another live run is sending is left to that
run (a ``skipped`` result naming it, not a failure), a dead run's ``sending`` row is recovered as on sqlite.
2 and 4 processes, each in a working directory of its own, over the same, overlapping and disjoint inputs,
deliver to one HTTP server that counts every POST; then the same with SIGKILL of random processes and a rerun.
The server answers each first request for a key after 10 ms, so runs overlap on keys.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest

from flowkit.deliver.claims import WINDOW
from flowkit.store import Store, delivery_claims
from flowkit.store import delivery as ledger
from flowkit.store.location import parse

SLOW = ("hang", 0.01)


def batch(path: Path, keys: list[str]) -> Path:
    with path.open("wb") as out:
        for key in keys:
            record = {"flowkit": "record/1", "kind": "payload", "key": key, "type": "application/json"}
            out.write(orjson.dumps({**record, "meta": {"channel": "web"}, "body": {"number": key, "total": "9.90"}}) + b"\n")
    return path


def config(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "flowkit.toml"
    text = f'[destinations.erp]\ntype = "http"\nurl = "{base}/orders/{{key}}"\ntimeout = 10\nbase_delay = 0.01\n'
    path.write_text(text, encoding="utf-8")
    return path


def start(url: str, conf: Path, source: Path, host: Path) -> subprocess.Popen[bytes]:
    """A deliver run in a working directory of its own (a host), on the shared store."""
    host.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "flowkit", "--state", url, "--config", str(conf), "deliver", "--to", "erp", str(source)]
    return subprocess.Popen(command, cwd=host, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen[bytes]) -> tuple[int, list[dict[str, Any]], str]:
    out, err = proc.communicate(timeout=120)
    return proc.returncode, [orjson.loads(line)["body"] for line in out.splitlines()], err.decode()


def inputs(folder: Path, keys: list[str], processes: int, layout: str, rng: random.Random) -> list[Path]:
    """Each process's input: every key (each in its own order), its slice and the next one's, or its slice alone."""
    folder.mkdir(exist_ok=True)
    size = len(keys) // processes
    slices = [keys[n * size : (n + 1) * size] for n in range(processes)]
    out = []
    for n in range(processes):
        if layout == "same":
            mine = rng.sample(keys, len(keys))
        elif layout == "overlapping":
            mine = slices[n] + slices[(n + 1) % processes]
        else:
            mine = slices[n]
        out.append(batch(folder / f"in-{n}.ndjson", mine))
    return out


def posts(http_server: Any) -> Counter[str]:
    return Counter(r["path"].rsplit("/", 1)[-1] for r in http_server.state.requests if r["method"] == "POST")


def ledger_rows(url: str) -> dict[str, list[tuple[str, int]]]:
    rows: dict[str, list[tuple[str, int]]] = {}
    with psycopg.connect(url) as conn:
        for key, status, attempts in conn.execute("SELECT key, status, attempts FROM deliveries ORDER BY id"):
            rows.setdefault(key, []).append((status, attempts))
    return rows


def wait_for_locks_gone(url: str) -> None:
    """Until the server has dropped every deliver run's lock (a killed run's backend ends when it sees its socket close)."""
    deadline = time.monotonic() + 30
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            held = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE %s",
                (f"flowkit lock {delivery_claims.PREFIX}%",),
            ).fetchone()
            if held is not None and held[0] == 0:
                return
            time.sleep(0.05)
    raise AssertionError("a killed run's lock was not released within 30 s")


def migrated(url: str) -> None:
    Store(parse(url)).close()  # the schema first, so the runs start together


@pytest.mark.parametrize("processes", [2, 4])
@pytest.mark.parametrize("layout", ["same", "overlapping", "disjoint"])
def test_processes_share_one_destination_and_send_every_key_once(
    pg_url: str, http_server: Any, tmp_path: Path, processes: int, layout: str
) -> None:
    keys = [f"K{i:03d}" for i in range(120)]
    for key in keys:
        http_server.state.script[f"/orders/{key}"] = [SLOW]
    migrated(pg_url)
    conf = config(tmp_path, http_server.base)
    sources = inputs(tmp_path / "in", keys, processes, layout, random.Random(processes))
    procs = [start(pg_url, conf, source, tmp_path / f"host-{n}") for n, source in enumerate(sources)]
    ended = [finish(proc) for proc in procs]
    delivered: Counter[str] = Counter()
    for (code, results, err), source in zip(ended, sources, strict=True):
        assert code == 0, err  # a key left to another run is no failure
        assert "Traceback" not in err
        assert len(results) == len(source.read_text().splitlines())  # one result per input record
        for body in results:
            assert body["status"] in ("delivered", "duplicate", "skipped"), body
            if body["status"] == "skipped":
                assert body["error"].startswith("left to run ") and body["exit_code"] is None
            delivered[body["key"]] += body["status"] == "delivered"
    assert delivered == Counter(dict.fromkeys(keys, 1))  # exactly one run delivered each key
    assert posts(http_server) == Counter(dict.fromkeys(keys, 1))  # and sent it exactly once: no run sent a key twice
    assert http_server.state.creates == {f"/orders/{key}": 1 for key in keys}
    assert ledger_rows(pg_url) == {key: [("delivered", 1)] for key in keys}


def test_a_live_runs_key_is_left_to_it_and_a_dead_runs_is_recovered(pg_url: str, http_server: Any, tmp_path: Path) -> None:
    store = Store(parse(pg_url))
    try:
        other = store.start_run("deliver", [], "erp")  # another host's run, in the middle of sending K1
        data = orjson.dumps({"number": "K1", "total": "9.90"})
        ledger.begin_attempt(
            store, key="K1", destination="erp", content_hash="sha256:" + hashlib.sha256(data).hexdigest(),
            filename="K1", body=data, media_type="application/json", meta={"channel": "web"},
        )  # fmt: skip
        conf, source = config(tmp_path, http_server.base), batch(tmp_path / "in.ndjson", ["K1", "K2"])
        with delivery_claims.hold(store, other):  # alive
            code, results, err = finish(start(pg_url, conf, source, tmp_path / "host"))
        assert code == 0, err
        assert [(r["key"], r["status"]) for r in results] == [("K1", "skipped"), ("K2", "delivered")]
        assert results[0]["error"] == f"left to run {other}, which is sending it" and results[0]["run"] == other
        assert f"K1 is being sent to erp by run {other}, which is alive: left to it" in err
        assert "1 delivered, 1 left to other runs" in err
        assert posts(http_server) == {"K2": 1}
        # its host died: the lock is gone with its connection, and the row is recovered as on sqlite (sent again)
        code, results, err = finish(start(pg_url, conf, source, tmp_path / "host"))
        assert code == 0, err
        assert [(r["key"], r["status"], r["attempts"]) for r in results] == [("K1", "delivered", 2), ("K2", "duplicate", 1)]
        assert posts(http_server) == {"K1": 1, "K2": 1}
    finally:
        store.close()


def test_fresh_rows_take_their_ids_from_the_identity_sequence(pg_url: str) -> None:
    """A window's fresh rows and the one-by-one upsert draw from one sequence: no id is handed out twice."""
    store = Store(parse(pg_url))
    try:
        store.start_run("deliver", [], "erp")
        intents = [ledger.Intent(f"W{n}", f"sha256:{n}", f"W{n}", b"x", "application/json", {}, True) for n in range(3)]
        with store.transaction():
            window = ledger.begin_attempts(store, "erp", intents)
        single = ledger.begin_attempt(
            store, key="S", destination="erp", content_hash="sha256:s", filename="S", body=b"y",
            media_type="application/json", meta={},
        )  # fmt: skip
        with store.transaction():
            [again] = ledger.begin_attempts(store, "erp", [intents[0]._replace(key="W9")])
        ids = [e.id for e in window] + [single.id, again.id]
        assert len(set(ids)) == 5
        assert ids == sorted(ids)
    finally:
        store.close()


def test_killed_senders_then_a_rerun_deliver_every_key_exactly_once(pg_url: str, http_server: Any, tmp_path: Path) -> None:
    """Rounds of 4 processes over the same keys (50 new ones each round), 1 to 3 of them SIGKILLed after a random
    number of results, then 2 reruns at once over every key."""
    rng = random.Random(19)
    keys = [f"K{i:03d}" for i in range(150)]
    for key in keys:
        http_server.state.script[f"/orders/{key}"] = [SLOW]
    migrated(pg_url)
    conf = config(tmp_path, http_server.base)
    killed = 0
    for round_ in range(3):
        sources = inputs(tmp_path / f"round-{round_}", keys[: 50 * (round_ + 1)], 4, "same", rng)
        procs = [start(pg_url, conf, source, tmp_path / f"host-{n}") for n, source in enumerate(sources)]
        victims = rng.sample(procs, rng.randint(1, 3))
        for victim in victims:
            assert victim.stdout is not None
            for _ in range(rng.randint(0, 40)):  # results come out as records are sent: the kill lands among the sends
                if not victim.stdout.readline():
                    break
            if victim.poll() is None:
                os.kill(victim.pid, signal.SIGKILL)
                killed += 1
        for proc in procs:
            if proc in victims:  # ended (killed, or done before its kill): what it wrote was read in part above
                assert proc.wait(timeout=120) in (0, -signal.SIGKILL)
                assert proc.stdout is not None and proc.stderr is not None
                with proc.stdout, proc.stderr:
                    assert b"Traceback" not in proc.stderr.read()
                continue
            code, _, err = finish(proc)
            assert code == 0, err
        wait_for_locks_gone(pg_url)
    assert killed >= 3
    reruns = [start(pg_url, conf, batch(tmp_path / f"rerun-{n}.ndjson", keys), tmp_path / f"host-{n}") for n in range(2)]
    for proc in reruns:
        code, results, err = finish(proc)
        assert code == 0, err
        assert {r["status"] for r in results} <= {"delivered", "duplicate", "skipped"}
    rows = ledger_rows(pg_url)
    assert {key: [status for status, _ in rows[key]] for key in keys} == {key: ["delivered"] for key in keys}
    assert http_server.state.creates == {f"/orders/{key}": 1 for key in keys}  # the destination has each once
    sent = posts(http_server)
    again = {key for key, count in sent.items() if count > 1}
    assert set(sent) == set(keys)
    # only the keys a killed run had claimed (a window of them at most) can go out twice, resent by the
    # run that recovered their rows: with the same Idempotency-Key, so the server kept one
    assert len(again) <= killed * WINDOW
    assert all(rows[key][0][1] >= 2 for key in again)


def test_a_window_of_claims_only_where_a_resend_after_a_crash_is_safe(pg_url: str, tmp_path: Path) -> None:
    """HTTP (Idempotency-Key) and FTP (size check) are claimed a window at a time on a shared store; email one by one."""
    from flowkit.config import load
    from flowkit.deliver.claims import SharedDeliverer
    from flowkit.deliver.run import build

    path = tmp_path / "flowkit.toml"
    path.write_text(
        '[destinations.erp]\ntype = "http"\nurl = "http://127.0.0.1:9/orders/{key}"\n'
        '[destinations.mis-ftp]\ntype = "ftp"\nhost = "127.0.0.1"\nport = 9\nusername = "u"\npassword = "p"\n'
        '[destinations.mail]\ntype = "email"\nhost = "127.0.0.1"\nport = 9\nfrom = "a@example.com"\nto = ["b@example.com"]\n',
        encoding="utf-8",
    )
    config, store = load(str(path)), Store(parse(pg_url))
    try:
        windows = {name: build(config, store, name) for name in ("erp", "mis-ftp", "mail")}
        assert all(isinstance(d, SharedDeliverer) for d in windows.values())
        assert {name: d.window for name, d in windows.items()} == {"erp": WINDOW, "mis-ftp": WINDOW, "mail": 1}
    finally:
        store.close()
    local = Store(tmp_path / "state.db")  # sqlite: as always, one at a time under the destination's lock
    try:
        assert [(type(d).__name__, d.window) for d in (build(config, local, n) for n in ("erp", "mis-ftp", "mail"))] == [
            ("Deliverer", 1)
        ] * 3
    finally:
        local.close()


def test_a_key_another_run_delivered_after_this_one_planned_it_is_not_sent_again(
    pg_url: str, http_server: Any, tmp_path: Path
) -> None:
    """Plan, then another host delivers the key, then claim: the claim sees the rows changed and plans again."""
    from flowkit.config import load
    from flowkit.deliver.model import Send
    from flowkit.deliver.run import build
    from flowkit.records import make_record

    conf = config(tmp_path, http_server.base)
    store, other = Store(parse(pg_url)), Store(parse(pg_url))
    try:
        run = store.start_run("deliver", [], "erp")
        deliverer = build(load(str(conf)), store, "erp")
        record = make_record("payload", "K7", {"number": "K7"}, meta={"channel": "web"})
        with delivery_claims.hold(store, run):
            step = deliverer.plan(record)
            assert isinstance(step, Send) and step.seen == ()
            other.start_run("deliver", [], "erp")  # the other host's run sends K7 and finishes first
            [entry] = [ledger.begin_attempt(other, key="K7", destination="erp", content_hash=step.digest, filename="K7",
                                            body=step.data, media_type="application/json", meta={})]  # fmt: skip
            ledger.finish(other, entry, "delivered", remote_ref="201 /orders/K7")
            outcome = deliverer._send(step)
        assert (outcome.result["body"]["status"], outcome.result["body"]["remote_ref"]) == ("duplicate", "201 /orders/K7")
        assert posts(http_server) == {}
        assert ledger_rows(pg_url) == {"K7": [("delivered", 1)]}
    finally:
        store.close()
        other.close()


def test_a_run_whose_own_lock_is_gone_stops_before_sending_more(pg_url: str) -> None:
    """The connection holding the run's lock ended (a killed backend): its next claim refuses, exit 75."""
    from collections import Counter as Counts

    from flowkit.deliver.claims import Claims
    from flowkit.errors import TempFailError

    store = Store(parse(pg_url))
    try:
        run = store.start_run("deliver", [], "erp")
        claims = Claims(store, "erp", Counts())
        with delivery_claims.hold(store, run):
            with store.transaction():
                assert claims.verdicts([("K1", [])]) == [None]
            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                    (f"flowkit lock {delivery_claims.PREFIX}{run}",),
                )
            wait_for_locks_gone(pg_url)
            with pytest.raises(TempFailError, match=f"lost the lock '{delivery_claims.PREFIX}{run}'"), store.transaction():
                claims.verdicts([("K1", [])])
    finally:
        store.close()
