"""Checks and maps for one order: rules file < ``[apply-rules]`` < supplier < channel tables.

Every layer is validated once at start (a bad key is exit 78 naming its file
and line); the merged, compiled result is cached per (channel, supplier).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flowkit.apply_rules import checks as checks_mod
from flowkit.apply_rules import maps as maps_mod
from flowkit.apply_rules.common import Meta
from flowkit.apply_rules.loader import RuleSet
from flowkit.config import Config, locate
from flowkit.errors import ConfigError

COMMAND = "apply-rules"
COMMAND_KEYS = ("rules", "checks", "maps", "explain", "dry_run", "drop_held", "records_out")  # - or _
Layer = tuple[dict[str, Any], dict[str, Any], Callable[[str, str], str], Path]


class Settings:
    """Compiled checks and maps per record, from the rules file and the config."""

    def __init__(self, ruleset: RuleSet, config: Config) -> None:
        self.config = config
        rules_dir = ruleset.path.parent if ruleset.path else Path.cwd()
        rules_name = str(ruleset.path) if ruleset.path else "<rules>"

        def rules_where(table: str, key: str) -> str:
            line = locate(ruleset.text, (table, key)) if ruleset.text else None
            return f"{rules_name}:{line}" if line else rules_name

        self.base: list[Layer] = [(ruleset.checks, ruleset.maps, rules_where, rules_dir)]
        self.base.append(self._layer(config.section(COMMAND), (COMMAND,), check_keys=True))
        self.overrides: dict[tuple[str, str], Layer] = {}
        for kind in ("suppliers", "channels"):
            for name, entry in config.section(kind).items():
                table = entry.get(COMMAND) if isinstance(entry, Mapping) else None
                if isinstance(table, Mapping):
                    self.overrides[(kind, str(name))] = self._layer(table, (kind, str(name), COMMAND))
        self.disabled = {
            kind: {str(n) for n, e in config.section(kind).items() if _disabled(e)} for kind in ("sources", "suppliers")
        }
        self._cache: dict[tuple[str | None, str | None], tuple[checks_mod.Checks, maps_mod.Maps]] = {}
        from flowkit.problems import refuse

        found = [
            p for layer in [*self.base, *self.overrides.values()] for p in checks_mod.problems(layer[0], _checks_where(layer[2]))
        ]
        refuse("apply-rules' [checks] tables", found)  # all of them at once (exit 78)
        self.for_meta({})  # compile the defaults now, so bad maps fail before any input is read
        for kind, name in self.overrides:
            self.for_meta({kind[:-1]: name})

    def _layer(self, table: Mapping[str, Any], path: tuple[str, ...], *, check_keys: bool = False) -> Layer:
        label = ".".join(path)
        for key, value in table.items():
            if check_keys and key.replace("-", "_") not in COMMAND_KEYS:
                raise ConfigError(
                    f"{self.config.where(*path, key)}: unknown key '{label}.{key}' (known: {', '.join(COMMAND_KEYS)})"
                )
            if key in ("checks", "maps") and not isinstance(value, Mapping):
                raise ConfigError(f"{self.config.where(*path, key)}: '{label}.{key}' must be a table")

        def where(table_name: str, key: str) -> str:
            return self.config.where(*path, table_name, key)

        return dict(table.get("checks", {})), dict(table.get("maps", {})), where, self.config.base_dir

    def for_meta(self, meta: Meta) -> tuple[checks_mod.Checks, maps_mod.Maps]:
        """The compiled checks and maps for a record's supplier and channel."""
        channel, supplier = meta.get("channel"), meta.get("supplier")
        cache_key = (None if channel is None else str(channel), None if supplier is None else str(supplier))
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        layers = list(self.base)
        for kind, name in (("suppliers", cache_key[1]), ("channels", cache_key[0])):
            if name is not None and (kind, name) in self.overrides:
                layers.append(self.overrides[(kind, name)])
        checks: dict[str, Any] = {}
        maps: dict[str, Any] = {}
        sources: dict[str, Layer] = {}
        for layer in layers:
            checks.update(layer[0])
            maps.update(layer[1])
            sources.update({key: layer for key in layer[1]})
        compiled_maps = maps_mod.build(
            maps, lambda key: sources[key][2]("maps", key) if key in sources else "maps", lambda key: sources[key][3]
        )
        result = (checks_mod.build(checks, self.disabled["sources"], self.disabled["suppliers"]), compiled_maps)
        self._cache[cache_key] = result
        return result


def _checks_where(where: Callable[[str, str], str]) -> Callable[[str], str]:
    return lambda key: where("checks", key)


def _disabled(entry: Any) -> bool:
    return isinstance(entry, Mapping) and (entry.get("enabled") is False or entry.get("disabled") is True)
