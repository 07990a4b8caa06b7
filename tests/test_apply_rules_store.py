"""apply-rules and the state store, per window: batched decisions, prefetched look-ups, cached stock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from apply_rules_helpers import apply, line, order, stream
from conftest import Invoke, conversation, records
from test_apply_rules_checks import put_stock

from flowkit.store import Store, orders
from flowkit.store.rules import RulesView, record_decisions, release

BIG = '[[rules]]\nname = "big"\nhold = "Review"\nwhen.any_line_quantity = "> 4"\n'


def stored(store: Store, number: str) -> tuple[str, str | None]:
    row = orders.get(store, number)
    assert row is not None
    return row["export_status"], row["hold_reason"]


def test_one_window_of_decisions_of_every_kind(state_path: Path) -> None:
    store = Store(state_path)
    with store.transaction():
        for number, status in (("20", "pending"), ("21", "exported"), ("22", "held")):
            orders.upsert(store, order(number), source="shop", command="test")
            if status != "pending":
                orders.set_export_status(store, number, status, command="test", reason="Review")
    tagged = order("20", tags=["Review Needed"])
    record_decisions(
        store,
        [
            (order("10"), "held", "Review", "shop"),  # new: inserted held, with its reason
            (order("11"), "cancelled", "Fraud", "feed"),  # new, from another source
            (tagged, "held", "Review", "shop"),  # stored pending: moved, tags updated
            (order("21"), "held", "Review", "shop"),  # exported: only an event
            (order("22"), "held", "Review", "shop"),  # already held for that reason: unchanged
            (order("23"), "duplicate", "Duplicate Order", "shop"),
            (order("10"), "cancelled", "Changed mind", "shop"),  # the same number again, later in the window
        ],
        command="apply-rules",
    )
    assert stored(store, "10") == ("cancelled", "Changed mind")
    assert [e["event"] for e in store.events("10")] == ["fetched", "held", "cancelled"]
    assert store.events("10")[1]["detail"] == {"reason": "Review"}
    assert stored(store, "11") == ("cancelled", "Fraud")
    assert store.conn.execute("SELECT source FROM orders WHERE number = '11'").fetchone()[0] == "feed"
    assert stored(store, "20") == ("held", "Review")
    assert orders.get(store, "20")["tags"] == ["Review Needed"]  # type: ignore[index]
    assert stored(store, "21") == ("exported", "Review")
    assert store.events("21")[-1]["event"] == "held-after-export"
    assert [e["event"] for e in store.events("22")] == ["fetched", "held"]
    assert orders.get(store, "23") is None and store.events("23")[-1]["event"] == "duplicate-held"
    store.close()


def test_a_failed_window_records_nothing(state_path: Path) -> None:
    store = Store(state_path)
    with store.transaction():
        orders.upsert(store, order("31"), source="shop", command="test")
    window = [(order("30"), "held", "Review", "shop"), (order("31"), "no-such-status", "Review", "shop")]
    with pytest.raises(ValueError, match="unknown export status"):  # after order 30 was inserted
        record_decisions(store, window, command="apply-rules")
    assert orders.get(store, "30") is None and store.events("30") == []
    assert stored(store, "31") == ("pending", None)
    store.close()


def test_prefetched_rows_answer_as_single_look_ups(state_path: Path) -> None:
    store = Store(state_path)
    with store.transaction():
        orders.upsert(store, order("40"), source="shop", command="test")
        orders.set_export_status(store, "40", "exported", command="test")
        orders.upsert(store, order("41"), source="shop", command="test")
        orders.set_export_status(store, "41", "queued", command="test")
    view = RulesView(store)
    asks = [("40", "web", None), ("40", "pos", None), ("41", None, order("41")["id"]), ("41", None, "other"), ("42", None, None)]
    single = [view.known_status(*ask) for ask in asks]
    view.prefetch(["40", "41", "42"])
    assert [view.known_status(*ask) for ask in asks] == single == ["exported", None, None, "queued", None]
    view.prefetch([str(n) for n in range(1200)])  # more numbers than one IN (...) query takes
    assert view.known_status("40", None) == "exported"
    store.close()


def test_identity_is_source_and_id_or_number(state_path: Path) -> None:
    """An order with no id is not its own duplicate; another source's order with that number is."""
    store = Store(state_path)
    with store.transaction():
        orders.upsert(store, order("50", id=None), source="shop", command="test")
        orders.set_export_status(store, "50", "queued", command="test")
        orders.upsert(store, order("51", id="9"), source="shop", command="test")
        orders.set_export_status(store, "51", "queued", command="test")
        orders.upsert(store, order("52", id=None), source="shop", command="test")
        orders.set_export_status(store, "52", "exported", command="test")
    view = RulesView(store)
    assert view.known_status("50", None, None, "shop") is None  # the same order, queued upstream
    assert view.known_status("50", None, None, None) is None  # fed by hand: no source to tell
    assert view.known_status("50", None, None, "market") == "queued"  # another source, same number
    assert view.known_status("51", None, "9", "shop") is None
    assert view.known_status("51", None, "10", "shop") == "queued"  # another order of the same source
    assert view.known_status("51", None, None, "shop") == "queued"  # no id cannot claim an identity with one
    assert view.known_status("52", None, None, "shop") == "exported"  # the same order again, after export
    store.close()


