"""The quantity calculation: received minus unsent order units minus active quote units.

``calculated = received - unsent_order_units - active_quote_units``; each
adjustment is clamped at >= 0; a negative result becomes 0 unless negatives
are allowed. Quotes come from a file (CSV ``sku,qty,updated_at[,active]`` or
JSON/NDJSON objects, flat or with ``items``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from flowkit.errors import ConfigError, InputError
from flowkit.push_stock.model import ADJUSTMENTS, UNSENT_STATUSES, Line, as_int, cutoff, normal_time

if TYPE_CHECKING:
    from flowkit.store import Store


@dataclass(frozen=True)
class Calculator:
    """How a received figure becomes the stored quantity."""

    adjustment: str = "none"
    allow_negative: bool = False
    statuses: tuple[str, ...] = UNSENT_STATUSES
    unsent_cutoff_days: float = 30.0
    quotes: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.adjustment not in ADJUSTMENTS:
            raise ConfigError(f"push-stock: adjustment {self.adjustment!r} unknown (known: {', '.join(ADJUSTMENTS)})")

    def compute(self, store: Store, line: Line) -> tuple[int, int, int]:
        """(adjusted_quotes, adjusted_unsent, qty) for ``line``."""
        if self.adjustment == "none":
            return 0, 0, line.qty if line.qty >= 0 or self.allow_negative else 0
        unsent = quotes = 0
        if self.adjustment != "none":
            from flowkit.store import stock

            unsent = stock.unsent_units(
                store,
                line.sku,
                statuses=self.statuses,
                since=cutoff(self.unsent_cutoff_days),
                exported_before=line.last_order_exported,
            )
        if self.adjustment == "unsent_orders_and_quotes":
            quotes = max(0, self.quotes.get(line.sku, 0))
        qty = line.qty - max(0, unsent) - quotes
        if qty < 0 and not self.allow_negative:
            qty = 0
        return quotes, unsent, qty


def _quote_items(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    text = path.read_text(encoding="utf-8")
    stripped = text.lstrip()
    if stripped.startswith("["):
        for index, item in enumerate(orjson.loads(stripped), 1):
            yield f"{path}:item {index}", item
    elif stripped.startswith("{"):
        for lineno, line in enumerate(text.splitlines(), 1):
            if line.strip():
                yield f"{path}:{lineno}", orjson.loads(line)
    else:
        for lineno, row in enumerate(csv.DictReader(io.StringIO(text)), 2):
            yield f"{path}:{lineno}", dict(row)


def load_quotes(path: Path, *, cutoff_days: float) -> dict[str, int]:
    """Units per SKU in active quotes updated within ``cutoff_days``."""
    since = cutoff(cutoff_days)
    units: dict[str, int] = {}
    try:
        for where, quote in _quote_items(path):
            if not isinstance(quote, Mapping):
                raise InputError(f"{where}: a quote must be an object")
            active = quote.get("active", True)
            if str(active).lower() in ("false", "0", "no") or not active:
                continue
            updated = str(quote.get("updated_at") or "")
            if not updated:
                raise InputError(f"{where}: quote without updated_at")
            stamp = normal_time(updated)
            if stamp is None:
                raise InputError(f"{where}: bad updated_at {updated!r}")
            if stamp < since:
                continue
            for item in quote.get("items") or [quote]:
                qty = as_int(item.get("qty"))
                if not isinstance(item.get("sku"), str) or qty is None:
                    raise InputError(f"{where}: quote item needs a sku and an integer qty")
                units[item["sku"]] = units.get(item["sku"], 0) + max(0, qty)
    except OSError as exc:
        raise InputError(f"{path}: cannot read quotes: {exc.strerror}") from exc
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    return units


def load_catalogue(path: Path) -> frozenset[str]:
    """SKUs known to the target: one per line, or a CSV whose first column (or 'sku') is the SKU."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read catalogue: {exc.strerror}") from exc
    rows = list(csv.reader(io.StringIO(text)))
    column = 0
    if rows and "sku" in [c.strip().lower() for c in rows[0]]:
        column = [c.strip().lower() for c in rows[0]].index("sku")
        rows = rows[1:]
    return frozenset(r[column].strip() for r in rows if len(r) > column and r[column].strip())
