"""The order shape apply-rules relies on, checked once per order before the checks and rules run.

apply-rules reads orders leniently where a value still has one meaning: a scalar
``supplier`` or ``source.channel`` is its id, a string ``tags`` is one tag, a string
``notes`` is the customer note, a quantity ``"3"`` is 3 (a quantity that is no number
fails only when a rule reads it). What it cannot read is refused here as bad data (exit
65 for that record, the others go on), naming the JSON path, before anything is changed
or queued for the state store: a value where it walks into an object or a list (a
shipping address that is no object would make every country rule silently miss), and an
object or an array where the state store keeps a column. This costs a few microseconds
an order where the full ``flowkit.order/1`` validation (``flowkit.model``) costs about
thirty, and it keeps the leniency above, which the canonical schema does not have. It
stops at the first problem (``unreadable.Unreadable``): the refusal (``refusal.refused``) then runs
the full validation on that order alone and names every problem, as render does.
"""

from __future__ import annotations

from typing import Any

from flowkit.apply_rules.unreadable import Unreadable

_KINDS = {str: "a string", int: "an integer", float: "a number", bool: "a boolean", dict: "an object", list: "an array"}


def kind(value: Any) -> str:
    """``value``'s JSON type with its article, as messages name it ("an object", "null")."""
    return "null" if value is None else _KINDS.get(type(value), type(value).__name__)


def _bad(path: str, value: Any, expected: str) -> Unreadable:
    return Unreadable(path, f"expected {expected}, got {kind(value)}")


def _stored(path: str, value: Any) -> None:
    """A value the state store keeps in a column: a scalar (the reader already refuses integers beyond 64 bits)."""
    cls = value.__class__
    if cls is dict or cls is list:
        raise _bad(path, value, "a string, a number or null")


def _id(path: str, value: Any) -> None:
    """An object whose ``id`` is stored, or the id itself."""
    if value.__class__ is dict:
        _stored(f"{path}.id", value.get("id"))
    else:
        _stored(path, value)


def _object(path: str, value: Any) -> None:
    if value is not None and value.__class__ is not dict:
        raise _bad(path, value, "an object or null")


def check(order: dict[str, Any], fields: frozenset[str] | None = None) -> None:
    """Raise an ``Unreadable`` (a ``RecordError``) naming the JSON path of the first value apply-rules cannot read.

    ``fields``: only these top-level fields (those a rule's ``set`` changed in an order checked before).
    """
    get = order.get
    lines = get("lines")
    if lines is not None and (fields is None or "lines" in fields):
        if lines.__class__ is not list:
            raise _bad("$.lines", lines, "an array or null")
        for index, line in enumerate(lines):  # inlined: realistic orders have dozens of lines
            if line.__class__ is not dict:
                raise _bad(f"$.lines[{index}]", line, "an object")
            attributes, extra, sku = line.get("attributes"), line.get("extra_data"), line.get("sku")
            if attributes is not None and attributes.__class__ is not list:
                raise _bad(f"$.lines[{index}].attributes", attributes, "an array or null")
            if extra is not None and extra.__class__ is not dict:
                raise _bad(f"$.lines[{index}].extra_data", extra, "an object or null")
            if sku.__class__ is dict or sku.__class__ is list:
                raise _bad(f"$.lines[{index}].sku", sku, "a string, a number or null")
    for name, test in _TOP:
        if fields is None or name in fields:
            test(get)


def _source(get: Any) -> None:
    source = get("source")
    if source is not None:
        if source.__class__ is not dict:
            raise _bad("$.source", source, "an object or null")
        _id("$.source.channel", source.get("channel"))


def _notes(get: Any) -> None:
    notes = get("notes")
    if notes.__class__ is dict:
        internal = notes.get("internal")
        if internal is not None and internal.__class__ is not list:
            raise _bad("$.notes.internal", internal, "an array or null")


_TOP: tuple[tuple[str, Any], ...] = (  # the top-level fields after the lines, in the order they are checked
    ("source", _source),
    ("supplier", lambda get: _id("$.supplier", get("supplier"))),
    ("shipping_address", lambda get: _object("$.shipping_address", get("shipping_address"))),
    ("hold", lambda get: _object("$.hold", get("hold"))),
    ("extra_data", lambda get: _object("$.extra_data", get("extra_data"))),
    ("notes", _notes),
    ("status", lambda get: _stored("$.status", get("status"))),
    ("placed_at", lambda get: _stored("$.placed_at", get("placed_at"))),
)
