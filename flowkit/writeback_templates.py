"""The template grammar of a source's ``mark_sent`` calls, and what ``flowkit config check`` says of them.

Shared by ``sources.writeback`` (which fills the templates at mark-sent) and
``config_check`` (which reads them when the config loads, before any order
meets them): a low room, so that checking a config imports no source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{([A-Za-z_][^{}]*)\}")
OWN = frozenset({"number", "refs", "order", "response", "line", "item"})  # names the order gives, never the config
_UNCLOSED = re.compile(r"\{[A-Za-z_][^{}]*$")  # "{response.id": sent as it is, never filled


def template_problems(source: Mapping[str, Any], preset: Iterable[str] = ()) -> list[tuple[tuple[str, ...], str]]:
    """What ``flowkit config check`` says of a source's mark_sent templates before mark-sent meets it.

    A placeholder whose first name nothing gives (``{respons.id}``: every order's call would be owed for
    ever) and a placeholder never closed (``{response.id`` would be sent as it is), as (key path under
    the source, what is wrong). ``preset``: the keys the source's preset and the defaults give (``prefix``).
    """
    import difflib

    names = sorted(OWN | {str(k) for k in source} | set(preset))
    found: list[tuple[tuple[str, ...], str]] = []

    def walk(value: Any, at: tuple[str, ...]) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, (*at, str(key)))
        elif isinstance(value, list):
            for item in value:
                walk(item, at)
        elif isinstance(value, str):
            for expr in PLACEHOLDER.findall(value):
                root = re.match(r"[A-Za-z_][A-Za-z0-9_\-]*", expr)
                if root is not None and root.group(0) not in names:
                    close = difflib.get_close_matches(root.group(0), names, n=1, cutoff=0.6)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    found.append((at, f"{{{expr}}}: no order, answer or source key is named {root.group(0)!r}{hint}"))
            if _UNCLOSED.search(PLACEHOLDER.sub("", value)):  # a literal brace ("^[0-9]{6}$") is no placeholder
                found.append((at, f"{value!r} opens a placeholder it never closes"))

    mark_sent = source.get("mark_sent")
    if isinstance(mark_sent, Mapping):
        walk(mark_sent, ("mark_sent",))
    return found
