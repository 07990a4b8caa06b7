"""Built-in checks (each switchable, each with a standard hold reason) and mappings.

They run before the rules, so rules see mapped SKUs/shipping and built-in holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from flowkit.apply_rules.actions import Outcome
from flowkit.apply_rules.common import channel_of, lines_of, quantity, supplier_of, table_at, table_of
from flowkit.apply_rules.maps import Maps

REASONS = {
    "duplicate": "Duplicate Order",
    "not_managed": "Item Not Managed",
    "insufficient_quantity": "Insufficient Quantity",
    "disabled_source": "Disabled Source",
    "unmapped_shipping": "Unmapped Shipping Policy",
}
LIST_KEYS = ("duplicate_statuses", "disabled_sources", "disabled_suppliers")
CHECK_KEYS = (*REASONS, *LIST_KEYS, "stock_target", "reasons")


class StoreView(Protocol):
    """What the checks read from the state store."""

    def known_status(
        self, number: str, channel: str | None, order_id: str | None = None, source: str | None = None
    ) -> str | None: ...

    def stock(self, sku: str, target: str | None) -> float | None: ...

    @property
    def has_stock(self) -> bool: ...


@dataclass(frozen=True)
class Checks:
    enabled: frozenset[str]
    reasons: dict[str, str]
    duplicate_statuses: frozenset[str] = frozenset({"exported", "queued"})
    disabled_sources: frozenset[str] = frozenset()
    disabled_suppliers: frozenset[str] = frozenset()
    stock_target: str | None = None


def problems(table: Mapping[str, Any], where: Callable[[str], str]) -> list[str]:
    """Every problem of one layer's ``checks`` table (rules file or config), each naming its ``file:line``."""
    found = []
    for key, value in table.items():
        if key not in CHECK_KEYS:
            found.append(f"{where(key)}: unknown key 'checks.{key}' (known: {', '.join(CHECK_KEYS)})")
        elif key in REASONS and not isinstance(value, bool):
            found.append(f"{where(key)}: 'checks.{key}' must be true or false")
        elif key in LIST_KEYS and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            found.append(f"{where(key)}: 'checks.{key}' must be a list of strings")
        elif key == "stock_target" and not isinstance(value, str):
            found.append(f"{where(key)}: 'checks.stock_target' must be a string")
        elif key == "reasons" and not (
            isinstance(value, Mapping) and set(value) <= set(REASONS) and all(isinstance(v, str) and v for v in value.values())
        ):
            found.append(f"{where(key)}: 'checks.reasons' maps {', '.join(REASONS)} to non-empty strings")
    return found


def build(table: Mapping[str, Any], disabled_sources: set[str], disabled_suppliers: set[str]) -> Checks:
    """Compile a merged, validated ``checks`` table (every check defaults to on)."""
    return Checks(
        enabled=frozenset(name for name in REASONS if table.get(name, True)),
        reasons={**REASONS, **dict(table.get("reasons", {}))},
        duplicate_statuses=frozenset(table.get("duplicate_statuses", ("exported", "queued"))),
        disabled_sources=frozenset({*table.get("disabled_sources", ()), *disabled_sources}),
        disabled_suppliers=frozenset({*table.get("disabled_suppliers", ()), *disabled_suppliers}),
        stock_target=table.get("stock_target"),
    )


def apply_maps(out: Outcome, maps: Maps) -> list[str]:
    """Map SKUs, shipping method and line routing; returns the unmanaged SKUs."""
    if maps.sku is None and maps.shipping is None and not maps.routing:
        return []
    unmanaged: list[str] = []
    routes: dict[str, None] = {}
    skus, routing, route = maps.sku, maps.routing, maps.route
    for line in lines_of(out.order):  # a realistic order has dozens of lines: the lookups are local
        entry = None
        if skus is not None:
            sku = str(line.get("sku"))
            entry = maps.sku_entry(line) if sku in skus else None
            if entry is None:
                unmanaged.append(sku)
            elif line.get("product_ref") != entry.product_id:
                if line.get("product_ref"):
                    table_at(line, "extra_data")["SourceProductRef"] = str(line["product_ref"])
                line["product_ref"] = entry.product_id
        if routing:
            kind = line["delivery_type"] = route(line, entry)
            routes[kind] = None
    if routing and maps.tag_prefix:
        out.add_tags(tuple(maps.tag_prefix + r for r in routes))
    if maps.shipping is not None:
        _map_shipping(out, maps)
    return unmanaged


