"""Property: partial shipments applied in any arrival order (with resends) ship each unit exactly once."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from flowkit.import_shipment.core import Options, apply
from flowkit.records import make_record
from flowkit.store import Store, orders

ORDER = {
    "number": "P-1",
    "status": "approved",
    "lines": [
        {"id": "1", "sku": "A", "quantity": 6},
        {"id": "2", "sku": "B", "quantity": 4},
        {"id": "3", "sku": "A", "quantity": 2},
    ],
}
# Eight partial shipments that together ship the whole order exactly (A: 8 over two lines, B: 4).
PARTIALS = [[("A", 1)], [("A", 2), ("B", 1)], [("B", 1)], [("A", 3)], [("B", 2)], [("A", 1)], [("A", 1)], []]


@settings(max_examples=25, deadline=None)
@given(
    order=st.permutations(range(len(PARTIALS))),
    resends=st.lists(st.integers(0, len(PARTIALS) - 1), max_size=4),
    sources=st.lists(st.sampled_from(["leeds", "york"]), min_size=len(PARTIALS), max_size=len(PARTIALS)),
)
def test_any_arrival_order_ships_every_unit_once(
    tmp_path_factory: object, order: list[int], resends: list[int], sources: list[str]
) -> None:
    path = Path(tmp_path_factory.mktemp("prop")) / "state.db"  # type: ignore[attr-defined]
    store = Store(path)
    with store.transaction():
        orders.upsert(store, ORDER, source="test", command="test")
    results = []
    for index in [*order, *resends]:
        lines = [{"sku": sku, "qty": qty, "source": sources[index]} for sku, qty in PARTIALS[index]]
        if not lines:
            continue
        body = {"message_seq": index + 1, "order": "P-1", "lines": lines}
        out, ok = apply(store, make_record("shipment", "P-1", body), Options())
        assert ok
        results.append(out[0]["body"])
    assert sorted(b["result"] for b in results).count("success") == 7
    final = {ln["line_id"]: ln["quantity_shipped"] for ln in orders.get(store, "P-1")["lines"]}  # type: ignore[index]
    assert final == {"1": 6, "2": 4, "3": 2}
    assert [b["status"] for b in results if b["result"] == "success"][-1] == "shipped"
    store.close()
