"""Fuzz: real inputs, mutated, through every reader and command, in-process.

Each target takes the project's own inputs (samples/ and tests/data/: records, raw
orders, source documents, rules, configs, stock and shipment messages, stylesheets),
mutates them with hypothesis (a value swapped for an awkward one, a field dropped or
retyped, bytes cut or flipped, deep nesting, huge integers, a DOCTYPE) and runs the
command through the CLI (``invoke``: ``catch_exceptions=False``, so a traceback fails
the test). Every run must end with a documented exit code, print no traceback, and an
input rejected as a whole must leave the state store as it was.

The budget is bounded and reproducible (``derandomize``); ``FLOWKIT_FUZZ_EXAMPLES=N``
runs N examples per target instead (the extended run), and ``FLOWKIT_FUZZ_STRICT=1``
also fails on an internal error (70), which the stream survives but which is a bug.
Every failing input found is kept below as an explicit ``@example``.
"""

from __future__ import annotations

import copy
import json
import os
import sqlite3
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import tomli_w
from click.testing import Result
from conftest import Invoke
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from flowkit.mapping.jolt import load_json

ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "samples"
DATA = Path(__file__).parent / "data"
DOCUMENTED = {0, 1, 2, 65, 69, 70, 75, 78}  # docs/exit-codes.md
WHOLE_REJECTION = {2, 65, 78}
EXAMPLES = int(os.environ.get("FLOWKIT_FUZZ_EXAMPLES", "0"))
STRICT = os.environ.get("FLOWKIT_FUZZ_STRICT") == "1"
STATS = os.environ.get("FLOWKIT_FUZZ_STATS")  # a file: one line per run (target, exit code, first stderr line)


def budget(examples: int) -> settings:
    """A target's bounded, reproducible budget (all targets together run in well under a minute)."""
    return settings(
        max_examples=EXAMPLES or examples,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ---------------------------------------------------------------- mutations


def nested(levels: int) -> Any:
    value: Any = "x"
    for n in range(levels):
        value = [value] if n % 2 else {"a": value}
    return value


AWKWARD: list[Any] = [
    None,
    True,
    "",
    " ",
    "\x00",
    "a\x00b",
    "line\nbreak",
    "../../escape",
    "/abs/path",
    "é€😀",
    "x" * 3000,
    "NaN",
    "1e999",
    "-",
    "12,5",
    " 7 ",
    "2025-13-45",
    0,
    -1,
    1.5,
    -0.0,
    1e308,
    2**63 - 1,
    2**63,
    2**64 - 1,
    -(2**63),
    [],
    {},
    [None],
    {"": None},
    nested(130),
    nested(300),
]
SCALARS = st.one_of(
    st.sampled_from(AWKWARD),
    st.integers(-(2**63), 2**64 - 1),  # what JSON (orjson) writes as an integer
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.booleans(),
)


NUMBERS: list[Any] = [0, -1, 1.5, -0.0, 1e308, 1e20, 2**63 - 1, 2**63, 2**64 - 1, -(2**63), "12", "", None, True]
TEXTS: list[Any] = ["", "\x00", "a\x00b", "../../escape", "x" * 3000, "é€😀", " 7 ", "12,5", "NaN", "2025-13-45", 0, None, []]


def swap(old: Any) -> st.SearchStrategy[Any]:
    """A value in place of ``old``: one of its own type's awkward values (numbers by numbers, ...) or any."""
    if isinstance(old, (int, float)) and not isinstance(old, bool):
        return st.one_of(st.sampled_from(NUMBERS), SCALARS)
    if isinstance(old, str):
        return st.one_of(st.sampled_from(TEXTS), SCALARS)
    return SCALARS


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into ``value`` (the root included), depth first."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, (*prefix, i))


def at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


@st.composite
def mutated(draw: st.DrawFn, seed: Any, *, toml: bool = False) -> Any:
    """``seed`` (a JSON-like value) with one to three values swapped, dropped, retyped or repeated."""
    value = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, 3))):
        everywhere = list(paths(value))
        path = draw(st.sampled_from(everywhere[1:] or everywhere))
        if not path:  # nothing inside left: the whole value goes
            value = copy.deepcopy(draw(SCALARS))
            break
        parent, last, old = at(value, path[:-1]), path[-1], at(value, path)
        how = draw(st.sampled_from(["swap", "swap", "drop", "retype", "repeat"]))
        if how == "drop":
            del parent[last]
        elif how == "retype":
            parent[last] = str(old) if not isinstance(old, str) else [old]
        elif how == "repeat" and isinstance(parent, list):
            parent.insert(last, copy.deepcopy(old))
        else:
            parent[last] = copy.deepcopy(draw(swap(old)))  # never the shared value itself: it is mutated next
    if toml:  # a TOML document is a table
        value = tomlable(value) if isinstance(value, dict) else {"value": tomlable(value)}
    return value


