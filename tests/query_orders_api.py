"""A real HTTP server on 127.0.0.1 serving an Omnitron-like and a Magento-like order API from fixtures.

It applies the filters the vendors document, server-side, so a test proves what the preset asks for:
Omnitron's order list (``is_send``, one ``status`` code, ``channel``, ``number``, ``date_placed__gte``;
other parameters ignored, as a Django filter set does), ``/order_items/?order_id=`` (plain rows, the
product as a pk) and ``/order_items/{pk}/`` (the item in detail), PATCH ``is_send`` on the order only and
``extra_field`` (merged) and the like on an item; Magento's ``searchCriteria`` filter groups (``eq``,
``in``, ``gt``, ``gteq``, …; a null field matches no comparison).

Faults are injected per path prefix: a queue of status codes, "malformed",
"slow" or ``("redirect", URL)`` (a 302 to URL) answered before the normal response, so tests see retries, refusals and bad
bodies exactly as a client would.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from servers.quiet import QuietHTTPServer

MAPPINGS = Path(__file__).parent / "data" / "query_orders" / "mappings"
OMNI_TOKEN = "omni-test-token"
MAGENTO_TOKEN = "magento-test-token"


# (channel, status code, is_send): 6001..6007. 6003 was sent already; 6005 is canceled (100); 6007 waits for a
# cancellation decision (cancellation_waiting, 50).
OMNI_ORDERS = [(3, "400", False), (4, "400", False), (3, "400", True), (3, "400", False), (4, "100", False), (3, "400", False)]
OMNI_ORDERS.append((3, "50", False))
PRODUCT_IDS = {"MUG-WHT-330": 9001, "CAL-A3-2026": 9002}  # the product pks the plain item rows carry


def omnitron_orders() -> dict[int, dict[str, Any]]:
    """Seven orders over channels 3 and 4 (see ``OMNI_ORDERS``); items are one row per unit, as Omnitron keeps them."""
    base = json.loads((MAPPINGS / "omnitron-basic.in.json").read_text(encoding="utf-8"))
    orders = {}
    for index, (channel, status, sent) in enumerate(OMNI_ORDERS):
        pk = 6001 + index
        doc = copy.deepcopy(base)
        doc.update(
            pk=pk,
            number=f"OMN-{pk}",
            status=status,
            is_send=sent,
            channel={"pk": channel, "name": f"channel-{channel}"},
            date_placed=f"2025-06-0{index + 1}T10:00:00.000000+03:00",
        )
        for n, item in enumerate(doc["order_items"]):
            item["pk"] = pk * 10 + n
            item["order"] = pk
        orders[pk] = doc
    return orders


def magento_orders() -> list[dict[str, Any]]:
    """Six orders: three open and invoiced (stores 1, 2, 1), then one new (no invoice), one processing with
    nothing invoiced yet, one complete (invoiced and shipped: not open)."""
    base = json.loads((MAPPINGS / "magento2-basic.in.json").read_text(encoding="utf-8"))
    out = []
    states = [(1, "processing", 64.0), (2, "processing", 64.0), (1, "processing", 12.5)]
    states += [(1, "new", None), (2, "processing", 0.0), (1, "complete", 64.0)]
    for index, (store, state, invoiced) in enumerate(states):
        doc = copy.deepcopy(base)
        doc.update(
            entity_id=50 + index,
            increment_id=f"30000000{50 + index}",
            store_id=store,
            state=state,
            status="pending" if state == "new" else state,
            created_at=f"2025-05-0{index + 1} 08:00:00",
        )
        if invoiced is not None:
            doc["total_invoiced"] = invoiced  # Magento leaves it out (null) until there is an invoice
        out.append(doc)
    return out


class Api:
    """The server's state, shared with the handler thread."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.omni = omnitron_orders()
        self.magento = magento_orders()
        self.faults: dict[str, list[Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def fault(self, path: str) -> Any:
        with self.lock:
            for prefix, queue in self.faults.items():
                if path.startswith(prefix) and queue:
                    return queue.pop(0)
        return None


def _page(items: list[Any], query: dict[str, str], url: str, default: int = 20) -> dict[str, Any]:
    limit, offset = int(query.get("limit", default)), int(query.get("offset", 0))
    chunk = items[offset : offset + limit]
    more = offset + limit < len(items)
    nxt = f"{url}?{urlencode({**query, 'offset': offset + limit, 'limit': limit})}" if more else None
    return {"count": len(items), "next": nxt, "previous": None, "results": chunk}


ITEM_FIELDS = {"status", "extra_field", "attributes", "attributes_kwargs", "cancel_status"}  # PATCH /order_items/{pk}/


def _truth(value: str) -> bool | None:
    """A boolean query parameter as Django's filters read it (None: not a boolean, the filter is not applied)."""
    return {"true": True, "1": True, "false": False, "0": False}.get(value.lower())


def _placed(value: str) -> datetime:
    return datetime.fromisoformat(value if "T" in value else f"{value}T00:00:00+00:00")


def _listed(api: Api, query: dict[str, str]) -> list[dict[str, Any]]:
    """``GET /api/i1/orders/`` filters: ``is_send``, ``status`` (one code), ``channel``, ``number``,
    ``date_placed__gte``, ``cancel_status``. Any other parameter is ignored, as a Django filter set does."""
    rows = list(api.omni.values())
    if "is_send" in query and _truth(query["is_send"]) is not None:
        rows = [o for o in rows if o["is_send"] is _truth(query["is_send"])]
    if "status" in query:
        rows = [o for o in rows if o["status"] == query["status"]]
    if "channel" in query:
        rows = [o for o in rows if str(o["channel"]["pk"]) in query["channel"].split(",")]
    if "number" in query:
        rows = [o for o in rows if o["number"] == query["number"]]
    if "date_placed__gte" in query:
        rows = [o for o in rows if _placed(o["date_placed"]) >= _placed(query["date_placed__gte"])]
    if "cancel_status" in query:
        rows = [o for o in rows if any(i.get("cancel_status") == query["cancel_status"] for i in o["order_items"])]
    return rows


def _item(api: Api, pk: int) -> dict[str, Any] | None:
    return next((i for o in api.omni.values() for i in o["order_items"] if i["pk"] == pk), None)


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """An item row as ``/order_items/`` lists it: its product as a pk, not the nested product."""
    return {**item, "product": PRODUCT_IDS.get(item["product"]["sku"], 0)}


def omnitron(api: Api, method: str, path: str, query: dict[str, str], body: Any, base: str) -> tuple[int, Any]:
    parts = [p for p in path.split("/") if p]
    prefixed = parts[:2] in (["api", "v1"], ["api", "i1"])  # the docs print both prefixes (the list: /api/i1/ only)
    if method == "GET" and path == "/api/i1/orders/":
        summary = [
            {k: o[k] for k in ("pk", "number", "status", "is_send", "date_placed")} | {"channel": o["channel"]["pk"]}
            for o in _listed(api, query)
        ]
        return 200, _page(summary, query, base + path)
    if method == "GET" and prefixed and parts[2:3] == ["orders_integration"] and parts[4:] == ["detailed_integration"]:
        doc = api.omni.get(int(parts[3]))
        return (200, {k: v for k, v in doc.items() if k not in ("order_items", "discount_items")}) if doc else (404, {})
    if method == "GET" and prefixed and parts[2:] == ["order_items"]:  # the items of one order: ?order_id=
        doc = api.omni.get(int(query.get("order_id") or 0))
        return 200, _page([_plain(i) for i in doc["order_items"]] if doc else [], query, base + path, default=2)
    if method == "GET" and prefixed and parts[2:3] == ["order_items"] and len(parts) == 4:  # one item, in detail
        item = _item(api, int(parts[3]))
        return (200, item) if item else (404, {"detail": "Not found."})
    if method == "GET" and parts[2:3] in (["order_item"], ["discount_items"]):
        doc = api.omni.get(int(query.get("order", 0)))
        key = "order_items" if parts[2] == "order_item" else "discount_items"
        return 200, _page(doc[key] if doc else [], query, base + path, default=2)
    if method == "PATCH" and prefixed and parts[2:3] == ["orders"]:
        doc = api.omni.get(int(parts[3]))
        if doc is None or set(body or {}) != {"is_send"}:
            return 400, {"detail": "only is_send may be patched; other changes go through /order_items/"}
        doc["is_send"] = bool(body["is_send"])
        return 200, {k: v for k, v in doc.items() if k not in ("order_items", "discount_items")}
    if method == "PATCH" and prefixed and parts[2:3] == ["order_items"]:
        item = _item(api, int(parts[3]))
        unknown = set(body or {}) - ITEM_FIELDS
        if item is None or not body or unknown:
            return 400, {"non_field_errors": [f"cannot update {sorted(unknown) or 'nothing'}"]}
        for key, value in body.items():  # extra_field: keys not in the body are kept
            item[key] = {**(item.get(key) or {}), **value} if key == "extra_field" else value
        return 200, item
    return 404, {"detail": "not found"}


def _matches(row: dict[str, Any], field: str, value: str, condition: str) -> bool:
    """One searchCriteria filter, as Magento's SQL would apply it (a null field matches no comparison)."""
    have = row.get(field)
    if condition == "null":
        return have is None
    if condition == "notnull":
        return have is not None
    if have is None:
        return False
    if condition in ("gt", "gteq", "lt", "lteq") and isinstance(have, (int, float)):
        a, b = float(have), float(value)
    else:
        a, b = str(have), value  # type: ignore[assignment]
    if condition == "gt":
        return a > b
    if condition in ("gteq", "moreq"):
        return a >= b
    if condition == "lt":
        return a < b
    if condition == "lteq":
        return a <= b
    if condition == "neq":
        return str(have) != value
    if condition == "in":
        return str(have) in value.split(",")
    if condition == "nin":
        return str(have) not in value.split(",")
    return str(have) == value  # eq, the default


def magento(api: Api, query: dict[str, str]) -> tuple[int, Any]:
    """``GET /V1/orders``: filter groups are ANDed, the filters of one group ORed."""
    rows = api.magento
    group = 0
    while f"searchCriteria[filter_groups][{group}][filters][0][field]" in query:
        tests, n = [], 0
        while f"searchCriteria[filter_groups][{group}][filters][{n}][field]" in query:
            prefix = f"searchCriteria[filter_groups][{group}][filters][{n}]"
            condition = query.get(f"{prefix}[condition_type]", "eq")
            tests.append((query[f"{prefix}[field]"], query.get(f"{prefix}[value]", ""), condition))
            n += 1
        rows = [r for r in rows if any(_matches(r, f, v, c) for f, v, c in tests)]
        group += 1
    size, page = int(query["searchCriteria[pageSize]"]), int(query["searchCriteria[currentPage]"])
    return 200, {
        "items": rows[(page - 1) * size : page * size],
        "total_count": len(rows),
        "search_criteria": {"page_size": size, "current_page": page},
    }


BASIC = "Basic Zms6cHc="  # fk:pw


def legacy(api: Api, query: dict[str, str], base: str) -> tuple[int, Any, dict[str, str]]:
    """A plain list endpoint: offset/limit, basic auth, the next page in a Link header."""
    rows = [
        {
            "ref": f"LS-{300 + i}",
            "placed": f"2025-08-0{i + 1}T09:00:00Z",
            "shop": "outlet",
            "buyer": {"mail": f"buyer{i}@example.com"},
            "rows": [{"code": "CARD-A6", "qty": 10 * (i + 1)}],
        }
        for i in range(5)
    ]
    offset, limit = int(query.get("offset", 0)), int(query.get("limit", 2))
    headers = {}
    if offset + limit < len(rows):
        headers["Link"] = f'<{base}/legacy/orders?offset={offset + limit}&limit={limit}>; rel="next"'
    return 200, rows[offset : offset + limit], headers


def handler_for(api: Api) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def handle_any(self, method: str) -> None:
            split = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(split.query).items()}
            api.requests.append((method, self.path))
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            fault = api.fault(split.path)
            if fault == "slow":
                time.sleep(0.6)
            if fault == "malformed":
                return self.send(200, b'{"results": [ {"pk": 1,')
            if isinstance(fault, int):
                return self.send(fault, b'{"detail": "injected"}')
            if isinstance(fault, tuple) and fault[0] == "redirect":
                return self.send(302, b"", {"Location": fault[1]})
            auth = self.headers.get("Authorization", "")
            if split.path.startswith("/legacy/"):
                if auth != BASIC:
                    return self.send(401, b"{}")
                status, data, headers = legacy(api, query, f"http://{self.headers['Host']}")
                return self.send(status, json.dumps(data).encode(), headers)
            if split.path.startswith("/rest/"):
                if auth != f"Bearer {MAGENTO_TOKEN}":
                    return self.send(401, b'{"message": "unauthorized"}')
                status, data = magento(api, query)
            else:
                if auth != f"Token {OMNI_TOKEN}":
                    return self.send(401, b'{"detail": "Invalid token."}')
                base = f"http://{self.headers['Host']}"
                status, data = omnitron(api, method, split.path, query, body, base)
            self.send(status, json.dumps(data).encode())

        def send(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
            try:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                pass

        def do_GET(self) -> None:
            self.handle_any("GET")

        def do_PATCH(self) -> None:
            self.handle_any("PATCH")

    return Handler


def serve() -> Iterator[tuple[str, Api]]:
    api = Api()
    server = QuietHTTPServer(("127.0.0.1", 0), handler_for(api))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", api
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
