"""A stamped order record read as flowkit wrote it: the stamp is checked on the body's bytes as read (no second
encoding), and such a body is neither screened for the record limits again nor validated again by render. A body
changed after stamping, a stamp copied, or a line shaped to pass other bytes off as the body is validated again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import ROOT, Invoke, record_line, records

from flowkit import limits, model
from flowkit import records as records_module
from flowkit.limits import MAX_DEPTH, too_deep
from flowkit.records import BadLine, Reader

ORDER = orjson.loads((ROOT / "samples" / "orders" / "1203.json").read_bytes())


def stamped(order: Any = ORDER, **meta: Any) -> dict[str, Any]:
    """The record query-orders would write for ``order``, stamped after validating it."""
    model.check(order)
    model.stamp(meta, order)
    return {
        "flowkit": "record/1",
        "kind": "order",
        "key": str(order["number"]),
        "type": "application/json",
        "meta": meta,
        "body": order,
    }


def line_of(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record) + b"\n"


def spy_validate(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record every order ``model.validate`` is asked about (it still validates)."""
    seen: list[Any] = []
    real = model.validate

    def validate(order: Any) -> list[model.Problem]:
        seen.append(order)
        return real(order)

    monkeypatch.setattr(model, "validate", validate)
    return seen


def test_a_line_flowkit_wrote_is_vouched_for_on_the_bytes_of_its_body() -> None:
    record = stamped()
    for ending in (b"\n", b"\r\n", b""):
        line = orjson.dumps(record) + ending
        at = model.vouched_body(line, orjson.loads(line))
        assert line[at : at + 8] == b',"body":'
        assert line[at + 8 : len(line) - len(ending) - 1] == orjson.dumps(ORDER)
    assert model.vouched_body(line_of({**record, "meta": {}}), orjson.loads(line_of({**record, "meta": {}}))) == -1


def test_the_reader_leaves_a_vouched_body_out_of_the_limit_screens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unstamped = {**stamped(), "key": "plain", "meta": {}}
    path = tmp_path / "in.ndjson"
    path.write_bytes(line_of(stamped()) + line_of(unstamped))
    screened: list[bytes] = []
    real = limits.line_limits
    monkeypatch.setattr(records_module, "line_limits", lambda text, value: screened.append(text) or real(text, value))
    reader = Reader([str(path)], vouch=model.vouched_body)
    seen = [(item, reader.vouched(item)) for item in reader]  # asked as each record is read
    assert [(item["key"], vouched) for item, vouched in seen] == [("1203", True), ("plain", False)]
    assert not reader.vouched(seen[0][0])  # only the record read last
    assert b'"lines"' not in screened[0] and screened[0].endswith(b"}")  # the record without its body
    assert b'"lines"' in screened[1]  # an unstamped body is screened as ever
    plain = Reader([str(path)])
    assert [plain.vouched(item) for item in plain] == [False, False]  # a reader without vouch vouches for nothing


