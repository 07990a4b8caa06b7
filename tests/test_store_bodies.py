"""Order bodies kept deflated in the state store (migration 0009): round trip, old stores, every reader."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import Invoke

import flowkit.store.db as db
import flowkit.store.sqlite as sqlite_engine
from flowkit.query_orders.core import Run, order_record
from flowkit.records import Writer
from flowkit.sources import Query
from flowkit.sources.dirsource import DirSource
from flowkit.sources.mapping import map_auto
from flowkit.store import Store, exports, shipments
from flowkit.store import orders as orders_store
from flowkit.store.bodies import RAW, pack, unpack
from flowkit.store.rules import RulesView, release

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "orders"


def realistic(count: int) -> list[dict[str, Any]]:
    """Print orders of 5 to 50 lines built from the samples, every line its own id, SKU and job reference."""
    samples = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*.json"))]
    pool = [line for sample in samples for line in sample["lines"]]
    made = []
    for index in range(count):
        order = copy.deepcopy(samples[index % len(samples)])
        order["number"] = f"R{index:04d}"
        order["id"] = f"fk-R{index:04d}"
        lines = []
        for n in range(1, 5 + (index * 7) % 46 + 1):
            line = copy.deepcopy(pool[(index + n) % len(pool)])
            line.update(id=str(n), line_number=n, sku=f"{line['sku']}-{n:03d}", quantity=(n * 37) % 1000 + 1)
            line["external_refs"] = {"job": f"J-{order['number']}-{n:02d}"}
            lines.append(line)
        order["lines"] = lines
        made.append(order)
    return made


def old_store(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store at schema version 8 (the real migrations up to 0008), as flowkit before 0009 left it."""
    older = [m for m in db.migrations() if m[0] <= 8]
    with monkeypatch.context() as patch:
        patch.setattr(db, "migrations", lambda engine="sqlite": older)
        store = Store(path)
        assert store.version == 8
        store.close()


def insert_old_way(path: Path, order: dict[str, Any], *, export_status: str = "queued") -> None:
    """One order row as store/orders.py wrote it before 0009: sorted-keys JSON text, its hash over that text."""
    text = orjson.dumps(order, option=orjson.OPT_SORT_KEYS)
    with sqlite3.connect(path) as conn:
        conn.execute(
            """INSERT INTO orders (number, channel, source, supplier, status, content_hash, document, placed_at,
                                   fetched_at, updated_at, tags, export_status, hold_reason)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, NULL)""",
            (
                order["number"],
                order["source"]["channel"]["id"],
                "inbox",
                None,
                order["status"],
                "sha256:" + hashlib.sha256(text).hexdigest(),
                text.decode(),
                order.get("placed_at"),
                "2025-01-01T00:00:00.000000Z",
                "2025-01-01T00:00:00.000000Z",
                export_status,
            ),
        )


def used_pages(path: Path) -> int:
    """Pages of the store holding data (the file's pages less its free list), read by another connection."""
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA page_count").fetchone()[0]) - int(conn.execute("PRAGMA freelist_count").fetchone()[0])


def test_a_body_round_trips_and_is_kept_deflated() -> None:
    (order,) = realistic(1)
    data = orders_store.encode(order)
    kept = pack(data, level=orders_store.LEVEL)
    assert len(kept) * 3 < len(data) and kept[:1] != RAW
    assert unpack(kept) == data and orders_store.decode(kept) == order
    assert orders_store.decode(data.decode()) == order  # a text row from before 0009
    assert orders_store.decode(None) is None and orders_store.decode(b"") is None
    assert orders_store.content_hash(order) == "sha256:" + hashlib.sha256(data).hexdigest()
    tiny = pack(b'{"a":1}', level=orders_store.LEVEL)
    assert tiny == RAW + b'{"a":1}' and orders_store.decode(tiny) == {"a": 1}


