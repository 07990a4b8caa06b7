"""A real HTTP server on 127.0.0.1 shaped like Magento 2's product API, ``GET /rest/V1/products``
(and, for a whole shop, its orders: ``GET /rest/V1/orders`` as tests/query_orders_api.py serves them).

It answers as Magento does: bearer auth, ``searchCriteria`` filter groups
applied server-side (groups ANDed, the filters of a group ORed, conditions
``eq``, ``in``, ``like``, …, as tests/query_orders_api.py applies them to orders),
``searchCriteria[pageSize]``/``[currentPage]`` paging with ``total_count``,
and product documents with ``custom_attributes`` and a media gallery. The
catalogue is in ``Api.products`` (by SKU), so a test changes a product's
weight as an admin would, and sees what query-products makes of it. Faults
are a queue of status codes answered before the normal response.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import query_orders_api
from query_orders_api import MAGENTO_TOKEN, _matches
from servers.quiet import QuietHTTPServer

TOKEN = MAGENTO_TOKEN  # one shop: its orders (tests/query_orders_api.py's) and its products


def catalogue() -> dict[str, dict[str, Any]]:
    """Seven simple print products, a configurable one over two of them, a virtual one (artwork check)."""
    rows = [
        ("FLY-A5-350", "A5 flyers, 350gsm silk, 250", 2.9, 24.0),
        ("FLY-A5-170", "A5 flyers, 170gsm gloss, 250", 1.5, 18.5),
        ("FLY-A6-350", "A6 flyers, 350gsm silk, 500", 2.8, 21.0),
        ("BC-85x55-400", "Business cards, 400gsm matt, 500", 1.15, 32.0),
        ("POS-A2-GLOSS", "A2 poster, 200gsm gloss", 0.35, 9.5),
        ("POS-A1-GLOSS", "A1 poster, 200gsm gloss", 0.6, 14.0),
        ("NB-A5-DOT", "A5 notebook, dotted, 96 pages", 0.31, 7.9),
    ]
    products = {}
    for n, (sku, name, weight, price) in enumerate(rows):
        products[sku] = product(400 + n, sku, name, "simple", weight, price)
    parent = product(390, "FLY-A5", "A5 flyers", "configurable", None, 18.5)
    parent["extension_attributes"]["configurable_product_links"] = [400, 401]
    parent["extension_attributes"]["configurable_product_options"] = [{"id": 7, "attribute_id": "93", "label": "Paper"}]
    products["FLY-A5"] = parent
    products["ART-CHECK"] = product(450, "ART-CHECK", "Artwork check", "virtual", None, 5.0)
    return products


def product(pk: int, sku: str, name: str, kind: str, weight: float | None, price: float) -> dict[str, Any]:
    """One product as ``/V1/products`` lists it."""
    doc: dict[str, Any] = {
        "id": pk,
        "sku": sku,
        "name": name,
        "attribute_set_id": 4,
        "price": price,
        "status": 1,
        "visibility": 4,
        "type_id": kind,
        "created_at": "2025-03-01 09:00:00",
        "updated_at": "2025-05-01 12:00:00",
        "extension_attributes": {"website_ids": [1], "category_links": [{"position": 0, "category_id": "12"}]},
        "product_links": [],
        "options": [],
        "media_gallery_entries": [
            {
                "id": pk * 10,
                "media_type": "image",
                "label": name,
                "position": 1,
                "disabled": False,
                "types": ["image", "small_image", "thumbnail"],
                "file": f"/{sku[0].lower()}/{sku[1].lower()}/{sku.lower()}.jpg",
            }
        ],
        "tier_prices": [],
        "custom_attributes": [
            {"attribute_code": "description", "value": f"{name}, printed to order."},
            {"attribute_code": "tax_class_id", "value": "2"},
            {"attribute_code": "ean", "value": f"50600001{pk:05d}"},
        ],
    }
    if weight is not None:
        doc["weight"] = weight
    return doc


class Api:
    """The server's state, shared with the handler thread."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.products = catalogue()
        self.shop = query_orders_api.Api()  # GET /rest/V1/orders: the Magento orders of tests/query_orders_api.py
        self.faults: list[int] = []
        self.requests: list[str] = []
        self.lock = threading.Lock()

    def fault(self) -> int | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None


def listing(api: Api, query: dict[str, str]) -> dict[str, Any]:
    """``GET /V1/products``: filter groups ANDed, the filters of one group ORed; then the page asked for."""
    rows = list(api.products.values())
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
    size = int(query.get("searchCriteria[pageSize]", 20))
    page = int(query.get("searchCriteria[currentPage]", 1))
    return {
        "items": rows[(page - 1) * size : page * size],
        "search_criteria": {"page_size": size, "current_page": page},
        "total_count": len(rows),
    }


def handler_for(api: Api) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            split = urlsplit(self.path)
            api.requests.append(self.path)
            fault = api.fault()
            if fault is not None:
                return self.send(fault, {"message": "injected"})
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self.send(401, {"message": "The consumer isn't authorized to access %resources."})
            query = {k: v[0] for k, v in parse_qs(split.query).items()}
            if split.path == "/rest/V1/orders":
                return self.send(*query_orders_api.magento(api.shop, query))
            if split.path != "/rest/V1/products":
                return self.send(404, {"message": "Request does not match any route."})
            self.send(200, listing(api, query))

        def send(self, status: int, data: Any) -> None:
            body = json.dumps(data).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

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
