"""Pauses of query-orders: a paused source is not fetched, a paused channel's or supplier's orders are not emitted.

A pause comes from the config (``paused = true`` in ``[sources.X]``, ``[channels.X]``
or ``[suppliers.X]``) or from the store (``flowkit state pause``). A paused order is
recorded as it would be (a new one as ``pending``) but neither queued nor held, and
its file stays in the source's inbox; so the first run after the resume emits it, as
any unsent order. ``Run`` (``core.py``) asks ``Pauses`` at three points: before it
fetches (``skips_source``), for each order (``holds_back``), and when a batch moves
its files (``keeps``); ``finish`` ends the run.

Example: flowkit state pause --supplier sup-print-02 --reason "press down"
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from flowkit.config import Config
from flowkit.errors import TempFailError
from flowkit.log import LOG as log
from flowkit.sources import Fetched, Query, Source
from flowkit.store import Store, orders
from flowkit.store import pauses as stored

COMMAND = "query-orders"
KINDS = stored.KINDS
SECTIONS = {"source": "sources", "channel": "channels", "supplier": "suppliers"}


@dataclass(frozen=True)
class Pause:
    """One pause: what (``kind``, ``name``), from where (``origin``: config or store), since when, by whom, why."""

    kind: str
    name: str
    origin: str
    since: str | None = None
    by: str | None = None
    reason: str | None = None
    where: str | None = None  # the config's file:line

    def describe(self) -> str:
        """``supplier 'acme' is paused (since …, by …: reason)``, or ``… (in the config, FILE:LINE)``."""
        if self.origin == "config":
            how = f"in the config, {self.where}" if self.where else "in the config"
        else:
            how = ", ".join(x for x in (f"since {self.since}", f"by {self.by}" if self.by else "") if x)
            how += f": {self.reason}" if self.reason else ""
        return f"{self.kind} {self.name!r} is paused ({how})"

    def lift(self) -> str:
        """How to lift it: the resume command, or the config line to change."""
        if self.origin == "config":
            return f"set paused = false at {self.where} to let it through"
        return f"'flowkit state resume --{self.kind} {self.name}' lets it through"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def configured(config: Config) -> list[Pause]:
    """The pauses the config holds: each ``[sources|channels|suppliers.NAME]`` with ``paused = true``."""
    found = []
    for kind, section in SECTIONS.items():
        for name, table in config.section(section).items():
            if isinstance(table, Mapping) and table.get("paused") is True:
                found.append(Pause(kind, str(name), "config", by="config", where=config.where(section, name, "paused")))
    return found


def active(config: Config, store: Store) -> list[Pause]:
    """Every pause in force: the config's, then the store's (oldest first)."""
    kept = [
        Pause(r["kind"], r["name"], "store", since=r["paused_at"], by=r["paused_by"], reason=r["reason"])
        for r in stored.active(store)
    ]
    return configured(config) + kept


class _Run(Protocol):
    """What ``Pauses`` uses of query-orders' ``Run``."""

    store: Store
    source: Source
    query: Query
    counts: dict[str, int]
    dry: bool


class Pauses:
    """The pauses in force for one query-orders run, and what the run held back for them."""

    def __init__(self, entries: list[Pause] | None = None) -> None:
        self.index: dict[str, dict[str, Pause]] = {kind: {} for kind in KINDS}
        for entry in entries or ():
            self.index[entry.kind].setdefault(entry.name, entry)  # the config's first: a resume cannot lift it
        self.numbers: set[str] = set()  # orders held back this run
        self.paths: set[str] = set()  # the files holding them, which stay in the inbox
        self.last: tuple[str, Pause] | None = None

    @classmethod
    def load(cls, config: Config, store: Store) -> Pauses:
        return cls(active(config, store))

    def of(self, order: Mapping[str, Any]) -> Pause | None:
        """The pause that holds ``order`` back: its channel's (id or name), else its supplier's."""
        channels, suppliers = self.index["channel"], self.index["supplier"]
        if channels:
            channel = (order.get("source") or {}).get("channel")
            for name in names(channel):
                if name in channels:
                    return channels[name]
        if suppliers:
            for name in names(order.get("supplier")):
                if name in suppliers:
                    return suppliers[name]
        return None

    def skips_source(self, run: _Run) -> bool:
        """Before the fetch: True when the run's source is paused (one line on stderr; --number: exit 75)."""
        pause = self.index["source"].get(run.source.name)
        if pause is None:
            return False
        line = f"{pause.describe()}: nothing fetched; {pause.lift()}"
        if run.query.number is not None and not run.query.unsent:
            raise TempFailError(f"order {run.query.number} not looked up: {line}")
        log.warning("query-orders: %s", line)
        return True

    def holds_back(self, run: _Run, order: dict[str, Any], known: Any, *, fresh: bool, settled: Collection[str]) -> bool:
        """Whether ``order`` is held back by a pause; if so it is recorded (a new one as pending) and counted.

        ``known`` is its (export status, attempts) in the store, or None. An --unsent run leaves an
        order already ``settled`` (exported, held, …) to its own skip: the pause changes nothing for it.
        """
        pause = self.of(order)
        if pause is None or (run.query.unsent and known is not None and known[0] in settled):
            return False
        number = str(order["number"])
        if fresh:
            orders.upsert(run.store, order, source=run.source.name, command=COMMAND, export_status="pending")
        stored.note_held_back(run.store, number, COMMAND, "paused", pause.describe())
        run.counts["paused"] = run.counts.get("paused", 0) + 1
        self.numbers.add(number)
        self.last = (number, pause)
        if run.dry:
            log.warning("dry run: order %s would not be emitted: %s", number, pause.describe())
        else:
            log.info("order %s not emitted: %s", number, pause.describe())
        return True

    def keeps(self, item: Fetched) -> bool:
        """Whether the file of ``item`` stays in the inbox: it holds an order held back by a pause."""
        path = item.extra.get("path")
        if item.order is not None and str(item.order.get("number")) in self.numbers:
            if path is not None:
                self.paths.add(str(path))
            return True
        return path is not None and str(path) in self.paths

    def finish(self, run: _Run) -> None:
        """After the loop: say how many were held back (-v); --number N of a paused order is exit 75."""
        held = run.counts.get("paused", 0)
        if held:
            log.info("query-orders: %d order(s) paused, not emitted (see 'flowkit state paused')", held)
        query = run.query
        if self.last and query.number is not None and not query.unsent and not run.counts["emitted"]:
            number, pause = self.last
            raise TempFailError(f"order {number} not emitted: {pause.describe()}; {pause.lift()}")


def names(value: Any) -> tuple[str, ...]:
    """A channel's or supplier's id and name (given as a table, or as the id itself)."""
    if isinstance(value, Mapping):
        return tuple(str(v) for v in (value.get("id"), value.get("name")) if v is not None)
    return () if value is None else (str(value),)


def unknown_suppliers(config: Config, store: Store, query: Query, read: set[str]) -> None:
    """A --supplier that no order read, no order of the store and no [suppliers.X] knows: a typo, said once."""
    import difflib

    if not query.suppliers or set(query.suppliers) <= read:
        return
    tables = config.section("suppliers")
    known = set(tables) | {str(t["name"]) for t in tables.values() if isinstance(t, dict) and t.get("name")}
    known |= read | stored.known_names(store, "supplier")
    for supplier in query.suppliers:
        if supplier not in known:
            close = difflib.get_close_matches(supplier, sorted(known), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            log.warning("query-orders: --supplier %r: no order and no [suppliers.NAME] has that id or name%s", supplier, hint)
