"""Source mappings: choose and apply the one that turns a source document into ``flowkit.order/1``.

Built in: ``canonical`` (already flowkit.order/1), ``magento2``, ``omnitron``,
``infigo``, ``gelato``; ``auto`` detects which from the document's fields. A
user mapping is a Jolt spec file (JSON list of operations) whose output is
laid over the canonical skeleton, so a spec maps only the fields it knows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flowkit.errors import ConfigError, InputError
from flowkit.sources.common import SCHEMA, AmountError, line_skeleton, order_skeleton, s

Mapping = Callable[[dict[str, Any]], dict[str, Any]]
BUILTIN = ("canonical", "magento2", "omnitron", "infigo", "gelato")


def detect(doc: Any) -> str | None:
    """The built-in mapping a document's fields point to, or None."""
    if not isinstance(doc, dict):
        return None
    if doc.get("schema") == SCHEMA:
        return "canonical"
    if "increment_id" in doc and ("entity_id" in doc or "items" in doc):
        return "magento2"
    if "number" in doc and "pk" in doc and ("date_placed" in doc or "channel" in doc):
        return "omnitron"
    if "OrderLines" in doc or ("Id" in doc and "CreatedOnUtc" in doc):
        return "infigo"
    if "orderReferenceId" in doc or ("items" in doc and isinstance(doc.get("shipping"), dict)):
        return "gelato"
    return None


def _canonical(doc: dict[str, Any]) -> dict[str, Any]:
    return doc


def builtin(name: str) -> Mapping:
    if name == "canonical":
        return _canonical
    if name == "magento2":
        from flowkit.sources import magento2

        return magento2.to_order
    if name == "omnitron":
        from flowkit.sources import omnitron

        return omnitron.to_order
    if name == "infigo":
        from flowkit.sources import infigo

        return infigo.to_order
    if name == "gelato":
        from flowkit.sources import gelato

        return gelato.to_order
    raise KeyError(name)


def overlay(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``top`` laid over ``base`` (a skeleton): nested objects merged, everything else replaced."""
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            overlay(base[key], value)
        else:
            base[key] = value
    return base


def jolt_spec(path: Path, where: str) -> Mapping:
    """A user's Jolt spec file as a function: a document in, the object the spec makes out.

    A spec that fails on a document, or makes no object of it, is bad input naming the file.
    """
    from flowkit.mapping.jolt import JoltChain, MappingFailed, load_json

    if not path.is_file():
        raise ConfigError(f"{where}: cannot read mapping spec {path}: no such file")
    spec = load_json(path)  # the same wrapper as `transform --jolt`: empty chains refused, unknown functions as in Jolt
    chain = JoltChain(spec if isinstance(spec, list) else [spec], where=f"{where}: mapping spec {path}")

    def apply(doc: dict[str, Any]) -> dict[str, Any]:
        try:
            out = chain.apply(doc)
        except MappingFailed as exc:
            raise InputError(f"mapping {path.name} failed: {exc}") from exc
        if not isinstance(out, dict):
            raise InputError(f"mapping {path.name} produced {type(out).__name__}, not an object")
        return out

    return apply


def jolt_mapping(path: Path, where: str) -> Mapping:
    """A mapping from a user's Jolt spec file; its output overlays the canonical skeleton."""
    spec = jolt_spec(path, where)

    def apply(doc: dict[str, Any]) -> dict[str, Any]:
        out = spec(doc)
        number = s(out.get("number"))
        if not number:
            raise InputError(f"mapping {path.name} produced no 'number'")
        order = overlay(order_skeleton(number), out)
        order["number"] = number
        lines = order["lines"] if isinstance(order["lines"], list) else []
        order["lines"] = [
            overlay(line_skeleton(s(line.get("id")) or str(n), n), line)
            for n, line in enumerate(lines, 1)
            if isinstance(line, dict)
        ]
        return order

    return apply


def resolve(name: str, *, base_dir: Path, where: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The mapping named in a source's config (``auto``, a built-in name, or a Jolt spec path)."""
    if name == "auto":
        return map_auto
    if name in BUILTIN:
        return builtin(name)
    path = Path(name)
    if name.endswith(".json"):
        return jolt_mapping(path if path.is_absolute() else base_dir / path, where)
    raise ConfigError(f"{where}: unknown mapping {name!r} (known: auto, {', '.join(BUILTIN)}, or a Jolt spec .json)")


def map_auto(doc: dict[str, Any]) -> dict[str, Any]:
    """Detect the document's format and map it."""
    name = detect(doc)
    if name is None:
        raise InputError(
            "not a known order format (canonical, magento2, omnitron, infigo, gelato)", hint="set 'mapping' on the source"
        )
    return builtin(name)(doc)


def check_order(order: Any, where: str) -> dict[str, Any]:
    """The minimal shape query-orders needs from a mapped order."""
    if not isinstance(order, dict) or not s(order.get("number")):
        raise InputError(f"{where}: order has no 'number'")
    order["number"] = s(order["number"])
    return order


class MapsOrders:
    """What a source's documents are mapped to and keyed by: orders, by number (query-products' sources,
    sources/products.py, say products, by SKU)."""

    what = "order"
    key_field = "number"

    def check(self, mapped: Any, where: str) -> dict[str, Any]:
        return check_order(mapped, where)


def apply_mapping(
    mapping: Mapping,
    doc: dict[str, Any],
    where: str,
    check: Callable[[Any, str], dict[str, Any]] = check_order,
    what: str = "order",
) -> dict[str, Any]:
    """Map ``doc`` and ``check`` the result (query-products passes its own, ``what`` = product); a document
    the mapping cannot read is bad input naming ``where``, not a crash."""
    try:
        order = mapping(doc)
    except AmountError as exc:
        raise InputError(f"{where}: {exc.at(doc)}") from exc
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InputError(f"{where}: cannot map this {what} document: {exc.__class__.__name__}: {exc}") from exc
    return check(order, where)
