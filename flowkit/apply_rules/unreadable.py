"""The first value apply-rules cannot read, as its quick check and lenient readers raise it.

A leaf module (it imports nothing of apply-rules): the readers raise it, ``refusal`` turns
it into the listing of every problem of the order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowkit.errors import RecordError


class Unreadable(RecordError):
    """A value apply-rules cannot read: its JSON path (``path``) and what is wrong (``detail``).

    ``line``: for a value inside an order line, met by a reader that has the line but not its
    index (``common.quantity``), the line itself, and ``path`` is relative to it (``.quantity``):
    the refusal finds the line's index, so its path. Alone, the message names the line by its
    id, else its line_number.
    """

    def __init__(self, path: str, detail: str, *, line: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{path}: {detail}" if line is None else f"{line_name(line)}: {path[1:]} {detail}")
        self.path = path
        self.detail = detail
        self.line = line


def line_name(line: Mapping[str, Any]) -> str:
    """``line 'A1'`` by its id, else ``line number 3``, else ``a line without id or line_number``."""
    if line.get("id") is not None:
        return f"line {line['id']!r}"
    if line.get("line_number") is not None:
        return f"line number {line['line_number']!r}"
    return "a line without id or line_number"
