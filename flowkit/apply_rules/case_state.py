"""A throwaway state store for one ``apply-rules test`` case, holding what its ``[state]`` table names.

The built-in checks that read the store (duplicate order, insufficient
quantity) and an operator's release then answer as they would in production,
from a real store in a temporary folder, written through the store's own
functions; the user's store is never opened.

``[state]`` keys:

- ``orders``: orders already known, ``{number, status[, channel, source, id]}``
  (``status`` is the export status: ``exported``, ``queued``, ``held``…).
  ``source`` defaults to the case's ``meta.source``, else ``case``.
- ``stock``: stock ledger rows, ``{sku, quantity[, target]}``; the target
  defaults to the checks' ``stock_target``, else ``default``.
- ``released``: order numbers an operator released (``flowkit state release``);
  each is stored as held first (the case's own order, when it is that number).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowkit.errors import InputError

if TYPE_CHECKING:
    from flowkit.store import Store
    from flowkit.store.rules import RulesView

KEYS = ("orders", "stock", "released")
ORDER_KEYS = ("number", "status", "channel", "source", "id")
STOCK_KEYS = ("sku", "quantity", "target")
COMMAND = "apply-rules test"


@dataclass(frozen=True)
class State:
    orders: tuple[dict[str, str], ...] = ()
    stock: tuple[tuple[str, int, str | None], ...] = ()
    released: tuple[str, ...] = ()


def parse(table: Any, where: Callable[[str], str]) -> State:
    """Check a case's ``[state]`` table; ``where(key)`` names its file and line. InputError (65) when wrong."""
    if not isinstance(table, Mapping):
        raise InputError(f"{where('')}: 'state' must be a table")
    for key in table:
        if key not in KEYS:
            raise InputError(f"{where(key)}: unknown key 'state.{key}' (known: {', '.join(KEYS)})")
    orders = tuple(_row(item, f"state.orders[{n}]", ORDER_KEYS, where) for n, item in enumerate(_list(table, "orders", where)))
    stock = []
    for n, item in enumerate(_list(table, "stock", where)):
        row = _row(item, f"state.stock[{n}]", STOCK_KEYS, where)
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            raise InputError(f"{where('stock')}: 'state.stock[{n}].quantity' must be a whole number >= 0")
        stock.append((row["sku"], quantity, row.get("target")))
    released = _list(table, "released", where)
    if not all(isinstance(number, str) and number for number in released):
        raise InputError(f"{where('released')}: 'state.released' must be a list of order numbers (strings)")
    for row in orders:
        if row["number"] in released and row["status"] != "held":
            raise InputError(f"{where('released')}: order {row['number']!r} is released, so state.orders lists it as held")
    return State(orders, tuple(stock), tuple(released))


def _list(table: Mapping[str, Any], key: str, where: Callable[[str], str]) -> list[Any]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise InputError(f"{where(key)}: 'state.{key}' must be a list")
    return value


def _row(item: Any, label: str, keys: tuple[str, ...], where: Callable[[str], str]) -> dict[str, str]:
    """One fixture row: a table of the known keys, the first two required; strings but the stock's quantity."""
    top = label.split(".")[1].split("[")[0]
    if not isinstance(item, Mapping):
        raise InputError(f"{where(top)}: '{label}' must be a table {{{', '.join(keys)}}}")
    for key in item:
        if key not in keys:
            raise InputError(f"{where(top)}: unknown key '{label}.{key}' (known: {', '.join(keys)})")
    for key in keys[:2]:
        if key not in item:
            raise InputError(f"{where(top)}: '{label}' needs '{key}'")
    texts = {key: value for key, value in item.items() if key != "quantity"}
    for key, value in texts.items():
        if not isinstance(value, str) or not value:
            raise InputError(f"{where(top)}: '{label}.{key}' must be a non-empty string")
    return texts


@contextmanager
def view(state: State, order: dict[str, Any], meta: dict[str, Any], stock_target: str | None) -> Iterator[RulesView]:
    """The store view of a fresh store in a temporary folder holding ``state``; removed afterwards."""
    from flowkit.store import Store
    from flowkit.store.rules import RulesView

    with tempfile.TemporaryDirectory(prefix="flowkit-case-") as folder:
        store = Store(Path(folder) / "state.db")
        try:
            _fill(store, state, order, meta, stock_target)
            yield RulesView(store)
        finally:
            store.close()


def _fill(store: Store, state: State, order: dict[str, Any], meta: dict[str, Any], stock_target: str | None) -> None:
    from flowkit.store import orders, rules, stock

    default_source = str(meta.get("source") or "case")
    with store.transaction():
        for row in state.orders:
            known: dict[str, Any] = {"number": row["number"], "id": row.get("id")}
            if "channel" in row:
                known["source"] = {"channel": row["channel"]}
            orders.insert_new(store, [(known, row["status"])], source=row.get("source", default_source), command=COMMAND)
        listed = {row["number"] for row in state.orders}
        for number in state.released:
            if number not in listed:
                held = dict(order) if str(order.get("number")) == number else {"number": number}
                orders.insert_new(store, [(held, "held")], source=default_source, command=COMMAND)
        for sku, quantity, target in state.stock:
            stock.apply(store, target or stock_target or "default", [(sku, "case", 1, quantity, quantity, None)], command=COMMAND)
    for number in state.released:
        rules.release(store, number, note=COMMAND, command=COMMAND)
