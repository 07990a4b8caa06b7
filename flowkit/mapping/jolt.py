"""Jolt JSON-to-JSON mappings: a thin wrapper over the jolt-py library.

The wrapper compiles a chain once, refuses an empty chain, runs unknown modify
functions as Jolt does (``jolt_functions``: a warning names each one; strict
mode refuses them), and reads spec files that carry // and /* */ comments, as
Jolt's own tools do.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from flowkit.errors import ConfigError


class MappingFailed(Exception):
    """The chain could not be applied to one document."""


def strip_comments(text: str) -> str:
    """Remove // and /* */ comments outside JSON strings."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            stop = n if end < 0 else end + 2
            out.append("\n" * text.count("\n", i, stop))  # keep line numbers for JSON errors
            i = stop
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def load_json(path: str | os.PathLike[str]) -> Any:
    """A JSON file that may contain comments; ConfigError names file, line and column."""
    import json

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from exc
    try:
        return json.loads(strip_comments(text))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc


class JoltChain:
    """A compiled Jolt chain (a list of {"operation", "spec"} steps).

    ``strict``: refuse a modify function Jolt does not have (ConfigError naming
    its JSON path) instead of running it as Jolt does.
    """

    def __init__(self, spec: Any, *, where: str = "<spec>", strict: bool = False) -> None:
        from pyjolt import Chainr, PyJoltError

        from flowkit.mapping.jolt_functions import jolt_equivalent, unknown_functions

        self.where = where
        if not isinstance(spec, list):
            raise ConfigError(f'{where}: a Jolt spec must be a JSON array of {{"operation", "spec"}} steps')
        if not spec:
            raise ConfigError(f"{where}: the Jolt chain is empty: nothing to do")
        self.unknown = unknown_functions(spec)
        if strict and self.unknown:
            first = self.unknown[0]
            more = f" (and {len(self.unknown) - 1} more)" if len(self.unknown) > 1 else ""
            raise ConfigError(
                f"{where}: {first.path}: unknown modify function {first.name!r} in {first.rhs!r}{more}",
                hint=f"strict mode refuses it; Jolt would run it: it {first.effect}",
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # jolt-py warns of unknown functions: self.unknown has them, with paths
            try:
                self._chain = Chainr.from_spec(jolt_equivalent(spec, self.unknown))
            except PyJoltError as exc:
                raise ConfigError(f"{where}: invalid Jolt spec: {exc}") from exc
            except (TypeError, ValueError, KeyError, IndexError) as exc:
                raise ConfigError(f"{where}: invalid Jolt spec: {type(exc).__name__}: {exc}") from exc
        if self.unknown:
            from flowkit.log import LOG

            for use in self.unknown:
                LOG.warning("%s: %s: unknown modify function %r %s, as in Jolt", where, use.path, use.name, use.effect)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, strict: bool = False) -> JoltChain:
        return cls(load_json(path), where=str(path), strict=strict)

    def apply(self, data: Any, context: dict[str, Any] | None = None) -> Any:
        from pyjolt import PyJoltError

        try:
            return self._chain.apply(data, context)
        except PyJoltError as exc:
            raise MappingFailed(f"Jolt chain failed: {exc}") from exc
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
            raise MappingFailed(f"Jolt chain failed: {type(exc).__name__}: {exc}") from exc

    def __len__(self) -> int:
        return len(self._chain)
