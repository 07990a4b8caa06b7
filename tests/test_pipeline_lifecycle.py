"""Commands together: an order queued by query-orders is not its own duplicate."""

from __future__ import annotations

from pathlib import Path

import orjson
from apply_rules_helpers import order
from conftest import Invoke, records

RULES = "[checks]\nnot_managed = false\nunmapped_shipping = false\ninsufficient_quantity = false\n"


def test_queued_order_is_not_held_as_duplicate_but_another_with_its_number_is(invoke: Invoke, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    doc = order("5001", id="fk-5001", lines=[{**order()["lines"][0], "supplier": {"id": "sup-1"}}])
    (inbox / "5001.json").write_bytes(orjson.dumps(doc))
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    fetched = invoke(["query-orders", "--source", str(inbox), "--unsent"])
    assert fetched.exit_code == 0, fetched.stderr
    ruled = invoke(["apply-rules", "--rules", str(rules)], input=fetched.stdout)
    assert ruled.exit_code == 0, ruled.stderr
    (out,) = records(ruled.stdout)
    assert not out["body"]["hold"]["on_hold"], out["body"]["hold"]
    impostor = {**doc, "id": "fk-9999"}
    line = (
        orjson.dumps(
            {
                "flowkit": "record/1",
                "kind": "order",
                "key": "5001",
                "type": "application/json",
                "meta": out["meta"],
                "body": impostor,
            }
        ).decode()
        + "\n"
    )
    again = invoke(["apply-rules", "--rules", str(rules), "--dry-run"], input=line)
    (held,) = records(again.stdout)
    assert held["body"]["hold"] == {**held["body"]["hold"], "on_hold": True, "reason": "Duplicate Order"}
