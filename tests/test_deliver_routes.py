"""deliver with routes: a destination per record (supplier, channel, a template over meta), several destinations
in one run, each with its own ledger, options, lock and connection, against a hotfolder, the suite's sshd and its
HTTP server on 127.0.0.1."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import Invoke, record_line, records
from servers.sshd import Sshd

from flowkit.deliver.run import lock_name
from flowkit.store.lock import exclusive

Write = Callable[..., Path]


def payload(key: str, supplier: str | None = None, channel: str = "web", body: str = "") -> str:
    meta: dict[str, Any] = {"channel": channel, "format": "xml"}
    if supplier is not None:
        meta["supplier"] = supplier
    return record_line("payload", key, body or f'<order number="{key}"/>', meta=meta, type="application/xml")


def outputs(text: str) -> list[tuple[str, str, str | None, str | None]]:
    """(kind, key, destination, status) of each output record, in order."""
    return [(r["kind"], r["key"], r["body"].get("destination"), r["body"].get("status")) for r in records(text)]


def routed_config(tmp_config: Write, tmp_path: Path, sshd_server: Sshd, http_base: str, *, extra: str = "") -> Path:
    """Supplier acme -> the hotfolder `mis`, supplier printco -> the sshd `printco`, channel b2b -> the HTTP `erp`."""
    remote = sshd_server.upload / tmp_path.name
    remote.mkdir(parents=True, exist_ok=True)
    return tmp_config(f"""
[deliver]
retries = 1
base_delay = 0.01

[destinations.mis]
type = "hotfolder"
path = "{tmp_path / "mis"}"
filename = "{{meta.channel}}/{{key}}.xml"

[destinations.printco]
type = "sftp"
host = "127.0.0.1"
port = {sshd_server.port}
username = "{sshd_server.user}"
key_file = "{sshd_server.client_key}"
known_hosts = "{sshd_server.known_hosts}"
path = "{remote}"
filename = "{{key}}.xml"

[destinations.erp]
type = "http"
url = "{http_base}/orders/{{key}}"
method = "PUT"
timeout = 2

[suppliers.acme.deliver]
to = "mis"

[suppliers.printco]
name = "PrintCo"
[suppliers.printco.deliver]
to = "printco"

[channels.b2b.deliver]
to = "erp"
{extra}""")


STREAM = (
    payload("1", "acme")
    + payload("2", "printco")
    + payload("3", "acme", channel="b2b")  # the supplier's route wins over the channel's
    + payload("4", "zeta", channel="b2b")  # no supplier route: the channel's
    + payload("5", "printco")
    + payload("6", "nobody")  # no route at all
)


def test_suppliers_and_a_channel_route_one_run_to_three_destinations(
    invoke: Invoke, tmp_path: Path, tmp_config: Write, sshd_server: Sshd, http_server: Any
) -> None:
    config = routed_config(tmp_config, tmp_path, sshd_server, http_server.base)
    result = invoke(["deliver"], input=STREAM, config=config)
    assert result.exit_code == 1, result.stderr  # one record failed, the others were done
    assert outputs(result.stdout) == [
        ("result", "1", "mis", "delivered"),
        ("result", "2", "printco", "delivered"),
        ("result", "3", "mis", "delivered"),
        ("result", "4", "erp", "delivered"),
        ("result", "5", "printco", "delivered"),
        ("error", "6", None, None),
    ]
    assert sorted(p.name for p in (tmp_path / "mis" / "web").iterdir()) == ["1.xml"]
    assert sorted(p.name for p in (tmp_path / "mis" / "b2b").iterdir()) == ["3.xml"]
    remote = sshd_server.upload / tmp_path.name
    assert sorted(p.name for p in remote.iterdir()) == ["2.xml", "5.xml"]
    assert (remote / "5.xml").read_text() == '<order number="5"/>'
    assert list(http_server.state.stored) == ["/orders/4"]
    error = records(result.stdout)[-1]["body"]
    assert error["exit_code"] == 65
    assert error["error"] == (
        "no destination for record 6: supplier nobody has no [suppliers.nobody.deliver] to, "
        "channel web has no [channels.web.deliver] to, and there is no [deliver] to or --to"
    )
    assert "flowkit: record '6': no destination for record 6: supplier nobody has no [suppliers.nobody.deliver] to" in (
        result.stderr
    )
    # one summary per destination, and the records that had none
    for line in (
        "deliver to erp: 1 delivered",
        "deliver to mis: 2 delivered",
        "deliver to printco: 2 delivered",
        "deliver: 1 record(s) with no destination",
    ):
        assert line in result.stderr
    # each destination keeps its own ledger rows
    story = orjson.loads(invoke(["state", "sent", "3"]).stdout)
    assert [(row["destination"], row["status"]) for row in story] == [("mis", "delivered")]
    # a record with no route alone: that failure's code
    alone = invoke(["deliver"], input=payload("7", channel="shop"), config=config)
    assert alone.exit_code == 65
    assert "it has no meta.supplier, channel shop has no [channels.shop.deliver] to" in alone.stderr


def test_a_rerun_sends_nothing_twice(
    invoke: Invoke, tmp_path: Path, tmp_config: Write, sshd_server: Sshd, http_server: Any
) -> None:
    config = routed_config(tmp_config, tmp_path, sshd_server, http_server.base)
    stream = STREAM.replace(payload("6", "nobody"), "")
    assert invoke(["deliver"], input=stream, config=config).exit_code == 0
    remote = sshd_server.upload / tmp_path.name
    stamps = {p: p.stat().st_mtime_ns for p in [*remote.iterdir(), *(tmp_path / "mis").rglob("*.xml")]}
    again = invoke(["deliver"], input=stream, config=config)
    assert again.exit_code == 0, again.stderr
    assert [status for *_, status in outputs(again.stdout)] == ["duplicate"] * 5
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps  # not written again
    assert http_server.state.creates["/orders/4"] == 1
    assert len(http_server.state.requests) == 1
    assert "deliver to printco: 2 duplicate" in again.stderr


def test_a_template_over_meta_picks_a_destination_per_record(
    invoke: Invoke, tmp_path: Path, tmp_config: Write, sshd_server: Sshd
) -> None:
    remote = sshd_server.upload / tmp_path.name
    remote.mkdir(parents=True)
    config = tmp_config(f"""
