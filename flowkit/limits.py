"""The record contract's limits: how deep a record may nest and which integers it may hold.

Every record line and raw JSON document is checked as it is read (``records.Reader``).
The checks are C-speed screens over the line's bytes, so a line that cannot break a
limit is never walked in Python: realistic orders carry hundreds of brackets (but nest
six deep) and digits in hashes, which a walk of the parsed value paid for on every line.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import orjson

MAX_DEPTH = 128
"""Arrays and objects one record line (or raw JSON document) may nest: orjson encodes at most 254."""
INT_MIN, INT_MAX = -(1 << 63), (1 << 63) - 1
"""The integers a record may hold: sqlite's (and most receivers') signed 64 bits."""
_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19  # the shortest integer outside the range has 19 digits
_NUMBER_START = frozenset(b":,[ \t\r\n")  # what stands before a JSON number (after its sign)
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')  # translate() keeps brackets and quotes
_ESCAPED = re.compile(rb'\\["\\]')  # an escaped quote or backslash: the first match starts an escape
_QUOTE_OR_BACKSLASH = frozenset(b'"\\')
_STRING = re.compile(rb'"[^"]*"')
_STEP = [1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256)]


def line_limits(line: bytes, value: Any) -> str | None:
    """Why a parsed line breaks the record contract's limits (``check_limits``), or None.

    Reading the brackets and looking for 19 digits in a row are C-speed scans (a regex took
    six times as long as parsing the line): a line that could not break a limit is never walked.
    Only a line with such digits (one in thirty realistic orders, in hex hashes) is searched for
    them where a number starts, before the value is walked and the line read again.
    """
    digits = line.translate(_DIGITS)
    long_number = _LONG_NUMBER in digits and _number_at(digits)
    deep = nests_too_deep(line)
    if not deep and not long_number:
        return None
    problem = check_limits(value)
    if problem is None and long_number:
        # orjson reads an integer beyond 2^64 as a float: read such a line again, exactly, to see it
        import json

        try:
            problem = check_limits(json.loads(line))
        except (ValueError, RecursionError):
            problem = None
    return problem


def _number_at(digits: bytes) -> bool:
    """Whether a run of 19 digits (``digits``: the line with every digit made 0) starts a JSON number,
    not the middle of a string such as a hash (a regex for it walked every byte: milliseconds a line)."""
    at = digits.find(_LONG_NUMBER)
    while at != -1:
        before = at - 1 if at and digits[at - 1] != 0x2D else at - 2  # 0x2D: the sign
        if before < 0 or digits[before] in _NUMBER_START:
            return True
        at = digits.find(_LONG_NUMBER, at + 19)
    return False


def _unescaped(text: bytes) -> bytes:
    """The JSON ``text`` without its escaped quotes and backslashes, the only escapes that could be taken for a
    string's end. One regex search says whether there is any (``\\u00e9``, ``\\n`` are no such escape), then
    the escapes from the first one on are read one by one (a line has a few; a regex substitution, or a
    search for the two bytes ``\\"``, took about as long as reading all the structure)."""
    found = _ESCAPED.search(text)
    if found is None:
        return text
    parts: list[bytes] = []
    start = 0
    at = found.start()
    while at != -1:
        if text[at + 1] in _QUOTE_OR_BACKSLASH:
            parts.append(text[start:at])
            start = at + 2
        at = text.find(b"\\", at + 2)
    parts.append(text[start:])
    return b"".join(parts)


def nests_too_deep(text: bytes) -> bool:
    """Whether the (valid) JSON ``text`` nests more than ``MAX_DEPTH`` arrays and objects, read at C speed.

    A realistic order has hundreds of brackets but nests six deep; walking its values took three
    times as long as parsing it. All but brackets and quotes is dropped in one pass (a line with no
    more brackets than ``MAX_DEPTH``, those in strings counted too, is done: a payload record's XML
    body has thousands of escaped quotes and few brackets, and reading its escapes first cost it
    five times the rest), then the escaped quotes and backslashes when there are some (they are
    text), then the strings (brackets in them are text). Most strings hold no
    bracket: when every quote left has its partner right next to it, the quotes alone are dropped
    (removing the thousands of ``""`` one by one cost as much as all the rest). Each pass that
    drops the empty ``[]`` and ``{}`` pairs then removes one or two levels; past ``MAX_DEPTH // 2``
    passes they are counted exactly.
    """
    kept = text.translate(None, _NOT_STRUCTURE)
    brackets = kept.translate(None, b'"')
    if len(brackets) <= MAX_DEPTH:  # too few brackets to nest that deep
        return False
    if b"\\" in text and (plain := _unescaped(text)) is not text:  # an escaped quote is text, not a string's end
        kept = plain.translate(None, _NOT_STRUCTURE)  # the same brackets, fewer quotes
    # The quotes now open and close strings in turn. When every one pairs with its neighbour
    # (scanning left to right), each string is "" here: no bracket inside one. Else adjacent
    # quotes are dropped (no bracket between), then what is left of the strings.
    if kept.count(b'""') * 2 != len(kept) - len(brackets):
        brackets = _STRING.sub(b"", kept.replace(b'""', b""))
    rest = brackets
    for _ in range(MAX_DEPTH // 2):
        if not rest:
            return False
        rest = rest.replace(b"[]", b"").replace(b"{}", b"")
    return bool(rest) and max(itertools.accumulate(map(_STEP.__getitem__, brackets))) > MAX_DEPTH


def check_limits(value: Any) -> str | None:
    """Why ``value`` nests deeper than ``MAX_DEPTH`` or holds an integer outside ``INT_MIN..INT_MAX``, or None."""
    if too_deep(value, MAX_DEPTH):
        return f"nested deeper than {MAX_DEPTH} levels"
    path = _big_integer(value)
    if path is not None:
        return f"integer out of range at {path} (flowkit reads integers from -2^63 to 2^63-1; send larger ones as strings)"
    return None


def too_deep(value: Any, room: int) -> bool:
    """Whether ``value`` nests more than ``room`` arrays and objects."""
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list):
        return False
    if room == 0:
        return True
    return any(isinstance(v, (dict, list)) and too_deep(v, room - 1) for v in value)


def within(value: Any, room: int) -> bool:
    """Whether ``value`` nests at most ``room`` arrays and objects and holds no integer outside the range and
    no float (which may stand for an integer beyond 64 bits: only the bytes tell): a walk, for small values."""
    kind = type(value)
    if kind is dict:
        value = value.values()
    elif kind is not list:
        return kind is not float and (kind is not int or INT_MIN <= value <= INT_MAX)
    return room > 0 and all(within(v, room - 1) for v in value)


def text_record_within(record: dict[str, Any]) -> bool:
    """Whether a parsed record whose body is text (a payload's XML, CSV...) is within the limits, without its line's
    bytes: text neither nests nor holds a number, so its other members, walked, say it all (a screen of a 56 KB XML
    payload's line, thousands of escaped quotes, cost 75 us; this walk of its meta about 2)."""
    return type(record.get("body")) is str and all(key == "body" or within(value, MAX_DEPTH - 1) for key, value in record.items())


def _big_integer(value: Any, path: str = "$") -> str | None:
    """The JSON path of the first integer outside ``INT_MIN..INT_MAX`` in ``value`` (depth already bounded)."""
    if isinstance(value, dict):
        pairs: Any = ((f"{path}.{k}" if k.isidentifier() else f"{path}[{orjson.dumps(k).decode()}]", v) for k, v in value.items())
    elif isinstance(value, list):
        pairs = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    else:
        return path if type(value) is int and not INT_MIN <= value <= INT_MAX else None
    for where, v in pairs:
        if isinstance(v, (dict, list)) or type(v) is int:
            found = _big_integer(v, where)
            if found is not None:
                return found
    return None
