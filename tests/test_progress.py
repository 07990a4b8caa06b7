"""Progress on a terminal, nothing on a pipe: deliver, push-stock, query-orders and import-shipment.

Each command runs as a real process with its stderr on a pseudo-terminal
(``pty``), as a person at a terminal runs it, and again with stderr on a pipe.
The terminal sees rich's progress line (the command, the count of records,
a rate or the elapsed time); the pipe sees only the plain lines it always saw.
"""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "samples"


def _payloads(path: Path, count: int) -> Path:
    lines = (
        json.dumps({"flowkit": "record/1", "kind": "payload", "key": f"P{i}", "type": "text/plain", "meta": {}, "body": "x"})
        for i in range(count)
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _commands(tmp: Path) -> dict[str, tuple[list[str], int]]:
    """name -> (flowkit arguments, records it works through)."""
    (tmp / "out").mkdir()
    inbox = tmp / "inbox"
    shutil.copytree(SAMPLES / "orders", inbox)
    stock = tmp / "stock.ndjson"
    stock.write_text(
        "\n".join(json.dumps({"message_seq": 500 + i, "lines": [{"sku": f"S{i}", "qty": i, "seq": 1}]}) for i in range(40))
        + "\n",
        encoding="utf-8",
    )
    return {
        "deliver": (["deliver", "--to", (tmp / "out").as_uri() + "/", str(_payloads(tmp / "p.ndjson", 40))], 40),
        "push-stock": (["push-stock", "--target", "web", str(stock)], 40),
        "query-orders": (["query-orders", "--source", str(inbox)], len(list(inbox.glob("*.json")))),
        "import-shipment": (
            [
                "import-shipment",
                "--orders",
                str(SAMPLES / "shipments" / "orders.ndjson"),
                str(SAMPLES / "shipments" / "despatch.ndjson"),
            ],
            0,
        ),
    }


def _on_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run ``flowkit ARGS`` with stderr on a pseudo-terminal; (exit code, what the terminal received)."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "HOME": str(cwd)}
    with open(cwd / "stdout", "wb") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "flowkit", "--state", str(cwd / "state.db"), *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=slave,
            env=env,
            cwd=cwd,
        )
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            seen += data
        elif child.poll() is not None:
            break
    os.close(master)
    return child.wait(timeout=60), seen.decode("utf-8", errors="replace")


@pytest.mark.parametrize("name", ["deliver", "push-stock", "query-orders", "import-shipment"])
def test_a_terminal_sees_progress_and_a_pipe_does_not(tmp_path: Path, name: str) -> None:
    args, count = _commands(tmp_path)[name]
    code, terminal = _on_terminal(args, tmp_path)
    assert code == 0, terminal
    assert f"\x1b[1m{name}\x1b[0m" in terminal  # the progress line names the command, in bold
    assert " records" in terminal and "0:00:" in terminal  # a count of records and the elapsed time
    if count:
        assert f"{count:,} records" in terminal, terminal[-500:]
    if name in ("deliver", "push-stock"):  # the summary: one shape, a table of the counts on a terminal
        assert "result" in terminal and "count" in terminal and f"{name}" in terminal.rsplit("records", 1)[-1]

    piped = subprocess.run(
        [sys.executable, "-m", "flowkit", "--state", str(tmp_path / "piped.db"), *args],
        capture_output=True,
        env={**os.environ, "HOME": str(tmp_path)},
        cwd=tmp_path,
        timeout=60,
    )
    assert piped.returncode == 0, piped.stderr
    assert b"\x1b[" not in piped.stderr and b"records/s" not in piped.stderr and b"0:00:" not in piped.stderr


def test_quiet_and_json_logs_draw_no_progress_on_a_terminal(tmp_path: Path) -> None:
    args, _ = _commands(tmp_path)["deliver"]
    code, terminal = _on_terminal(["-q", *args], tmp_path)
    assert code == 0 and "records" not in terminal, terminal
    code, terminal = _on_terminal(["--log-format", "json", *args[:-1], str(_payloads(tmp_path / "q.ndjson", 5))], tmp_path)
    assert code == 0 and "\x1b[" not in terminal
    assert all(json.loads(line) for line in terminal.splitlines() if line.strip()), terminal
