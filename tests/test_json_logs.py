"""``--log-format json``: every line on stderr is one JSON object with the fixed fields, for every command.

Each command runs as a real process (what cron runs), once doing its work and
once failing, with ``-v`` so info lines are there too; every stderr line must
parse, carry ``ts level command run event msg``, and a failure must say its
exit code as a number.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "samples"
FIXED = ("ts", "level", "command", "run", "event", "msg")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _order(number: str) -> str:
    body = json.loads((SAMPLES / "orders" / "1204.json").read_text(encoding="utf-8"))
    body["number"] = number
    return json.dumps(
        {"flowkit": "record/1", "kind": "order", "key": number, "type": "application/json", "meta": {}, "body": body}
    )


def _payload(key: str) -> str:
    return json.dumps(
        {"flowkit": "record/1", "kind": "payload", "key": key, "type": "application/xml", "meta": {}, "body": "<o/>"}
    )


def _cases(tmp: Path) -> list[tuple[str, list[str], str, int]]:
    """(name, args after the global options, stdin, expected exit code)."""
    bad = '{"flowkit":"record/1","kind":"order","key":"bad","type":"application/json","meta":{},"body":{"number":"bad"}}'
    down = f"sftp://mis@127.0.0.1:{_closed_port()}/in/"
    rules = str(SAMPLES / "demo-rules.toml")
    (tmp / "out").mkdir()
    broken = tmp / "broken.toml"
    broken.write_text("[log]\ncolour = 'red'\n", encoding="utf-8")
    return [
        ("query-orders", ["query-orders", "--source", str(SAMPLES / "orders"), "--unsent"], "", 0),
        ("query-orders", ["query-orders", "--source", str(tmp / "missing")], "", 78),
        ("apply-rules", ["apply-rules", "--rules", rules], _order("J1") + "\n", 0),
        ("apply-rules", ["apply-rules", "--rules", rules], _order("J2") + "\n" + "not json\n", 1),
        ("render", ["render", "--format", "json"], _order("J3") + "\n" + bad + "\n", 1),
        ("transform", ["transform", "--xslt", str(tmp / "missing.xsl")], _payload("J4") + "\n", 78),
        ("deliver", ["deliver", "--to", (tmp / "out").as_uri() + "/"], _payload("J5") + "\n", 0),
        ("deliver", ["deliver", "--to", down], _payload("J6") + "\n", 75),
        ("query-orders mark-sent", ["query-orders", "mark-sent"], "not json\n", 65),
        ("push-stock", ["push-stock", str(SAMPLES / "stock" / "message-1001.json"), "--target", "web"], "", 0),
        ("push-stock", ["push-stock", "--target", "web"], "{not json\n", 65),
        ("import-shipment", ["import-shipment"], "{not json\n", 65),
        ("state runs", ["state", "runs"], "", 0),
        ("state show", ["state", "show", "no-such-order"], "", 65),
        ("config check", ["--config", str(broken), "config", "check"], "", 78),
        ("check", ["check", down], "", 75),
        ("deliver", ["deliver", "--no-such-option"], "", 2),
        ("nosuch", ["nosuch"], "", 2),  # found before the root options are applied: JSON too
    ]


@pytest.mark.parametrize("index", range(18))
def test_every_stderr_line_is_a_json_object(tmp_path: Path, index: int) -> None:
    name, args, stdin, expected = _cases(tmp_path)[index]
    prefix = ["--log-format", "json", "-v", "--state", str(tmp_path / "state.db")]
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    done = subprocess.run(
        [sys.executable, "-m", "flowkit", *prefix, *args],
        input=stdin.encode(),
        capture_output=True,
        env=env,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == expected, done.stderr.decode()
    lines = done.stderr.decode().splitlines()
    assert lines or expected == 0, f"{name}: nothing on stderr"
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            pytest.fail(f"{name}: a stderr line is not JSON: {line!r}")
        assert isinstance(item, dict) and all(field in item for field in FIXED), line
        assert item["command"] in (name, name.split()[-1], None) or item["event"] == "usage-error", line
    events = [json.loads(line) for line in lines]
    if expected:
        failing = [e for e in events if e["level"] == "error"]
        assert failing and failing[-1]["exit_code"] in (expected, 1, 65, 75), events
        assert all(isinstance(e.get("exit_code", 0), int) for e in failing)
    for event in events:
        if event["event"] == "summary" and "counts" in event:
            assert all(isinstance(v, int) for v in event["counts"].values()), event
        if event["event"] == "run-finished":
            assert isinstance(event["run"], int) and isinstance(event["counts"], dict), event