[destinations.acme]
type = "hotfolder"
path = "{tmp_path / "acme"}"

[destinations.printco]
type = "sftp"
host = "127.0.0.1"
port = {sshd_server.port}
username = "{sshd_server.user}"
key_file = "{sshd_server.client_key}"
known_hosts = "{sshd_server.known_hosts}"
path = "{remote}"
""")
    stream = payload("1", "acme") + payload("2", "printco") + payload("3") + payload("4", "zeta") + payload("5", "acme")
    result = invoke(["deliver", "--to", "{meta.supplier}"], input=stream, config=config)
    assert result.exit_code == 1
    assert outputs(result.stdout) == [
        ("result", "1", "acme", "delivered"),
        ("result", "2", "printco", "delivered"),
        ("error", "3", None, None),
        ("error", "4", None, None),
        ("result", "5", "acme", "delivered"),
    ]
    assert sorted(p.name for p in (tmp_path / "acme").iterdir()) == ["1.xml", "5.xml"]
    assert [p.name for p in remote.iterdir()] == ["2.xml"]
    assert "record '3': no destination for record 3: --to '{meta.supplier}' needs meta.supplier, which the record lacks" in (
        result.stderr
    )
    assert (
        "record '4': no destination for record 4: --to '{meta.supplier}' gives 'zeta', "
        "which is no [destinations.zeta] (known: acme, printco)"
    ) in result.stderr
    # the template in [deliver] to: the same, from the config (config check accepts it)
    config.write_text(config.read_text() + '\n[deliver]\nto = "{meta.supplier}"\n')
    assert invoke(["config", "check"], config=config).exit_code == 0
    again = invoke(["deliver"], input=payload("6", "printco"), config=config)
    assert again.exit_code == 0, again.stderr
    assert sorted(p.name for p in remote.iterdir()) == ["2.xml", "6.xml"]
    # a field a route cannot fill is a usage error on the command line
    bad = invoke(["deliver", "--to", "{supplier}"], input=payload("7", "acme"), config=config)
    assert bad.exit_code == 2 and "unknown field {supplier} (known: key, kind, meta.NAME) in '{supplier}'" in bad.stderr
    # --to NAME still sends every record there, whatever the routes
    plain = invoke(["deliver", "--to", "acme"], input=payload("8", "printco"), config=config)
    assert plain.exit_code == 0 and (tmp_path / "acme" / "8.xml").exists()


def test_config_check_refuses_a_route_to_an_unknown_destination(invoke: Invoke, tmp_config: Write) -> None:
    config = tmp_config(
        '[destinations.mis]\ntype = "hotfolder"\npath = "out"\n\n'
        '[deliver]\nto = "mis"\n\n'
        '[suppliers.acme.deliver]\nto = "mis-ftp"\n\n'
        '[channels.web.deliver]\nto = "{meta.shop}"\n\n'
        '[channels.b2b.deliver]\nto = "erp-{supplier}"\n'
    )
    result = invoke(["config", "check"], config=config)
    assert result.exit_code == 78
    assert result.stderr.splitlines()[:2] == [
        f"flowkit: {config}:9: 'suppliers.acme.deliver.to' names an unknown destination 'mis-ftp': "
        "there is no [destinations.mis-ftp] (did you mean 'mis'?)",
        f"flowkit: {config}:15: 'channels.b2b.deliver.to': unknown field {{supplier}} "
        "(known: key, kind, meta.NAME) in its template",
    ]
    # every command refuses the file, before anything is read or sent
    refused = invoke(["deliver"], input=payload("1", "acme"), config=config)
    assert refused.exit_code == 78 and "unknown destination 'mis-ftp'" in refused.stderr
    assert not (config.parent / "out").exists()
    # a URL is a destination too
    config.write_text(config.read_text().replace('"mis-ftp"', '"file:///tmp/acme/"').replace("erp-{supplier}", "mis"))
    assert invoke(["config", "check"], config=config).exit_code == 0
    # ... of a scheme deliver knows: a misspelt one is refused with its line, not at the run's first record for it
    config.write_text(config.read_text().replace('"file:///tmp/acme/"', '"sftpp://printer.example.com/in/"'))
    result = invoke(["config", "check"], config=config)
    assert result.exit_code == 78
    assert f"{config}:9: 'suppliers.acme.deliver.to': unknown URL scheme 'sftpp' in 'sftpp://printer.example.com/in/'" in (
        result.stderr
    )


def blocked(folder: Path) -> None:
    """Make ``folder/web`` a file: every write under it fails until it goes."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "web").write_text("a file where the folder should be")


