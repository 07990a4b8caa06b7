"""Built-in settings for known order APIs; a source's own keys override its preset's.

``omnitron``: Akinon Omnitron, Integrator order flow: orders not yet sent
(``is_send=False``; the list has no "not cancelled" filter, so cancelled and
cancellation-waiting orders are read and query-orders keeps them out: see
docs/architecture.md), detail + items (``/order_items/?order_id=`` and each
item's detail) + discount items merged, PATCH ``is_send`` once exported, and
the ERP's ids written to the items when ``mark_sent.items.body`` asks for them.
``magento2``: Magento 2 REST ``/V1/orders`` with ``searchCriteria`` paging,
open invoiced orders only (``invoiced_only``) unless told otherwise.
"""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    "omnitron": {
        "auth": "token",
        "prefix": "/api/v1",
        "list_path": "/api/i1/orders/",
        "list_params": {},
        "unsent_params": {"is_send": "False"},
        "filter_params": {"channel": "channel", "number": "number", "since": "date_placed__gte"},
        "items_field": "results",
        "pagination": "next",
        "next_field": "next",
        "size_param": "limit",
        "page_size": 50,
        "id_field": "pk",
        "detail_path": "{prefix}/orders_integration/{pk}/detailed_integration/",
        "subresources": [
            {
                "name": "order_items",
                "path": "{prefix}/order_items/",
                "params": {"order_id": "{pk}"},
                "items_field": "results",
                "detail_path": "{prefix}/order_items/{pk}/",  # placeholders from the item row: its pk
            },
            {
                "name": "discount_items",
                "path": "{prefix}/discount_items/detailed_integration/",
                "params": {"order": "{pk}"},
                "items_field": "results",
            },
        ],
        "mapping": "omnitron",
        "mark_sent": {
            "method": "PATCH",
            "path": "{prefix}/orders/{refs[akinon.pk]}/",
            "body": {"is_send": True},  # the only order field Omnitron lets you PATCH
            # other fields go to the items; no call unless the source gives ``mark_sent.items.body``
            "items": {"method": "PATCH", "path": "{prefix}/order_items/{item}/", "each": "akinon.item_pks"},
        },
    },
    "magento2": {
        "auth": "bearer",
        "list_path": "/rest/V1/orders",
        "query_style": "magento",
        "filter_params": {"number": "increment_id", "since": "created_at", "channel": "store_id"},
        "items_field": "items",
        "pagination": "page",
        "page_param": "searchCriteria[currentPage]",
        "size_param": "searchCriteria[pageSize]",
        "page_size": 50,
        "first_page": 1,
        "total_field": "total_count",
        "id_field": "entity_id",
        "mapping": "magento2",
        "invoiced_only": True,  # the extension exports "only open invoiced orders"
    },
}

DEFAULTS: dict[str, Any] = {
    "auth": "none",
    "list_params": {},
    "unsent_params": {},
    "filter_params": {},
    "items_field": "",
    "pagination": "none",
    "page_param": "page",
    "size_param": "limit",
    "offset_param": "offset",
    "page_size": 50,
    "first_page": 1,
    "next_field": "next",
    "total_field": "",
    "id_field": "id",
    "detail_path": "",
    "subresources": [],
    "mapping": "auto",
    "mark_sent": None,
    "prefix": "",
    "rate_limit": 0,
    "retries": 3,
    "backoff": 0.5,
    "timeout": 30,
    "verify": True,
    "query_style": "params",
    "headers": {},
    "invoiced_only": False,
}


def effective(spec: dict[str, Any]) -> dict[str, Any]:
    """Defaults < preset < the source's own keys."""
    preset = PRESETS.get(str(spec.get("preset", "")), {}) if spec.get("preset") else {}
    out = {**DEFAULTS, **preset, **spec}
    if isinstance(spec.get("mark_sent"), dict):  # the source's mark_sent keys over the preset's, not instead
        out["mark_sent"] = merged(preset.get("mark_sent"), spec["mark_sent"])
    return out


def merged(preset: dict[str, Any] | None, own: dict[str, Any] | None) -> dict[str, Any] | None:
    """The source's ``mark_sent`` over the preset's, table by table (its ``items`` too)."""
    if not preset or not own:
        return own or preset
    out = {**preset, **own}
    if isinstance(preset.get("items"), dict) and isinstance(own.get("items"), dict):
        out["items"] = {**preset["items"], **own["items"]}
    for mine, theirs in (("body", "json"), ("json", "body")):  # either spelling of the source's body wins
        if mine in own and theirs not in own:
            out.pop(theirs, None)
    return out
