"""A real HTTP server on 127.0.0.1 serving an Omnitron-like and a Magento-like order API from fixtures.

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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

MAPPINGS = Path(__file__).parent / "data" / "query_orders" / "mappings"
OMNI_TOKEN = "omni-test-token"
MAGENTO_TOKEN = "magento-test-token"


def omnitron_orders() -> dict[int, dict[str, Any]]:
    """Five orders over channels 3 and 4; one already sent, one cancelled (status 100)."""
    base = json.loads((MAPPINGS / "omnitron-basic.in.json").read_text(encoding="utf-8"))
    orders = {}
    for index, (channel, status, sent) in enumerate(
        [(3, "400", False), (4, "400", False), (3, "400", True), (3, "400", False), (4, "100", False), (3, "400", False)]
    ):
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
        orders[pk] = doc
    return orders


def magento_orders() -> list[dict[str, Any]]:
    base = json.loads((MAPPINGS / "magento2-basic.in.json").read_text(encoding="utf-8"))
    out = []
    for index, store in enumerate([1, 2, 1]):
        doc = copy.deepcopy(base)
        doc.update(
            entity_id=50 + index,
            increment_id=f"30000000{50 + index}",
            store_id=store,
            created_at=f"2025-05-0{index + 1} 08:00:00",
        )
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


def omnitron(api: Api, method: str, path: str, query: dict[str, str], body: Any, base: str) -> tuple[int, Any]:
    parts = [p for p in path.split("/") if p]
    if method == "GET" and path == "/api/i1/orders/":
        rows = [
            o
            for o in api.omni.values()
            if ("is_send" not in query or str(o["is_send"]) == query["is_send"])
            and ("status" not in query or o["status"] == query["status"])
            and ("channel" not in query or str(o["channel"]["pk"]) in query["channel"].split(","))
            and ("number" not in query or o["number"] == query["number"])
        ]
        summary = [
            {k: o[k] for k in ("pk", "number", "status", "is_send", "date_placed")} | {"channel": o["channel"]["pk"]}
            for o in rows
        ]
        return 200, _page(summary, query, base + path)
    if method == "GET" and parts[2:3] == ["orders_integration"]:
        doc = api.omni.get(int(parts[3]))
        return (200, {k: v for k, v in doc.items() if k not in ("order_items", "discount_items")}) if doc else (404, {})
    if method == "GET" and parts[2:3] in (["order_item"], ["discount_items"]):
        doc = api.omni.get(int(query.get("order", 0)))
        key = "order_items" if parts[2] == "order_item" else "discount_items"
        return 200, _page(doc[key] if doc else [], query, base + path, default=2)
    if method == "PATCH" and parts[2:3] == ["orders"]:
        doc = api.omni.get(int(parts[3]))
        if doc is None or set(body or {}) != {"is_send"}:
            return 400, {"detail": "only is_send may be patched"}
        doc["is_send"] = bool(body["is_send"])
        return 200, {"pk": doc["pk"], "is_send": doc["is_send"]}
    return 404, {"detail": "not found"}


def magento(api: Api, query: dict[str, str]) -> tuple[int, Any]:
    rows = api.magento
    group = 0
    while f"searchCriteria[filter_groups][{group}][filters][0][field]" in query:
        prefix = f"searchCriteria[filter_groups][{group}][filters][0]"
        field, value = query[f"{prefix}[field]"], query[f"{prefix}[value]"]
        condition = query.get(f"{prefix}[condition_type]", "eq")
        if condition == "gteq":
            rows = [r for r in rows if str(r[field]) >= value]
        else:
            rows = [r for r in rows if str(r[field]) in value.split(",")]
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
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(api))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", api
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