@pytest.mark.sqlite_only  # the run-wide destination lock: on PostgreSQL runs share a destination by per-key claims
def test_a_failing_destination_does_not_block_the_others_and_retry_failed_covers_every_destination(
    invoke: Invoke, tmp_path: Path, tmp_config: Write, state_path: Path, sshd_server: Sshd, http_server: Any
) -> None:
    config = routed_config(tmp_config, tmp_path, sshd_server, http_server.base)
    blocked(tmp_path / "mis")
    http_server.state.script["/orders/4"] = [(503, {}, "busy")]  # retries = 1: one try per run
    stream = STREAM.replace(payload("6", "nobody"), "")
    first = invoke(["deliver"], input=stream, config=config)
    assert first.exit_code == 75, first.stderr  # every failure temporary: safe to rerun
    assert outputs(first.stdout) == [
        ("result", "1", "mis", "failed"),
        ("result", "2", "printco", "delivered"),
        ("result", "3", "mis", "delivered"),  # b2b/ is not blocked
        ("result", "4", "erp", "failed"),
        ("result", "5", "printco", "delivered"),
    ]
    (tmp_path / "mis" / "web").unlink()
    with exclusive(state_path, lock_name("erp"), wait=1):  # another run holds erp: mis is retried, erp waits its turn
        busy = invoke(["deliver", "--retry-failed", "--wait", "0.2"], config=config)
    assert busy.exit_code == 75, busy.stderr
    assert outputs(busy.stdout) == [("result", "4", "erp", "failed"), ("result", "1", "mis", "delivered")]
    assert records(busy.stdout)[0]["body"]["error"].startswith("not sent: another flowkit deliver-erp-")
    retried = invoke(["deliver", "--retry-failed"], config=config)  # no --to: every destination's failed rows
    assert retried.exit_code == 0, retried.stderr
    assert outputs(retried.stdout) == [("result", "4", "erp", "delivered")]
    assert (tmp_path / "mis" / "web" / "1.xml").read_text() == '<order number="1"/>'
    assert http_server.state.creates["/orders/4"] == 1
    assert "deliver to erp: 1 delivered" in retried.stderr and "deliver to mis" not in retried.stderr
    nothing = invoke(["deliver", "--retry-failed"], config=config)
    assert nothing.exit_code == 0 and nothing.stdout == ""
    assert "deliver: nothing to do" in nothing.stderr


