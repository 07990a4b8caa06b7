"""SKU map, shipping-method map and line routing, from TOML tables or CSV files.

SKU map rows: ``sku``, ``product_id``, optional ``type`` (print/stock) and any
other columns as variant attributes (an empty cell matches anything). The
most specific matching row wins. Shipping map rows: ``method``, ``service``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowkit.errors import ConfigError

LINE_TYPES = ("print", "stock")
ROUTE_CACHE = 100_000  # SKUs whose route is kept in memory at once
Where = Callable[[str], str]


@dataclass(frozen=True)
class SkuEntry:
    product_id: str
    type: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Maps:
    """The compiled mappings; ``None`` means not configured."""

    sku: dict[str, list[SkuEntry]] | None = None
    shipping: dict[str, str] | None = None
    shipping_default: str | None = None
    stock_patterns: tuple[re.Pattern[str], ...] = ()
    print_patterns: tuple[re.Pattern[str], ...] = ()
    default_type: str = "print"
    tag_prefix: str = "route:"
    routing: bool = False
    notes: list[str] = field(default_factory=list)
    routes: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # SKU -> route by the patterns

    def sku_entry(self, line: Mapping[str, Any]) -> SkuEntry | None:
        entries = (self.sku or {}).get(str(line.get("sku")))
        if not entries:
            return None
        attributes = line.get("attributes")
        attrs = {
            str(a.get("name", "")).lower(): str(a.get("value", ""))
            for a in (attributes if isinstance(attributes, list) else ())
            if isinstance(a, Mapping)
        }
        for entry in entries:
            if all(attrs.get(name) == value for name, value in entry.attributes):
                return entry
        return None

    def route(self, line: Mapping[str, Any], entry: SkuEntry | None) -> str:
        if entry is not None and entry.type:
            return entry.type
        sku = str(line.get("sku") or "")
        known = self.routes.get(sku)  # the patterns are searched once per SKU (a realistic order has dozens of lines)
        if known is None:
            if len(self.routes) >= ROUTE_CACHE:
                self.routes.clear()
            known = self.routes[sku] = self._route(sku)
        return known

    def _route(self, sku: str) -> str:
        if any(p.search(sku) for p in self.stock_patterns):
            return "stock"
        if any(p.search(sku) for p in self.print_patterns):
            return "print"
        return self.default_type


def build(maps: Mapping[str, Any], where: Where, base: Callable[[str], Path]) -> Maps:
    """Compile a merged ``maps`` table; ``base(key)`` resolves a CSV path given under ``key``."""
    known = ("sku", "shipping", "shipping_default", "routing")
    for key in maps:
        if key not in known:
            raise ConfigError(f"{where(key)}: unknown key 'maps.{key}' (known: {', '.join(known)})")
    sku = _sku_map(maps["sku"], where("sku"), base) if "sku" in maps else None
    shipping = _shipping_map(maps["shipping"], where("shipping"), base) if "shipping" in maps else None
    default = maps.get("shipping_default")
    if default is not None and (not isinstance(default, str) or not default):
        raise ConfigError(f"{where('shipping_default')}: 'maps.shipping_default' must be a non-empty string")
    routing = maps.get("routing", {})
    if not isinstance(routing, Mapping):
        raise ConfigError(f"{where('routing')}: 'maps.routing' must be a table")
    extra = set(routing) - {"stock", "print", "default", "tag_prefix"}
    if extra:
        raise ConfigError(f"{where('routing')}: unknown key 'maps.routing.{min(extra)}'")
    default_type = routing.get("default", "print")
    if default_type not in LINE_TYPES:
        raise ConfigError(f"{where('routing')}: 'maps.routing.default' must be one of {', '.join(LINE_TYPES)}")
    prefix = routing.get("tag_prefix", "route:")
    if not isinstance(prefix, str):
        raise ConfigError(f"{where('routing')}: 'maps.routing.tag_prefix' must be a string")
    typed = any(e.type for entries in (sku or {}).values() for e in entries)
    return Maps(
        sku,
        shipping,
        default,
        _patterns(routing, "stock", where),
        _patterns(routing, "print", where),
        default_type,
        prefix,
        bool(routing) or typed,
    )


def _patterns(routing: Mapping[str, Any], key: str, where: Where) -> tuple[re.Pattern[str], ...]:
    value = routing.get(key, [])
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where('routing')}: 'maps.routing.{key}' must be a list of SKU regular expressions")
    try:
        return tuple(re.compile(v) for v in value)
    except re.error as exc:
        raise ConfigError(f"{where('routing')}: 'maps.routing.{key}': invalid regular expression: {exc}") from exc


def _sku_map(value: Any, where: str, base: Callable[[str], Path]) -> dict[str, list[SkuEntry]]:
    if isinstance(value, str):
        rows = _csv(base("sku") / value if not Path(value).is_absolute() else Path(value), ("sku", "product_id"))
    elif isinstance(value, Mapping):
        rows = [(f"{where}", {"sku": k, "product_id": v}) for k, v in value.items()]
    elif isinstance(value, list):
        rows = [(f"{where} (entry {i + 1})", _flatten(v)) for i, v in enumerate(value)]
    else:
        raise ConfigError(f"{where}: 'maps.sku' must be a CSV path, a table SKU = PRODUCT or an array of tables")
    out: dict[str, list[SkuEntry]] = {}
    for place, row in rows:
        sku, product, kind = row.get("sku"), row.get("product_id"), row.get("type") or None
        if not isinstance(sku, str) or not sku or not isinstance(product, str) or not product:
            raise ConfigError(f"{place}: SKU map row needs 'sku' and 'product_id' strings")
        if kind is not None and kind not in LINE_TYPES:
            raise ConfigError(f"{place}: SKU map 'type' must be one of {', '.join(LINE_TYPES)}")
        attrs = tuple(
            (k.lower(), str(v)) for k, v in row.items() if k not in ("sku", "product_id", "type") and v not in (None, "")
        )
        out.setdefault(sku, []).append(SkuEntry(product, kind, attrs))
    for entries in out.values():
        entries.sort(key=lambda e: -len(e.attributes))
    return out


def _flatten(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {}
    row = {k: v for k, v in value.items() if k != "attributes"}
    attributes = value.get("attributes") or {}
    if isinstance(attributes, Mapping):
        row.update({str(k): v for k, v in attributes.items()})
    return row


def _shipping_map(value: Any, where: str, base: Callable[[str], Path]) -> dict[str, str]:
    if isinstance(value, str):
        path = Path(value) if Path(value).is_absolute() else base("shipping") / value
        pairs = [(place, row.get("method"), row.get("service")) for place, row in _csv(path, ("method", "service"))]
    elif isinstance(value, Mapping):
        pairs = [(where, k, v) for k, v in value.items()]
    else:
        raise ConfigError(f"{where}: 'maps.shipping' must be a CSV path or a table METHOD = SERVICE")
    out: dict[str, str] = {}
    for place, method, service in pairs:
        if not isinstance(method, str) or not method or not isinstance(service, str) or not service:
            raise ConfigError(f"{place}: shipping map entry needs a method and a service string")
        out[method.lower()] = service
    return out


def _csv(path: Path, required: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or ())]
            if missing:
                raise ConfigError(f"{path}:1: CSV header lacks column(s) {', '.join(missing)}")
            return [(f"{path}:{reader.line_num}", {k: (v or "").strip() for k, v in row.items() if k}) for row in reader]
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read map file: {exc.strerror}") from exc
