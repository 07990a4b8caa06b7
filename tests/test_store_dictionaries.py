"""Bodies packed with a dictionary the store trains from its own bodies (store/dictionaries.py, migration 0017)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import orjson
import pytest
from conftest import Invoke, record_line
from test_store_bodies import realistic

from flowkit.store import Store, exports
from flowkit.store import dictionaries as dictionaries_module
from flowkit.store import orders as orders_store
from flowkit.store.bodies import dict_id, pack, unpack
from flowkit.store.dictionaries import MIN_SAMPLES
from flowkit.store.location import parse


def write_inbox(folder: Path, made: list[dict[str, Any]]) -> None:
    folder.mkdir(exist_ok=True)
    for order in made:
        (folder / f"{order['number']}.json").write_text(json.dumps(order), encoding="utf-8")


def kept_orders(store: Store) -> dict[str, bytes]:
    return {str(r[0]): bytes(r[1]) for r in store.conn.execute("SELECT number, document FROM orders")}


def dictionaries(store: Store) -> list[tuple[int, str]]:
    return [(int(r[0]), str(r[1])) for r in store.conn.execute("SELECT id, kind FROM body_dictionaries ORDER BY created_at")]


def test_query_orders_trains_an_order_dictionary_and_every_reader_reads_through_it(
    invoke: Invoke, tmp_path: Path, state_path: Path
) -> None:
    made = realistic(120)
    write_inbox(tmp_path / "inbox", made)
    assert invoke(["query-orders", "--source", str(tmp_path / "inbox"), "--unsent"]).exit_code == 0
    store = Store(state_path)
    try:
        ((trained, kind),) = dictionaries(store)
        kept = kept_orders(store)
        on_hold = {o["number"] for o in made if o["hold"]["on_hold"]}  # stored one by one as they are read
        assert kind == "order" and {dict_id(k) for n, k in kept.items() if n not in on_hold} == {trained}
        for order in made:
            assert exports.document(store, order["number"]) == (order, str(tmp_path / "inbox"))
        alone = sum(len(pack(orders_store.encode(order))) for order in made)
        assert sum(map(len, kept.values())) * 2 < alone  # well under half of each body packed alone
    finally:
        store.close()
    shown = invoke(["state", "show", made[77]["number"], "--json"])
    assert shown.exit_code == 0, shown.stderr
    assert orjson.loads(shown.stdout)["order"]["number"] == made[77]["number"]  # the body decoded on the way


def test_a_trickle_of_small_runs_trains_once_the_store_holds_enough(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    made = realistic(60)
    runs = [made[n : n + 5] for n in range(0, len(made), 5)]
    trained_after = None
    for number, batch in enumerate(runs, start=1):
        inbox = tmp_path / f"inbox{number}"
        write_inbox(inbox, batch)
        assert invoke(["query-orders", "--source", str(inbox)]).exit_code == 0
        store = Store(state_path)
        found = dictionaries(store)
        store.close()
        if found and trained_after is None:
            trained_after = number
    assert trained_after is not None and trained_after * 5 >= MIN_SAMPLES  # from what the store kept, not one run's five
    store = Store(state_path)
    try:
        ((trained, _),) = dictionaries(store)
        kept = kept_orders(store)
        named = {number: dict_id(k) for number, k in kept.items()}
        assert {named[o["number"]] for o in made[: (trained_after - 1) * 5]} == {0}  # packed before there was one
        assert {named[o["number"]] for o in made[trained_after * 5 :]} == {trained}
        for n, order in enumerate(made):
            assert exports.document(store, order["number"]) == (order, str(tmp_path / f"inbox{n // 5 + 1}"))
    finally:
        store.close()


def test_a_dictionary_trained_in_a_rolled_back_transaction_is_never_named_by_a_kept_body(state_path: Path) -> None:
    made = realistic(50)
    store = Store(state_path)
    try:
        with store.transaction(keep=False):
            orders_store.insert_new(store, [(o, "queued") for o in made], source="inbox", command="test")
            assert len(dictionaries(store)) == 1  # trained, inside the transaction
        assert dictionaries(store) == [] and kept_orders(store) == {}
        with store.transaction():
            orders_store.insert_new(store, [(o, "queued") for o in made[:10]], source="inbox", command="test")
        assert dictionaries(store) == []  # ten are not enough: the rolled-back one is not used
        with store.transaction():
            orders_store.insert_new(store, [(o, "queued") for o in made[10:]], source="inbox", command="test")
        held = {i for i, _ in dictionaries(store)}
        assert len(held) == 1
        assert {dict_id(k) for k in kept_orders(store).values()} <= held | {0}
        assert [exports.document(store, o["number"]) for o in made] == [(o, "inbox") for o in made]
    finally:
        store.close()


def xml_payload(order: dict[str, Any]) -> str:
    lines = "".join(
        f"<Line sku={quoteattr(line['sku'])} qty='{line['quantity']}'>{orjson.dumps(line).decode().replace('&', '&amp;').replace('<', '&lt;')}</Line>"
        for line in order["lines"]
    )
    return f"<Order number={quoteattr(order['number'])}>{lines}</Order>"


def test_deliver_packs_payloads_with_a_payload_dictionary_and_resends_them_byte_for_byte(
    invoke: Invoke, tmp_path: Path, state_path: Path, tmp_config: Callable[..., Path]
) -> None:
    made = realistic(100)
    bodies = {o["number"]: xml_payload(o) for o in made}

    def stream(part: list[dict[str, Any]]) -> str:
        return "".join(
            record_line("payload", o["number"], bodies[o["number"]], meta={"channel": "web"}, type="application/xml")
            for o in part
        )

    first = invoke(["deliver", "--to", f"file://{tmp_path}/hot/"], input=stream(made[:80]))
    assert first.exit_code == 0, first.stderr
    out = tmp_path / "out"
    out.mkdir()
    (out / "web").write_text("a file where the folder should be")
    config = tmp_config(
        f'[destinations.hf]\ntype = "hotfolder"\npath = "{out}"\nfilename = "{{meta.channel}}/{{key}}.xml"\nretries = 1\n'
    )
    assert invoke(["deliver", "--to", "hf"], input=stream(made[80:]), config=config).exit_code == 75
    store = Store(state_path)
    try:
        ((trained, kind),) = dictionaries(store)
        kept = [bytes(r[0]) for r in store.conn.execute("SELECT body FROM delivery_bodies ORDER BY delivery_id")]
        assert kind == "payload" and {dict_id(k) for k in kept[-20:]} == {trained}
    finally:
        store.close()
    (out / "web").unlink()
    retry = invoke(["deliver", "--to", "hf", "--retry-failed"], config=config)
    assert retry.exit_code == 0, retry.stderr
    for order in made[80:]:
        assert (out / "web" / f"{order['number']}.xml").read_text(encoding="utf-8") == bodies[order["number"]]
    for order in (made[0], made[79], made[99]):  # packed before the dictionary, with it, and for the retry
        sent = orjson.loads(invoke(["state", "sent", order["number"], "--body"]).stdout)
        assert {s["body"] for s in sent} == {bodies[order["number"]]}


@pytest.mark.sqlite_only  # the dictionary is taken away behind flowkit's back, with sqlite3
def test_a_body_whose_dictionary_is_gone_is_one_line_exit_78(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    made = realistic(40)
    write_inbox(tmp_path / "inbox", made)
    assert invoke(["query-orders", "--source", str(tmp_path / "inbox")]).exit_code == 0
    with sqlite3.connect(state_path) as conn:
        (gone,) = conn.execute("SELECT id FROM body_dictionaries").fetchone()
        conn.execute("DELETE FROM body_dictionaries")
    shown = invoke(["state", "show", made[5]["number"]])
    assert shown.exit_code == 78
    assert shown.stderr == (
        f"flowkit: error: state store {state_path}: a kept body needs compression dictionary {gone}, "
        "which the store does not hold (run 'flowkit state check' for how to recover)\n"
    )
    assert unpack(pack(b"x" * 300)) == b"x" * 300  # bodies without a dictionary need no store


@pytest.mark.sqlite_only  # from a sqlite file into the PostgreSQL database of ``pg_url``, in either pass once
def test_state_migrate_carries_the_dictionaries_and_every_body_reads_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    made = realistic(40)
    store = Store(tmp_path / "state.db")
    with store.transaction():
        orders_store.insert_new(store, [(o, "queued") for o in made], source="inbox", command="test")
    trained = dictionaries(store)
    store.close()
    assert len(trained) == 1
    done = subprocess.run(
        [sys.executable, "-m", "flowkit", "state", "migrate", "--from", "state.db", "--to", pg_url],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pg = Store(parse(pg_url))
    try:
        assert dictionaries(pg) == trained
        assert [exports.document(pg, o["number"]) for o in made] == [(o, "inbox") for o in made]
    finally:
        pg.close()


def test_state_compact_packs_older_bodies_again_with_trained_dictionaries(
    invoke: Invoke, tmp_path: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = realistic(60)
    write_inbox(tmp_path / "inbox", made)
    bodies = {o["number"]: xml_payload(o) for o in made}
    stream = "".join(
        record_line("payload", n, body, meta={"channel": "web"}, type="application/xml") for n, body in bodies.items()
    )
    with monkeypatch.context() as patch:  # as an earlier flowkit kept them: each body packed alone
        patch.setattr(dictionaries_module, "MIN_SAMPLES", 10**6)
        assert invoke(["query-orders", "--source", str(tmp_path / "inbox"), "--unsent"]).exit_code == 0
        assert invoke(["deliver", "--to", f"file://{tmp_path}/hot/"], input=stream).exit_code == 0
    store = Store(state_path)
    before = {**kept_orders(store)}
    assert dictionaries(store) == [] and {dict_id(k) for k in before.values()} == {0}
    store.close()

    done = invoke(["state", "compact", "--vacuum"])
    assert done.exit_code == 0, done.stderr
    report = orjson.loads(done.stdout)
    store = Store(state_path)
    try:
        trained = dict((kind, i) for i, kind in dictionaries(store))
        assert sorted(trained) == ["order", "payload"]
        counts = report["bodies"]
        assert counts["order"]["dictionary"] == trained["order"] and counts["order"]["repacked"] == len(made)
        assert counts["payload"]["dictionary"] == trained["payload"] and counts["payload"]["repacked"] == len(made)
        assert counts["product"] == {"dictionary": None, "rows": 0, "repacked": 0, "bytes_before": 0, "bytes_after": 0}
        for kind in ("order", "payload"):
            assert counts[kind]["bytes_after"] * 2 < counts[kind]["bytes_before"]
        assert sum(map(len, kept_orders(store).values())) == sum(map(len, before.values())) - (
            counts["order"]["bytes_before"] - counts["order"]["bytes_after"]
        )
        assert {dict_id(k) for k in kept_orders(store).values()} == {trained["order"]}
        for order in made:
            assert exports.document(store, order["number"]) == (order, str(tmp_path / "inbox"))
    finally:
        store.close()
    if isinstance(state_path, Path):  # sqlite: VACUUM gave the freed pages back
        assert report["file_bytes"][1] < report["file_bytes"][0]
    sent = orjson.loads(invoke(["state", "sent", made[7]["number"], "--body"]).stdout)
    assert sent[0]["body"] == bodies[made[7]["number"]]
    again = orjson.loads(invoke(["state", "compact"]).stdout)["bodies"]
    assert [again[k]["repacked"] for k in ("order", "payload", "product")] == [0, 0, 0]
