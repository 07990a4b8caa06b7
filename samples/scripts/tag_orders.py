#!/usr/bin/env python3
"""A pipeline step written as a plain Python script: flowkit records in on stdin, records out on stdout.

Adds the tag "rush" to orders whose shipping method looks like express or
next day, and a "cost_centre" to meta from the order's extra data. Records
of other kinds pass through unchanged. A line it cannot read becomes an
error record, so the next flowkit command and the exit code see it.

    flowkit query-orders --source samples/sources | python3 samples/scripts/tag_orders.py | flowkit render
"""

from __future__ import annotations

import json
import sys

RUSH_WORDS = ("express", "next day", "overnight")


def process(record: dict) -> dict:
    if record.get("kind") != "order":
        return record
    order = record["body"]
    method = " ".join(filter(None, [order["shipping"].get("method_code"), order["shipping"].get("method_name")]))
    if any(word in method.lower() for word in RUSH_WORDS) and "rush" not in order["tags"]:
        order["tags"].append("rush")
    cost_centre = order.get("extra_data", {}).get("CostCentre")
    if cost_centre:
        record["meta"]["cost_centre"] = cost_centre  # add to meta; never drop keys
    return record


def main() -> int:
    failed = 0
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        record = None
        try:
            record = json.loads(line)
            out = process(record)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            failed += 1
            print(f"tag_orders: <stdin>:{number}: {exc}", file=sys.stderr)
            key = record.get("key", f"line-{number}") if isinstance(record, dict) else f"line-{number}"
            out = {"flowkit": "record/1", "kind": "error", "key": str(key), "type": "application/json", "meta": {},
                   "body": {"error": str(exc), "exit_code": 65, "command": "tag_orders", "kind": "order"}}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()  # one line at a time, so the pipeline keeps moving
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
