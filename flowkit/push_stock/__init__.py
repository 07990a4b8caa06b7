"""push-stock's core: decode stock messages, decide each line against the ledger, send chunks.

``model`` (lines, results, quantity calculation), ``decode`` (NDJSON/JSON/CSV/SOAP
inputs, a decoder for ``records.Reader``), ``soap`` (the OrderFlow SOAP inventory
message), ``engine`` (the per-message decision), ``send`` (chunked outgoing
messages), ``run`` (the run on ``pipeline.run``; ``--from-dir`` via ``flowkit.inbox``).
"""
