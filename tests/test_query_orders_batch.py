"""query-orders records a batch of orders with a few statements: the guarantees of one order at a time still hold."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path

from conftest import Invoke, records, store_rows
from test_query_orders import canonical

from flowkit.query_orders.core import Run
from flowkit.records import Writer
from flowkit.sources import Query
from flowkit.sources.dirsource import DirSource
from flowkit.sources.mapping import map_auto
from flowkit.store import Store
from flowkit.store import orders as orders_store


def write_ndjson(folder: Path, orders: list[dict[str, object]]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "batch.ndjson").write_text("".join(json.dumps(order) + "\n" for order in orders))


class CheckingWriter(Writer):
    """Checks, as each record is written, what another connection sees of it in the store."""

    def __init__(self, state: Path) -> None:
        super().__init__(io.BytesIO(), mode="record")
        self.other = Store(state)  # another connection sees committed rows only
        self.emitted: list[str] = []

    def put(self, chunks: Sequence[bytes]) -> None:
        other = self.other.conn
        for data in chunks:
            record = json.loads(data)
            row = other.execute("SELECT export_status, content_hash FROM orders WHERE number = ?", (record["key"],)).fetchone()
            lines = other.execute("SELECT COUNT(*) FROM order_lines WHERE number = ?", (record["key"],)).fetchone()
            events = [r[0] for r in other.execute("SELECT event FROM events WHERE key = ? ORDER BY id", (record["key"],))]
            assert row is not None and row[0] == "queued" and row[1].startswith("sha256:")
            assert lines[0] == len(record["body"]["lines"]) > 0
            assert events == ["fetched", "queued"]
            self.emitted.append(record["key"])
        super().put(chunks)


def test_every_record_is_committed_to_the_store_before_it_is_emitted(tmp_path: Path, state_path: Path) -> None:
    write_ndjson(tmp_path / "inbox", [canonical(f"30{n:02d}") for n in range(7)])
    store = Store(state_path)
    run = Run(DirSource("inbox", tmp_path / "inbox", map_auto), store, Query(unsent=True), batch=3)
    writer = CheckingWriter(state_path)
    try:
        run.emit(writer)
    finally:
        store.close()
        writer.other.close()
    assert writer.emitted == [f"30{n:02d}" for n in range(7)]
    assert run.counts["emitted"] == 7


def test_same_number_twice_in_one_batch_is_emitted_once_and_keeps_the_newer_document(
    invoke: Invoke, tmp_path: Path, state_path: Path
) -> None:
    first, again, other = canonical("4001"), canonical("4001", channel="b2b"), canonical("4002")
    cancelled = canonical("4003", status="cancelled")
    write_ndjson(tmp_path / "inbox", [first, other, again, cancelled])
    result = invoke(["query-orders", "--source", str(tmp_path / "inbox"), "--unsent"])
    assert result.exit_code == 0, result.stderr
    assert [r["key"] for r in records(result.stdout)] == ["4001", "4002"]
    story = json.loads(invoke(["state", "show", "4001"]).stdout)
    assert [e["event"] for e in story["events"]] == ["fetched", "queued", "updated"]
    [(document, channel, status)] = store_rows(
        state_path, "SELECT document, channel, export_status FROM orders WHERE number = '4001'"
    )
    assert store_rows(state_path, "SELECT COUNT(*) FROM orders WHERE number = '4003'") == [(0,)]
    assert orders_store.decode(document) == again and channel == "b2b" and status == "queued"
    rerun = invoke(["query-orders", "--source", str(tmp_path / "inbox"), "--unsent"])  # that pipeline has ended
    assert rerun.exit_code == 0 and [r["key"] for r in records(rerun.stdout)] == ["4001", "4002"]
