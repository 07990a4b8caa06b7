"""Hosts for the multi-host tests (tests/test_scale_out.py): one PostgreSQL store, several working folders.

A ``Host`` is a working folder with its own flowkit.toml (the same HTTP order
source ``api``, the same HTTP destination ``dest``, ``[state] url`` naming the
one shared database) whose commands run as shell pipelines in a process group
of their own, so a SIGKILL of the group is a host dying mid-run. Where the
machine allows it (root: ``unshare --uts``), each host also has its own host
name, so the store sees as many hosts as there are (``runs.host``), as it would
across machines; otherwise they share this machine's name.

``chaos`` runs a script on every host over and over, at once, and SIGKILLs
runs at random moments; ``settle`` then reruns every host, all at once and
unharmed, until the work is done and one more round finds nothing left.
"""

from __future__ import annotations

import copy
import os
import random
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import psycopg
from query_orders_api import OMNI_TOKEN, Api, omnitron_orders
from servers.http import Handler, Server

BIN = str(Path(sys.executable).parent)
RULES = '[[rules]]\nname = "big runs"\nadd_tags = ["big-run"]\nwhen.any_line_quantity = "> 100"\n'
# README's loop, as the cron recipe runs it (pipefail: the status is deliver's when it fails)
PIPELINE = (
    "set -o pipefail; flowkit query-orders --source api --unsent | flowkit apply-rules | flowkit render"
    " | flowkit deliver --to dest | flowkit query-orders mark-sent > /dev/null"
)
NEVER_IN_STDERR = ("Traceback", "internal error")  # never in any host's stderr


def can_name_hosts() -> bool:
    """Whether each host can have a host name of its own (a UTS namespace: root, or user namespaces allowed)."""
    try:
        done = subprocess.run(["unshare", "--uts", "hostname", "probe"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@dataclass
class Run:
    """One script run on a host: how it ended (None: SIGKILLed by the test) and where its output went."""

    host: str
    script: str
    code: int | None
    stdout: Path
    stderr: Path
    seconds: float


@dataclass
class Host:
    """A host: its name, working folder (flowkit.toml, rules.toml, each run's output) and environment."""

    name: str
    work: Path
    env: dict[str, str]
    own_name: bool
    runs: list[Run] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, script: str) -> tuple[subprocess.Popen[bytes], Path, Path]:
        """``script`` under bash in this host's folder, a process group of its own; output to files."""
        n = len(list(self.work.glob("run-*.err")))
        out, err = self.work / f"run-{n:03d}.out", self.work / f"run-{n:03d}.err"
        command = ["bash", "-c", script]
        if self.own_name:
            command = ["unshare", "--uts", "bash", "-c", f"hostname {self.name} && exec bash -c {shlex.quote(script)}"]
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(command, cwd=self.work, env=self.env, stdout=stdout, stderr=stderr, start_new_session=True)
        return process, out, err

    def run(self, script: str, *, kill_when: Callable[[float], bool] | None = None, timeout: float = 60) -> Run:
        """Run ``script`` to its end, or SIGKILL its whole process group as soon as ``kill_when(seconds so far)``."""
        started = time.monotonic()
        process, out, err = self.start(script)
        code: int | None = None
        while True:
            elapsed = time.monotonic() - started
            if (returned := process.poll()) is not None:
                code = returned
                break
            if kill_when is not None and kill_when(elapsed):
                kill_group(process)
                break
            if elapsed > timeout:
                kill_group(process)
                raise AssertionError(f"{self.name}: {script!r} still running after {timeout}s")
            time.sleep(0.005)
        run = Run(self.name, script, code, out, err, time.monotonic() - started)
        with self.lock:
            self.runs.append(run)
        return run


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL every process of ``process``'s group (a host dying), and reap the leader."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def make_hosts(base: Path, count: int, config: str) -> list[Host]:
    """``count`` working folders under ``base``, each with ``config`` as its flowkit.toml and RULES as rules.toml."""
    own = can_name_hosts()
    hosts = []
    for index in range(count):
        name = f"host{index + 1}"
        work = base / name
        work.mkdir(parents=True)
        (work / "flowkit.toml").write_text(config)
        (work / "rules.toml").write_text(RULES)
        env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(work),
            "FLOWKIT_CONFIG": str(work / "flowkit.toml"),
            "OMNI_TOKEN": OMNI_TOKEN,
        }
        env.pop("FLOWKIT_STATE", None)
        hosts.append(Host(name, work, env, own))
    return hosts


