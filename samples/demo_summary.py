"""One line per order after a demo run: delivered where, held why, or why it was not sent (samples/demo.sh).

Usage: python3 samples/demo_summary.py DEMO_DIR RUN   (with flowkit on PATH and FLOWKIT_CONFIG set)

Reads the run's records (DEMO_DIR/results-RUN.ndjson, what deliver passed on to mark-sent) and each
order's story in the state store (`flowkit state show NUMBER --json`, `flowkit state runs`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def flowkit(*args: str) -> str:
    return subprocess.run(["flowkit", *args], check=True, capture_output=True, text=True).stdout


def run_of(at: str, starts: list[str]) -> int:
    """The demo run (1, 2, ...) an event belongs to: the last query-orders run started before it."""
    return sum(1 for start in starts if start <= at)


def from_record(result: dict[str, Any]) -> str:
    """The outcome a result record tells."""
    body, meta = result["body"], result.get("meta", {})
    status = body.get("status")
    if status == "delivered":
        return f"delivered to {body['destination']} as {Path(body['remote_ref']).name} (attempt {body['attempts']})"
    holds = meta.get("rules", {}).get("holds", [])
    if status == "skipped" and holds:
        return "; ".join(f"held by rule '{h['by']}': {h['reason']}" for h in holds)
    if status in ("failed", "unknown", "dead"):
        return f"{status} at {body.get('destination')}: {body.get('error')}"
    return f"{status}: {body.get('reason') or 'no reason given'}"


def from_store(story: dict[str, Any], starts: list[str]) -> str:
    """Why query-orders did not emit the order in this run, from its story in the store."""
    order = story["order"]
    if order["export_status"] == "exported":
        sent = [d for d in story["deliveries"] if d["status"] == "delivered"]
        where = ", ".join(f"{d['destination']} as {d['filename']} in run {run_of(d['delivered_at'], starts)}" for d in sent)
        return f"not emitted: already exported (delivered to {where})"
    if order["export_status"] == "held":
        held = [e for e in story["events"] if e["event"] == "held"][-1]
        return f"not emitted: held since run {run_of(held['at'], starts)} by {held['command']} ({order['hold_reason']})"
    return f"not emitted: export status {order['export_status']}"


def main(demo: Path, run: int) -> None:
    records = [json.loads(line) for line in (demo / f"results-{run}.ndjson").read_text().splitlines() if line.strip()]
    numbers = {str(json.loads(path.read_text())["number"]) for path in (demo / "inbox").glob("*.json")}
    numbers |= {rec["key"] for rec in records}
    runs = [json.loads(line) for line in flowkit("state", "runs", "--command", "query-orders", "--limit", "1000").splitlines()]
    starts = sorted(r["started_at"] for r in runs)
    print(f"run {run}:")
    for number in sorted(numbers):
        mine = [rec for rec in records if rec["key"] == number]
        results = [rec for rec in mine if rec["kind"] == "result"]
        errors = [
            f"failed in {rec['body']['command']} (exit {rec['body']['exit_code']}): {rec['body']['error']}"
            for rec in mine
            if rec["kind"] == "error"
        ]
        if results or errors:
            outcome = "; ".join([*(from_record(rec) for rec in results), *errors])
        else:
            outcome = from_store(json.loads(flowkit("state", "show", number, "--json")), starts)
        alerts = [f"alert: {rec['body']['message']}" for rec in mine if rec["kind"] == "alert"]
        print(f"  {number}  " + "; ".join([outcome, *alerts]))


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