def test_stock_is_read_again_once_another_process_committed(state_path: Path) -> None:
    put_stock(state_path, "MUG", 3)
    store = Store(state_path)
    view = RulesView(store)
    view.refresh()
    assert view.stock("MUG", "web") == 3
    put_stock(state_path, "MUG", 5, target="shop")  # push-stock, say: another connection
    assert view.stock("MUG", "web") == 3  # within a window: served from memory
    view.refresh()
    assert view.stock("MUG", None) == 5 and view.stock("MUG", "web") == 3
    store.close()


@pytest.mark.sqlite_only  # PostgreSQL's change signal (pg_current_snapshot) moves with this connection's commits too
def test_stock_is_not_read_again_after_its_own_write(state_path: Path) -> None:
    put_stock(state_path, "MUG", 3)
    store = Store(state_path)
    view = RulesView(store)
    view.refresh()
    assert view.stock("MUG", "web") == 3
    store.conn.execute("UPDATE stock_ledger SET qty = 1 WHERE target = 'web'")  # its own write: no re-read
    view.refresh()
    assert view.stock("MUG", "web") == 3
    store.close()


def test_holds_of_many_windows_are_all_recorded(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    many = [order(str(1000 + i), lines=[line("V789", 5 if i % 3 == 0 else 1)]) for i in range(600)]
    result = apply(invoke, tmp_path, BIG, *many)
    assert result.exit_code == 0, result.stderr
    out = records(result.stdout)
    assert [r["key"] for r in out] == [str(1000 + i) for i in range(600)]  # input order kept
    store = Store(state_path)
    rows = dict(store.conn.execute("SELECT number, export_status FROM orders").fetchall())
    assert rows == {str(1000 + i): "held" for i in range(0, 600, 3)}
    store.close()
    again = apply(invoke, tmp_path, BIG, *many[:300])  # a rerun: each order is already held for that reason
    assert again.exit_code == 0, again.stderr
    store = Store(state_path)
    assert store.conn.execute("SELECT COUNT(*) FROM events WHERE event = 'held'").fetchone()[0] == 200
    store.close()


def test_a_held_order_goes_out_once_its_hold_is_recorded(tmp_path: Path, state_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(BIG, encoding="utf-8")
    with conversation(["--state", str(state_path), "-q", "apply-rules", "--rules", str(rules)]) as exchange:
        for number in ("51", "52"):
            result = exchange(stream(order(number)))  # while stdin stays open: no waiting for a full window
            assert result["body"]["hold"]["reason"] == "Review"
            store = Store(state_path)  # recorded before it was written out
            status = store.conn.execute("SELECT export_status FROM orders WHERE number = ?", (number,)).fetchone()
            store.close()
            assert tuple(status) == ("held",)


def test_an_empty_ledger_is_not_asked_until_stock_arrives(state_path: Path) -> None:
    store = Store(state_path)
    view = RulesView(store)
    assert view.has_stock is False  # no stock known: insufficient-quantity has nothing to compare
    put_stock(state_path, "MUG", 3)
    assert view.has_stock is False
    view.refresh()
    assert view.has_stock is True and view.stock("MUG", "web") == 3
    store.close()


def test_a_release_by_another_process_is_seen_after_the_next_commit(state_path: Path) -> None:
    store = Store(state_path)
    record_decisions(store, [(order("60"), "held", "Review", "shop")], command="apply-rules")
    view = RulesView(store)
    assert view.released("60") is False
    operator = Store(state_path)
    release(operator, "60", note=None, command="state")
    operator.close()
    view.refresh()  # what apply-rules does after each commit
    assert view.released("60") is True and view.released("61") is False
    store.close()


def test_a_run_stopped_mid_window_keeps_what_the_orders_before_did(
    invoke: Invoke, tmp_path: Path, state_path: Path, tmp_config: Callable[..., Path]
) -> None:
    # The 20th order's alert goes to a mail server that is not there: the run stops (exit 75),
    # but the 19 orders before it were held in the store and written out, as without windows.
    config = tmp_config(
        '[destinations.ops]\ntype = "email"\nhost = "127.0.0.1"\nport = 1\ntls = "none"\n'
        'from = "flowkit@example.com"\nto = "ops@example.com"\ntimeout = 2\n'
    )
    rules = BIG + '[[rules]]\nname = "tell ops"\nalert = { message = "look", to = "ops" }\nwhen.tag = "alertme"\n'
    many = [order(str(700 + i), lines=[line("V789", 5)], tags=["alertme"] if i == 19 else []) for i in range(20)]
    result = apply(invoke, tmp_path, rules, *many, config=config)
    assert result.exit_code == 75, result.stderr
    assert [r["key"] for r in records(result.stdout)] == [str(700 + i) for i in range(19)]
    store = Store(state_path)
    held = store.conn.execute("SELECT COUNT(*) FROM orders WHERE export_status = 'held'").fetchone()[0]
    assert held == 19 and orders.get(store, "719") is None
    store.close()


def test_odd_lines_and_tags_do_not_stop_a_window(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    twins = order("801", lines=[line("V789", 5, id="L1"), line("V789", 6, id="L1"), line("X", "2.0", id="L2")])
    odd_tags = order("802", lines=[line("V789", 5)], tags=["rush", {"name": "x"}, ["y"]])
    rules = BIG + '[[rules]]\nname = "tagged"\nadd_tags = ["rush", "seen"]\nwhen.tag = "rush"\n'
    for args in ((), ("--explain",)):
        result = apply(invoke, tmp_path, rules, order("800", lines=[line("V789", 5)]), twins, odd_tags, args=args)
        assert result.exit_code == 0, result.stderr
        out = {r["key"]: r["body"] for r in records(result.stdout)}
        assert out["802"]["tags"] == ["rush", {"name": "x"}, ["y"], "seen"]
    store = Store(state_path)
    assert [stored(store, n)[0] for n in ("800", "801", "802")] == ["held"] * 3
    lines = store.conn.execute("SELECT line_id, quantity FROM order_lines WHERE number = '801' ORDER BY line_id")
    assert [tuple(row) for row in lines] == [("L1", 6), ("L2", 2)]  # a repeated line id: the last one kept
    store.close()


def test_events_keep_the_input_order_within_a_window(state_path: Path) -> None:
    store = Store(state_path)
    with store.transaction():
        orders.upsert(store, order("90"), source="shop", command="test")
    record_decisions(
        store,
        [(order("90"), "duplicate", "Duplicate Order", "shop"), (order("90"), "held", "Review", "shop")],
        command="apply-rules",
    )
    assert [e["event"] for e in store.events("90")] == ["fetched", "duplicate-held", "held"]
    store.close()


def test_a_held_order_is_written_as_the_store_keeps_it(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    # The order's JSON is encoded once for the store and reused in the output record: both are the changed order.
    rules = BIG + '[[rules]]\nname = "tag"\nadd_tags = ["seen"]\nnote = "checked by {rule}"\nwhen.channel = "web"\n'
    result = apply(invoke, tmp_path, rules, order("900", lines=[line("V789", 5)]), order("901", lines=[line("V789", 1)]))
    assert result.exit_code == 0, result.stderr
    out = {r["key"]: r for r in records(result.stdout)}
    held, passed = out["900"]["body"], out["901"]["body"]
    assert held["hold"]["on_hold"] is True and "seen" in held["tags"] and held["notes"]["internal"][-1] == "checked by tag"
    assert out["900"]["meta"]["rules"]["matched"] == ["big", "tag"] and "seen" in passed["tags"]
    store = Store(state_path)
    assert orders.get(store, "900")["document"] == held  # type: ignore[index]
    assert orders.get(store, "901") is None
    store.close()
    dry = invoke(
        ["apply-rules", "--rules", str(tmp_path / "rules.toml"), "--dry-run"], input=stream(order("902", lines=[line("V789", 5)]))
    )
    assert records(dry.stdout)[0]["body"]["hold"]["on_hold"] is True  # nothing queued: encoded with the record
