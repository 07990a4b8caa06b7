"""The bare baseline of bench/apply_rules.py: the same rules, hand-written, over orjson and sqlite.

    python bench/_bare_apply_rules.py samples|passing STATE.db SKUS.csv SHIPPING.csv < records > records

Reads the order records with orjson, line by line; per window of 256 records it
reads the stored rows of their numbers in one query (the duplicate check), applies
the checks, maps and rules of ``samples/rules.toml`` (``samples``) or of the bench's
passing rules file (``passing``) written out in plain Python, records each window's
holds and cancels in one transaction (an INSERT of the order row with its JSON
document, deflated as the issue asks the store to keep bodies, for an order not
stored yet; an UPDATE of status, reason and tags for a stored one; both by
executemany), then writes the window's records (and alert records) as NDJSON.
Its outputs are what flowkit writes (the bench compares them).
"""

from __future__ import annotations

import csv
import re
import sqlite3
import sys
import zlib
from typing import Any

import orjson

WINDOW = 256
LEVEL = 3  # zlib level of the stored document, as flowkit's store keeps order bodies (store/bodies.py)
SCHEMA = """CREATE TABLE IF NOT EXISTS orders (number TEXT PRIMARY KEY, channel TEXT, source TEXT, order_id TEXT,
    export_status TEXT NOT NULL, hold_reason TEXT, tags TEXT NOT NULL, document BLOB)"""
STOCK = (re.compile("^MUG-"), re.compile("^TEE-"))
VIP = re.compile("^(vip|wholesale)$")
TEST_EMAIL = re.compile(r"^test\+.*@example\.com$")
TRADE = re.compile("^(trade|wholesale)$")
REVIEW = re.compile("7$")


