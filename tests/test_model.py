"""The canonical order model: the published schema and validation naming JSON paths."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from conftest import ROOT

from flowkit import model
from flowkit.errors import RecordError

ORDERS = sorted((ROOT / "samples" / "orders").glob("*.json"))


def sample(number: str = "1203") -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads((ROOT / "samples" / "orders" / f"{number}.json").read_bytes())
    return value


@pytest.mark.parametrize("path", ORDERS, ids=[p.stem for p in ORDERS])
def test_samples_are_valid(path: Any) -> None:
    assert model.validate(orjson.loads(path.read_bytes())) == []


def test_samples_cover_the_contract() -> None:
    orders = {p.stem: orjson.loads(p.read_bytes()) for p in ORDERS}
    assert len(orders) >= 5
    assert any(line["sku"] == "V789" and line["quantity"] == 5 for line in orders["1203"]["lines"])
    assert [o for o in orders.values() if o["hold"]["on_hold"]]
    assert [o for o in orders.values() if len(o["payments"]) > 1]
    assert [o for o in orders.values() if not o["customer"]["last_name"].isascii()]


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (lambda o: o["lines"][1].update(quantity="5"), "$.lines[1].quantity", "expected integer, got string"),
        (lambda o: o["lines"][0].pop("sku"), "$.lines[0].sku", "required member missing"),
        (lambda o: o.update(currency="gbp"), "$.currency", "is not valid"),
        (lambda o: o.update(status="shipping"), "$.status", "is not one of"),
        (lambda o: o["totals"].update(tax="18,00"), "$.totals.tax", "decimal string"),
        (lambda o: o["lines"][0]["history"][1].update(at="yesterday"), "$.lines[0].history[1].at", "RFC 3339"),
        (lambda o: o["extra_data"].update(Count=3), "$.extra_data.Count", "expected string, got integer"),
        (lambda o: o["extra_data"].update({"Checkout.Count": 3}), '$.extra_data["Checkout.Count"]', "got integer"),
        (lambda o: o["hold"].update(on_hold="no"), "$.hold.on_hold", "expected boolean, got string"),
        (
            lambda o: o["payments"][0].update(amount=108.0),
            "$.payments[0].amount",
            "expected string or null, got number",
        ),
        (lambda o: o.update(schema="flowkit.order/2"), "$.schema", "is not one of"),
        (lambda o: o.update(placed_at="2026-02-30T09:00:00Z"), "$.placed_at", "RFC 3339"),
        (lambda o: o["shipping"].update(deliver_by="0001-01-01T01:00:00+03:00"), "$.shipping.deliver_by", "RFC 3339"),
    ],
)
def test_problems_name_the_json_path(change: Any, path: str, message: str) -> None:
    order = sample()
    change(order)
    problems = model.validate(order)
    assert len(problems) == 1, problems
    assert problems[0].path == path and message in problems[0].message


def test_check_names_key_and_counts_problems() -> None:
    order = sample()
    order["lines"][0]["quantity"] = -1
    order["number"] = 1203
    with pytest.raises(RecordError) as caught:
        model.check(order, "1203")
    assert caught.value.exit_code == 65
    assert caught.value.format_message() == (
        "order 1203 is not a valid flowkit.order/1 (2 problems): $.number: expected string, got integer; "
        "$.lines[0].quantity: -1 is below the minimum 0"
    )
    assert caught.value.problems == (
        ("$.number", "expected string, got integer"),
        ("$.lines[0].quantity", "-1 is below the minimum 0"),
    )


def test_not_an_object() -> None:
    assert [str(p) for p in model.validate([1])] == ["$: expected object, got array"]


def test_unknown_members_are_allowed() -> None:
    order = sample()
    order["x_future_field"] = {"anything": 1}
    assert model.validate(order) == []


def test_utc() -> None:
    assert model.utc("2026-03-16T10:45:00+03:00") == "2026-03-16T07:45:00Z"
    assert model.utc("2026-03-16T10:45:00Z") == "2026-03-16T10:45:00Z"
    assert model.utc(None) is None


def test_compiler_covers_its_subset_and_refuses_the_rest() -> None:
    from flowkit.validation import compile_schema

    schema = {
        "type": "object",
        "required": ["a"],
        "additionalProperties": False,
        "properties": {
            "a": {"type": "string", "minLength": 2},
            "n": {"type": "number", "minimum": 1},
            "e": {"enum": [True, "x"]},
            "l": {"type": "array", "items": {"$ref": "#/$defs/t"}},
        },
        "$defs": {"t": {"type": "object", "properties": {"t": {"type": "boolean"}}}},
    }
    check = compile_schema(schema)
    found: list[Any] = []
    check({"a": "x", "n": 0.5, "e": 1, "l": [{"t": 1}], "z": None}, (), found)
    assert sorted(message for _, message in found) == [
        "0.5 is below the minimum 1",
        "1 is not one of: True, x",
        "expected boolean, got integer",
        "shorter than 2 character(s)",
        "unknown member",
    ]
    with pytest.raises(ValueError, match="unsupported JSON Schema keyword"):
        compile_schema({"type": "string", "maxLength": 3})
    with pytest.raises(ValueError, match="anyOf"):
        compile_schema({"anyOf": [{"type": "string"}, {"type": "integer"}]})


def test_the_compiled_validator_module_is_the_schema_s() -> None:
    """flowkit/model_validator.py is generated from the schema; run ``python -m flowkit.model`` after changing it."""
    written = (ROOT / "flowkit" / "model_validator.py").read_text(encoding="utf-8")
    assert written == model.validator_source(), "stale: run 'python -m flowkit.model' to write it again"


def _record(body: Any) -> dict[str, Any]:
    return {
        "flowkit": "record/1",
        "kind": "order",
        "key": str(body.get("number")),
        "type": "application/json",
        "meta": {},
        "body": body,
    }


def test_a_stamp_vouches_for_exactly_the_body_it_was_made_for() -> None:
    order = sample()
    record = _record(order)
    assert not model.trusted(record)
    model.check(order)
    model.stamp(record["meta"], order)
    assert record["meta"][model.STAMP_KEY].startswith(f"{model.SCHEMA_ID}:")
    assert model.trusted(record)
    assert model.checked(record) is order
    # the stamp survives the trip through a record line (flowkit writes, flowkit reads)
    assert model.trusted(orjson.loads(orjson.dumps(record)))


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r["body"]["lines"][0].update(quantity=-1),  # changed by hand or by jq: validated again
        lambda r: r["body"].update(number="other"),
        lambda r: r["body"].pop("currency"),
        lambda r: r["meta"].update(validated=r["meta"]["validated"].upper()),
        lambda r: r["meta"].update(validated=None),
        lambda r: r["meta"].update(validated=["flowkit.order/1:0"]),
    ],
)
def test_a_changed_body_or_stamp_is_not_trusted(change: Any) -> None:
    order = sample()
    record = _record(order)
    model.stamp(record["meta"], order)
    change(record)
    assert not model.trusted(record)


def test_checked_validates_an_untrusted_body_and_a_copied_stamp_gives_no_trust() -> None:
    order = sample()
    good = _record(order)
    model.stamp(good["meta"], order)
    bad_body = sample()
    bad_body["lines"][0]["quantity"] = "three"
    bad = _record(bad_body)
    bad["meta"] = dict(good["meta"])  # a stamp copied from another record
    with pytest.raises(RecordError, match=r"\$\.lines\[0\]\.quantity"):
        model.checked(bad)


def test_a_body_orjson_cannot_write_is_never_trusted() -> None:
    record = _record({"number": "1", "n": 1 << 70})
    record["meta"][model.STAMP_KEY] = "flowkit.order/1:"
    assert not model.trusted(record)
    record["meta"][model.STAMP_KEY] = ""  # what the digest of such a body would be: never a match
    assert not model.trusted(record)


BAD_VALUES: list[Any] = [
    None,
    0,
    -1,
    1.5,
    True,
    "",
    "x",
    "12.5.1",
    "-",
    "2026-02-30T10:00:00Z",
    "2026-03-14",
    [],
    {},
    ["x"],
    {"a": 1},
]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Any:
    yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _paths(item, (*path, key))


def _replaced(order: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = orjson.loads(orjson.dumps(order))
    node = copy
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return copy


def test_the_fast_path_vouches_for_valid_orders_only() -> None:
    """The compiled validator asks a fast boolean check first; it may refuse a valid order, never pass an invalid one."""
    from flowkit import model_validator
    from flowkit.validation import compile_schema

    full_walk = compile_schema(model.schema(), fast_path=False)
    checked = vouched = 0
    for path in ORDERS:
        order = orjson.loads(path.read_bytes())
        assert model_validator.f__root(order), f"{path.stem}: a valid sample misses the fast path"
        for where in list(_paths(order))[1:]:
            for value in BAD_VALUES:
                mutated = _replaced(order, where, value)
                problems: list[Any] = []
                full_walk(mutated, (), problems)
                if model_validator.f__root(mutated):
                    vouched += 1
                    assert not problems, f"fast path passed {where} = {value!r}: {problems[0]}"
                checked += 1
    assert checked > 5000 and vouched > 0  # both branches were taken


def _objects(value: Any, path: tuple[Any, ...] = ()) -> Any:
    """The path of every object in ``value``."""
    if isinstance(value, dict):
        yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _objects(item, (*path, key))


def _edited(order: Any, path: tuple[Any, ...], edit: Any) -> Any:
    copy = orjson.loads(orjson.dumps(order))
    node = copy
    for step in path:
        node = node[step]
    edit(node)
    return copy


def test_the_fast_path_with_a_member_missing_or_added_vouches_for_valid_orders_only() -> None:
    """A defined object's fast test fetches all its members at once: one missing falls back to the member by
    member test, one added is allowed where the schema allows it; neither passes an invalid order."""
    from flowkit import model_validator
    from flowkit.validation import compile_schema

    full_walk = compile_schema(model.schema(), fast_path=False)
    outcomes = set()
    for path in ORDERS:
        order = orjson.loads(path.read_bytes())
        for where in _objects(order):
            node = _edited(order, where, lambda n: None)
            for edit in [*(lambda n, k=k: n.pop(k) for k in list(_at(node, where))), lambda n: n.update(zz_extra=[[{}]])]:
                for bad in (None, ("url", 5), ("hash", []), ("at", "2026-02-30T10:00:00Z")):
                    mutated = _edited(order, where, edit)
                    if bad is not None:  # and a bad value in the same object, when it has that member
                        target = _at(mutated, where)
                        if bad[0] not in target:
                            continue
                        target[bad[0]] = bad[1]
                    problems: list[Any] = []
                    full_walk(mutated, (), problems)
                    vouched = model_validator.f__root(mutated)
                    assert not (vouched and problems), f"fast path passed {where} edited: {problems[0]}"
                    outcomes.add((vouched, bool(problems)))
    assert outcomes == {(True, False), (False, True)}  # a missing required member is refused, an optional one passes


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def test_the_fast_path_tests_nullable_patterned_members_together() -> None:
    """The nullable members one pattern checks (prices, times) are tested as one set: a new valid value is
    learnt, an invalid string, another type or an unhashable value is refused, in every position."""
    from flowkit import model_validator

    order = sample()
    assert model_validator.f__root(order)
    for member in ("unit_price", "unit_price_incl_tax", "row_total", "discount_amount"):
        for value, valid in ((None, True), ("12.345", True), ("1,5", False), (12, False), ([], False), ({}, False)):
            changed = sample()
            changed["lines"][0][member] = value
            assert model_validator.f__root(changed) is valid, (member, value)
            assert (not model.validate(changed)) is valid, (member, value)


def test_closed_depth_bounds_only_what_the_fast_path_tests() -> None:
    """render skips the nesting screen for an order the fast path passed closed only when the schema bounds it."""
    from flowkit.model_validator import CLOSED_DEPTH
    from flowkit.validation import closed_depth

    assert CLOSED_DEPTH == 5  # order, lines, line, attributes, attribute
    obj = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert closed_depth(obj, {}) == 1
    assert closed_depth({"type": "array", "items": obj}, {}) == 2
    assert closed_depth({"type": "object", "properties": {"n": {"type": ["integer", "null"]}}}, {}) == 1
    for free in (
        {"type": "object"},  # its content free
        {"type": "array"},
        {"type": "object", "properties": {"x": {}}},
        {"type": "object", "properties": {"n": {"type": "number"}}},  # a float may be a long integer
        {"type": "object", "properties": {"n": {"type": ["integer", "string"]}}},  # no range tested
        {"type": "array", "items": {"type": ["integer", "null"]}},  # one set of types: no range
        {"type": "object", "additionalProperties": {"type": "integer"}},
        {"type": "object", "properties": {"r": {"$ref": "#/$defs/r"}}},  # recursive
    ):
        assert closed_depth(free, {"r": {"type": "object", "properties": {"r": {"$ref": "#/$defs/r"}}}}) is None, free


def test_the_fast_path_refuses_an_integer_beyond_64_bits_the_full_walk_leaves_to_the_limits() -> None:
    from flowkit import model_validator

    order = sample()
    order["lines"][0]["quantity"] = (1 << 63) - 1
    assert model_validator.f__root(order)
    order["lines"][0]["quantity"] = 1 << 63
    assert not model_validator.f__root(order) and model.validate(order) == []  # the record limits refuse it
