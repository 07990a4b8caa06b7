"""A golden case's typed Jolt context, as ``transform --jolt`` takes it on the command line.

A case's TOML (``transform.toml`` or ``NAME.toml``) may say, beside ``jolt``:

- ``context = "FILE.json"``: a JSON object, as ``--context FILE.json`` (path
  relative to the TOML file; ``//`` and ``/* */`` comments allowed);
- ``param_json``: typed values, as ``--param-json NAME=JSON``: a list of
  ``"NAME=JSON"`` strings (as ``[transform] param_json``), or a table of
  ``NAME = "JSON"``;
- ``jolt_strict = true``: unknown modify functions refused, as ``--jolt-strict``.

A mistake is a ``CaseContextError`` (a ConfigError, exit 78) naming the TOML file and line: a
context file that cannot be read, is not JSON or not an object (its own line and
column too), a ``param_json`` value that is not JSON, a name also in ``params``,
and any of these on a case that runs a stylesheet (a stylesheet takes strings).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flowkit.errors import ConfigError, UsageError

TYPED = ("context", "param_json", "jolt_strict")


class CaseContextError(ConfigError):
    """A case's typed context cannot be read: the whole run stops (exit 78), as a bad ``--context`` would."""


def where(path: Path, text: str, key: str) -> str:
    """``FILE:LINE`` of ``key`` in a case's TOML (``FILE`` alone when it cannot be found)."""
    from flowkit.config import locate

    line = locate(text, (key,))
    return f"{path}:{line}" if line else str(path)


def load(path: Path, text: str, data: dict[str, Any]) -> dict[str, Any]:
    """The typed keys of one TOML file, read: ``context`` a ContextFile, ``param_json`` a dict of JSON values.

    Each value is paired with where it was said (``_where_KEY``), for the checks made once files are merged.
    """
    from flowkit.mapping.jolt_context import ContextFile, parse_param_json

    found: dict[str, Any] = {}
    if "context" in data:
        at = where(path, text, "context")
        value = data["context"]
        if not isinstance(value, str) or not value.strip():
            raise CaseContextError(f"{at}: context must be the path of a JSON file (relative to {path.name})")
        file = os.path.normpath(path.parent / os.path.expanduser(value))
        try:
            found["context"] = ContextFile.load(file, option=f"{at}: context", from_config=True)
        except ConfigError as exc:
            raise CaseContextError(exc.message) from exc
        found["_where_context"] = at
    if "param_json" in data:
        at = where(path, text, "param_json")
        try:
            found["param_json"] = parse_param_json(_pairs(data["param_json"], at), option="param_json")
        except UsageError as exc:
            raise CaseContextError(f"{at}: {exc.message}") from exc
        found["_where_param_json"] = at
    if "jolt_strict" in data:
        at = where(path, text, "jolt_strict")
        if not isinstance(data["jolt_strict"], bool):
            raise CaseContextError(f"{at}: jolt_strict must be true or false")
        found["jolt_strict"] = data["jolt_strict"]
        found["_where_jolt_strict"] = at
    return found


def _pairs(value: Any, at: str) -> list[str]:
    """``NAME=JSON`` strings from a list of them or a table of ``NAME = "JSON"``."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    if isinstance(value, dict):
        pairs = []
        for name, text in value.items():
            if not isinstance(text, str):
                raise CaseContextError(
                    f"{at}: param_json {name}: give the value as JSON text, as --param-json does"
                    f" (e.g. {name} = '{_example(text)}')"
                )
            pairs.append(f"{name}={text}")
        return pairs
    raise CaseContextError(f'{at}: param_json must be a list of "NAME=JSON" strings or a table of NAME = "JSON"')


def _example(value: Any) -> str:
    import json

    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return "5"


def check(settings: dict[str, Any]) -> None:
    """The merged settings of one case: typed context only for a Jolt spec, no name in both params and param_json."""
    given = [key for key in TYPED if key in settings]
    if given and "xslt" in settings:
        key = given[0]
        raise CaseContextError(
            f"{settings[f'_where_{key}']}: {key} is for Jolt specs; this case runs a stylesheet (xslt), which takes"
            " params as strings"
        )
    both = sorted(set(settings.get("params", {})) & set(settings.get("param_json", {})))
    if both:
        raise CaseContextError(f"{settings['_where_param_json']}: param_json {both[0]} is also in params: keep one")