def load_maps(skus: str, shipping: str) -> tuple[dict[str, list[tuple[str, str | None, dict[str, str]]]], dict[str, str]]:
    sku_map: dict[str, list[tuple[str, str | None, dict[str, str]]]] = {}
    with open(skus, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            attrs = {k.lower(): v for k, v in row.items() if k not in ("sku", "product_id", "type") and v}
            sku_map.setdefault(row["sku"], []).append((row["product_id"], row.get("type") or None, attrs))
    for entries in sku_map.values():
        entries.sort(key=lambda e: -len(e[2]))
    with open(shipping, newline="", encoding="utf-8") as handle:
        ship_map = {row["method"].lower(): row["service"] for row in csv.DictReader(handle)}
    return sku_map, ship_map


def hold(order: dict[str, Any], holds: list[dict[str, str]], by: str, reason: str) -> None:
    holds.append({"by": by, "reason": reason})
    current = order.get("hold")
    if not isinstance(current, dict):
        order["hold"] = {"on_hold": True, "reason": reason, "until": None}
    elif not current.get("on_hold"):
        order["hold"] = {"on_hold": True, "reason": reason, "until": current.get("until")}


def add_tags(order: dict[str, Any], tags: tuple[str, ...]) -> None:
    current = order.get("tags") or []
    new = [tag for tag in tags if tag not in current]
    if new:
        order["tags"] = current + new


def duplicate(order: dict[str, Any], meta: dict[str, Any], rows: dict[str, tuple[Any, ...]], seen: set[Any]) -> bool:
    number, channel = order["number"], meta.get("channel")
    key = (channel, number)
    if key in seen:
        return True
    seen.add(key)
    row = rows.get(number)
    if row is None or (row[1] is not None and row[1] != channel):
        return False
    same = (row[2] is None or row[2] == meta.get("source")) and (row[3] or number) == (order.get("id") or number)
    return row[0] == "exported" or (row[0] == "queued" and not same)


def samples(order: dict[str, Any], meta: dict[str, Any], dup: bool, maps: Any) -> tuple[list[Any], list[Any], Any]:
    """``samples/rules.toml``: maps, the five checks, then its five rules."""
    sku_map, ship_map = maps
    holds: list[dict[str, str]] = []
    matched: list[str] = []
    unmanaged, routes, total, biggest = False, {}, 0, 0
    for line in order["lines"]:
        entry = None
        for candidate in sku_map.get(line["sku"], ()):
            attrs = {a["name"].lower(): a["value"] for a in line.get("attributes") or ()}
            if all(attrs.get(k) == v for k, v in candidate[2].items()):
                entry = candidate
                break
        if entry is None:
            unmanaged = True
        elif line.get("product_ref") != entry[0]:
            if line.get("product_ref"):
                line.setdefault("extra_data", {})["SourceProductRef"] = line["product_ref"]
            line["product_ref"] = entry[0]
        route = entry[1] if entry and entry[1] else "stock" if any(p.search(line["sku"]) for p in STOCK) else "print"
        line["delivery_type"] = routes[route] = route
        total += line["quantity"]
        biggest = max(biggest, line["quantity"])
    add_tags(order, tuple("route:" + route for route in routes))
    shipping = order["shipping"]
    code = shipping.get("method_code")
    service = ship_map.get(code.lower())
    if service is not None and service != code:
        order["extra_data"]["ShopShippingMethod"] = code
        shipping["method_code"] = service
    if dup:
        hold(order, holds, "check:duplicate", "Duplicate Order")
    if unmanaged:
        hold(order, holds, "check:not_managed", "Item Not Managed")
    suppliers = {order["supplier"]["id"], *(line.get("supplier") for line in order["lines"])}
    if "old-print" in suppliers:
        hold(order, holds, "check:disabled_source", "Disabled Source")
    if service is None:
        hold(order, holds, "check:unmapped_shipping", "Unmapped Shipping Policy")
    alerts, cancel = [], None
    if biggest > 4:
        matched.append("hold quantities over 4")
        hold(order, holds, "hold quantities over 4", "Held for review")
        add_tags(order, ("Review Needed",))
    country = order["shipping_address"]["country_code"].upper()
    if country != "GB" and shipping["method_code"].lower() == "ups_express":
        matched.append("express abroad")
        add_tags(order, ("Express", "International"))
        order["notes"]["internal"].append(f"Express to {country}: book the courier before 15:00")
    if "vip" in order["tags"] or VIP.search(str(order["customer"].get("group"))):
        matched.append("vip customers")
        add_tags(order, ("VIP", "Express"))
    if total >= 8:
        matched.append("large order alert")
        alerts.append(("large order alert", f"Order {order['number']} has {total:g} units", "warning"))
    if TEST_EMAIL.search(str(order["customer"].get("email"))):
        matched.append("test orders")
        cancel = ("test orders", "Test order")
        order["status"] = "cancelled"
    return matched, holds, (alerts, cancel)


def passing(order: dict[str, Any], meta: dict[str, Any], dup: bool, maps: Any) -> tuple[list[Any], list[Any], Any]:
    """The bench's passing rules: the duplicate and supplier checks, then five rules (about one order in ten held)."""
    holds: list[dict[str, str]] = []
    matched: list[str] = []
    if dup:
        hold(order, holds, "check:duplicate", "Duplicate Order")
    if "old-print" in {order["supplier"]["id"], *(line.get("supplier") for line in order["lines"])}:
        hold(order, holds, "check:disabled_source", "Disabled Source")
    country = order["shipping_address"]["country_code"].upper()
    if country != "GB" and order["shipping"]["method_code"].lower() in ("express", "yurtici"):
        matched.append("express abroad")
        add_tags(order, ("Express", "International"))
        order["notes"]["internal"].append(f"Express to {country}: book the courier before 15:00")
    if any(line["quantity"] >= 1000 for line in order["lines"]):
        matched.append("big runs")
        add_tags(order, ("Big Run",))
    if TRADE.search(str(order["customer"].get("group"))):
        matched.append("trade")
        add_tags(order, ("Trade",))
    if REVIEW.search(order["number"]):
        matched.append("review one in ten")
        hold(order, holds, "review one in ten", "Random QA review")
    if meta.get("channel") == "web":
        matched.append("mark checked")
        order["extra_data"]["rules_checked"] = "yes"
    return matched, holds, ([], None)


def window(conn: sqlite3.Connection, records: list[dict[str, Any]], rules: Any, maps: Any, seen: set[Any]) -> bytes:
    numbers = [record["body"]["number"] for record in records]
    marks = ", ".join("?" * len(numbers))
    rows = {
        row[0]: row[1:]
        for row in conn.execute(
            f"SELECT number, export_status, channel, source, order_id FROM orders WHERE number IN ({marks})", numbers
        )
    }
    out, inserts, updates = [], [], []
    for record in records:
        order, meta = record["body"], record["meta"]
        matched, holds, (alerts, cancel) = rules(order, meta, duplicate(order, meta, rows, seen), maps)
        alert_records = [
            {
                **record,
                "kind": "alert",
                "meta": dict(meta),
                "body": {"rule": rule, "order": order["number"], "message": message, "severity": severity},
            }
            for rule, message, severity in alerts
        ]
        meta["rules"] = {"matched": matched, **({"holds": holds} if holds else {})}
        if cancel:
            meta["rules"]["cancelled"] = {"by": cancel[0], "reason": cancel[1]}
        out.append(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
        out.extend(orjson.dumps(alert, option=orjson.OPT_APPEND_NEWLINE) for alert in alert_records)
        if cancel or holds:
            status = "cancelled" if cancel else "held"
            reason = cancel[1] if cancel else order["hold"]["reason"] or holds[0]["reason"]
            tags = orjson.dumps(order.get("tags") or []).decode()
            if order["number"] in rows:
                updates.append((status, reason, tags, order["number"]))
            else:
                channel, source = meta.get("channel"), meta.get("source")
                document = zlib.compress(orjson.dumps(order), LEVEL)
                inserts.append((order["number"], channel, source, order.get("id"), status, reason, tags, document))
    with conn:
        conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?)", inserts)
        conn.executemany("UPDATE orders SET export_status = ?, hold_reason = ?, tags = ? WHERE number = ?", updates)
    return b"".join(out)


def main() -> None:
    kind, db, skus, shipping = sys.argv[1:5]
    rules = {"samples": samples, "passing": passing}[kind]
    maps = load_maps(skus, shipping)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(SCHEMA)
    conn.isolation_level = "DEFERRED"
    out, seen, batch = sys.stdout.buffer, set(), []
    for line in sys.stdin.buffer:
        batch.append(orjson.loads(line))
        if len(batch) == WINDOW:
            out.write(window(conn, batch, rules, maps, seen))
            batch = []
    if batch:
        out.write(window(conn, batch, rules, maps, seen))
    out.flush()


if __name__ == "__main__":
    main()
