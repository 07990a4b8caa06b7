"""push-stock's core: read stock messages, decide each line against the ledger, send chunks.

``model`` (lines, results, quantity calculation), ``read`` (NDJSON/JSON/CSV/SOAP
inputs), ``soap`` (the OrderFlow SOAP inventory message), ``engine`` (the
per-message decision), ``send`` (chunked outgoing messages), ``inbox`` (the
folder queue).
"""
