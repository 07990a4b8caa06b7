"""The reader's C-speed limit screens (flowkit/limits.py): the nesting check agrees with walking the parsed value,
and a long integer is found wherever a number starts while digits inside strings are not walked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from flowkit import limits
from flowkit.errors import InputError
from flowkit.limits import MAX_DEPTH, nests_too_deep, too_deep
from flowkit.records import BadLine, Reader

# strings full of what the check strips: brackets, quotes, backslashes and their escapes
TEXT = st.text(alphabet=st.sampled_from('[]{}"\\ab\n\u00e9'), max_size=8)
LEAF = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | TEXT


def nest(depth: int, kinds: list[bool], leaf: Any) -> Any:
    """``depth`` arrays and objects around ``leaf``; ``kinds`` picks object (True) or array per level."""
    value = leaf
    for level in range(depth):
        value = {'k]\\"': value, "[": "}"} if kinds[level % len(kinds)] else ["]", value, "{"]
    return value


@settings(max_examples=200, deadline=None)
@given(
    depth=st.integers(0, MAX_DEPTH + 3),
    kinds=st.lists(st.booleans(), min_size=1, max_size=5),
    leaf=LEAF,
    extra=st.recursive(LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3)),
)
@example(depth=MAX_DEPTH - 1, kinds=[True], leaf=[], extra=None)
@example(depth=MAX_DEPTH, kinds=[False], leaf=None, extra=None)
@example(depth=MAX_DEPTH, kinds=[False], leaf={}, extra=None)
def test_text_check_agrees_with_the_walk(depth: int, kinds: list[bool], leaf: Any, extra: Any) -> None:
    value = {"body": nest(depth, kinds, leaf), "extra": extra, "after": "]]]]"}
    expected = too_deep(value, MAX_DEPTH)
    assert nests_too_deep(orjson.dumps(value)) is expected
    assert nests_too_deep(json.dumps(value, indent=1).encode()) is expected  # escaped non-ASCII, whitespace


def test_brackets_inside_strings_are_text() -> None:
    shallow = orjson.dumps({"a": "[" * (MAX_DEPTH + 5), "b": "]" * 300, "c": '\\"[[[['})
    assert nests_too_deep(shallow) is False
    deep = orjson.dumps(nest(MAX_DEPTH + 1, [True, False], "]]]]]"))
    assert nests_too_deep(deep) is True


@pytest.mark.parametrize(
    "text",
    [
        b"18446744073709551616",  # a raw document that is the number
        b'{"a" :\t-9223372036854775809}',
        b'{"a":[1,\n 99999999999999999999999]}',
        b'{"h": "sha256:1234567890123456789abc", "n": 12345678901234567890}',
    ],
)
def test_a_long_integer_is_found_wherever_a_number_starts(tmp_path: Path, text: bytes) -> None:
    (tmp_path / "doc.json").write_bytes(text)
    with pytest.raises(InputError, match="integer out of range"):
        list(Reader([str(tmp_path / "doc.json")]))


def test_long_digit_runs_inside_strings_are_not_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    line = orjson.dumps({"asset": {"hash": "ab" + "1234567890" * 3, "url": "https://x/1234567890123456789012.pdf"}})
    monkeypatch.setattr(limits, "check_limits", lambda value: pytest.fail("walked"))
    assert limits.line_limits(line, orjson.loads(line)) is None


@pytest.mark.parametrize(
    "text",
    [
        "caf\u00e9",  # json.dumps writes \u00e9 right before the closing quote: a backslash there is no escaped quote
        '\n"[[[[',  # an escaped quote after another escape, brackets after it
        "\\",  # an escaped backslash, then the closing quote
        '\\"{{{{',  # an escaped backslash, then an escaped quote
        '[\u00e9"\\]]]]\t',
    ],
)
@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1])
def test_escapes_and_brackets_in_strings_are_text(text: str, depth: int) -> None:
    value = {"a": text, "deep": nest(depth, [True, False], [text, "]" * 200]), "b": [text] * 3}
    expected = too_deep(value, MAX_DEPTH)
    for line in (orjson.dumps(value), json.dumps(value).encode(), json.dumps(value, ensure_ascii=False).encode()):
        assert nests_too_deep(line) is expected, line[:80]


def record_file(tmp_path: Path, record: dict[str, Any]) -> str:
    (tmp_path / "in.ndjson").write_bytes(orjson.dumps(record) + b"\n")
    return str(tmp_path / "in.ndjson")


def test_a_text_body_is_not_screened_and_its_record_still_meets_the_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xml = '<Order n="1">' + '<L q="99999999999999999999999">[[[{{{</L>' * 2000 + "</Order>"  # text: no nesting, no number
    payload = {"flowkit": "record/1", "kind": "payload", "key": "1", "type": "application/xml", "meta": {"n": 7}, "body": xml}
    with monkeypatch.context() as patch:
        patch.setattr(limits, "line_limits", lambda line, value: pytest.fail("screened"))
        patch.setattr("flowkit.records.line_limits", lambda line, value: pytest.fail("screened"))
        (read,) = Reader([record_file(tmp_path, payload)])
    assert read == payload
    deep = {**payload, "meta": {"x": nest(MAX_DEPTH, [True], None)}}
    (bad,) = Reader([record_file(tmp_path, deep)])
    assert isinstance(bad, BadLine) and "nest" in bad.message and bad.key == "1"
    for big in (2**63, 2**64 + 1):  # in range of neither a signed 64-bit integer nor orjson's integers
        line = orjson.dumps({**payload, "meta": {"n": 0}}).replace(b'"n":0', b'"n":' + str(big).encode())
        (tmp_path / "in.ndjson").write_bytes(line + b"\n")
        (bad,) = Reader([str(tmp_path / "in.ndjson")])
        assert isinstance(bad, BadLine) and "integer out of range" in bad.message and bad.key == "1"