def host_config(pg_url: str, *, api_base: str | None = None, dest_base: str | None = None, lock_timeout: float = 30) -> str:
    """A host's flowkit.toml: source ``api`` (Omnitron preset), destination ``dest`` (HTTP, exists-checked), the shared store."""
    parts = []
    if api_base:
        parts.append(
            f'[sources.api]\ntype = "http"\npreset = "omnitron"\nbase_url = "{api_base}"\ntoken = "${{OMNI_TOKEN}}"\npage_size = 10\n'
        )
    if dest_base:
        # The server stores every POST whose idempotency header it does not know as a new create, so a
        # second send of one order is counted, whatever flowkit sends with it; the look-up before a
        # resend is what keeps an order sent before a kill from being sent again.
        parts.append(
            f'[destinations.dest]\ntype = "http"\nurl = "{dest_base}/orders/{{key}}"\nexists_url = "{dest_base}/orders/{{key}}"\n'
            'idempotency_header = "X-Unknown-To-The-Server"\ntimeout = 10\n'
        )
    parts.append(f'[state]\nurl = "{pg_url}"\nlock_timeout = {lock_timeout}\n\n[apply-rules]\nrules = "rules.toml"\n')
    return "\n".join(parts)


# --- the order source and the destination ------------------------------------------------------


class Orders:
    """The API's Omnitron orders, replaced by approved ones made here (every ``cancelled_every``-th
    cancelled), more of them added while hosts run; ``wanted``: the numbers that must be delivered."""

    def __init__(self, api: Api, *, cancelled_every: int = 0) -> None:
        self.api, self.cancelled_every = api, cancelled_every
        self.base = omnitron_orders()[6001]
        self.wanted: set[str] = set()
        self.made = 0
        with api.lock:
            api.omni = {}

    def add(self, count: int) -> None:
        for _ in range(count):
            index = self.made
            self.made += 1
            pk = 7001 + index
            doc = copy.deepcopy(self.base)
            cancelled = bool(self.cancelled_every) and index % self.cancelled_every == self.cancelled_every - 1
            doc.update(
                pk=pk,
                number=f"OMN-{pk}",
                status="100" if cancelled else "400",
                is_send=False,
                date_placed=f"2025-07-{1 + index % 28:02d}T10:{index % 60:02d}:00.000000+03:00",
            )
            for n, item in enumerate(doc["order_items"]):
                item["pk"] = pk * 10 + n
                item["order"] = pk
            with self.api.lock:  # a new dict, swapped in whole: the server's thread may be reading the old one
                self.api.omni = {**self.api.omni, pk: doc}
            if not cancelled:
                self.wanted.add(doc["number"])

    def feed(self, count: int, every: float, until: float) -> threading.Thread:
        """A thread adding ``count`` orders every ``every`` seconds until the monotonic time ``until``."""

        def loop() -> None:
            while time.monotonic() < until:
                time.sleep(every)
                self.add(count)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        return thread

    def marked(self) -> set[str]:
        """The numbers the source has marked sent (Omnitron's ``is_send``)."""
        with self.api.lock:
            return {o["number"] for o in self.api.omni.values() if o["is_send"]}


class SlowHandler(Handler):
    """The counting destination of tests/servers/http.py, taking ``delay`` seconds over each POST (a real
    ERP's pace); ``begun``, a list of one count on the server, counts POSTs as they arrive (before the delay)."""

    delay = 0.0

    def do_POST(self) -> None:
        with self.server.state.lock:
            self.server.begun[0] += 1  # type: ignore[attr-defined]
        time.sleep(self.delay)
        self._handle()


def destination(delay: float = 0.0) -> Server:
    """A counting HTTP destination (creates per path) that answers each POST after ``delay`` seconds."""
    server = Server()
    server.begun = [0]  # type: ignore[attr-defined]
    server.RequestHandlerClass = type("Handler", (SlowHandler,), {"delay": delay})
    return server


def begun(server: Server) -> int:
    """POSTs that have reached the server so far, answered yet or not."""
    with server.state.lock:
        return int(server.begun[0])  # type: ignore[attr-defined]


def posts(server: Server) -> dict[str, int]:
    """POST requests per path, as the server received them (a create or not)."""
    counts: dict[str, int] = {}
    with server.state.lock:
        for request in server.state.requests:
            if request["method"] == "POST":
                counts[request["path"]] = counts.get(request["path"], 0) + 1
    return counts


# --- many hosts at once -------------------------------------------------------------------------


@dataclass
class Chaos:
    """What ``chaos`` did: every run, and how many were SIGKILLed."""

    runs: list[Run]

    @property
    def killed(self) -> int:
        return sum(1 for run in self.runs if run.code is None)


Trigger = Callable[[random.Random, int], Callable[[float], bool] | None]


def after(low: float, high: float) -> Trigger:
    """A trigger: SIGKILL a run at a moment drawn between ``low`` and ``high`` seconds after its start."""

    def draw(rng: random.Random, n: int) -> Callable[[float], bool]:
        moment = rng.uniform(low, high)
        return lambda elapsed: elapsed >= moment

    return draw


