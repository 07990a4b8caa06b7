"""The ``store`` source: orders already in the state store, chosen by export status.

``export_status`` (a list; default pending, queued, failed) picks the orders;
each is emitted from the canonical document stored when it was fetched.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flowkit.errors import ConfigError
from flowkit.sources.base import Fetched, Query
from flowkit.store import Store, exports
from flowkit.store.orders import EXPORT_STATUSES


@dataclass
class StoreSource:
    name: str
    store: Store
    statuses: tuple[str, ...]
    carry_over: bool = False

    @classmethod
    def from_spec(cls, name: str, spec: dict[str, Any], store: Store, where: str) -> StoreSource:
        statuses = tuple(str(s) for s in spec.get("export_status", exports.UNSENT))
        unknown = [s for s in statuses if s not in EXPORT_STATUSES]
        if unknown:
            raise ConfigError(
                f"{where}: sources.{name}.export_status: unknown {unknown[0]!r} (known: {', '.join(EXPORT_STATUSES)})"
            )
        return cls(name, store, statuses)

    def fetch(self, query: Query) -> Iterator[Fetched]:
        numbers = [query.number] if query.number else exports.carry_over(self.store, None, self.statuses)
        for number in numbers:
            found = exports.document(self.store, number)
            if found is not None:
                yield Fetched(f"state store order {number}", order=found[0], key=number, extra={"source": found[1]})

    def done(self, item: Fetched, ok: bool) -> None:
        return None

    def mark_sent(self, order: dict[str, Any]) -> str | None:
        return None

    def close(self) -> None:
        return None