def _map_shipping(out: Outcome, maps: Maps) -> None:
    shipping = table_at(out.order, "shipping")
    code = shipping.get("method_code")
    service = (maps.shipping or {}).get(str(code).lower()) if code is not None else None
    service = service or maps.shipping_default
    if service is None:
        out.meta["unmapped_shipping"] = code
        return
    if service != code:
        if code is not None:
            table_at(out.order, "extra_data")["ShopShippingMethod"] = str(code)
        shipping["method_code"] = service
        out.explain.append(f"shipping method {code!r} mapped to {service!r}")


class SeenSet(Protocol):
    def __contains__(self, key: object) -> bool: ...

    def add(self, key: tuple[str | None, str]) -> None: ...


def run_checks(out: Outcome, checks: Checks, unmanaged: list[str], view: StoreView | None, seen: SeenSet) -> None:
    """Apply each enabled built-in check, holding with its standard reason."""
    order, meta, on = out.order, out.meta, checks.enabled
    number, channel = str(order.get("number")), channel_of(order, meta)

    def hold(name: str, why: str) -> None:
        out.hold(f"check:{name}", checks.reasons[name])
        out.explain.append(f"check {name}: {why} -> hold {checks.reasons[name]!r}")

    if "duplicate" in on:
        if (channel, number) in seen:
            hold("duplicate", f"order {number} already seen in this run for channel {channel}")
        elif (
            status := view.known_status(number, channel, _text(order.get("id")), _text(meta.get("source"))) if view else None
        ) in checks.duplicate_statuses:
            hold("duplicate", f"order {number} already {status} for channel {channel}")
        seen.add((channel, number))
    if "not_managed" in on and unmanaged:
        hold("not_managed", f"SKU(s) {', '.join(unmanaged)} not in the SKU map")
    if "insufficient_quantity" in on and view is not None and view.has_stock:
        short = _short(order, view, checks.stock_target)
        if short:
            hold("insufficient_quantity", "; ".join(short))
    if "disabled_source" in on and (checks.disabled_sources or checks.disabled_suppliers):
        disabled = _disabled(order, meta, checks)
        if disabled:
            hold("disabled_source", f"{disabled} disabled in config")
    if "unmapped_shipping" in on and "unmapped_shipping" in meta:
        hold("unmapped_shipping", f"shipping method {meta.pop('unmapped_shipping')!r} not in the map, no default")
    meta.pop("unmapped_shipping", None)


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _short(order: dict[str, Any], view: StoreView, target: str | None) -> list[str]:
    wanted: dict[str, float] = {}
    for line in lines_of(order):
        if line.get("sku") is not None and line.get("delivery_type") != "print":
            wanted[str(line["sku"])] = wanted.get(str(line["sku"]), 0) + quantity(line)
    out = []
    for sku, needed in wanted.items():
        have = view.stock(sku, target)
        if have is not None and have < needed:
            out.append(f"{sku}: {needed:g} ordered, {have:g} in stock")
    return out


def _disabled(order: dict[str, Any], meta: dict[str, Any], checks: Checks) -> str | None:
    source = meta.get("source") or table_of(order.get("source")).get("system")
    if source is not None and str(source) in checks.disabled_sources:
        return f"source {source}"
    disabled = checks.disabled_suppliers
    supplier = supplier_of(order, meta)
    if supplier is not None and supplier in disabled:
        return f"supplier {supplier}"
    for line in lines_of(order):  # as line_supplier reads each, inlined
        supplier = line.get("supplier")
        if supplier.__class__ is dict:
            supplier = supplier.get("id")
        if supplier is not None and str(supplier) in disabled:
            return f"supplier {supplier}"
    return None