def chaos(hosts: list[Host], script: Callable[[Host, int], str], *, seconds: float, seed: int, trigger: Trigger) -> Chaos:
    """Every host runs ``script(host, n)`` over and over for ``seconds``, all at once; ``trigger(rng, n)``,
    drawn before each run (``n``: the host's how many-th), says when to SIGKILL it (its whole process
    group), or None: never. Runs still going at the end are SIGKILLed then."""
    deadline = time.monotonic() + seconds
    done: list[Run] = []
    lock = threading.Lock()

    def loop(index: int, host: Host) -> None:
        rng = random.Random(seed * 100 + index)
        n = 0
        while time.monotonic() < deadline:
            drawn = trigger(rng, n)

            def when(elapsed: float, drawn: Callable[[float], bool] | None = drawn) -> bool:
                return time.monotonic() >= deadline or (drawn is not None and drawn(elapsed))

            run = host.run(script(host, n), kill_when=when)
            with lock:
                done.append(run)
            n += 1

    each(hosts, loop)
    return Chaos(done)


def until_done(host: Host, commands: list[str], seed: int) -> None:
    """Run each command on ``host`` until it exits 0, as cron would rerun it: a run SIGKILLed or refused is
    run again. The host's first run dies while it starts (0.05 to 0.25 s), half the others at a random moment
    of their work (0.15 to 0.9 s); a run that ends other than 0 by itself fails the test."""
    rng = random.Random(seed)
    starting, working = after(0.05, 0.25), after(0.15, 0.9)
    first = True
    for command in commands:
        while True:
            trigger = starting if first else working if rng.random() < 0.5 else None
            first = False
            run = host.run(command, kill_when=trigger(rng, 0) if trigger else None)
            if run.code == 0:
                break
            assert run.code is None, summary(host.runs)


def settle(hosts: list[Host], script: Callable[[Host, int], str], done: Callable[[], bool], *, rounds: int = 6) -> list[Run]:
    """Run ``script`` on every host at once, unharmed, round after round, until ``done()`` holds after a
    round in which every run exited 0; then one more such round (it must find nothing left to do)."""
    runs: list[Run] = []
    quiet = 0
    for number in range(rounds):
        found: list[Run] = []

        def one(index: int, host: Host, found: list[Run] = found, n: int = 1000 + number) -> None:
            found.append(host.run(script(host, n)))

        each(hosts, one)
        runs.extend(found)
        if all(run.code == 0 for run in found) and done():
            quiet += 1
            if quiet == 2:
                return runs
        else:
            quiet = 0
    raise AssertionError(f"not settled after {rounds} rounds: {summary(runs)}")


def each(hosts: list[Host], work: Callable[[int, Host], None]) -> None:
    """``work(index, host)`` for every host at once, in threads; the first error is raised."""
    errors: list[BaseException] = []

    def guarded(index: int, host: Host) -> None:
        try:
            work(index, host)
        except BaseException as exc:  # handed to the test's thread below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i, h)) for i, h in enumerate(hosts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def summary(runs: list[Run]) -> str:
    """Exit codes per host and the last stderr lines of runs that failed, for an assertion's message."""
    lines = []
    for run in runs:
        if run.code not in (0, None):
            tail = run.stderr.read_text(errors="replace").strip().splitlines()[-3:]
            lines.append(f"{run.host} exit {run.code}: {' | '.join(tail)}")
    codes = {}
    for run in runs:
        codes.setdefault(run.host, []).append("killed" if run.code is None else str(run.code))
    return "; ".join(f"{host}: {' '.join(c)}" for host, c in codes.items()) + ("\n" + "\n".join(lines) if lines else "")


def check_clean(hosts: list[Host]) -> None:
    """No run of any host, killed or not, printed a traceback or an internal error."""
    for host in hosts:
        for run in host.runs:
            text = run.stderr.read_text(errors="replace")
            for word in NEVER_IN_STDERR:
                assert word not in text, f"{host.name} ({run.script!r}): {text[-2000:]}"


def output_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The complete JSON lines a run wrote (a SIGKILLed run's last line may be cut short)."""
    for line in path.read_bytes().splitlines():
        try:
            yield orjson.loads(line)
        except orjson.JSONDecodeError:
            continue


# --- the shared database, seen from outside flowkit ---------------------------------------------


def query(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return list(conn.execute(sql, params or None).fetchall())


def advisory_holders(url: str, application: str) -> list[int]:
    """Backend pids of ``url``'s sessions named ``application`` that hold an advisory lock."""
    rows = query(
        url,
        """SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() AND a.application_name = %s""",
        (application,),
    )
    return [int(pid) for (pid,) in rows]


def sessions(url: str, application: str) -> list[int]:
    rows = query(
        url,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
        (application,),
    )
    return [int(pid) for (pid,) in rows]


def wait_for(what: Callable[[], Any], timeout: float, step: float = 0.01) -> Any:
    """Poll ``what()`` until it is truthy; its value, or AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"still not true after {timeout}s")
        time.sleep(step)
