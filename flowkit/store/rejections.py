"""Messages refused for an order, kept in its story: the one trace a refused message leaves.

A shipment message that fails validation (unknown SKU, quantity over what
remains, order cancelled or held...) writes nothing: it is not marked
processed, so a corrected or repeated message with the same id is applied
later, not reported as a duplicate. What the store does keep is a
``rejected`` event on the order's story (``flowkit state show``), written
after the message's own transaction was rolled back, in a transaction of
its own, and only for an order the store knows (a message naming an unknown
order would otherwise create a story for a number nobody has).
"""

from __future__ import annotations

import json
from typing import Any

from flowkit.store.db import Store

# The same rejection after the order's latest other event: a refusal repeated, nothing new to tell.
_SEEN = """SELECT 1 FROM events WHERE key = ?1 AND command = ?2 AND event = 'rejected' AND detail = ?3
           AND id > COALESCE((SELECT MAX(id) FROM events WHERE key = ?1 AND event <> 'rejected'), 0) LIMIT 1"""


def note(store: Store, number: str, command: str, detail: dict[str, Any]) -> bool:
    """Append a ``rejected`` event to the story of order ``number``; False when not written.

    Not written when the store does not know the order, nor when this same
    rejection is already in the story with nothing else since (an inbox file
    retried by each cron run adds its rejections once, not once per run).
    """
    text = json.dumps(detail, sort_keys=True)
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM orders WHERE number = ?", (number,)).fetchone() is None:
            return False
        if conn.execute(_SEEN, (number, command, text)).fetchone() is not None:
            return False
        store.add_event(conn, number, command, "rejected", detail)
    return True
