"""Shared helpers for the apply-rules tests: orders from tests/data/apply_rules and a runner."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
from click.testing import Result
from conftest import DATA, Invoke, record_line

HERE = DATA / "apply_rules"
BASE: dict[str, Any] = orjson.loads((HERE / "1203.json").read_bytes())
META = {"channel": "web", "supplier": "acme-print", "source": "shop"}


def order(number: str = "1203", **changes: Any) -> dict[str, Any]:
    """The 1203 fixture, renumbered, with top-level fields replaced."""
    doc = copy.deepcopy(BASE)
    doc["number"] = number
    doc.update(copy.deepcopy(changes))
    return doc


def line(sku: str, quantity: int, **extra: Any) -> dict[str, Any]:
    item = copy.deepcopy(BASE["lines"][0])
    item.update({"sku": sku, "quantity": quantity, **extra})
    return item


def stream(*orders: dict[str, Any], meta: dict[str, Any] | None = None) -> str:
    return "".join(record_line("order", str(o["number"]), o, {**META, **(meta or {})}) for o in orders)


def apply(
    invoke: Invoke,
    tmp_path: Path,
    rules: str,
    *orders: dict[str, Any],
    args: tuple[str, ...] = (),
    config: Path | None = None,
    meta: dict[str, Any] | None = None,
) -> Result:
    path = tmp_path / "rules.toml"
    path.write_text(rules, encoding="utf-8")
    return invoke(["apply-rules", "--rules", str(path), *args], input=stream(*orders, meta=meta), config=config)
