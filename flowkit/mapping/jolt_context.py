"""A Jolt spec's context, typed as Jolt's is: JSON values from a file (``--context``) and ``--param-json``.

Jolt hands a chain a ``Map<String, Object>`` that ``^name`` and ``^name.path``
arguments read: numbers, lists and maps, not only strings. ``--param NAME=VALUE``
still adds strings; ``--param-json NAME=JSON`` adds any JSON value; a context
file holds one JSON object (// and /* */ comments allowed, as in spec files).
Later sources win: the file, then ``--param`` and ``--param-json`` (a name in
both is a usage error), then ``--param-from-meta``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowkit.errors import ConfigError, FlowkitError, UsageError


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _decode(text: str, what: str, error: type[FlowkitError], *, file: bool) -> Any:
    """``text`` as JSON; ``error`` names ``what`` and where the mistake is (``FILE:LINE:COLUMN``, or the column)."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        if file:
            where = f"{what}:{exc.lineno}:{exc.colno}"
        else:
            where = f"{what} (column {exc.colno})" if exc.lineno == 1 else f"{what} (line {exc.lineno}, column {exc.colno})"
        raise error(f"{where}: invalid JSON: {exc.msg}") from exc
    except ValueError as exc:  # NaN, Infinity
        raise error(f"{what}: invalid JSON: {exc}") from exc


def parse_param_json(
    pairs: Sequence[str], option: str = "--param-json", *, error: type[FlowkitError] = UsageError
) -> dict[str, Any]:
    """``NAME=JSON`` pairs as a dict of JSON values; a malformed pair is ``error`` (a usage error on the command line)."""
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise error(f"{option} {pair!r}: use NAME=JSON (NAME='\"text\"', NAME=5, NAME='[1, 2]', NAME='{{\"a\": 1}}')")
        values[name.strip()] = _decode(text, f"{option} {name.strip()}", error, file=False)
    return values


@dataclass(frozen=True)
class ContextFile:
    """A ``--context`` file's values, with the file's path and sha256 for provenance."""

    path: str
    values: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, option: str = "--context", from_config: bool = False) -> ContextFile:
        """Read a JSON object; bad JSON is a usage error (a config error when the path came from the config)."""
        import hashlib

        from flowkit.mapping.jolt import strip_comments

        error: type[FlowkitError] = ConfigError if from_config else UsageError
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise error(f"{option} {path}: cannot read: {exc.strerror or exc}") from exc
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise error(f"{option} {path}: not UTF-8 text (byte {exc.start})") from exc
        values = _decode(strip_comments(text), f"{option} {path}", error, file=True)
        if not isinstance(values, dict):
            raise error(f"{option} {path}: a context is a JSON object (names to values), not {_kind(values)}")
        return cls(str(path), values, hashlib.sha256(data).hexdigest())


def _kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")