def tomlable(value: Any) -> Any:
    """TOML has no null and no keys of other types than strings: drop the nulls, keep the rest."""
    if isinstance(value, dict):
        return {k: tomlable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [tomlable(v) for v in value if v is not None]
    return value


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` cut, with bytes flipped, inserted or repeated: malformed input."""
    how = draw(st.sampled_from(["cut", "flip", "insert", "repeat"]))
    at_ = draw(st.integers(0, max(0, len(data) - 1)))
    if how == "cut":
        return data[:at_]
    if how == "flip":
        return data[:at_] + bytes([data[at_] ^ draw(st.integers(1, 255))]) + data[at_ + 1 :] if data else b"\xff"
    if how == "insert":
        return data[:at_] + draw(st.sampled_from([b"\x00", b"\xff\xfe", b"{", b"]", b"<", b"&bogus;", b"\n", b'"'])) + data[at_:]
    return data[:at_] + data[at_ : at_ + 40] * 2 + data[at_ + 40 :]


DOCTYPE = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'


@st.composite
def mutated_xml(draw: st.DrawFn, data: bytes) -> bytes:
    """An XML document with an element's text, attribute or presence changed (or a DOCTYPE added)."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    for _ in range(draw(st.integers(1, 3))):
        elements = list(root.iter(etree.Element))
        element = draw(st.sampled_from(elements))
        how = draw(st.sampled_from(["text", "text", "drop", "repeat", "attribute", "deep"]))
        text = draw(
            st.one_of(st.sampled_from([str(v) for v in AWKWARD if isinstance(v, (str, int, float))]), st.text(max_size=8))
        )
        text = "".join(c for c in text if c in "\t\n\r" or " " <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c > "\uffff")
        parent = element.getparent()
        if how == "drop" and parent is not None:
            parent.remove(element)
        elif how == "repeat" and parent is not None:
            parent.append(copy.deepcopy(element))
        elif how == "attribute":
            element.set(draw(st.sampled_from(["id", "encoding", "select", "href", "x"])), text)
        elif how == "deep":
            child = element
            for _ in range(draw(st.sampled_from([50, 300]))):
                child = etree.SubElement(child, "n")
        else:
            element.text = text
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    if draw(st.integers(0, 9)) == 0:
        out = DOCTYPE + out.split(b"?>", 1)[1]
    return out


def dumps(value: Any) -> bytes:
    """JSON of ``value``; the stdlib encoder, which nests deeper than orjson, for what orjson cannot write."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def variants(seed: bytes, structured: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Mostly well-formed mutations of ``seed``, sometimes damaged bytes."""
    return st.one_of(structured, structured, structured, damaged(seed))


def json_inputs(seeds: list[Any]) -> st.SearchStrategy[bytes]:
    return st.sampled_from(seeds).flatmap(lambda seed: variants(orjson.dumps(seed), mutated(seed).map(dumps)))


def xml_inputs(files: list[Path]) -> st.SearchStrategy[bytes]:
    return st.sampled_from([f.read_bytes() for f in files]).flatmap(lambda seed: variants(seed, mutated_xml(seed)))


def lines(seeds: list[Any]) -> st.SearchStrategy[bytes]:
    """NDJSON: one to three seed values, each possibly mutated."""
    one = st.sampled_from(seeds).flatmap(lambda s: st.one_of(st.just(s), mutated(s)))
    return st.lists(one, min_size=1, max_size=3).map(lambda vs: b"".join(dumps(v) + b"\n" for v in vs))


# ---------------------------------------------------------------- checks


def dump(state: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the store but the run log (``runs``, ``export_history``: a row per run, whatever its input)."""
    if not state.exists():
        return {}
    conn = sqlite3.connect(state)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables if t not in ("runs", "export_history")}
    finally:
        conn.close()
    return {t: r for t, r in rows.items() if r}  # a store created empty by the run holds no state


def check(result: Result, strict: bool, before: dict[str, Any] | None = None, state: Path | None = None) -> None:
    """A documented exit code and no traceback; a whole rejection changes nothing in the store.

    ``strict`` (the explicit examples, the extended run) also fails on an internal error (70).
    """
    if STATS:
        with open(STATS, "ab") as stats:
            target = os.environ.get("PYTEST_CURRENT_TEST", "?").split("::")[-1].split(" ")[0]
            line = next((x for x in result.stderr.splitlines() if "error" in x or "Traceback" in x), "")
            stats.write(orjson.dumps({"target": target, "exit": result.exit_code, "stderr": line[:300]}) + b"\n")
    assert result.exit_code in DOCUMENTED, (result.exit_code, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    if strict:
        assert "internal error" not in result.stderr, result.stderr[-2000:]
    if before is not None and state is not None and result.exit_code in WHOLE_REJECTION and not result.stdout.strip():
        assert dump(state) == before, result.stderr[-2000:]


def record(kind: str, key: str, body: Any, meta: dict[str, Any] | None = None, type: str = "application/json") -> Any:
    return {"flowkit": "record/1", "kind": kind, "key": key, "type": type, "meta": meta or {}, "body": body}


ORDERS = [orjson.loads(p.read_bytes()) for p in sorted((SAMPLES / "orders").glob("*.json"))]
ORDER_RECORDS = [record("order", str(o["number"]), o, {"channel": "web"}) for o in ORDERS] + [
    orjson.loads(line) for line in (SAMPLES / "apply-rules" / "orders.ndjson").read_bytes().splitlines() if line.strip()
]
XML_PAYLOADS = sorted((SAMPLES / "payloads").glob("12*[0-9].xml"))
PAYLOAD_RECORDS = [
    record("payload", p.stem, p.read_text(), {"format": "xml", "channel": "web"}, "application/xml") for p in XML_PAYLOADS
] + [
    record("payload", p.stem, orjson.loads(p.read_bytes()), {"format": "json", "filename": f"{p.stem}.json"})
    for p in sorted((SAMPLES / "payloads").glob("12*[0-9].json"))
]


def ndjson(*values: Any) -> bytes:
    return b"".join(dumps(v) + b"\n" for v in values)


def changed(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """A copy of ``value`` with the value at ``path`` replaced."""
    value = copy.deepcopy(value)
    at(value, path[:-1])[path[-1]] = new
    return value


ORDER = ORDER_RECORDS[0]
XML_PAYLOAD = PAYLOAD_RECORDS[0]
JSON_PAYLOAD = PAYLOAD_RECORDS[-1]


# ---------------------------------------------------------------- targets


@example(strict=True, data=ndjson(record("order", "deep", nested(300))), fmt="xml")  # issue 15: Recursion limit
@example(strict=True, data=ndjson(changed(ORDER, ("meta", "note"), nested(260))), fmt="json")
@example(strict=True, data=ndjson(changed(ORDER, ("body", "lines", 0, "quantity"), 2**64 - 1)), fmt="orderflow")
@example(strict=True, data=dumps(changed(ORDERS[0], ("notes",), nested(300))), fmt="xml")  # raw document
@budget(60)
@given(
    strict=st.just(STRICT),
    data=st.one_of(lines(ORDER_RECORDS), json_inputs(ORDERS)),
    fmt=st.sampled_from(["xml", "json", "orderflow"]),
)
def test_render(invoke: Invoke, strict: bool, data: bytes, fmt: str) -> None:
    check(invoke(["render", "--format", fmt, "--payment", "--history", "--extra-data"], input=data), strict)


@example(strict=True, data=ndjson(changed(ORDER, ("body", "lines", 0), "oops")))  # issue 15: wrongly typed fields
@example(strict=True, data=ndjson(changed(ORDER, ("body", "shipping_address"), "nowhere"), ORDER))
@example(strict=True, data=ndjson(changed(ORDER, ("body", "lines"), {"sku": "V789"})))
@example(strict=True, data=ndjson(changed(ORDER, ("body", "number"), 2**63)))
@example(strict=True, data=ndjson(changed(ORDER, ("body", "lines", 0, "quantity"), 2**64 - 1), ORDER))
@example(strict=True, data=ndjson(changed(ORDER, ("body", "customer"), nested(300))))
@example(
    strict=True, data=ndjson(changed(next(r for r in ORDER_RECORDS if r["key"] == "1205"), ("body", "hold"), {"on_hold": True}))
)
@budget(60)
@given(strict=st.just(STRICT), data=lines(ORDER_RECORDS))
def test_apply_rules_orders(invoke: Invoke, strict: bool, state_path: Path, data: bytes) -> None:
    before = dump(state_path)
    result = invoke(["apply-rules", "--rules", str(SAMPLES / "rules.toml"), "--explain"], input=data)
    check(result, strict, before, state_path)


RULES = [tomllib.loads((SAMPLES / name).read_text()) for name in ("rules.toml", "demo-rules.toml")]


@budget(40)
@given(strict=st.just(STRICT), rules=st.sampled_from(RULES).flatmap(lambda r: mutated(r, toml=True)))
def test_apply_rules_rules_file(invoke: Invoke, strict: bool, state_path: Path, tmp_path: Path, rules: dict[str, Any]) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(tomli_w.dumps(rules))
    for csv in ("skus.csv", "shipping.csv"):
        (tmp_path / "apply-rules").mkdir(exist_ok=True)
        (tmp_path / "apply-rules" / csv).write_bytes((SAMPLES / "apply-rules" / csv).read_bytes())
    before = dump(state_path)
    data = b"".join(orjson.dumps(r) + b"\n" for r in ORDER_RECORDS)
    check(invoke(["apply-rules", "--rules", str(path)], input=data), strict, before, state_path)


@budget(60)
@given(
    strict=st.just(STRICT),
    data=st.one_of(lines(PAYLOAD_RECORDS), xml_inputs(XML_PAYLOADS)),
    how=st.sampled_from(["mis-jobimport.xsl", "lines-csv.xsl", "jobsheet-html.xsl", "gelato-order.jolt.json"]),
)
def test_transform_payloads(invoke: Invoke, strict: bool, data: bytes, how: str) -> None:
    flag = "--jolt" if how.endswith(".json") else "--xslt"
    check(invoke(["transform", flag, str(SAMPLES / "transform" / how)], input=data), strict)


MIS_XSL = (SAMPLES / "transform" / "mis-jobimport.xsl").read_bytes()
STYLESHEETS = [SAMPLES / "transform" / n for n in ("mis-jobimport.xsl", "lines-csv.xsl", "jobsheet-html.xsl")] + [
    DATA / "transform" / n for n in ("identity.xsl", "json-out.xsl", "latin1.xsl", "params.xsl")
]
JOLT = [load_json(p) for p in [SAMPLES / "transform" / "gelato-order.jolt.json", DATA / "transform" / "rename.jolt.json"]]


@example(
    strict=True, sheet=("xsl", MIS_XSL.replace(b'encoding="UTF-8" indent', b'encoding="True" indent'))
)  # issue 15: LookupError
@example(strict=True, sheet=("xsl", MIS_XSL.replace(b'encoding="UTF-8" indent', b'encoding="" indent')))
@example(strict=True, sheet=("xsl", DOCTYPE + MIS_XSL.split(b"?>", 1)[-1]))
@budget(50)
@given(
    strict=st.just(STRICT),
    sheet=st.one_of(xml_inputs(STYLESHEETS).map(lambda b: ("xsl", b)), json_inputs(JOLT).map(lambda b: ("jolt", b))),
)
def test_transform_stylesheets(invoke: Invoke, strict: bool, tmp_path: Path, sheet: tuple[str, bytes]) -> None:
    kind, text = sheet
    path = tmp_path / ("sheet.xsl" if kind == "xsl" else "spec.jolt.json")
    path.write_bytes(text)
    payload = (SAMPLES / "payloads" / ("1203.xml" if kind == "xsl" else "1203.json")).read_bytes()
    check(invoke(["transform", "--xslt" if kind == "xsl" else "--jolt", str(path)], input=payload), strict)


@example(strict=True, data=ndjson(changed(JSON_PAYLOAD, ("meta", "filename"), "a\x00b.json")), name="{meta.filename}")
@example(strict=True, data=ndjson(changed(XML_PAYLOAD, ("meta", "filename"), "x" * 3000)), name="{meta.filename}")
@example(strict=True, data=ndjson(changed(XML_PAYLOAD, ("meta", "channel"), "../../escape")), name="{meta.channel}/{key}.{ext}")
@example(strict=True, data=ndjson(changed(JSON_PAYLOAD, ("body",), nested(300))), name=None)
@budget(60)
@given(
    strict=st.just(STRICT),
    data=lines(PAYLOAD_RECORDS),
    name=st.sampled_from([None, "{key}.{ext}", "{meta.channel}/{key}.{ext}", "{meta.filename}"]),
)
def test_deliver(invoke: Invoke, strict: bool, state_path: Path, tmp_path: Path, data: bytes, name: str | None) -> None:
    args = ["deliver", "--to", f"file://{tmp_path / 'out'}/", *(["--name", name] if name else [])]
    before = dump(state_path)
    check(invoke(args, input=data), strict, before, state_path)


RESULT_SEEDS = [
    record(
        "result",
        key,
        {
            "key": key,
            "destination": "mis",
            "status": status,
            "remote_ref": f"out/{key}.xml",
            "attempts": 1,
            "error": None,
            "exit_code": None,
        },
        {"channel": "web", "source": "shop"},
    )
    for key, status in (("1203", "delivered"), ("1204", "failed"), ("1205", "duplicate"))
]


@example(strict=True, data=ndjson(changed(RESULT_SEEDS[0], ("body", "attempts"), 2**64 - 1)))
@example(strict=True, data=ndjson(changed(RESULT_SEEDS[1], ("body",), "delivered")))
@budget(40)
@given(strict=st.just(STRICT), data=lines(RESULT_SEEDS))
def test_mark_sent(invoke: Invoke, strict: bool, state_path: Path, data: bytes) -> None:
    before = dump(state_path)
    check(invoke(["query-orders", "mark-sent", "--no-source"], input=data), strict, before, state_path)


STOCK_JSON = [orjson.loads(line) for line in (SAMPLES / "stock" / "message-1001.json").read_bytes().splitlines() if line.strip()]
STOCK_TEXT = [SAMPLES / "stock" / n for n in ("stock-1004.csv", "late-1000.json")]


@st.composite
def csv_text(draw: st.DrawFn, seed: bytes) -> bytes:
    rows = [line.split(b",") for line in seed.splitlines()]
    for _ in range(draw(st.integers(1, 3))):
        row = draw(st.sampled_from(rows))
        i = draw(st.integers(0, len(row) - 1))
        row[i] = draw(
            st.sampled_from([str(v).encode() for v in AWKWARD if not isinstance(v, (list, dict))] + [b'"', b"", b"a,b"])
        )
    return b"\n".join(b",".join(r) for r in rows) + b"\n"


@example(strict=True, data=b'{"message_seq": 1, "lines": [{"sku": "A", "qty": 1, "seq": 99999999999999999999}]}\n')
@example(strict=True, data=ndjson(changed(STOCK_JSON[0], ("lines", 0, "seq"), 2**64 - 1)))  # issue 15: OverflowError
@example(strict=True, data=ndjson(changed(STOCK_JSON[0], ("message_seq",), 2**63)))
@example(strict=True, data=b"sku,qty,seq,source\nMUG,1,99999999999999999999,leeds\n")
@example(strict=True, data=ndjson(changed(STOCK_JSON[0], ("lines", 0, "sku"), nested(300))))
@budget(60)
@given(
    strict=st.just(STRICT),
    data=st.one_of(
        lines(STOCK_JSON),
        csv_text((SAMPLES / "stock" / "stock-1004.csv").read_bytes()),
        damaged((SAMPLES / "stock" / "stock-1004.csv").read_bytes()),
        xml_inputs([SAMPLES / "stock" / "inventory-1003.xml"]),
        damaged((SAMPLES / "stock" / "late-1000.json").read_bytes()),
    ),
)
def test_push_stock(invoke: Invoke, strict: bool, state_path: Path, data: bytes) -> None:
    before = dump(state_path)
    check(invoke(["push-stock", "--target", "web"], input=data), strict, before, state_path)


SHIPMENTS = [SAMPLES / "shipments" / "gelato-shipped.json", DATA / "import_shipment" / "gelato-shipped.json"]
SHIPMENT_LINES = [
    orjson.loads(line) for line in (SAMPLES / "shipments" / "despatch.ndjson").read_bytes().splitlines() if line.strip()
]


@example(strict=True, data=dumps(changed(orjson.loads(SHIPMENTS[0].read_bytes()), ("items", 0, "quantity"), 2**64 - 1)))
@example(strict=True, data=ndjson(changed(SHIPMENT_LINES[0], ("message_seq",), 2**63)))
@example(strict=True, data=ndjson(changed(SHIPMENT_LINES[0], ("lines", 0), nested(300))))
@budget(60)
@given(
    strict=st.just(STRICT),
    data=st.one_of(
        json_inputs([orjson.loads(p.read_bytes()) for p in SHIPMENTS]),
        lines(SHIPMENT_LINES),
        xml_inputs([SAMPLES / "shipments" / "orderflow-shipment.soap.xml", DATA / "import_shipment" / "shipment.soap.xml"]),
    ),
)
def test_import_shipment(invoke: Invoke, strict: bool, state_path: Path, data: bytes) -> None:
    before = dump(state_path)
    orders = str(SAMPLES / "shipments" / "orders.ndjson")
    check(invoke(["import-shipment", "--orders", orders, "-"], input=data), strict, before, state_path)


SOURCE_JSON = sorted((SAMPLES / "sources").glob("*.json")) + sorted((DATA / "query_orders" / "mappings").glob("*-basic.in.json"))
SOURCE_XML = [SAMPLES / "sources" / "infigo-order.xml", DATA / "query_orders" / "mappings" / "infigo-basic.in.xml"]


@example(
    strict=True,
    doc=(
        "order.json",
        dumps(changed(orjson.loads((SAMPLES / "sources" / "magento2-order.json").read_bytes()), ("grand_total",), "12,3x")),
    ),
)
@example(strict=True, doc=("order.xml", DOCTYPE + SOURCE_XML[0].read_bytes().split(b"?>", 1)[-1]))
@example(strict=True, doc=("order.json", dumps(nested(300))))
@budget(60)
@given(
    strict=st.just(STRICT),
    doc=st.one_of(
        json_inputs([orjson.loads(p.read_bytes()) for p in SOURCE_JSON]).map(lambda b: ("order.json", b)),
        xml_inputs(SOURCE_XML).map(lambda b: ("order.xml", b)),
    ),
)
def test_query_orders_source_documents(
    invoke: Invoke, strict: bool, state_path: Path, tmp_path: Path, doc: tuple[str, bytes]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    for old in inbox.iterdir():
        old.unlink()
    (inbox / doc[0]).write_bytes(doc[1])
    before = dump(state_path)
    check(invoke(["query-orders", "--source", str(inbox)]), strict, before, state_path)


CONFIGS = [tomllib.loads((SAMPLES / n).read_text()) for n in ("flowkit.toml", "demo.toml", "render.toml", "deliver/flowkit.toml")]


@example(strict=True, config=changed(CONFIGS[1], ("destinations", "mis", "type"), ["hotfolder"]), damage=False)
@example(strict=True, config=changed(CONFIGS[0], ("sources", "inbox", "type"), {"a": 1}), damage=False)
@budget(50)
@given(strict=st.just(STRICT), config=st.sampled_from(CONFIGS).flatmap(lambda c: mutated(c, toml=True)), damage=st.booleans())
def test_config(invoke: Invoke, strict: bool, tmp_path: Path, config: dict[str, Any], damage: bool) -> None:
    path = tmp_path / "flowkit.toml"
    text = tomli_w.dumps(config).encode()
    path.write_bytes(text[: len(text) // 2] if damage else text)
    check(invoke(["config", "check"], config=path), strict)
    check(invoke(["render"], input=(SAMPLES / "orders" / "1203.json").read_bytes(), config=path), strict)
