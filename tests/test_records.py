"""The record stream: detection, streaming, malformed lines, raw documents."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from conftest import record_line

from flowkit.errors import InputError, RecordError, UsageError
from flowkit.pipeline import Tally, finish, run
from flowkit.records import INT_MAX, INT_MIN, MAX_DEPTH, BadLine, Reader, Record, Writer, check_record, derive, make_record


def write(tmp_path: Path, name: str, data: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


def test_record_mode_detected_and_streamed(tmp_path: Path) -> None:
    path = write(tmp_path, "in.ndjson", record_line("order", "1", {"a": 1}) + "\n" + record_line("order", "2", {}))
    reader = Reader([path])
    assert reader.mode == "record"
    items = list(reader)
    assert [i["key"] for i in items] == ["1", "2"]  # type: ignore[index]
    assert items[0]["meta"] == {}  # type: ignore[index]


@pytest.mark.parametrize(
    "text",
    ['{\n  "number": "1"\n}\n', '{"number": "1"}\n', "[1, 2]", '"just a string"'],
)
def test_raw_json_detected(tmp_path: Path, text: str) -> None:
    reader = Reader([write(tmp_path, "order.json", text)], raw_kind="order")
    assert reader.mode == "raw"
    (item,) = list(reader)
    assert isinstance(item, dict)
    assert item["kind"] == "order" and item["key"] == "order" and item["type"] == "application/json"
    assert item["body"] == orjson.loads(text)


def test_raw_xml_detected_and_key_from_callback(tmp_path: Path) -> None:
    reader = Reader([write(tmp_path, "x.xml", "  <?xml version='1.0'?><Order/>")], raw_key=lambda body, stem: "K")
    (item,) = list(reader)
    assert reader.mode == "raw"
    assert item["type"] == "application/xml" and item["key"] == "K"  # type: ignore[index]
    assert item["body"].startswith("<?xml")  # type: ignore[index]


def test_long_record_line_beyond_peek_window(tmp_path: Path) -> None:
    big = "x" * 200_000
    reader = Reader([write(tmp_path, "big.ndjson", record_line("payload", "k", {"pad": big}))])
    assert reader.mode == "record"
    assert list(reader)[0]["body"]["pad"] == big  # type: ignore[index]


def test_malformed_lines_name_file_line_and_column(tmp_path: Path) -> None:
    text = record_line("order", "1", {}) + '{"flowkit":"record/1", oops}\n' + '{"flowkit":"record/9","kind":"x"}\n'
    items = list(Reader([write(tmp_path, "in.ndjson", text)]))
    assert isinstance(items[1], BadLine) and isinstance(items[2], BadLine)
    assert str(items[1]).startswith(f"{tmp_path / 'in.ndjson'}:2: invalid JSON")
    assert "column" in str(items[1])
    assert "unsupported record version 'record/9'" in str(items[2])


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ([], "$: expected an object, got array"),
        ({"flowkit": "record/1", "key": "k", "type": "t", "body": 1}, "$.kind: missing or not a string"),
        ({"flowkit": "record/1", "kind": "o", "key": "k", "type": "application/json"}, "$.body: missing"),
        ({"flowkit": "record/1", "kind": "o", "key": "k", "type": "text/plain", "body": {}}, "$.body: must be a string"),
        ({"flowkit": "record/1", "kind": "o", "key": "k", "type": "x", "body": "", "meta": 3}, "$.meta: must be an object"),
    ],
)
def test_check_record(value: object, problem: str) -> None:
    assert problem in (check_record(value) or "")


def test_invalid_raw_json_names_line_and_column(tmp_path: Path) -> None:
    reader = Reader([write(tmp_path, "bad.json", '{\n  "a": 1,\n  oops\n}')])
    with pytest.raises(InputError, match=r"bad.json:3:3: invalid JSON"):
        list(reader)


def test_missing_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        Reader([str(tmp_path / "absent.json")])


def test_several_files_give_record_mode(tmp_path: Path) -> None:
    a = write(tmp_path, "a.json", '{"n": 1}')
    b = write(tmp_path, "b.ndjson", record_line("order", "2", {}))
    reader = Reader([a, b], raw_kind="order")
    assert reader.mode == "record"
    assert [i["key"] for i in reader] == ["a", "2"]  # type: ignore[index]


def test_empty_input_yields_nothing(tmp_path: Path) -> None:
    reader = Reader([write(tmp_path, "e", "\n\n")])
    assert list(reader) == []


def test_writer_record_and_raw_modes() -> None:
    out = io.BytesIO()
    writer = Writer(out, mode="record", pretty=False)
    rec = make_record("payload", "1", "<a/>", type="application/xml", meta={"m": 1})
    writer.write(rec)
    assert orjson.loads(out.getvalue()) == rec
    raw = io.BytesIO()
    Writer(raw, mode="raw", pretty=False).write(rec)
    assert raw.getvalue() == b"<a/>\n"
    raw_json = io.BytesIO()
    Writer(raw_json, mode="raw", pretty=True).write(make_record("o", "1", {"a": [1]}))
    assert raw_json.getvalue() == b'{\n  "a": [\n    1\n  ]\n}\n'


def test_derive_keeps_meta_and_key() -> None:
    rec = make_record("order", "9", {}, meta={"channel": "web"})
    out = derive(rec, "payload", "<x/>", type="application/xml", format="xml")
    assert out["key"] == "9" and out["meta"] == {"channel": "web", "format": "xml"}


def test_pipeline_isolates_failures_and_passes_other_kinds(tmp_path: Path) -> None:
    text = record_line("order", "ok", {}) + record_line("order", "bad", {}) + record_line("alert", "a", {}) + "not json\n"
    out = io.BytesIO()

    def process(rec: dict) -> list[dict]:  # type: ignore[type-arg]
        if rec["key"] == "bad":
            raise RecordError("cannot render", code=65)
        return [derive(rec, "payload", {"done": True})]

    tally = run(Reader([write(tmp_path, "in", text)]), Writer(out, pretty=False), process, consumes={"order"}, command="test")
    kinds = [(r["kind"], r["key"]) for r in map(orjson.loads, out.getvalue().splitlines())]
    assert kinds == [("payload", "ok"), ("error", "bad"), ("alert", "a")]
    assert (tally.ok, tally.failed, tally.passed) == (1, 2, 1)
    with pytest.raises(Exception) as info:
        finish(tally)
    assert info.value.exit_code == 1


@pytest.mark.parametrize(
    ("ok", "codes", "expected"),
    [(0, [], None), (3, [75, 75], 75), (0, [69, 69], 69), (0, [65, 69], 1), (2, [65], 1)],
)
def test_finish_exit_codes(ok: int, codes: list[int], expected: int | None) -> None:
    tally = Tally(ok=ok, failed=len(codes), codes=codes)
    if expected is None:
        finish(tally)
        return
    with pytest.raises(Exception) as info:
        finish(tally)
    assert info.value.exit_code == expected


def test_refuses_to_wait_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    class Terminal(io.BytesIO):
        def isatty(self) -> bool:
            return True

    fake = io.TextIOWrapper(Terminal())
    monkeypatch.setattr(fake, "isatty", lambda: True)
    monkeypatch.setattr(sys, "stdin", fake)
    with pytest.raises(UsageError, match="refusing to wait on a terminal") as info:
        Reader([])
    assert info.value.exit_code == 2


@pytest.mark.parametrize("text", ["<Order/>", '{"number": "1"}', record_line("order", "1", {})])
def test_utf8_byte_order_mark_is_skipped(tmp_path: Path, text: str) -> None:
    (item,) = list(Reader([write(tmp_path, "bom", b"\xef\xbb\xbf" + text.encode())]))
    assert isinstance(item, dict) and item["key"] in ("1", "bom")


def test_ready_tells_a_stalled_pipe_from_a_flowing_one(tmp_path: Path) -> None:
    import os

    read_end, write_end = os.pipe()
    os.write(write_end, (record_line("order", "1", {}) + "\n" + record_line("order", "2", {}) + "\n").encode())
    reader = Reader([f"/dev/fd/{read_end}"])
    items = iter(reader)
    assert next(items)["key"] == "1"  # type: ignore[index]
    assert reader.ready()  # record 2 is buffered
    assert next(items)["key"] == "2"  # type: ignore[index]
    assert not reader.ready()  # the producer has written nothing more
    os.write(write_end, record_line("order", "3", {}).encode()[:10])
    assert reader.ready()  # bytes waiting in the pipe: reading them does not wait
    os.write(write_end, record_line("order", "3", {}).encode()[10:] + b"\n")
    os.close(write_end)
    assert next(items)["key"] == "3"  # type: ignore[index]
    assert reader.ready()  # end of input is ready too
    assert list(items) == []
    os.close(read_end)
    file_reader = Reader([write(tmp_path, "in.ndjson", record_line("order", "1", {}))])
    assert file_reader.ready() and [i["key"] for i in file_reader] == ["1"]  # type: ignore[index]


def nested(levels: int) -> str:
    return "[" * levels + "0" + "]" * levels


def test_record_lines_nested_deeper_than_the_limit_are_bad_lines(tmp_path: Path) -> None:
    # the record object is the first level, so its body may nest MAX_DEPTH - 1 more
    ok = record_line("order", "ok", orjson.loads(nested(MAX_DEPTH - 1)))
    deep = '{"flowkit":"record/1","kind":"order","key":"deep","type":"application/json","body":' + nested(300) + "}\n"
    items = list(Reader([write(tmp_path, "in.ndjson", ok + deep + ok)]))
    assert [i["key"] if isinstance(i, dict) else str(i) for i in items] == [
        "ok",
        f"{tmp_path / 'in.ndjson'}:2: nested deeper than {MAX_DEPTH} levels",
        "ok",
    ]
    assert isinstance(items[1], BadLine) and items[1].key == "deep"
    Writer(io.BytesIO()).write(items[0])  # type: ignore[arg-type]  # what passes the limit can be encoded


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"lines": [{"seq": 2**63}]}, "$.body.lines[0].seq"),
        ({"odd key": [1, 18446744073709551615]}, '$.body["odd key"][1]'),
    ],
)
def test_integers_beyond_64_bits_are_bad_lines_naming_their_path(tmp_path: Path, body: object, path: str) -> None:
    (item,) = list(Reader([write(tmp_path, "in.ndjson", record_line("stock", "s1", body))]))
    assert isinstance(item, BadLine) and item.key == "s1"
    assert item.message.startswith(f"integer out of range at {path} ")


def test_integers_at_the_edges_of_64_bits_and_long_digit_strings_pass(tmp_path: Path) -> None:
    body = {"max": INT_MAX, "min": INT_MIN, "tracking": "12345678901234567890123"}
    (item,) = list(Reader([write(tmp_path, "in.ndjson", record_line("order", "1", body))]))
    assert isinstance(item, dict) and item["body"] == body


def test_raw_json_documents_have_the_same_limits(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=rf"order\.json: nested deeper than {MAX_DEPTH} levels"):
        list(Reader([write(tmp_path, "order.json", nested(MAX_DEPTH + 1))]))
    with pytest.raises(InputError, match=r"integer out of range at \$\.qty "):
        list(Reader([write(tmp_path, "order.json", '{"qty": 9223372036854775808}')]))


def test_decoded_records_nested_too_deep_are_bad_lines(tmp_path: Path) -> None:
    def decode(name: str, stream: io.BufferedReader, first: bytes) -> Iterator[Record | BadLine]:
        for n, line in enumerate(stream.read().splitlines()):
            yield make_record("stock", f"m{n}", orjson.loads(line))

    path = write(tmp_path, "in.json", nested(2) + "\n" + nested(400) + "\n")
    items = list(Reader([path], decode=decode))
    assert isinstance(items[0], dict)
    assert isinstance(items[1], BadLine) and items[1].key == "m1" and items[1].message == f"nested deeper than {MAX_DEPTH} levels"


def test_an_integer_of_twenty_digits_is_refused_not_read_as_a_float(invoke) -> None:  # type: ignore[no-untyped-def]
    """orjson reads integers beyond 2^64 as floats: the limit check must still see them (review finding)."""
    line = (
        '{"flowkit":"record/1","kind":"alert","key":"K1","type":"application/json","meta":{},'
        '"body":{"customer_id":123456789012345678901}}\n'
        '{"flowkit":"record/1","kind":"alert","key":"K2","type":"application/json","meta":{},'
        '"body":{"ref":"123456789012345678901","price":1e20}}\n'
    )
    result = invoke(["render"], input=line)
    assert "integer out of range at $.body.customer_id" in result.stderr
    assert '"K2"' in result.stdout and "1.2345678901234568e+20" not in result.stdout