def test_render_takes_a_vouched_order_without_validating_it(invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    line = line_of(stamped())
    seen = spy_validate(monkeypatch)
    result = invoke(["render", "--format", "json"], input=line)
    assert result.exit_code == 0, result.stderr
    assert seen == []
    (payload,) = records(result.stdout)
    assert payload["body"]["orderNumber"] == "1203" and model.STAMP_KEY not in payload["meta"]
    plain = invoke(["render", "--format", "json"], input=record_line("order", "1203", ORDER))
    assert len(seen) == 1 and records(plain.stdout)[0]["body"] == payload["body"]  # the same payload, validated


def test_a_stamped_record_whose_body_bytes_were_changed_is_validated_again(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = line_of(stamped())
    assert line.count(b'"quantity":500,') == 1 and line.index(b'"currency":"GBP"') < line.index(b'"payments"')
    broken = line.replace(b'"quantity":500,', b'"quantity":-500,').replace(b'"currency":"GBP"', b'"currency":"gbp"', 1)
    record = orjson.loads(broken)
    assert model.vouched_body(broken, record) == -1 and not model.trusted(record)
    result = invoke(["render", "--format", "json"], input=broken)
    assert result.exit_code == 65
    assert "$.lines[0].quantity" in result.stderr and "$.currency" in result.stderr  # every problem, not the first
    (error,) = records(result.stdout)
    assert error["kind"] == "error" and error["body"]["problem_count"] == 2
    # a change that leaves the order valid is validated too, then rendered
    seen = spy_validate(monkeypatch)
    renamed = line.replace(b'"po_number":"PO-7781"', b'"po_number":"PO-7782"')
    assert renamed != line
    result = invoke(["render", "--format", "json"], input=renamed)
    assert result.exit_code == 0, result.stderr
    assert len(seen) == 1 and records(result.stdout)[0]["body"]["purchaseOrderNumber"] == "PO-7782"


def misleading_lines() -> list[tuple[str, bytes, bool]]:
    """(what, line, its parsed body is the stamped one) for lines whose stamp must not vouch for their bytes."""
    good = stamped()
    stamp_text = good["meta"][model.STAMP_KEY]
    body = orjson.dumps(ORDER)
    evil = orjson.dumps({**ORDER, "currency": 12})
    head = (
        b'{"flowkit":"record/1","kind":"order","key":"1203","type":"application/json","meta":{"validated":"'
        + stamp_text.encode()
        + b'"}'
    )
    other = stamped({**ORDER, "po_number": "PO-1"})
    return [
        (
            "the stamped bytes under a repeated key before the real body",
            head + b',"body":' + body + b',"body":' + evil + b"}",
            False,
        ),
        (
            "the real body under a repeated key after the stamped bytes",
            head + b',"body":' + evil + b',"body":' + body + b"}",
            True,
        ),
        ("the stamped bytes under a key that ends in body", head + b',"body":' + evil + b',"x\\"body":' + body + b"}", False),
        ("the stamped bytes inside the body", head + b',"body":{"currency":12,"body":' + body + b"}}", False),
        ("the body first", b'{"body":' + body + b"," + head[1:] + b"}", True),
        ("written with spaces", json.dumps(good).encode(), True),
        ("indented", orjson.dumps(good, option=orjson.OPT_INDENT_2), True),
        ("a stamp copied from another order", line_of({**good, "meta": other["meta"]}), True),
        ("a meta with a member named body", line_of({**good, "meta": {**good["meta"], "body": 1}}), True),
    ]


@pytest.mark.parametrize(("what", "line", "same_body"), misleading_lines(), ids=[m[0] for m in misleading_lines()])
def test_lines_shaped_otherwise_vouch_for_nothing_but_the_stamped_body(
    invoke: Invoke, what: str, line: bytes, same_body: bool
) -> None:
    record = orjson.loads(line)
    assert (record["body"] == ORDER) is same_body
    if not same_body:
        assert model.vouched_body(line, record) == -1, what
    elif what in ("the body first", "written with spaces", "indented", "a stamp copied from another order"):
        assert model.vouched_body(line, record) == -1, what  # not as flowkit writes it: looked at as parsed (trusted)
    result = invoke(["render", "--format", "json"], input=line.replace(b"\n", b"") + b"\n")
    if record["body"] == ORDER:
        assert result.exit_code == 0, result.stderr  # validated (or trusted on its parsed body), then rendered
    else:
        assert result.exit_code == 65 and "$.currency" in result.stderr


def nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_a_stamp_is_given_only_within_the_record_limits() -> None:
    edge = None
    for depth in range(MAX_DEPTH - 6, MAX_DEPTH + 2):
        body = {**ORDER, "extra_data": ORDER["extra_data"], "deep": nested(depth)}
        meta: dict[str, Any] = {}
        model.stamp(meta, body)
        within = not too_deep({"meta": {}, "body": body}, MAX_DEPTH)  # as deep as its record line nests
        assert (model.STAMP_KEY in meta) is within, depth
        edge = depth if within else edge
    assert edge is not None and edge < MAX_DEPTH
    for big in (1 << 63, -(1 << 63) - 1):
        meta = {model.STAMP_KEY: "flowkit.order/1:stale"}
        model.stamp(meta, {**ORDER, "big": big})
        assert model.STAMP_KEY not in meta  # and a stale stamp is not left behind
    meta = {}
    model.stamp(meta, {**ORDER, "big": (1 << 63) - 1})
    assert model.STAMP_KEY in meta


def test_the_rest_of_a_vouched_record_is_still_screened(tmp_path: Path) -> None:
    for extra, problem in ((nested(MAX_DEPTH), "nested deeper"), (1 << 63, "integer out of range")):
        record = stamped(deep=extra)
        line = line_of(record)
        assert model.vouched_body(line, orjson.loads(line)) > 0
        path = tmp_path / "in.ndjson"
        path.write_bytes(line)
        (item,) = list(Reader([str(path)], vouch=model.vouched_body))
        assert isinstance(item, BadLine) and problem in item.message
