"""import-shipment: 100,000 shipment messages against 50,000 known orders.

Each order has two lines and receives two partial shipments (the second
arrives half a stream later), so every message is validated and written in
its own transaction and half of them complete an order. The same messages
are run through a bare baseline in the same run: a hand-written loop that
does only the sqlite work (dedupe lookup, order lines, shipment insert,
quantities, status, processed id, one transaction per message) with no
parsing into records, validation messages, events or result records. Peak
RSS is compared with a run of a tenth of the messages: memory must stay flat.

    .venv/bin/python bench/import_shipment.py [--orders 50000] [--messages 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

BASELINE = r"""
import sqlite3, sys, orjson, datetime
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL"); conn.execute("PRAGMA synchronous = NORMAL")
with open(sys.argv[2], "rb") as fh:
    for line in fh:
        m = orjson.loads(line)
        conn.execute("BEGIN IMMEDIATE")
        if conn.execute("SELECT 1 FROM processed_messages WHERE kind='shipment' AND target='default' "
                        "AND message_seq=?", (m["message_seq"],)).fetchone():
            conn.execute("COMMIT"); continue
        lines = {sku: lid for lid, sku in conn.execute(
            "SELECT line_id, sku FROM order_lines WHERE number=?", (m["order"],))}
        stamp = datetime.datetime.now(datetime.timezone.utc).isoformat()
        sid = conn.execute("INSERT INTO shipments (number, target, message_seq, source, courier, shipped_at, "
                           "created_at) VALUES (?, 'default', ?, 'default', ?, ?, ?)",
                           (m["order"], m["message_seq"], m["courier"], m["date_shipped"], stamp)).lastrowid
        for ln in m["lines"]:
            lid = lines[ln["sku"]]
            conn.execute("INSERT INTO shipment_lines VALUES (?, ?, ?, ?)", (sid, lid, ln["sku"], ln["qty"]))
            conn.execute("UPDATE order_lines SET quantity_shipped = quantity_shipped + ? WHERE number=? AND line_id=?",
                         (ln["qty"], m["order"], lid))
        for pos, code in enumerate(m["tracking"], 1):
            conn.execute("INSERT INTO shipment_tracking VALUES (?, ?, ?, NULL)", (sid, pos, code))
        conn.execute("UPDATE orders SET status='partially_shipped' WHERE number=?", (m["order"],))
        conn.execute("INSERT INTO processed_messages VALUES ('shipment', 'default', ?, ?, 'success')",
                     (m["message_seq"], stamp))
        conn.execute("COMMIT")
"""


def order(number: str) -> dict[str, object]:
    line = {
        "quantity_shipped": 0,
        "status": "in_production",
        "unit_price": "0.05",
        "row_total": "25.00",
        "attributes": [{"name": "Paper", "value": "350gsm silk"}],
        "assets": [],
        "extra_data": {},
    }
    return {
        "schema": "flowkit.order/1",
        "id": f"fk-{number}",
        "number": number,
        "status": "approved",
        "external_refs": {"magento.entity_id": number.lstrip("0") or "0"},
        "source": {"system": "magento", "channel": {"id": "1", "name": "Main Website", "type": "web"}, "store": "1"},
        "hold": {"on_hold": False, "reason": None, "until": None},
        "currency": "GBP",
        "customer": {"id": "118", "email": "buyer@example.com", "first_name": "Ann", "last_name": "Example"},
        "shipping_address": {
            "first_name": "Ann",
            "last_name": "Example",
            "lines": ["1 Example Street"],
            "city": "London",
            "postal_code": "EC1A 1AA",
            "country_code": "GB",
        },
        "lines": [
            {**line, "id": "1", "sku": "FLY-A5-350", "quantity": 500, "external_refs": {"magento.item_id": "1" + number}},
            {**line, "id": "2", "sku": "BC-85X55", "quantity": 250, "external_refs": {"magento.item_id": "2" + number}},
        ],
    }


def make_store(path: Path, count: int) -> None:
    from flowkit.store import Store, orders

    store = Store(path)
    with store.transaction():
        for i in range(count):
            orders.upsert(store, order(f"{i:09d}"), source="bench", command="bench")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def make_messages(path: Path, orders: int, count: int) -> None:
    """Two partial shipments per order; the second wave follows the first, in a shuffled order."""
    rng = random.Random(7)
    numbers = list(range(orders))
    waves = [(0, "FLY-A5-350", 500), (1, "BC-85X55", 250)]
    seq = 0
    with path.open("wb") as fh:
        while seq < count:
            for wave, sku, qty in waves:
                rng.shuffle(numbers)
                for n in numbers:
                    if seq >= count:
                        return
                    seq += 1
                    fh.write(
                        orjson.dumps(
                            {
                                "message_seq": seq,
                                "order": f"{n:09d}",
                                "lines": [{"sku": sku, "qty": qty}],
                                "courier": "Royal Mail",
                                "service": "Tracked 24",
                                "tracking": [f"RM{seq:09d}GB"],
                                "date_shipped": "2026-11-20",
                                "notify": wave == 1,
                            }
                        )
                        + b"\n"
                    )


def child(argv: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS MiB so far among children) of a child process."""
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_store(root / "orders.db", args.orders)
        make_messages(root / "small.ndjson", args.orders, args.messages // 10)
        make_messages(root / "big.ndjson", args.orders, args.messages)
        for name in ("small.db", "big.db", "base.db"):
            shutil.copy(root / "orders.db", root / name)
        flowkit = [sys.executable, "-m", "flowkit", "--state"]
        # ru_maxrss over children only grows: run the smallest first.
        small_s, small_rss = child(
            [*flowkit, str(root / "small.db"), "import-shipment", "--postback", "magento", str(root / "small.ndjson")]
        )
        big_s, big_rss = child(
            [*flowkit, str(root / "big.db"), "import-shipment", "--postback", "magento", str(root / "big.ndjson")]
        )
        base_s, _ = child([sys.executable, "-c", BASELINE, str(root / "base.db"), str(root / "big.ndjson")])
        db_mb = os.path.getsize(root / "big.db") / 1e6
    n = args.messages
    print(f"{args.orders:,} known orders, {n:,} messages (one transaction each), state store {db_mb:.0f} MB")
    print(f"flowkit import-shipment --postback magento: {big_s:6.2f} s  {n / big_s:8,.0f} messages/s  peak RSS {big_rss:.1f} MiB")
    print(f"baseline (bare sqlite loop):                 {base_s:6.2f} s  {n / base_s:8,.0f} messages/s")
    print(f"ratio flowkit / baseline: {big_s / base_s:.2f}x the time")
    growth = big_rss - small_rss
    print(
        f"{n // 10:,} messages: {small_s:.2f} s, peak RSS {small_rss:.1f} MiB; "
        f"RSS growth for 10x the messages: {growth:+.1f} MiB: {'flat' if growth < 10 else 'NOT FLAT'}"
    )
    return 0 if growth < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
