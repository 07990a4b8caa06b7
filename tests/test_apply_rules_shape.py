"""apply-rules' shape check: after the rules, only the fields a ``set`` changed are checked again, with the same message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from apply_rules_helpers import apply, line, order
from conftest import Invoke, records

from flowkit.apply_rules import shape
from flowkit.errors import RecordError

BROKEN: list[tuple[str, Any, str]] = [
    ("lines", [line("A", 1), {"sku": ["x"]}], "$.lines[1].sku: expected a string, a number or null, got an array"),
    ("lines", [line("A", 1, attributes="big")], "$.lines[0].attributes: expected an array or null, got a string"),
    ("source", {"channel": {"id": {"x": 1}}}, "$.source.channel.id: expected a string, a number or null, got an object"),
    ("supplier", [1], "$.supplier: expected a string, a number or null, got an array"),
    ("hold", "yes", "$.hold: expected an object or null, got a string"),
    ("notes", {"internal": "one"}, "$.notes.internal: expected an array or null, got a string"),
    ("placed_at", {}, "$.placed_at: expected a string, a number or null, got an object"),
]


@pytest.mark.parametrize(("field", "value", "message"), BROKEN)
def test_checking_some_fields_names_what_the_whole_check_names(field: str, value: Any, message: str) -> None:
    broken = order("1", **{field: value})
    for fields in (None, frozenset({field}), frozenset({field, "customer", "tags"})):
        with pytest.raises(RecordError) as caught:
            shape.check(broken, fields)
        assert caught.value.format_message() == message
    shape.check(broken, frozenset({"customer", "extra_data"} - {field}))  # the broken field is not among them


def test_a_set_of_line_fields_is_checked_after_the_rules(invoke: Invoke, tmp_path: Path) -> None:
    rules = '[[rules]]\nname = "oops"\nset = { "lines.attributes" = "none" }\nwhen.tag = "oops"\n'
    result = apply(invoke, tmp_path, rules, order("1", lines=[line("A", 1)]), order("2", tags=["oops"], lines=[line("A", 1)]))
    assert result.exit_code == 1
    message = "order 2 is not a valid flowkit.order/1: $.lines[0].attributes: expected array, got string"
    where = f"set by rule 'oops' at {tmp_path / 'rules.toml'}:3"
    assert result.stderr.splitlines()[0] == f"flowkit: record '2': {message} ({where})"
    assert [r["kind"] for r in records(result.stdout)] == ["order", "error"]
