"""What the monitoring file reports, read from the state store: runs, open deliveries, orders.

Every query reads a small table (``runs``, kept by age) or an index: the open
deliveries through ``deliveries_open`` (delivered rows are not in it), orders
through ``orders_export``; so writing the metrics after every run costs a few
milliseconds whatever the size of the ledger.
"""

from __future__ import annotations

import json
from typing import Any

from flowkit.store.db import Store


def runs(store: Store) -> list[dict[str, Any]]:
    """The last run of each (command, target), with the end of its last success and of its last delivery."""
    rows = store.conn.execute(
        """
        SELECT r.command, COALESCE(r.target, '') AS target, r.started_at, r.ended_at, r.status, r.exit_code, r.counts,
               (SELECT MAX(s.ended_at) FROM runs s
                 WHERE s.command = r.command AND COALESCE(s.target, '') = COALESCE(r.target, '')
                   AND s.exit_code = 0) AS last_success,
               (SELECT MAX(d.ended_at) FROM runs d
                 WHERE d.command = r.command AND COALESCE(d.target, '') = COALESCE(r.target, '')
                   AND d.exit_code IS NOT NULL AND CAST(json_extract(d.counts, '$.delivered') AS BIGINT) > 0) AS last_delivered
          FROM runs r
         WHERE r.id IN (SELECT MAX(id) FROM runs WHERE ended_at IS NOT NULL GROUP BY command, COALESCE(target, ''))
         ORDER BY r.command, target
        """
    )
    out = []
    for row in rows:
        item = dict(row)
        item["counts"] = json.loads(item["counts"] or "{}")
        out.append(item)
    return out


def open_deliveries(store: Store) -> list[tuple[str, str, int]]:
    """(destination, status, count) of every delivery not (yet) delivered: failed, unknown, dead, in flight."""
    rows = store.conn.execute(
        "SELECT destination, status, COUNT(*) FROM deliveries WHERE status <> 'delivered' GROUP BY destination, status"
    )
    return [(str(d), str(s), int(n)) for d, s, n in rows]


def orders(store: Store) -> list[tuple[str, int]]:
    """(export status, count) of the orders the store knows."""
    return [(str(s), int(n)) for s, n in store.conn.execute("SELECT export_status, COUNT(*) FROM orders GROUP BY export_status")]
