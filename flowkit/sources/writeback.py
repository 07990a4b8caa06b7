"""The source calls of ``query-orders mark-sent``, with values written back from the destination's answer.

``[sources.X.mark_sent]`` is one call (``method``, ``path``, ``body``; ``json``
is the older name of ``body``) and an optional ``items`` call made first for
each item of the order (``each``: a line's external reference holding the
source's item ids, comma-separated; without it, one call per line with its id).
Strings in paths and bodies are templates: ``{number}``, ``{refs[akinon.pk]}``,
``{prefix}`` (any key of the source's table), ``{order.PATH}``, ``{line.PATH}``,
``{item}`` and ``{response.PATH}``: the JSON the delivery's HTTP destination
answered (its write or its exists-check). A PATH is dotted (``lines.0.id``);
``[FIELD=REF]`` picks the first list element whose FIELD equals the value of
REF (``response.lines[sku=line.sku].id``). A string that is one placeholder
keeps the value's JSON type. Every value is resolved before any call is made:
one missing (absent, null or empty) fails the order's mark-sent with a line
naming the placeholder, and no call goes out with a hole in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flowkit.errors import ExitCode, RecordError
from flowkit.writeback_templates import OWN, PLACEHOLDER

_STEP = re.compile(r"\.?([A-Za-z0-9_\-]+)|\[([^\]=]+)=([^\]]+)\]|\[([^\]]+)\]")
_EMPTY: tuple[Any, ...] = (None, "", [], {})


class Missing(RecordError):
    """A placeholder with no value: the order's mark-sent fails, nothing is sent."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code=ExitCode.DATAERR)


@dataclass(frozen=True)
class Call:
    """One request to make: method, path, JSON body (or None)."""

    method: str
    path: str
    body: Any


def lookup(expr: str, context: dict[str, Any]) -> Any:
    """The value ``expr`` (``response.lines[sku=line.sku].id``) names in ``context``; None when absent."""
    value: Any = context
    pos = 0
    first = True
    while pos < len(expr):
        step = _STEP.match(expr, pos)
        if step is None or (first and not step.group(1)):
            raise Missing(f"{{{expr}}}: not a placeholder (a name, then .FIELD, .N or [KEY] or [FIELD=REF] steps)")
        name, field, ref, key = step.groups()
        pos, first = step.end(), False
        if name is not None:
            if isinstance(value, list):
                value = value[int(name)] if name.isdigit() and int(name) < len(value) else None
            else:
                value = value.get(name) if isinstance(value, dict) else None
        elif key is not None:
            value = value.get(key.strip()) if isinstance(value, dict) else None
        else:
            wanted = lookup(ref.strip(), context)
            rows = value if isinstance(value, list) else []
            value = next((r for r in rows if isinstance(r, dict) and _same(r.get(field.strip()), wanted)), None)
        if value is None:
            return None
    return value


def _same(a: Any, b: Any) -> bool:
    return a is not None and b is not None and str(a) == str(b)


def fill(template: Any, context: dict[str, Any], where: str) -> Any:
    """``template`` (a string, or a table/list of them) with every placeholder replaced; raises ``Missing``."""
    if isinstance(template, dict):
        return {k: fill(v, context, where) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, context, where) for v in template]
    if not isinstance(template, str):
        return template
    whole = PLACEHOLDER.fullmatch(template)
    if whole:
        return _value(whole.group(1), context, where)

    def text(match: re.Match[str]) -> str:
        value = _value(match.group(1), context, where)
        if isinstance(value, (dict, list)):
            raise Missing(f"{where}: {{{match.group(1)}}} is a JSON {type(value).__name__}, not text, inside {template!r}")
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    return PLACEHOLDER.sub(text, template)


def _value(expr: str, context: dict[str, Any], where: str) -> Any:
    value = lookup(expr, context)
    if value == "" and expr.isidentifier() and expr not in OWN:  # a key of the source's table, e.g. prefix = ""
        return value
    if value in _EMPTY:
        if expr.startswith("response") and context.get("response") is None:
            why = "the delivery result carries no response (only an HTTP destination answering JSON gives one)"
        else:
            why = "no value" + (" in the destination's response" if expr.startswith("response") else "")
        raise Missing(f"{where}: {{{expr}}}: {why}")
    return value


def calls(spec: dict[str, Any], order: dict[str, Any], response: Any, where: str) -> list[Call]:
    """Every request of one order's mark-sent, in order (items first, the order last), all values resolved."""
    call = spec.get("mark_sent") or {}
    context = {
        **spec,
        "number": order["number"],
        "refs": order.get("external_refs") or {},
        "order": order,
        "response": response,
    }
    out: list[Call] = []
    items = call.get("items") or {}
    if items.get("body") is not None:
        for line, item in _items(order, items.get("each")):
            here = {**context, "line": {**line, "refs": line.get("external_refs") or {}}, "item": item}
            shown = f"{where}: item {item}"
            out.append(_call(items, here, shown))
    out.append(_call(call, context, where))
    return out


def _call(call: dict[str, Any], context: dict[str, Any], where: str) -> Call:
    body = call.get("body", call.get("json"))
    method = str(call.get("method") or "PATCH").upper()
    return Call(method, str(fill(str(call["path"]), context, f"{where}: mark_sent path")), fill(body, context, where))


def _items(order: dict[str, Any], each: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """(line, item id) of every item the item call is made for."""
    for index, line in enumerate(order.get("lines") or []):
        if not isinstance(line, dict):
            continue
        if each:
            refs = line.get("external_refs") or {}
            values = [v.strip() for v in str(refs.get(str(each)) or "").split(",") if v.strip()]
            if not values:
                named = next((f"line {line[k]}" for k in ("id", "line_number") if line.get(k) not in _EMPTY), "")
                where = f"{named} ($.lines[{index}])" if named else f"$.lines[{index}]"
                raise Missing(f"{where} has no {each!r} reference: no item to write back to")
            yield from ((line, v) for v in values)
        elif line.get("id") not in _EMPTY:
            yield line, str(line["id"])
