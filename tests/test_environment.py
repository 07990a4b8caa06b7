"""A broken environment gets one line and a documented exit code, never a traceback, and loses nothing.

Real failures, not mocks: the store on a read-only mount (a tmpfs remounted
read-only) or an immutable file (chattr +i), on a full disk (a small tmpfs
filled up), truncated or overwritten with garbage (header, middle page, WAL);
and SIGINT/SIGTERM sent to a running deliver fed by a slow producer. After
each, a rerun with the environment repaired delivers every record exactly
once (the hotfolder's ``conflict = "fail"`` would refuse a second copy).
"""

from __future__ import annotations

import os
import random
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

import orjson
import pytest

from flowkit.store.db import migrations

KNOWN = max(number for number, _, _ in migrations())


def line(key: str, body: str = "") -> bytes:
    record = {"flowkit": "record/1", "kind": "payload", "key": key, "type": "application/xml", "meta": {}, "body": body}
    return orjson.dumps(record) + b"\n"


def payloads(keys: Sequence[str], size: int = 0) -> bytes:
    return b"".join(line(key, f'<order n="{key}">{"x" * size}</order>') for key in keys)


def keys(start: int, stop: int) -> list[str]:
    return [f"K{i:03d}" for i in range(start, stop)]


class Env:
    """A hotfolder destination ``hf`` (conflict = "fail") and a state store, driven by ``python -m flowkit``."""

    def __init__(self, tmp_path: Path, state: Path) -> None:
        self.out = tmp_path / "out"
        self.state = state
        self.config = tmp_path / "flowkit.toml"
        self.config.write_text(f'[destinations.hf]\ntype = "hotfolder"\npath = "{self.out}"\nconflict = "fail"\n')

    def cmd(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "flowkit", "--state", str(self.state), "--config", str(self.config), *args]

    def run(self, *args: str, input: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(self.cmd(*args), input=input, capture_output=True, timeout=120, check=False)

    def deliver(self, data: bytes) -> subprocess.CompletedProcess[bytes]:
        return self.run("deliver", "--to", "hf", "--name", "{key}.xml", input=data)

    def exactly_once(self, expected: Sequence[str]) -> None:
        """Every key delivered once: one file each (none partial) and one delivered ledger row each."""
        files = sorted(p.name for p in self.out.iterdir())
        assert files == sorted(f"{key}.xml" for key in expected)
        conn = sqlite3.connect(self.state)
        try:
            rows = conn.execute("SELECT key, status, COUNT(*) FROM deliveries GROUP BY key").fetchall()
        finally:
            conn.close()
        assert sorted(rows) == sorted((key, "delivered", 1) for key in expected)

    def last_run(self) -> str:
        conn = sqlite3.connect(self.state)
        try:
            return str(conn.execute("SELECT status FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])
        finally:
            conn.close()


def one_line(result: subprocess.CompletedProcess[bytes], *parts: str) -> str:
    """The single stderr line of a failed run, holding every one of ``parts``; no traceback."""
    err = result.stderr.decode()
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    for part in parts:
        assert part in lines[0], err
    return lines[0]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Mount small tmpfs file systems (root only; skipped where mount is refused), unmounted at the end."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        where = tmp_path / f"mnt{len(mounted)}"
        where.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True, check=False
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode().strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def remount(where: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(where)], check=True, capture_output=True)


def fill(folder: Path) -> Path:
    """Take every free byte of ``folder``'s file system with one file."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        for block in (b"\0" * 65536, b"\0" * 512):  # then the last partial block
            try:
                while True:
                    os.write(fd, block)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def chattr(flag: str, *paths: Path) -> bool:
    try:
        done = subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True, check=False)
    except FileNotFoundError:  # no e2fsprogs on this machine: the test skips
        return False
    return done.returncode == 0


def filled_store(env: Env, n: int = 30) -> list[str]:
    """A store that has delivered ``n`` records and applied a stock message."""
    done = keys(0, n)
    assert env.deliver(payloads(done, 200)).returncode == 0
    stock = orjson.dumps({"message_seq": 1, "lines": [{"sku": "MUG", "qty": 3, "seq": 1}]}) + b"\n"
    assert env.run("push-stock", "--target", "web", input=stock).returncode == 0
    return done


# Commands that open the store, and their input. Each must answer a broken store with one line and its code.
COMMANDS: dict[str, tuple[list[str], bytes]] = {
    "deliver": (["deliver", "--to", "hf", "--name", "{key}.xml"], payloads(["N1", "N2"])),
    "push-stock": (["push-stock", "--target", "web"], orjson.dumps({"lines": [{"sku": "CAP", "qty": 1, "seq": 1}]}) + b"\n"),
    "state runs": (["state", "runs"], b""),
    "state show": (["state", "show", "K001", "--json"], b""),
    "state sent": (["state", "sent", "K001"], b""),
    "state stock": (["state", "stock", "--target", "web", "--json"], b""),
    "state exports": (["state", "exports"], b""),
    "state purge": (["state", "purge", "--older-than", "0"], b""),
    "state release": (["state", "release", "1001"], b""),
    "mark-sent": (["query-orders", "mark-sent", "--no-source"], b""),
}


# read-only ---------------------------------------------------------------------------------------


def test_a_store_on_a_read_only_mount_exits_78_for_every_command_and_changes_nothing(
    tmp_path: Path, tmpfs: Callable[[str], Path]
) -> None:
    mnt = tmpfs("8m")
    env = Env(tmp_path, mnt / "state.db")
    done = filled_store(env, 5)
    remount(mnt, "ro")
    try:
        for name, (args, data) in COMMANDS.items():
            result = env.run(*args, input=data)
            assert result.returncode == 78, (name, result.stderr)
            one_line(result, "flowkit: error:", str(env.state), "is read-only")
            assert result.stdout == b"", name  # no result record for work that was not recorded
        check = env.run("state", "check")
        assert check.returncode == 78
        assert b"read-only" in check.stdout and b"writable" in check.stdout
    finally:
        remount(mnt, "rw")
    env.exactly_once(done)  # nothing delivered while the store could not record it
    assert env.last_run() == "ok"  # no run logged


def test_a_store_made_immutable_mid_run_exits_78_and_a_rerun_delivers_each_record_once(tmp_path: Path) -> None:
    env = Env(tmp_path, tmp_path / "state.db")
    filled_store(env, 1)
    wal = env.state.with_name("state.db-wal")
    proc = subprocess.Popen(
        env.cmd("deliver", "--to", "hf", "--name", "{key}.xml"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    first = keys(100, 105)
    feed(proc, payloads(first, 2000), len(first))
    if not chattr("+i", env.state, wal):
        proc.kill()
        proc.communicate()
        pytest.skip("chattr +i is not supported on this file system")
    try:
        out, err = proc.communicate(payloads(keys(105, 130), 2000), timeout=60)
    finally:
        chattr("-i", env.state, wal)
    assert proc.returncode == 78, err
    one_line(subprocess.CompletedProcess([], 78, out, err), str(env.state), "is read-only")
    everything = keys(0, 1) + keys(100, 130)
    rerun = env.deliver(payloads(keys(100, 130), 2000))
    assert rerun.returncode == 0, rerun.stderr
    env.exactly_once(everything)


# full disk ---------------------------------------------------------------------------------------


def test_a_store_on_a_full_disk_exits_75_for_every_command(tmp_path: Path, tmpfs: Callable[[str], Path]) -> None:
    mnt = tmpfs("4m")
    env = Env(tmp_path, mnt / "state.db")
    done = filled_store(env, 5)
    filler = fill(mnt)
    for name, (args, data) in COMMANDS.items():
        if name.startswith("state ") and name not in ("state purge", "state release"):
            continue  # readers need no space
        result = env.run(*args, input=data)
        assert result.returncode == 75, (name, result.stderr)
        one_line(result, "flowkit: error:", str(env.state), "the disk is full")
    filler.unlink()
    env.exactly_once(done)


def test_a_new_store_on_a_full_disk_exits_75_and_is_created_once_there_is_space(
    tmp_path: Path, tmpfs: Callable[[str], Path]
) -> None:
    mnt = tmpfs("1m")
    env = Env(tmp_path, mnt / "state.db")
    filler = fill(mnt)
    result = env.deliver(payloads(["A1"]))
    assert result.returncode == 75
    one_line(result, str(env.state), "the disk is full")
    filler.unlink()
    assert env.deliver(payloads(["A1"])).returncode == 0
    env.exactly_once(["A1"])


def test_a_disk_filling_up_mid_run_stops_it_with_75_and_a_rerun_delivers_each_record_once(
    tmp_path: Path, tmpfs: Callable[[str], Path]
) -> None:
    mnt = tmpfs("3m")
    env = Env(tmp_path, mnt / "state.db")
    proc = subprocess.Popen(
        env.cmd("deliver", "--to", "hf", "--name", "{key}.xml"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    first = keys(0, 5)
    feed(proc, payloads(first, 30000), len(first))
    filler = fill(mnt)
    out, err = proc.communicate(payloads(keys(5, 60), 30000), timeout=60)  # archived bodies grow the store
    assert proc.returncode == 75, err
    one_line(subprocess.CompletedProcess([], 75, out, err), str(env.state), "the disk is full", "rolled back")
    filler.unlink()
    rerun = env.deliver(payloads(keys(0, 60), 30000))
    assert rerun.returncode == 0, rerun.stderr
    env.exactly_once(keys(0, 60))


# corruption --------------------------------------------------------------------------------------


def overwrite(path: Path, offset: int, data: bytes) -> None:
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(data)


def truncate(path: Path, size: int) -> None:
    with path.open("r+b") as fh:
        fh.truncate(size)


PAGE = 4096


def root_page(path: Path, table: str) -> int:
    """The byte offset of ``table``'s root page (a page that holds rows, wherever the schema puts it)."""
    with sqlite3.connect(path) as conn:
        (page,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    return (int(page) - 1) * PAGE


# name -> damage to the main file (a checkpointed store, no WAL); sqlite notices each at open or on first read of the page
MAIN_DAMAGE: dict[str, Callable[[Path], None]] = {
    "header garbage": lambda p: overwrite(p, 0, random.Random(1).randbytes(100)),
    "truncated to 100 bytes": lambda p: truncate(p, 100),
    "truncated to half": lambda p: truncate(p, p.stat().st_size // 2 // PAGE * PAGE),
    "truncated mid-page": lambda p: truncate(p, p.stat().st_size - PAGE // 2),
    "second page garbage": lambda p: overwrite(p, PAGE, random.Random(2).randbytes(PAGE)),
    "middle page garbage": lambda p: overwrite(p, p.stat().st_size // 2 // PAGE * PAGE, random.Random(3).randbytes(PAGE)),
    # the cells of a page with rows, its header kept (the middle of the file may be an empty index's page)
    "rows page zeroed": lambda p: overwrite(p, root_page(p, "deliveries") + 100, b"\0" * (PAGE - 100)),
    "schema page garbage": lambda p: overwrite(p, 100, random.Random(4).randbytes(PAGE - 100)),
}
# At open (page 1) every command sees it.
FATAL = {"header garbage", "truncated to 100 bytes", "schema page garbage"}


def checkpointed(env: Env) -> list[str]:
    done = filled_store(env)
    conn = sqlite3.connect(env.state)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return done


@pytest.fixture(scope="module")
def healthy_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """One checkpointed store with deliveries and a stock message, and each command's exit code on it."""
    tmp_path = tmp_path_factory.mktemp("healthy")
    env = Env(tmp_path, tmp_path / "state.db")
    checkpointed(env)
    shutil.copy(env.state, tmp_path / "pristine.db")
    codes = {name: env.run(*args, input=data).returncode for name, (args, data) in COMMANDS.items()}
    return tmp_path / "pristine.db", codes


def in_process(env: Env, args: Sequence[str], data: bytes) -> subprocess.CompletedProcess[bytes]:
    """``flowkit ARGS`` in this process (fast); an uncaught exception fails the test as a traceback would."""
    from click.testing import CliRunner

    from flowkit.cli import cli

    prefix = ["--state", str(env.state), "--config", str(env.config)]
    result = CliRunner().invoke(cli, [*prefix, *args], input=data, catch_exceptions=False, prog_name="flowkit")
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout_bytes, result.stderr_bytes)


@pytest.mark.parametrize("damage", list(MAIN_DAMAGE))
def test_a_damaged_store_gets_one_line_and_78_never_a_traceback(
    tmp_path: Path, damage: str, healthy_store: tuple[Path, dict[str, int]]
) -> None:
    pristine, healthy = healthy_store
    env = Env(tmp_path, tmp_path / "state.db")
    shutil.copy(pristine, env.state)
    MAIN_DAMAGE[damage](env.state)
    check = env.run("state", "check")
    assert check.returncode == 78, check.stdout
    one_line(check, str(env.state), "is not healthy")
    report = check.stdout.decode()
    assert "NOT healthy" in report and ".recover" in report and "deliveries" in report
    for name, (args, data) in COMMANDS.items():
        result = in_process(env, args, data)
        if result.returncode != healthy[name]:  # a command that never reads the damaged page runs as before
            assert result.returncode == 78, (name, result.stderr)
            one_line(result, "flowkit: error:", str(env.state), "corrupt", "flowkit state check")
        elif damage in FATAL:
            pytest.fail(f"{name} ran on a store whose first page is damaged")


def test_a_damaged_write_ahead_log_loses_only_its_own_transactions(tmp_path: Path) -> None:
    """sqlite checksums every WAL frame and ignores the frames from the first bad one: the store stays consistent."""
    env = Env(tmp_path, tmp_path / "state.db")
    checkpointed(env)
    for case in ("header", "frame", "truncated"):
        source, copy = tmp_path / f"source-{case}.db", tmp_path / f"wal-{case}.db"
        shutil.copy(env.state, source)
        keeper = sqlite3.connect(source, isolation_level=None)  # keeps the WAL from being checkpointed away
        keeper.execute("PRAGMA wal_autocheckpoint = 0")
        keeper.execute("DELETE FROM runs")  # a transaction that exists only in the WAL
        shutil.copy(source, copy)
        shutil.copy(source.with_name(source.name + "-wal"), copy.with_name(copy.name + "-wal"))
        keeper.close()
        wal = copy.with_name(copy.name + "-wal")
        if case == "header":
            overwrite(wal, 0, b"\xff" * 32)
        elif case == "frame":
            overwrite(wal, 32 + 24 + 10, b"\xff" * 64)
        else:
            truncate(wal, wal.stat().st_size - 100)
        other = Env(tmp_path, copy)
        check = other.run("state", "check")
        assert check.returncode == 0, check.stdout + check.stderr
        assert b"integrity_check: ok" in check.stdout
        runs = other.run("state", "runs")
        assert runs.returncode == 0 and b"Traceback" not in runs.stderr
        assert runs.stdout.count(b"\n") >= 1  # the DELETE in the damaged WAL was dropped, the runs are back


# state check -------------------------------------------------------------------------------------


def test_state_check_of_a_healthy_store(tmp_path: Path) -> None:
    env = Env(tmp_path, tmp_path / "state.db")
    filled_store(env, 3)
    result = env.run("state", "check")
    assert result.returncode == 0, result.stderr
    report = result.stdout.decode()
    assert "healthy" in report and "NOT" not in report
    assert "integrity_check: ok" in report and f"schema version {KNOWN} (current)" in report
    assert "deliveries: 3 row(s)" in report and "processed_messages: 1 row(s)" in report
    assert result.stderr == b""


def test_state_check_of_a_missing_an_empty_and_a_newer_store(tmp_path: Path) -> None:
    env = Env(tmp_path, tmp_path / "none.db")
    missing = env.run("state", "check")
    assert missing.returncode == 78 and b"no state store at" in missing.stdout
    assert not env.state.exists()  # the check creates nothing

    env.state.write_bytes(b"")
    empty = env.run("state", "check")
    assert empty.returncode == 78 and b"empty: no tables" in empty.stdout

    env.state.unlink()
    filled_store(env, 1)
    conn = sqlite3.connect(env.state)
    conn.execute(f"PRAGMA user_version = {KNOWN + 1}")
    conn.close()
    newer = env.run("state", "check")
    assert newer.returncode == 78 and b"upgrade flowkit" in newer.stdout
    one_line(newer, str(env.state), "newer than this flowkit")


# signals -----------------------------------------------------------------------------------------


def feed(proc: subprocess.Popen[bytes], data: bytes, answers: int) -> list[bytes]:
    """Write ``data`` to a running command and read ``answers`` output lines back (the producer then stalls)."""
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(data)
    proc.stdin.flush()
    return [readline(proc.stdout) for _ in range(answers)]


def readline(stream: IO[bytes]) -> bytes:
    got = stream.readline()
    assert got, "the command ended early"
    return got


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_waiting_for_input_exits_with_its_code_and_one_line(tmp_path: Path, signum: int, code: int) -> None:
    env = Env(tmp_path, tmp_path / "state.db")
    proc = subprocess.Popen(
        env.cmd("deliver", "--to", "hf", "--name", "{key}.xml"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = keys(0, 5)
    answers = feed(proc, payloads(first), len(first))
    assert [orjson.loads(a)["body"]["status"] for a in answers] == ["delivered"] * 5
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == code
    name = signal.Signals(signum).name
    assert err.decode().splitlines() == [f"flowkit: deliver: interrupted ({name}); what was done is recorded, rerun to finish"]
    assert out == b""
    assert env.last_run() == "interrupted"
    rerun = env.deliver(payloads(keys(0, 10)))
    assert rerun.returncode == 0, rerun.stderr
    statuses = [orjson.loads(r)["body"]["status"] for r in rerun.stdout.splitlines()]
    assert statuses == ["duplicate"] * 5 + ["delivered"] * 5
    env.exactly_once(keys(0, 10))


def test_signals_landing_anywhere_in_a_stream_lose_and_double_nothing(tmp_path: Path) -> None:
    """SIGINT or SIGTERM at a random instant while records are being processed, then a rerun of everything."""
    env = Env(tmp_path, tmp_path / "state.db")
    rng = random.Random(15)
    everything = keys(0, 300)
    data = payloads(everything, 100)
    for _ in range(6):
        signum = rng.choice([signal.SIGINT, signal.SIGTERM])
        proc = subprocess.Popen(
            env.cmd("deliver", "--to", "hf", "--name", "{key}.xml"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdin is not None
        proc.stdin.write(data[: rng.randrange(len(data))])  # a producer that has sent part of its stream so far
        proc.stdin.flush()
        time.sleep(rng.uniform(0.3, 0.8))
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=30)
        text = err.decode()
        assert "Traceback" not in text, text
        assert proc.returncode == 128 + signum, text
        assert text.splitlines()[-1].startswith("flowkit: deliver: interrupted"), text
        assert env.last_run() == "interrupted"
    final = env.deliver(data)
    assert final.returncode == 0, final.stderr
    assert len(final.stdout.splitlines()) == len(everything)
    env.exactly_once(everything)


def test_sigpipe_is_still_a_broken_pipe_not_a_signal_exit(tmp_path: Path) -> None:
    """SIGPIPE keeps Python's handling: the next command stopping is said as such (app.App.run)."""
    env = Env(tmp_path, tmp_path / "state.db")
    source = tmp_path / "in.ndjson"
    source.write_bytes(payloads(keys(0, 2000)))
    script = f"{shlex.join(env.cmd('deliver', '--to', 'hf', '--name', '{key}.xml', str(source)))} | head -c 1 >/dev/null"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", script], capture_output=True, timeout=120, check=False)
    assert b"Traceback" not in done.stderr
    assert b"interrupted" not in done.stderr
    assert env.last_run() in ("broken-pipe", "ok")


def test_a_lock_file_that_cannot_be_written_is_75_on_a_full_disk_and_78_on_a_read_only_one(
    tmp_path: Path, tmpfs: Callable[[str], Path]
) -> None:
    from flowkit.errors import ConfigError, TempFailError
    from flowkit.store.lock import exclusive

    full, read_only = tmpfs("64k"), tmpfs("64k")
    filler = fill(full)
    with pytest.raises(TempFailError, match="the disk is full"), exclusive(full / "state.db", "deliver-x", wait=0):
        pytest.fail("locked on a full disk")
    filler.unlink()
    remount(read_only, "ro")
    with pytest.raises(ConfigError, match="cannot write it"), exclusive(read_only / "state.db", "deliver-x", wait=0):
        pytest.fail("locked on a read-only disk")