@pytest.mark.sqlite_only  # a store from before 0009: PostgreSQL's start at the baseline, packed
def test_an_old_store_is_packed_in_place_and_every_reader_still_works(state_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old_store(state_path, monkeypatch)
    made = realistic(12)
    made[1]["hold"] = {"on_hold": True, "reason": "artwork check", "until": None}
    for order in made:
        insert_old_way(state_path, order, export_status="held" if order is made[1] else "queued")
    before = used_pages(state_path)
    empty = state_path.with_name("empty.db")
    old_store(empty, monkeypatch)
    schema_pages = used_pages(empty)
    Store(empty).close()
    schema_pages = used_pages(empty) - schema_pages  # what the later migrations' empty tables take, rows or not

    store = Store(state_path)  # migrates: 0009 packs the rows in place
    assert store.version == max(m[0] for m in db.migrations())
    assert (used_pages(state_path) - schema_pages) * 2 < before  # the pages the text took are free for the next rows
    rows = store.conn.execute("SELECT number, typeof(document), length(document), order_id FROM orders ORDER BY number")
    for (number, kind, size, order_id), order in zip(rows, made, strict=True):
        assert (number, kind, order_id) == (order["number"], "blob", order["id"])
        assert size * 3 < len(orjson.dumps(order))
    for order in made:
        number = order["number"]
        stored = orders_store.get(store, number)
        assert stored is not None and stored["document"] == order
        assert exports.document(store, number) == (order, "inbox")
    with store.transaction():  # the same document fetched again: its pre-0009 hash still says unchanged
        assert orders_store.upsert(store, made[0], source="inbox", command="test") == "unchanged"
        changed = {**made[0], "status": "shipped"}
        assert orders_store.upsert(store, changed, source="inbox", command="test") == "changed"
    assert orders_store.get(store, made[0]["number"])["document"] == changed  # type: ignore[index]

    view = RulesView(store)  # apply-rules' identity look-up reads the id column
    view.prefetch([made[0]["number"]])
    assert view.known_status(made[0]["number"], "web", made[0]["id"], "inbox") is None
    assert view.known_status(made[0]["number"], "web", "another-id", "inbox") == "queued"

    row = shipments.order_row(store, made[1]["number"], document=True)  # import-shipment's hold check
    assert row is not None and row["on_hold"] == 1 and row["hold_note"] == "artwork check"
    assert json.loads(row["document"]) == made[1]
    release(store, made[1]["number"], note="ok", command="state")
    released = exports.document(store, made[1]["number"])
    assert released is not None and released[0]["hold"]["on_hold"] is False
    assert (
        store.conn.execute("SELECT typeof(document) FROM orders WHERE number = ?", (made[1]["number"],)).fetchone()[0] == "blob"
    )
    store.close()


@pytest.mark.sqlite_only  # PostgreSQL's bodies are BYTEA from the baseline on: no text row to read
def test_a_row_left_as_text_still_reads(state_path: Path) -> None:
    """Rows are read in both forms: text (before 0009) and packed."""
    store = Store(state_path)
    (order,) = realistic(1)
    store.close()
    insert_old_way(state_path, order)
    store = Store(state_path)
    assert store.conn.execute("SELECT typeof(document) FROM orders").fetchone()[0] == "text"
    assert exports.document(store, order["number"]) == (order, "inbox")
    row = shipments.order_row(store, order["number"])
    assert row is not None and row["on_hold"] == 0 and row["document"] is None


def test_query_orders_on_realistic_orders_writes_the_same_records_and_stores_them_packed(
    invoke: Invoke, tmp_path: Path, state_path: Path
) -> None:
    made = realistic(120)  # more than one batch of 100
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for order in made:
        (inbox / f"{order['number']}.json").write_text(json.dumps(order, indent=1), encoding="utf-8")
    result = invoke(["query-orders", "--source", str(inbox), "--unsent"])
    assert result.exit_code == 0, result.stderr
    sent = [order for order in made if not order["hold"]["on_hold"]]  # a sample order on hold is stored, not sent
    assert 0 < len(sent) < len(made)
    expected = b"".join(orjson.dumps(order_record(order, str(inbox)), option=orjson.OPT_APPEND_NEWLINE) for order in sent)
    assert result.stdout_bytes == expected  # byte for byte what the records were before (dict bodies)
    store = Store(state_path)
    rows = store.conn.execute("SELECT number, document, content_hash, order_id FROM orders ORDER BY number").fetchall()
    lines = store.conn.execute("SELECT COUNT(*) FROM order_lines").fetchone()[0]
    assert lines == sum(len(order["lines"]) for order in made)
    for (number, kept, digest, order_id), order in zip(rows, made, strict=True):
        data = orjson.dumps(order)
        assert number == order["number"] and order_id == order["id"] and isinstance(kept, bytes)
        assert unpack(kept, store.dictionaries) == data and digest == "sha256:" + hashlib.sha256(data).hexdigest()
    store.close()


def test_an_indented_record_has_its_body_indented_too(tmp_path: Path, state_path: Path) -> None:
    (order,) = realistic(1)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "one.json").write_bytes(orjson.dumps(order))
    out = io.BytesIO()
    store = Store(state_path)
    Run(DirSource("inbox", inbox, map_auto), store, Query(unsent=True)).emit(Writer(out, pretty=True))
    text = out.getvalue()
    assert orjson.loads(text)["body"] == order
    assert b'\n    "lines": [\n' in text  # the body indented with the record, not one compact line


@pytest.mark.sqlite_only
def test_a_migration_stopped_half_way_keeps_nothing_and_runs_again(state_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old_store(state_path, monkeypatch)
    made = realistic(4)
    for order in made:
        insert_old_way(state_path, order)
    packed: list[Any] = []

    def failing(value: Any) -> Any:
        if packed:
            raise OSError("stopped")
        packed.append(value)
        return pack(value.encode(), level=orders_store.LEVEL)

    with monkeypatch.context() as patch:
        patch.setattr(sqlite_engine, "_pack_text", failing)
        with pytest.raises(Exception, match="migration 0009_order_bodies_packed.sql failed"):
            Store(state_path)
    with sqlite3.connect(state_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 8
        assert {r[0] for r in conn.execute("SELECT typeof(document) FROM orders")} == {"text"}
    store = Store(state_path)  # the next open migrates it all
    assert [exports.document(store, o["number"]) for o in made] == [(o, "inbox") for o in made]
    assert {r[0] for r in store.conn.execute("SELECT typeof(document) FROM orders")} == {"blob"}


def test_bodies_are_zstd_and_the_zlib_bodies_of_earlier_versions_still_read() -> None:
    import zlib

    body = json.dumps({"lines": [{"sku": f"SKU-{i}", "quantity": i} for i in range(200)]}).encode()
    kept = pack(body)
    assert kept[:4] == b"\x28\xb5\x2f\xfd" and len(kept) < len(body) // 4  # a zstd frame, much smaller
    assert unpack(kept) == body
    for level in (1, 3, 9):  # what a store written before zstd holds: zlib streams of any window size
        packer = zlib.compressobj(level, zlib.DEFLATED, 12 if level == 1 else 15)
        older = packer.compress(body) + packer.flush()
        assert unpack(older) == body
    assert unpack(pack(b"small")) == b"small" and pack(b"small") == RAW + b"small"
