"""deliver's worker thread: payloads hashed and packed ahead, results in order, a failure kept for its record."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from flowkit.deliver.ahead import Ahead, Prepared, prepare
from flowkit.deliver.core import Deliverer
from flowkit.deliver.run import Staging
from flowkit.records import make_record
from flowkit.store import Store, bodies
from flowkit.transports.hotfolder import Hotfolder


def payload(key: str, body: object = None) -> dict[str, object]:
    return make_record("payload", key, f"<order n='{key}'>{'x' * 500}</order>" if body is None else body, type="application/xml")


def test_results_come_back_in_order_with_a_failure_in_its_place() -> None:
    ahead = Ahead()
    records = [payload("1"), payload("2", {"not": "text"}), payload("3")]
    for record in records:
        ahead.submit(record)
    first, second, third = ahead.take(3)
    ahead.close()
    assert isinstance(first, Prepared) and isinstance(third, Prepared)
    assert first.digest == "sha256:" + hashlib.sha256(first.data).hexdigest()
    assert bodies.unpack(first.packed or b"") == first.data == b"<order n='1'>" + b"x" * 500 + b"</order>"
    with pytest.raises(TypeError):  # what preparing it inline raises, handed over for its record
        prepare(records[1])
    assert isinstance(second, TypeError)


def test_a_discarded_window_leaves_no_result_for_the_next(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.db")
    deliverer = Deliverer(store, "hf", Hotfolder(tmp_path / "out"), template=lambda r: "{key}.xml")
    staging = Staging(deliverer)
    assert staging.ahead is not None  # a hotfolder takes windows: its payloads are prepared ahead
    for key in ("a", "b"):
        staging.process(payload(key))
    staging.discard()  # a run stopped by an exception: the window is not sent
    staging.process(payload("c"))
    staging.commit()
    staging.close()
    deliverer.close()
    kept = store.conn.execute("SELECT key, content_hash FROM deliveries").fetchall()
    store.close()
    expected = "sha256:" + hashlib.sha256(f"<order n='c'>{'x' * 500}</order>".encode()).hexdigest()
    assert [tuple(row) for row in kept] == [("c", expected)]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["c.xml"]
