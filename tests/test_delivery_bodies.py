"""The delivery ledger's kept bodies: packed, kept once per key and content, never lost while a row needs them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
from conftest import Invoke, record_line, records

from flowkit.store import Store
from flowkit.store import delivery as ledger
from flowkit.store import delivery_bodies as kept
from flowkit.store.withdraw import Withdraw, withdraw

BIG = "<order>" + "".join(f"<line n='{n}'>{n * 7919 % 1000}</line>" for n in range(300)) + "</order>"


def payload(key: str, body: str = BIG) -> str:
    return record_line("payload", key, body, meta={"channel": "web", "format": "xml"}, type="application/xml")


def statuses(text: str) -> list[tuple[str, str]]:
    return [(r["body"]["key"], r["body"]["status"]) for r in records(text) if r["kind"] == "result"]


def rows(state_path: Path) -> list[tuple[str, str, int, int | None]]:
    """(key, destination, bytes kept, same_as) per kept body."""
    store = Store(state_path)
    found = store.conn.execute(
        """SELECT d.key, d.destination, length(b.body), b.same_as FROM delivery_bodies b
           JOIN deliveries d ON d.id = b.delivery_id ORDER BY d.id"""
    ).fetchall()
    store.close()
    return [tuple(r) for r in found]


def test_the_same_payload_to_a_second_destination_is_kept_once(
    invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path], state_path: Path
) -> None:
    config = tmp_config(
        f'[destinations.a]\ntype = "hotfolder"\npath = "{tmp_path}/a"\n[destinations.b]\ntype = "hotfolder"\npath = "{tmp_path}/b"\n'
    )
    for target in ("a", "b"):
        result = invoke(["deliver", "--to", target], input=payload("1") + payload("2", "<small/>"), config=config)
        assert statuses(result.stdout) == [("1", "delivered"), ("2", "delivered")], result.stderr
    kept_rows = rows(state_path)
    assert [(k, d, s is None) for k, d, _, s in kept_rows] == [
        ("1", "a", True),
        ("2", "a", True),
        ("1", "b", False),
        ("2", "b", False),
    ]
    assert kept_rows[0][2] < len(BIG) / 3 and kept_rows[2][2] == 0  # packed once, shared by the second row
    sent = orjson.loads(invoke(["state", "sent", "1", "--body", "--json"]).stdout)
    assert [(s["destination"], s["body"]) for s in sent] == [("a", BIG), ("b", BIG)]


def test_purge_hands_a_shared_body_to_the_row_that_can_still_be_retried(
    invoke: Invoke, tmp_path: Path, tmp_config: Callable[..., Path], state_path: Path
) -> None:
    """Delivered to a (kept body, purgeable), failed at b (same bytes, shared): purge takes a's row, b keeps the bytes."""
    blocked = tmp_path / "b" / "web"
    blocked.parent.mkdir()
    blocked.write_text("a file where the folder should be")
    config = tmp_config(
        f'[destinations.a]\ntype = "hotfolder"\npath = "{tmp_path}/a"\n'
        f'[destinations.b]\ntype = "hotfolder"\npath = "{tmp_path}/b"\nfilename = "{{meta.channel}}/{{key}}.xml"\nretries = 1\n'
    )
    assert statuses(invoke(["deliver", "--to", "a"], input=payload("7"), config=config).stdout) == [("7", "delivered")]
    assert statuses(invoke(["deliver", "--to", "b"], input=payload("7"), config=config).stdout) == [("7", "failed")]
    assert [(d, s is None) for _, d, _, s in rows(state_path)] == [("a", True), ("b", False)]
    assert invoke(["state", "purge", "--older-than", "0"]).exit_code == 0
    [(key, destination, size, same_as)] = rows(state_path)
    assert (key, destination, same_as) == ("7", "b", None) and size > 0  # b holds the bytes now
    blocked.unlink()
    retried = invoke(["deliver", "--to", "b", "--retry-failed"], config=config)
    assert statuses(retried.stdout) == [("7", "delivered")], retried.stderr
    assert (blocked / "7.xml").read_text() == BIG


def test_a_withdrawn_holder_hands_its_bytes_over(state_path: Path) -> None:
    """Every row sharing bytes still reads them after their holder goes (the cascade of a withdrawn intent)."""
    store = Store(state_path)
    data, digest = BIG.encode(), "sha256:x"
    entries = []
    for destination in ("a", "b", "c"):
        with store.transaction():
            intent = ledger.Intent("9", digest, "9.xml", data, "application/xml", {"n": destination}, fresh=True)
            entries += ledger.begin_attempts(store, destination, [intent])
    shared = store.conn.execute("SELECT delivery_id, same_as FROM delivery_bodies ORDER BY delivery_id").fetchall()
    assert [tuple(r) for r in shared] == [(entries[0].id, None), (entries[1].id, entries[0].id), (entries[2].id, entries[0].id)]
    with store.transaction():
        withdraw(store, [Withdraw(entries[0], None)])  # the intent that created the holder is taken back
    assert kept.body(store, entries[0].id) is None
    for entry, destination in zip(entries[1:], ("b", "c"), strict=True):
        assert kept.body(store, entry.id) == ("application/xml", {"n": destination}, data)
    left = store.conn.execute(
        "SELECT delivery_id, same_as, length(body) > 0 FROM delivery_bodies ORDER BY delivery_id"
    ).fetchall()
    assert [tuple(r) for r in left] == [(entries[1].id, None, 1), (entries[2].id, entries[1].id, 0)]
    store.close()