def test_a_destination_that_is_down_keeps_only_its_own_records(
    invoke: Invoke, tmp_path: Path, tmp_config: Write, sshd_server: Sshd, http_server: Any
) -> None:
    from servers.sshd import free_port

    config = routed_config(tmp_config, tmp_path, sshd_server, http_server.base)
    config.write_text(config.read_text().replace(f"port = {sshd_server.port}", f"port = {free_port()}"))
    stream = STREAM.replace(payload("6", "nobody"), "")
    result = invoke(["deliver"], input=stream, config=config)
    assert result.exit_code == 75, result.stderr
    assert [(key, status) for _, key, _, status in outputs(result.stdout)] == [
        ("1", "delivered"),
        ("2", "failed"),
        ("3", "delivered"),
        ("4", "delivered"),
        ("5", "failed"),
    ]
    assert "deliver to printco: 2 failed, 2 not sent" in result.stderr
    assert (tmp_path / "mis" / "web" / "1.xml").exists() and http_server.state.creates["/orders/4"] == 1


@pytest.mark.sqlite_only  # the run-wide destination lock: on PostgreSQL runs share a destination by per-key claims
def test_a_locked_destination_is_not_sent_this_run_and_the_others_go_on(
    invoke: Invoke, tmp_path: Path, tmp_config: Write, state_path: Path, sshd_server: Sshd, http_server: Any
) -> None:
    config = routed_config(tmp_config, tmp_path, sshd_server, http_server.base)
    stream = payload("1", "acme") + payload("2", "printco")
    with exclusive(state_path, lock_name("printco"), wait=1):  # another deliver run to printco
        result = invoke(["deliver", "--wait", "0.3"], input=stream, config=config)
    assert result.exit_code == 75, result.stderr
    assert [(key, status) for _, key, _, status in outputs(result.stdout)] == [("1", "delivered"), ("2", "failed")]
    failed = records(result.stdout)[1]["body"]
    assert failed["error"].startswith("not sent: another flowkit deliver-printco-") and failed["attempts"] == 0
    assert not list((sshd_server.upload / tmp_path.name).iterdir())
    after = invoke(["deliver"], input=stream, config=config)  # the lock is free: the next run sends it
    assert [status for *_, status in outputs(after.stdout)] == ["duplicate", "delivered"]


@pytest.mark.sqlite_only  # the run-wide destination lock: on PostgreSQL runs share a destination by per-key claims
def test_a_lock_that_sorts_before_one_held_is_not_waited_for(
    invoke: Invoke, tmp_path: Path, tmp_config: Write, state_path: Path, sshd_server: Sshd, http_server: Any
) -> None:
    """Two routed runs never deadlock: holding `mis`, a run does not wait for `erp` (it sorts first)."""
    config = routed_config(tmp_config, tmp_path, sshd_server, http_server.base)
    # key 9 twice: the second closes the first window, so `mis` is held when `erp` is first needed
    stream = payload("9", "acme") + payload("9", "zeta", channel="b2b")
    with exclusive(state_path, lock_name("erp"), wait=1):
        started = time.monotonic()
        result = invoke(["deliver", "--wait", "30"], input=stream, config=config)
        took = time.monotonic() - started
    assert took < 10, took  # tried once, not waited for
    assert [(key, dest, status) for _, key, dest, status in outputs(result.stdout)] == [
        ("9", "mis", "delivered"),
        ("9", "erp", "failed"),
    ]
    assert result.exit_code == 75
    # in sorted order a run waits: `erp` first, then `mis`
    with exclusive(state_path, lock_name("mis"), wait=1):
        started = time.monotonic()
        waited = invoke(
            ["deliver", "--wait", "0.5"], input=payload("10", "zeta", channel="b2b") + payload("10", "acme"), config=config
        )
        assert time.monotonic() - started >= 0.5
    assert [status for *_, status in outputs(waited.stdout)] == ["delivered", "failed"]


