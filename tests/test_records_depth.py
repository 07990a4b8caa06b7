"""The reader's C-speed nesting check (``records._nests_too_deep``) agrees with walking the parsed value."""

from __future__ import annotations

import json
from typing import Any

import orjson
from hypothesis import example, given, settings
from hypothesis import strategies as st

from flowkit.records import MAX_DEPTH, _nests_too_deep, _too_deep

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
    expected = _too_deep(value, MAX_DEPTH)
    assert _nests_too_deep(orjson.dumps(value)) is expected
    assert _nests_too_deep(json.dumps(value, indent=1).encode()) is expected  # escaped non-ASCII, whitespace


def test_brackets_inside_strings_are_text() -> None:
    shallow = orjson.dumps({"a": "[" * (MAX_DEPTH + 5), "b": "]" * 300, "c": '\\"[[[['})
    assert _nests_too_deep(shallow) is False
    deep = orjson.dumps(nest(MAX_DEPTH + 1, [True, False], "]]]]]"))
    assert _nests_too_deep(deep) is True
