"""render's reader validates an order record once and, when the fast path vouches for a closed order (no member
beyond the schema's, every integer within the limits), takes the schema's bound on its nesting instead of
screening the line's bytes; anything else is screened as ever and refused with the same messages."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import ROOT, Invoke, records

from flowkit import limits, model
from flowkit import records as records_module
from flowkit.limits import INT_MAX, MAX_DEPTH, within
from flowkit.model_validator import CLOSED_DEPTH
from flowkit.records import BadLine, Reader

ORDER = orjson.loads((ROOT / "samples" / "orders" / "1203.json").read_bytes())


def record(body: Any = None, **meta: Any) -> dict[str, Any]:
    body = copy.deepcopy(ORDER) if body is None else body
    return {"flowkit": "record/1", "kind": "order", "key": "1203", "type": "application/json", "meta": meta, "body": body}


def deep(levels: int) -> Any:
    value: Any = "x"
    for level in range(levels):
        value = {"k": value} if level % 2 else [value]
    return value


def read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *lines: bytes) -> tuple[list[Any], list[bool], list[bytes]]:
    """What render's reader yields for ``lines``, whether it vouched for each, and the bytes it screened."""
    path = tmp_path / "in.ndjson"
    path.write_bytes(b"".join(lines))
    screened: list[bytes] = []
    real = limits.line_limits
    monkeypatch.setattr(records_module, "line_limits", lambda text, value: screened.append(text) or real(text, value))
    reader = Reader([str(path)], vouch=model.vouched)
    items = [(item, reader.vouched(item)) for item in reader]
    return [item for item, _ in items], [vouched for _, vouched in items], screened


@pytest.mark.parametrize(
    "change",
    [
        lambda r: None,
        lambda r: r["meta"].update(path=deep(MAX_DEPTH - 2)),  # the rest of the record is walked: within the limits
        lambda r: r.update(extra=[deep(3), INT_MAX, None]),
    ],
)
def test_a_closed_valid_order_is_not_screened_and_not_validated_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Any
) -> None:
    assert CLOSED_DEPTH is not None and CLOSED_DEPTH < MAX_DEPTH  # the schema bounds a closed order's nesting
    value = record(channel="web")
    change(value)
    for line in (orjson.dumps(value) + b"\n", json.dumps(value, indent=1).encode().replace(b"\n", b"") + b"\n"):
        items, vouched, screened = read(tmp_path, monkeypatch, line)
        assert items == [orjson.loads(line)] and vouched == [True] and screened == []


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r["body"]["lines"][0].update(zz_extra={"a": [1, 2]}),  # a member beyond the schema's
        lambda r: r["body"]["lines"][0]["attributes"][0].update(note="x"),  # in an object tested in a loop
        lambda r: r["body"]["totals"].update(rounding="0.01"),  # in an inline object
        lambda r: r["body"]["lines"][0].pop("description"),  # a member missing: the member by member test
        lambda r: r["meta"].update(weight=1.5),  # a float may stand for a long integer: the bytes tell
        lambda r: r.update(extra=[deep(3), 2.5]),
    ],
)
def test_an_open_order_or_a_record_with_more_is_screened_but_validated_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Any
) -> None:
    value = record()
    change(value)
    line = orjson.dumps(value) + b"\n"
    seen: list[Any] = []
    real = model.validate
    monkeypatch.setattr(model, "validate", lambda order: seen.append(order) or real(order))
    items, vouched, screened = read(tmp_path, monkeypatch, line)
    assert items == [orjson.loads(line)] and vouched == [True]  # valid: render does not validate it again
    assert screened == [line] and len(seen) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["body"]["lines"][0].update(zz=deep(MAX_DEPTH)), f"nested deeper than {MAX_DEPTH} levels"),
        (lambda r: r["body"].update(zz=deep(MAX_DEPTH)), f"nested deeper than {MAX_DEPTH} levels"),
        (lambda r: r["meta"].update(zz=deep(MAX_DEPTH - 1)), f"nested deeper than {MAX_DEPTH} levels"),  # one too deep
        (lambda r: r["body"]["lines"][0].update(quantity=INT_MAX + 1), "integer out of range at $.body.lines[0].quantity"),
        (lambda r: r["body"]["lines"][0]["print"].update(pages=1 << 64), "integer out of range at $.body.lines[0].print.pages"),
        (lambda r: r["meta"].update(n=-(1 << 63) - 1), "integer out of range at $.meta.n"),
    ],
)
def test_too_deep_or_out_of_range_is_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Any, message: str
) -> None:
    value = record()
    change(value)
    line = json.dumps(value).encode() + b"\n"  # json: an integer beyond 64 bits too
    items, _, _ = read(tmp_path, monkeypatch, line)
    assert len(items) == 1 and isinstance(items[0], BadLine) and message in items[0].message, items[0]


def test_an_invalid_order_is_left_to_render_which_names_every_problem(invoke: Invoke) -> None:
    value = record()
    value["body"]["lines"][0]["quantity"] = -1
    value["body"]["currency"] = "gbp"
    value["body"]["lines"][0]["zz"] = deep(MAX_DEPTH - 4)
    result = invoke(["render", "--format", "json"], input=orjson.dumps(value) + b"\n")
    assert result.exit_code == 65
    assert "$.lines[0].quantity" in result.stderr and "$.currency" in result.stderr
    (error,) = records(result.stdout)
    assert error["kind"] == "error" and error["body"]["problem_count"] == 2


def test_render_writes_the_same_payload_for_a_vouched_and_a_screened_order(invoke: Invoke) -> None:
    closed = record(channel="web")
    screened = record(channel="web", weight=1.5)
    out = invoke(["render", "--format", "json"], input=orjson.dumps(closed) + b"\n" + orjson.dumps(screened) + b"\n")
    assert out.exit_code == 0, out.stderr
    first, second = records(out.stdout)
    assert first["body"] == second["body"] and first["meta"]["channel"] == "web"


def test_within_walks_a_small_value() -> None:
    assert within({"a": [1, "x", None, True, {"b": INT_MAX}]}, 3)
    assert not within({"a": [1, {"b": INT_MAX + 1}]}, 3)
    assert not within({"a": [1.0]}, 3)  # a float: the bytes decide
    assert not within(deep(5), 4) and within(deep(5), 5)
    assert within([], 0) is False and within("x", 0)
