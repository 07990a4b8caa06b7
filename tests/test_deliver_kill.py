"""Kill -9 deliver at random points, rerun to completion: every record exactly once, no .part files.

The destination uses ``conflict = "fail"`` (a file is never overwritten), so a
record sent a second time would fail the final run. Two concurrent runs over
the same input must not deliver anything twice either.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from servers.sshd import Sshd

N = 1000
KILLS = 20  # per destination (hotfolder and SFTP), each at a random point of the batch


def batch(path: Path, n: int = N) -> Path:
    with path.open("wb") as out:
        for i in range(n):
            key = f"K{i:04d}"
            out.write(
                orjson.dumps(
                    {
                        "flowkit": "record/1",
                        "kind": "payload",
                        "key": key,
                        "type": "application/xml",
                        "meta": {"channel": "web"},
                        "body": f'<order n="{key}">{"x" * (i % 50)}</order>',
                    }
                )
            )
            out.write(b"\n")
    return path


def deliver_cmd(state: Path, config: Path, source: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "flowkit",
        "--state",
        str(state),
        "--config",
        str(config),
        "-q",
        "deliver",
        "--to",
        "dest",
        "--name",
        "{key}.xml",
        "--wait",
        "60",
        str(source),
    ]


def kill_at_random(cmd: list[str], rng: random.Random, env: dict[str, str]) -> bool:
    """Start a run, let it deliver a random number of records, SIGKILL it at a random instant.

    Results come out per window of records, so after the last line read the
    kill lands anywhere in the next window: intents, uploads or outcomes.
    True when the run was really killed (had not finished yet).
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    target = rng.randint(0, 70)
    seen = 0
    while seen < target and proc.stdout.readline():
        seen += 1
    time.sleep(rng.uniform(0, 0.05))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    return proc.returncode == -signal.SIGKILL


def check_exactly_once(state: Path, folder: Path, final: subprocess.CompletedProcess[bytes]) -> None:
    assert final.returncode == 0, final.stderr.decode()
    statuses = [orjson.loads(line)["body"]["status"] for line in final.stdout.splitlines()]
    assert len(statuses) == N and set(statuses) <= {"delivered", "duplicate"}
    files = {p.name: p for p in folder.iterdir()}
    assert not [name for name in files if name.endswith(".part")]
    assert len(files) == N
    for i in range(0, N, 37):
        key = f"K{i:04d}"
        assert files[f"{key}.xml"].read_text() == f'<order n="{key}">{"x" * (i % 50)}</order>'
    conn = sqlite3.connect(state)
    per_key = conn.execute("SELECT key, COUNT(*) FROM deliveries GROUP BY key").fetchall()
    assert len(per_key) == N and {count for _, count in per_key} == {1}
    assert conn.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'delivered'").fetchone()[0] == N
    reconciled = conn.execute("SELECT COUNT(*) FROM deliveries WHERE response LIKE '%reconciled%'").fetchone()[0]
    resent = conn.execute("SELECT COUNT(*) FROM deliveries WHERE attempts > 1").fetchone()[0]
    print(f"kill test: {reconciled} found delivered after a kill, {resent} sent again after a kill")
    # Usually > 0 (the kills left half-done work behind); not asserted, as a kill
    # may land between windows every time on a loaded machine.
    conn.close()


def run_kill_test(tmp_path: Path, config_text: str, folder: Path, seed: int) -> None:
    rng = random.Random(seed)
    config = tmp_path / "flowkit.toml"
    config.write_text(config_text)
    state = tmp_path / "state.db"
    cmd = deliver_cmd(state, config, batch(tmp_path / "batch.ndjson"))
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    killed = sum(kill_at_random(cmd, rng, env) for _ in range(KILLS))
    assert killed == KILLS  # every run was cut short, none had finished
    final = subprocess.run(cmd, check=False, capture_output=True, env=env, timeout=120)
    check_exactly_once(state, folder, final)


@pytest.mark.slow
def test_hotfolder_survives_kill_9(tmp_path: Path) -> None:
    out = tmp_path / "out"
    text = f'[destinations.dest]\ntype = "hotfolder"\npath = "{out}"\nconflict = "fail"\n'
    run_kill_test(tmp_path, text, out, seed=20261123)


@pytest.mark.slow
def test_sftp_survives_kill_9(tmp_path: Path, sshd_server: Sshd) -> None:
    remote = sshd_server.upload / tmp_path.name
    remote.mkdir()
    text = (
        f'[destinations.dest]\ntype = "sftp"\nhost = "127.0.0.1"\nport = {sshd_server.port}\n'
        f'username = "{sshd_server.user}"\npath = "{remote}"\nkey_file = "{sshd_server.client_key}"\n'
        f'known_hosts = "{sshd_server.known_hosts}"\nconflict = "fail"\n'
    )
    run_kill_test(tmp_path, text, remote, seed=1203)


def test_two_concurrent_runs_never_double_deliver(tmp_path: Path) -> None:
    out = tmp_path / "out"
    config = tmp_path / "flowkit.toml"
    config.write_text(f'[destinations.dest]\ntype = "hotfolder"\npath = "{out}"\nconflict = "fail"\n')
    state = tmp_path / "state.db"
    cmd = deliver_cmd(state, config, batch(tmp_path / "batch.ndjson", 300))
    logs = [(tmp_path / f"out{i}.ndjson", tmp_path / f"err{i}.txt") for i in range(2)]
    runs = []
    for stdout, stderr in logs:
        with stdout.open("wb") as out_file, stderr.open("wb") as err_file:
            runs.append(subprocess.Popen(cmd, stdout=out_file, stderr=err_file))
    codes = [run.wait(timeout=120) for run in runs]
    assert codes == [0, 0], [err.read_text() for _, err in logs]
    statuses = [orjson.loads(line)["body"]["status"] for stdout, _ in logs for line in stdout.read_bytes().splitlines()]
    assert statuses.count("delivered") == 300 and statuses.count("duplicate") == 300
    assert len(list(out.iterdir())) == 300