@pytest.mark.sqlite_only  # the run-wide destination lock: on PostgreSQL runs share a destination by per-key claims
def test_wait_is_the_runs_budget_for_all_its_locks(
    invoke: Invoke, tmp_path: Path, tmp_config: Write, state_path: Path, sshd_server: Sshd, http_server: Any
) -> None:
    """Two destinations held by other runs: the run waits --wait once in all, not once per destination."""
    config = routed_config(tmp_config, tmp_path, sshd_server, http_server.base)
    stream = payload("11", "zeta", channel="b2b") + payload("12", "acme")
    with exclusive(state_path, lock_name("erp"), wait=1), exclusive(state_path, lock_name("mis"), wait=1):
        started = time.monotonic()
        result = invoke(["deliver", "--wait", "2"], input=stream, config=config)
        took = time.monotonic() - started
    assert 2 <= took < 3.5, took  # one budget (it was 2 s per destination: 4 s)
    assert result.exit_code == 75
    assert [(key, dest, status) for _, key, dest, status in outputs(result.stdout)] == [
        ("11", "erp", "failed"),
        ("12", "mis", "failed"),
    ]


def routed_batch(tmp_path: Path, n: int) -> tuple[Path, Path, list[str]]:
    """``n`` payloads alternating suppliers a and b, routed to the hotfolders a/ and b/ (``conflict = "fail"``)."""
    config = tmp_path / "flowkit.toml"
    config.write_text(
        "".join(
            f'[destinations.{d}]\ntype = "hotfolder"\npath = "{tmp_path / d}"\nconflict = "fail"\n'
            f'[suppliers.{d}.deliver]\nto = "{d}"\n'
            for d in "ab"
        )
    )
    source = tmp_path / "batch.ndjson"
    source.write_text("".join(payload(f"K{i:04d}", "ab"[i % 2]) for i in range(n)))
    cmd = [sys.executable, "-m", "flowkit", "--state", str(tmp_path / "state.db"), "--config", str(config), "-q"]
    return config, source, [*cmd, "deliver", "--name", "{key}.xml", "--wait", "60", str(source)]


def check_each_once(tmp_path: Path, n: int) -> None:
    for d, first in (("a", 0), ("b", 1)):
        assert sorted(p.name for p in (tmp_path / d).iterdir()) == [f"K{i:04d}.xml" for i in range(first, n, 2)]
    conn = sqlite3.connect(tmp_path / "state.db")
    rows = conn.execute("SELECT key, destination, status FROM deliveries ORDER BY key").fetchall()
    conn.close()
    assert rows == [(f"K{i:04d}", "ab"[i % 2], "delivered") for i in range(n)]


@pytest.mark.slow
def test_a_routed_run_survives_kill_9(tmp_path: Path) -> None:
    from test_deliver_kill import kill_at_random

    n = 1000
    _, _, cmd = routed_batch(tmp_path, n)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    rng = random.Random(17)
    assert sum(kill_at_random(cmd, rng, env) for _ in range(6)) == 6  # each cut short, none had finished
    final = subprocess.run(cmd, check=False, capture_output=True, env=env, timeout=120)
    assert final.returncode == 0, final.stderr.decode()
    statuses = [orjson.loads(line)["body"]["status"] for line in final.stdout.splitlines()]
    assert len(statuses) == n and set(statuses) <= {"delivered", "duplicate"}
    check_each_once(tmp_path, n)
    assert not list(tmp_path.glob("[ab]/.*.part"))


def test_two_concurrent_routed_runs_never_double_deliver(tmp_path: Path) -> None:
    n = 300
    _, _, cmd = routed_batch(tmp_path, n)
    # Each run's output goes to a file, never a pipe read after the other run's: the run that takes the locks
    # writes its first window's results (over a pipe's 64 KiB) while holding them, and a pipe nobody reads yet
    # would keep it there while the other run waits --wait for each lock (two locks: 120 s, the old timeout).
    logs = [(tmp_path / f"out{i}.ndjson", tmp_path / f"err{i}.txt") for i in range(2)]
    runs = []
    for stdout, stderr in logs:
        with stdout.open("wb") as out_file, stderr.open("wb") as err_file:
            runs.append(subprocess.Popen(cmd, stdout=out_file, stderr=err_file))
    codes = [run.wait(timeout=120) for run in runs]
    assert codes == [0, 0], [err.read_text() for _, err in logs]
    statuses = [orjson.loads(line)["body"]["status"] for out, _ in logs for line in out.read_bytes().splitlines()]
    assert statuses.count("delivered") == n and statuses.count("duplicate") == n
    check_each_once(tmp_path, n)
