"""query-orders: fetch, filter and queue orders (core.py), and mark-sent, which closes the loop (mark_sent.py)."""
