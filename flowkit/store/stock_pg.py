"""The stock ledger's bulk writes on PostgreSQL: COPY into a temporary table, then one upsert.

On sqlite ``stock.apply`` runs one compare-and-set upsert per line
(``executemany``), in-process and cheap. On PostgreSQL a batch goes as one
COPY into the session's temporary table ``stock_batch`` and one ``INSERT …
SELECT … ON CONFLICT … DO UPDATE … WHERE excluded.last_seq >
stock_ledger.last_seq``; its ``stock-applied`` events go by COPY straight into
``events``.

The ledger ends as sqlite's row-by-row upsert leaves it, whatever the batch
holds: per (sku, source) a row is applied when its seq is above the ledger's
and every earlier row's of the batch, the highest applied row is kept, and
each applied seq is appended to ``history`` in the batch's order (its last
``HISTORY_CHARS`` characters kept). Python folds the batch to one row per key
(the seqs that may apply, space-separated); ``apply`` drops those the ledger
already passed (a sender's chunk may be older than the ledger), so an upsert
never meets a key twice. ``right(h || ' ' || right(t, N), N)`` equals
``right(h || ' ' || t, N)``, so the proposed row's history may be cut first.

push-stock's own decisions (``stock_defer.Deferred``) are always above the
ledger they were decided against and rise per key: ``_write_fresh`` sends
them as they are and lets the server fold them and write their events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

HISTORY_CHARS = 2000
EVENT = "stock-applied"
Row = tuple[str, str, int, int, int, Any]  # (sku, source, seq, qty, received, message_seq), as stock.Applied

TABLE = """CREATE TEMPORARY TABLE IF NOT EXISTS stock_batch (
    sku TEXT NOT NULL, source TEXT NOT NULL, last_seq BIGINT NOT NULL, qty BIGINT NOT NULL,
    received BIGINT, message_seq BIGINT, first_seq BIGINT NOT NULL, seqs TEXT NOT NULL
) ON COMMIT DELETE ROWS"""
_COPY = "COPY stock_batch (sku, source, last_seq, qty, received, message_seq, first_seq, seqs) FROM STDIN"
_EVENTS = "COPY events (key, at, command, event, detail, run_id) FROM STDIN"
_SET = f"""ON CONFLICT (target, sku, source) DO UPDATE SET last_seq = excluded.last_seq, qty = excluded.qty,
        received = excluded.received, message_seq = excluded.message_seq, updated_at = excluded.updated_at,
        history = right(stock_ledger.history || ' ' || excluded.history, {HISTORY_CHARS})
    WHERE excluded.last_seq > stock_ledger.last_seq"""
_INTO = "INSERT INTO stock_ledger (target, sku, source, last_seq, qty, received, message_seq, history, updated_at)"
# push-stock's own windows: rows as decided, every seq above the ledger row it was decided against
ROWS = """CREATE TEMPORARY TABLE IF NOT EXISTS stock_rows (
    ord BIGINT NOT NULL, sku TEXT NOT NULL, source TEXT NOT NULL, source_json TEXT NOT NULL, last_seq BIGINT NOT NULL,
    qty BIGINT NOT NULL, received BIGINT, message_seq BIGINT
) ON COMMIT DELETE ROWS"""
_ROWS_COPY = "COPY stock_rows (ord, sku, source, source_json, last_seq, qty, received, message_seq) FROM STDIN"
_FOLDED = f"""{_INTO}
    SELECT %(target)s, sku, source, max(last_seq), (array_agg(qty ORDER BY ord DESC))[1],
        (array_agg(received ORDER BY ord DESC))[1], (array_agg(message_seq ORDER BY ord DESC))[1],
        right(string_agg(last_seq::text, ' ' ORDER BY ord), {HISTORY_CHARS}), %(stamp)s
    FROM stock_rows GROUP BY sku, source
    {_SET}"""
_FRESH_EVENTS = """INSERT INTO events (key, at, command, event, detail, run_id)
    SELECT sku, %(stamp)s, %(command)s, 'stock-applied',
        '{"message_seq":' || COALESCE(message_seq::text, 'null') || ',"qty":' || qty || ',"seq":' || last_seq
        || ',"source":' || source_json || %(tail)s, %(run_id)s
    FROM stock_rows ORDER BY ord"""
# any batch: the seqs the ledger already passed are dropped first (the row read by its primary key)
_LAST = "(SELECT l.last_seq FROM stock_ledger AS l WHERE l.target = %(target)s AND l.sku = b.sku AND l.source = b.source)"
_ANY = f"""{_INTO}
    SELECT %(target)s, b.sku, b.source, b.last_seq, b.qty, b.received, b.message_seq,
        right(CASE WHEN b.last IS NULL OR b.first_seq > b.last THEN b.seqs
              ELSE array_to_string(ARRAY(SELECT s FROM unnest(string_to_array(b.seqs, ' ')::bigint[]) AS s
                                         WHERE s > b.last), ' ') END, {HISTORY_CHARS}),
        %(stamp)s
    FROM (SELECT *, {_LAST} AS last FROM stock_batch AS b) AS b
    WHERE b.last IS NULL OR b.last_seq > b.last
    {_SET}"""
_MARK = """INSERT INTO processed_messages (kind, target, message_seq, processed_at, result)
    SELECT 'stock', %s, m.seq, m.at, m.result FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS m(seq, at, result)
    ON CONFLICT DO NOTHING"""


def _fold(rows: Sequence[Row]) -> list[tuple[Any, ...]]:
    """One COPY row per (sku, source), in key order: the batch's highest row, the first seq that may apply, and all of them.

    A row whose seq is not above every earlier one of its key would not be applied by sqlite's
    row-by-row compare-and-set whatever the ledger holds: it is left out.
    """
    folded: dict[tuple[str, str], list[Any]] = {}
    for sku, source, seq, qty, received, mseq in rows:
        item = folded.get((sku, source))
        if item is None:
            folded[(sku, source)] = [sku, source, seq, qty, received, mseq, seq, str(seq)]
        elif seq > item[2]:
            item[2:6] = seq, qty, received, mseq
            item[7] += f" {seq}"
    return [tuple(folded[key]) for key in sorted(folded)]


def _write(
    cur: Any,
    target: str,
    rows: Sequence[Row],
    *,
    stamp: str,
    command: str,
    run_id: int | None,
) -> None:
    """On the psycopg cursor ``cur``, in its open transaction: any batch's ledger rows and one event per row.

    ``stock_batch`` must exist on the cursor's connection (``TABLE``); it is left empty.
    """
    with cur.copy(_COPY) as copy:
        for item in _fold(rows):
            copy.write_row(item)
    cur.execute(_ANY, {"target": target, "stamp": stamp})
    cur.execute("DELETE FROM stock_batch")
    with cur.copy(_EVENTS) as copy:
        dumps = orjson.dumps
        for sku, source, seq, qty, _received, mseq in rows:
            detail = dumps({"message_seq": mseq, "qty": qty, "seq": seq, "source": source, "target": target})
            copy.write_row((sku, stamp, command, EVENT, detail.decode(), run_id))


def _write_fresh(
    cur: Any,
    target: str,
    rows: Sequence[Row],
    *,
    stamp: str,
    command: str,
    run_id: int | None,
    marks: Sequence[tuple[int, str, str]] = (),
) -> None:
    """A window of push-stock's own decisions, as its writer transaction's only batch (``stock_defer``).

    Every row is above the ledger row it was decided against, and a key's rows come in rising seqs: the
    rows go by one COPY into ``stock_rows`` (``ROWS``) as they are, the server folds them per key and
    writes the events (their detail the same JSON bytes as orjson's: numbers, and the source's JSON
    string made here); then the processed marks (message_seq, processed_at, result).
    """
    if rows:
        quoted: dict[str, str] = {}
        with cur.copy(_ROWS_COPY) as copy:
            for number, (sku, source, seq, qty, received, mseq) in enumerate(rows):
                text = quoted.get(source)
                if text is None:
                    text = quoted[source] = orjson.dumps(source).decode()
                copy.write_row((number, sku, source, text, seq, qty, received, mseq))
        tail = ',"target":' + orjson.dumps(target).decode() + "}"
        cur.execute(_FOLDED, {"target": target, "stamp": stamp})
        cur.execute(_FRESH_EVENTS, {"stamp": stamp, "command": command, "tail": tail, "run_id": run_id})
    if marks:
        cur.execute(_MARK, (target, *(list(column) for column in zip(*marks, strict=True))))


def apply(store: Any, target: str, rows: Sequence[Row], *, stamp: str, command: str) -> None:
    """``stock.apply`` on PostgreSQL: advance ``target``'s ledger for ``rows`` in the store's open transaction."""
    try:
        with store.conn.raw.cursor() as cur:
            cur.execute(TABLE)
            _write(cur, target, rows, stamp=stamp, command=command, run_id=store.run_id)
    except Exception as exc:
        mapped = store.error(exc)
        if mapped is not None:
            raise mapped from exc
        raise
