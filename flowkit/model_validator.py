"""The compiled validator of the canonical order schema (flowkit.order/1); generated, do not edit.

Written by ``python -m flowkit.model`` from flowkit/schemas/order.schema.json.
"""

# ruff: noqa
# fmt: off
from __future__ import annotations

import re
from operator import itemgetter
from typing import Any

from flowkit.validation_fast import Matches, date_time_ok, in_enum, opened, short, type_name

SCHEMA_DIGEST = "6a83e83ec356cbc2685a291fffda5227"
CLOSED_DEPTH = 5
"""How deep a value the fast path passed may nest when it left OPEN empty (None: no bound)."""
OPEN: set[int] = set()
"""Marked when the fast path meets members beyond an object's properties, or does not vouch for the value."""
_M = object()
K1 = "expected object, got "
K3 = " is not one of: flowkit.order/1"
K4 = ("flowkit.order/1",)
K6 = frozenset((str, type(None)))
K7 = "expected string or null, got "
K9 = "expected string, got "
K13: frozenset[Any] = frozenset()
K15 = "expected object or null, got "
K26 = " is not one of: draft, pending, payment_pending, on_hold, approved, in_production, printed, partially_shipped, shipped, delivered, cancelled, failed, null"
K27 = (
    "draft",
    "pending",
    "payment_pending",
    "on_hold",
    "approved",
    "in_production",
    "printed",
    "partially_shipped",
    "shipped",
    "delivered",
    "cancelled",
    "failed",
    None,
)
K31 = "expected boolean, got "
K34 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K35 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K37 = "expected array, got "
K44 = re.compile("^[A-Z]{3}$").search
K45 = " is not valid (pattern ^[A-Z]{3}$)"
K55 = frozenset((bool, type(None)))
K56 = "expected boolean or null, got "
K71 = re.compile("^[A-Z]{2}$").search
K72 = " is not valid (pattern ^[A-Z]{2}$)"
K88 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K89 = ' is not valid (decimal string, e.g. "12.50")'
K109 = frozenset((int, type(None)))
K110 = "expected integer or null, got "
K119 = "expected integer, got "
K226 = frozenset(("flowkit.order/1",))
K227 = frozenset((str,))
K228 = frozenset(("id", "name", "type"))
K229 = frozenset(("channel", "store", "system"))
K230 = frozenset(("id", "name"))
K231 = frozenset(
    (
        "approved",
        "cancelled",
        "delivered",
        "draft",
        "failed",
        "in_production",
        "on_hold",
        "partially_shipped",
        "payment_pending",
        "pending",
        "printed",
        "shipped",
    )
)
K232 = Matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$", True)
K233 = frozenset(("on_hold", "reason", "until"))
K234 = Matches("^[A-Z]{3}$", False)
K235 = frozenset(("company", "email", "first_name", "group", "id", "is_guest", "last_name", "phone"))
K236 = Matches("^[A-Z]{2}$", False)
K237 = frozenset(
    (
        "city",
        "company",
        "country_code",
        "district",
        "email",
        "first_name",
        "identity_number",
        "last_name",
        "lines",
        "phone",
        "postal_code",
        "region",
        "region_code",
        "tax_id",
        "tax_office",
    )
)
K238 = itemgetter("first_name", "last_name", "company", "lines", "city", "region", "region_code", "district", "postal_code", "country_code", "email", "phone", "tax_id", "tax_office", "identity_number")
K239 = frozenset(("carrier", "deliver_by", "dispatch_by", "instructions", "method_code", "method_name"))
K240 = Matches("^-?[0-9]+(\\.[0-9]+)?$", False)
K241 = frozenset(("discount", "grand_total", "prices_include_tax", "shipping", "subtotal", "tax"))
K242 = frozenset(("amount", "code", "line_ids", "name"))
K243 = frozenset(("name", "value"))
K244 = itemgetter("name", "value")
K245 = frozenset(("height_mm", "pages", "width_mm"))
K246 = frozenset(("area", "content_type", "hash", "role", "url"))
K247 = itemgetter("role", "area", "url", "content_type", "hash")
K248 = frozenset(("type", "url"))
K249 = itemgetter("type", "url")
K250 = frozenset(("actor_id", "at", "info", "status", "status_id"))
K251 = itemgetter("at", "status", "status_id", "actor_id", "info")
K252 = frozenset(
    (
        "approval_history",
        "assets",
        "attribute_summary",
        "attributes",
        "delivery_type",
        "description",
        "discount_amount",
        "documents",
        "external_refs",
        "extra_data",
        "history",
        "id",
        "line_number",
        "name",
        "print",
        "product_ref",
        "quantity",
        "quantity_shipped",
        "row_total",
        "row_total_incl_tax",
        "sku",
        "source_status",
        "status",
        "supplier",
        "tax_amount",
        "tax_rate",
        "unit_price",
        "unit_price_incl_tax",
    )
)
K253 = itemgetter("id", "line_number", "external_refs", "sku", "product_ref", "name", "description", "quantity", "quantity_shipped", "status", "source_status", "unit_price", "unit_price_incl_tax", "tax_rate", "tax_amount", "discount_amount", "row_total", "row_total_incl_tax", "attributes", "attribute_summary", "delivery_type", "print", "assets", "documents", "extra_data", "history", "approval_history", "supplier")
K254 = frozenset(
    (
        "amount",
        "authorization_expires_at",
        "authorization_request_id",
        "capture_request_id",
        "capture_transaction_id",
        "currency",
        "method",
        "platform_transaction_id",
        "purchase_order_number",
        "status",
        "transacted_at",
        "transaction_id",
    )
)
K255 = itemgetter("method", "transaction_id", "capture_transaction_id", "authorization_request_id", "capture_request_id", "platform_transaction_id", "purchase_order_number", "currency", "amount", "authorization_expires_at", "transacted_at", "status")
K256 = frozenset(("code", "url"))
K257 = frozenset(("line_id", "quantity"))
K258 = frozenset(("carrier", "documents", "id", "lines", "method_code", "service", "shipped_at", "status", "tracking"))
K259 = itemgetter("id", "status", "carrier", "service", "method_code", "shipped_at", "tracking", "lines", "documents")
K260 = frozenset(("customer", "internal"))
K261 = frozenset(("exported", "exported_at"))
K262 = frozenset(
    (
        "approval_history",
        "billing_address",
        "created_at",
        "currency",
        "customer",
        "discounts",
        "documents",
        "external_refs",
        "extra_data",
        "history",
        "hold",
        "id",
        "lines",
        "notes",
        "number",
        "payments",
        "placed_at",
        "po_number",
        "schema",
        "shipments",
        "shipping",
        "shipping_address",
        "source",
        "source_status",
        "status",
        "supplier",
        "sync",
        "tags",
        "totals",
        "updated_at",
    )
)
K263 = itemgetter("schema", "id", "number", "external_refs", "source", "supplier", "status", "source_status", "hold", "tags", "placed_at", "created_at", "updated_at", "currency", "po_number", "customer", "billing_address", "shipping_address", "shipping", "totals", "discounts", "lines", "payments", "history", "approval_history", "shipments", "documents", "notes", "extra_data", "sync")


def d__root(v: Any, p: Any, out: list[Any]) -> None:
    if f__root(v):
        return  # valid: no problem to name
    OPEN.add(1)  # what the full walk passes, the fast path did not vouch for (``CLOSED_DEPTH``)
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        if "schema" not in v:
            out.append(((p, "schema"), "required member missing"))
        if "number" not in v:
            out.append(((p, "number"), "required member missing"))
        if "lines" not in v:
            out.append(((p, "lines"), "required member missing"))
        v2 = v.get("schema", _M)
        if v2 is not _M:
            if not in_enum(v2, K4):
                out.append(((p, "schema"), short(v2) + K3))
        v5 = v.get("id", _M)
        if v5 is not _M:
            if type(v5) not in K6:
                out.append(((p, "id"), K7 + type_name(v5)))
        v8 = v.get("number", _M)
        if v8 is not _M:
            if type(v8) is not str:
                out.append(((p, "number"), K9 + type_name(v8)))
            elif True:
                if type(v8) is str and len(v8) < 1:
                    out.append(((p, "number"), "shorter than 1 character(s)"))
        v10 = v.get("external_refs", _M)
        if v10 is not _M:
            if type(v10) is not dict:
                out.append(((p, "external_refs"), K1 + type_name(v10)))
            elif True:
                for v11, v12 in v10.items():
                    if v11 not in K13:
                        if type(v12) is not str:
                            out.append((((p, "external_refs"), v11), K9 + type_name(v12)))
        v14 = v.get("source", _M)
        if v14 is not _M:
            if v14 is not None:
                if type(v14) is not dict:
                    out.append(((p, "source"), K15 + type_name(v14)))
                elif True:
                    v16 = v14.get("system", _M)
                    if v16 is not _M:
                        if type(v16) not in K6:
                            out.append((((p, "source"), "system"), K7 + type_name(v16)))
                    v17 = v14.get("channel", _M)
                    if v17 is not _M:
                        if v17 is not None:
                            if type(v17) is not dict:
                                out.append((((p, "source"), "channel"), K15 + type_name(v17)))
                            elif True:
                                v18 = v17.get("id", _M)
                                if v18 is not _M:
                                    if type(v18) not in K6:
                                        out.append(((((p, "source"), "channel"), "id"), K7 + type_name(v18)))
                                v19 = v17.get("name", _M)
                                if v19 is not _M:
                                    if type(v19) not in K6:
                                        out.append(((((p, "source"), "channel"), "name"), K7 + type_name(v19)))
                                v20 = v17.get("type", _M)
                                if v20 is not _M:
                                    if type(v20) not in K6:
                                        out.append(((((p, "source"), "channel"), "type"), K7 + type_name(v20)))
                    v21 = v14.get("store", _M)
                    if v21 is not _M:
                        if type(v21) not in K6:
                            out.append((((p, "source"), "store"), K7 + type_name(v21)))
        v22 = v.get("supplier", _M)
        if v22 is not _M:
            if v22 is not None:
                if type(v22) is not dict:
                    out.append(((p, "supplier"), K15 + type_name(v22)))
                elif True:
                    v23 = v22.get("id", _M)
                    if v23 is not _M:
                        if type(v23) not in K6:
                            out.append((((p, "supplier"), "id"), K7 + type_name(v23)))
                    v24 = v22.get("name", _M)
                    if v24 is not _M:
                        if type(v24) not in K6:
                            out.append((((p, "supplier"), "name"), K7 + type_name(v24)))
        v25 = v.get("status", _M)
        if v25 is not _M:
            if not in_enum(v25, K27):
                out.append(((p, "status"), short(v25) + K26))
        v28 = v.get("source_status", _M)
        if v28 is not _M:
            if type(v28) not in K6:
                out.append(((p, "source_status"), K7 + type_name(v28)))
        v29 = v.get("hold", _M)
        if v29 is not _M:
            if v29 is not None:
                if type(v29) is not dict:
                    out.append(((p, "hold"), K15 + type_name(v29)))
                elif True:
                    if "on_hold" not in v29:
                        out.append((((p, "hold"), "on_hold"), "required member missing"))
                    v30 = v29.get("on_hold", _M)
                    if v30 is not _M:
                        if type(v30) is not bool:
                            out.append((((p, "hold"), "on_hold"), K31 + type_name(v30)))
                    v32 = v29.get("reason", _M)
                    if v32 is not _M:
                        if type(v32) not in K6:
                            out.append((((p, "hold"), "reason"), K7 + type_name(v32)))
                    v33 = v29.get("until", _M)
                    if v33 is not _M:
                        if v33 is not None:
                            if type(v33) is not str:
                                out.append((((p, "hold"), "until"), K7 + type_name(v33)))
                            elif True:
                                if type(v33) is str and (not K34(v33) or not date_time_ok(v33)):
                                    out.append((((p, "hold"), "until"), short(v33) + K35))
        v36 = v.get("tags", _M)
        if v36 is not _M:
            if type(v36) is not list:
                out.append(((p, "tags"), K37 + type_name(v36)))
            elif True:
                for v38, v39 in enumerate(v36):
                    if type(v39) is not str:
                        out.append((((p, "tags"), v38), K9 + type_name(v39)))
        v40 = v.get("placed_at", _M)
        if v40 is not _M:
            if v40 is not None:
                if type(v40) is not str:
                    out.append(((p, "placed_at"), K7 + type_name(v40)))
                elif True:
                    if type(v40) is str and (not K34(v40) or not date_time_ok(v40)):
                        out.append(((p, "placed_at"), short(v40) + K35))
        v41 = v.get("created_at", _M)
        if v41 is not _M:
            if v41 is not None:
                if type(v41) is not str:
                    out.append(((p, "created_at"), K7 + type_name(v41)))
                elif True:
                    if type(v41) is str and (not K34(v41) or not date_time_ok(v41)):
                        out.append(((p, "created_at"), short(v41) + K35))
        v42 = v.get("updated_at", _M)
        if v42 is not _M:
            if v42 is not None:
                if type(v42) is not str:
                    out.append(((p, "updated_at"), K7 + type_name(v42)))
                elif True:
                    if type(v42) is str and (not K34(v42) or not date_time_ok(v42)):
                        out.append(((p, "updated_at"), short(v42) + K35))
        v43 = v.get("currency", _M)
        if v43 is not _M:
            if v43 is not None:
                if type(v43) is not str:
                    out.append(((p, "currency"), K7 + type_name(v43)))
                elif True:
                    if type(v43) is str and (not K44(v43)):
                        out.append(((p, "currency"), short(v43) + K45))
        v46 = v.get("po_number", _M)
        if v46 is not _M:
            if type(v46) not in K6:
                out.append(((p, "po_number"), K7 + type_name(v46)))
        v47 = v.get("customer", _M)
        if v47 is not _M:
            if v47 is not None:
                if type(v47) is not dict:
                    out.append(((p, "customer"), K15 + type_name(v47)))
                elif True:
                    v48 = v47.get("id", _M)
                    if v48 is not _M:
                        if type(v48) not in K6:
                            out.append((((p, "customer"), "id"), K7 + type_name(v48)))
                    v49 = v47.get("email", _M)
                    if v49 is not _M:
                        if type(v49) not in K6:
                            out.append((((p, "customer"), "email"), K7 + type_name(v49)))
                    v50 = v47.get("first_name", _M)
                    if v50 is not _M:
                        if type(v50) not in K6:
                            out.append((((p, "customer"), "first_name"), K7 + type_name(v50)))
                    v51 = v47.get("last_name", _M)
                    if v51 is not _M:
                        if type(v51) not in K6:
                            out.append((((p, "customer"), "last_name"), K7 + type_name(v51)))
                    v52 = v47.get("phone", _M)
                    if v52 is not _M:
                        if type(v52) not in K6:
                            out.append((((p, "customer"), "phone"), K7 + type_name(v52)))
                    v53 = v47.get("company", _M)
                    if v53 is not _M:
                        if type(v53) not in K6:
                            out.append((((p, "customer"), "company"), K7 + type_name(v53)))
                    v54 = v47.get("is_guest", _M)
                    if v54 is not _M:
                        if type(v54) not in K55:
                            out.append((((p, "customer"), "is_guest"), K56 + type_name(v54)))
                    v57 = v47.get("group", _M)
                    if v57 is not _M:
                        if type(v57) not in K6:
                            out.append((((p, "customer"), "group"), K7 + type_name(v57)))
        v58 = v.get("billing_address", _M)
        if v58 is not _M:
            if v58 is not None:
                d_address(v58, (p, "billing_address"), out)
        v78 = v.get("shipping_address", _M)
        if v78 is not _M:
            if v78 is not None:
                d_address(v78, (p, "shipping_address"), out)
        v79 = v.get("shipping", _M)
        if v79 is not _M:
            if v79 is not None:
                if type(v79) is not dict:
                    out.append(((p, "shipping"), K15 + type_name(v79)))
                elif True:
                    v80 = v79.get("method_code", _M)
                    if v80 is not _M:
                        if type(v80) not in K6:
                            out.append((((p, "shipping"), "method_code"), K7 + type_name(v80)))
                    v81 = v79.get("method_name", _M)
                    if v81 is not _M:
                        if type(v81) not in K6:
                            out.append((((p, "shipping"), "method_name"), K7 + type_name(v81)))
                    v82 = v79.get("carrier", _M)
                    if v82 is not _M:
                        if type(v82) not in K6:
                            out.append((((p, "shipping"), "carrier"), K7 + type_name(v82)))
                    v83 = v79.get("instructions", _M)
                    if v83 is not _M:
                        if type(v83) not in K6:
                            out.append((((p, "shipping"), "instructions"), K7 + type_name(v83)))
                    v84 = v79.get("deliver_by", _M)
                    if v84 is not _M:
                        if v84 is not None:
                            if type(v84) is not str:
                                out.append((((p, "shipping"), "deliver_by"), K7 + type_name(v84)))
                            elif True:
                                if type(v84) is str and (not K34(v84) or not date_time_ok(v84)):
                                    out.append((((p, "shipping"), "deliver_by"), short(v84) + K35))
                    v85 = v79.get("dispatch_by", _M)
                    if v85 is not _M:
                        if v85 is not None:
                            if type(v85) is not str:
                                out.append((((p, "shipping"), "dispatch_by"), K7 + type_name(v85)))
                            elif True:
                                if type(v85) is str and (not K34(v85) or not date_time_ok(v85)):
                                    out.append((((p, "shipping"), "dispatch_by"), short(v85) + K35))
        v86 = v.get("totals", _M)
        if v86 is not _M:
            if v86 is not None:
                if type(v86) is not dict:
                    out.append(((p, "totals"), K15 + type_name(v86)))
                elif True:
                    v87 = v86.get("subtotal", _M)
                    if v87 is not _M:
                        if v87 is not None:
                            if type(v87) is not str:
                                out.append((((p, "totals"), "subtotal"), K7 + type_name(v87)))
                            elif True:
                                if type(v87) is str and (not K88(v87)):
                                    out.append((((p, "totals"), "subtotal"), short(v87) + K89))
                    v90 = v86.get("discount", _M)
                    if v90 is not _M:
                        if v90 is not None:
                            if type(v90) is not str:
                                out.append((((p, "totals"), "discount"), K7 + type_name(v90)))
                            elif True:
                                if type(v90) is str and (not K88(v90)):
                                    out.append((((p, "totals"), "discount"), short(v90) + K89))
                    v91 = v86.get("shipping", _M)
                    if v91 is not _M:
                        if v91 is not None:
                            if type(v91) is not str:
                                out.append((((p, "totals"), "shipping"), K7 + type_name(v91)))
                            elif True:
                                if type(v91) is str and (not K88(v91)):
                                    out.append((((p, "totals"), "shipping"), short(v91) + K89))
                    v92 = v86.get("tax", _M)
                    if v92 is not _M:
                        if v92 is not None:
                            if type(v92) is not str:
                                out.append((((p, "totals"), "tax"), K7 + type_name(v92)))
                            elif True:
                                if type(v92) is str and (not K88(v92)):
                                    out.append((((p, "totals"), "tax"), short(v92) + K89))
                    v93 = v86.get("grand_total", _M)
                    if v93 is not _M:
                        if v93 is not None:
                            if type(v93) is not str:
                                out.append((((p, "totals"), "grand_total"), K7 + type_name(v93)))
                            elif True:
                                if type(v93) is str and (not K88(v93)):
                                    out.append((((p, "totals"), "grand_total"), short(v93) + K89))
                    v94 = v86.get("prices_include_tax", _M)
                    if v94 is not _M:
                        if type(v94) not in K55:
                            out.append((((p, "totals"), "prices_include_tax"), K56 + type_name(v94)))
        v95 = v.get("discounts", _M)
        if v95 is not _M:
            if type(v95) is not list:
                out.append(((p, "discounts"), K37 + type_name(v95)))
            elif True:
                for v96, v97 in enumerate(v95):
                    if type(v97) is not dict:
                        out.append((((p, "discounts"), v96), K1 + type_name(v97)))
                    elif True:
                        v98 = v97.get("code", _M)
                        if v98 is not _M:
                            if type(v98) not in K6:
                                out.append(((((p, "discounts"), v96), "code"), K7 + type_name(v98)))
                        v99 = v97.get("name", _M)
                        if v99 is not _M:
                            if type(v99) not in K6:
                                out.append(((((p, "discounts"), v96), "name"), K7 + type_name(v99)))
                        v100 = v97.get("amount", _M)
                        if v100 is not _M:
                            if v100 is not None:
                                if type(v100) is not str:
                                    out.append(((((p, "discounts"), v96), "amount"), K7 + type_name(v100)))
                                elif True:
                                    if type(v100) is str and (not K88(v100)):
                                        out.append(((((p, "discounts"), v96), "amount"), short(v100) + K89))
                        v101 = v97.get("line_ids", _M)
                        if v101 is not _M:
                            if type(v101) is not list:
                                out.append(((((p, "discounts"), v96), "line_ids"), K37 + type_name(v101)))
                            elif True:
                                for v102, v103 in enumerate(v101):
                                    if type(v103) is not str:
                                        out.append((((((p, "discounts"), v96), "line_ids"), v102), K9 + type_name(v103)))
        v104 = v.get("lines", _M)
        if v104 is not _M:
            if type(v104) is not list:
                out.append(((p, "lines"), K37 + type_name(v104)))
            elif True:
                for v105, v106 in enumerate(v104):
                    d_line(v106, ((p, "lines"), v105), out)
        v169 = v.get("payments", _M)
        if v169 is not _M:
            if type(v169) is not list:
                out.append(((p, "payments"), K37 + type_name(v169)))
            elif True:
                for v170, v171 in enumerate(v169):
                    d_payment(v171, ((p, "payments"), v170), out)
        v184 = v.get("history", _M)
        if v184 is not _M:
            if type(v184) is not list:
                out.append(((p, "history"), K37 + type_name(v184)))
            elif True:
                for v185, v186 in enumerate(v184):
                    d_history_item(v186, ((p, "history"), v185), out)
        v187 = v.get("approval_history", _M)
        if v187 is not _M:
            if type(v187) is not list:
                out.append(((p, "approval_history"), K37 + type_name(v187)))
            elif True:
                for v188, v189 in enumerate(v187):
                    d_history_item(v189, ((p, "approval_history"), v188), out)
        v190 = v.get("shipments", _M)
        if v190 is not _M:
            if type(v190) is not list:
                out.append(((p, "shipments"), K37 + type_name(v190)))
            elif True:
                for v191, v192 in enumerate(v190):
                    d_shipment(v192, ((p, "shipments"), v191), out)
        v212 = v.get("documents", _M)
        if v212 is not _M:
            if type(v212) is not list:
                out.append(((p, "documents"), K37 + type_name(v212)))
            elif True:
                for v213, v214 in enumerate(v212):
                    d_document(v214, ((p, "documents"), v213), out)
        v215 = v.get("notes", _M)
        if v215 is not _M:
            if v215 is not None:
                if type(v215) is not dict:
                    out.append(((p, "notes"), K15 + type_name(v215)))
                elif True:
                    v216 = v215.get("customer", _M)
                    if v216 is not _M:
                        if type(v216) not in K6:
                            out.append((((p, "notes"), "customer"), K7 + type_name(v216)))
                    v217 = v215.get("internal", _M)
                    if v217 is not _M:
                        if type(v217) is not list:
                            out.append((((p, "notes"), "internal"), K37 + type_name(v217)))
                        elif True:
                            for v218, v219 in enumerate(v217):
                                if type(v219) is not str:
                                    out.append(((((p, "notes"), "internal"), v218), K9 + type_name(v219)))
        v220 = v.get("extra_data", _M)
        if v220 is not _M:
            if type(v220) is not dict:
                out.append(((p, "extra_data"), K1 + type_name(v220)))
            elif True:
                for v221, v222 in v220.items():
                    if v221 not in K13:
                        if type(v222) is not str:
                            out.append((((p, "extra_data"), v221), K9 + type_name(v222)))
        v223 = v.get("sync", _M)
        if v223 is not _M:
            if v223 is not None:
                if type(v223) is not dict:
                    out.append(((p, "sync"), K15 + type_name(v223)))
                elif True:
                    v224 = v223.get("exported", _M)
                    if v224 is not _M:
                        if type(v224) is not bool:
                            out.append((((p, "sync"), "exported"), K31 + type_name(v224)))
                    v225 = v223.get("exported_at", _M)
                    if v225 is not _M:
                        if v225 is not None:
                            if type(v225) is not str:
                                out.append((((p, "sync"), "exported_at"), K7 + type_name(v225)))
                            elif True:
                                if type(v225) is str and (not K34(v225) or not date_time_ok(v225)):
                                    out.append((((p, "sync"), "exported_at"), short(v225) + K35))


def d_address(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        v59 = v.get("first_name", _M)
        if v59 is not _M:
            if type(v59) not in K6:
                out.append(((p, "first_name"), K7 + type_name(v59)))
        v60 = v.get("last_name", _M)
        if v60 is not _M:
            if type(v60) not in K6:
                out.append(((p, "last_name"), K7 + type_name(v60)))
        v61 = v.get("company", _M)
        if v61 is not _M:
            if type(v61) not in K6:
                out.append(((p, "company"), K7 + type_name(v61)))
        v62 = v.get("lines", _M)
        if v62 is not _M:
            if type(v62) is not list:
                out.append(((p, "lines"), K37 + type_name(v62)))
            elif True:
                for v63, v64 in enumerate(v62):
                    if type(v64) is not str:
                        out.append((((p, "lines"), v63), K9 + type_name(v64)))
        v65 = v.get("city", _M)
        if v65 is not _M:
            if type(v65) not in K6:
                out.append(((p, "city"), K7 + type_name(v65)))
        v66 = v.get("region", _M)
        if v66 is not _M:
            if type(v66) not in K6:
                out.append(((p, "region"), K7 + type_name(v66)))
        v67 = v.get("region_code", _M)
        if v67 is not _M:
            if type(v67) not in K6:
                out.append(((p, "region_code"), K7 + type_name(v67)))
        v68 = v.get("district", _M)
        if v68 is not _M:
            if type(v68) not in K6:
                out.append(((p, "district"), K7 + type_name(v68)))
        v69 = v.get("postal_code", _M)
        if v69 is not _M:
            if type(v69) not in K6:
                out.append(((p, "postal_code"), K7 + type_name(v69)))
        v70 = v.get("country_code", _M)
        if v70 is not _M:
            if v70 is not None:
                if type(v70) is not str:
                    out.append(((p, "country_code"), K7 + type_name(v70)))
                elif True:
                    if type(v70) is str and (not K71(v70)):
                        out.append(((p, "country_code"), short(v70) + K72))
        v73 = v.get("email", _M)
        if v73 is not _M:
            if type(v73) not in K6:
                out.append(((p, "email"), K7 + type_name(v73)))
        v74 = v.get("phone", _M)
        if v74 is not _M:
            if type(v74) not in K6:
                out.append(((p, "phone"), K7 + type_name(v74)))
        v75 = v.get("tax_id", _M)
        if v75 is not _M:
            if type(v75) not in K6:
                out.append(((p, "tax_id"), K7 + type_name(v75)))
        v76 = v.get("tax_office", _M)
        if v76 is not _M:
            if type(v76) not in K6:
                out.append(((p, "tax_office"), K7 + type_name(v76)))
        v77 = v.get("identity_number", _M)
        if v77 is not _M:
            if type(v77) not in K6:
                out.append(((p, "identity_number"), K7 + type_name(v77)))


def d_line(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        if "id" not in v:
            out.append(((p, "id"), "required member missing"))
        if "sku" not in v:
            out.append(((p, "sku"), "required member missing"))
        if "quantity" not in v:
            out.append(((p, "quantity"), "required member missing"))
        v107 = v.get("id", _M)
        if v107 is not _M:
            if type(v107) is not str:
                out.append(((p, "id"), K9 + type_name(v107)))
        v108 = v.get("line_number", _M)
        if v108 is not _M:
            if type(v108) not in K109:
                out.append(((p, "line_number"), K110 + type_name(v108)))
            elif True and v108 is not None:
                if type(v108) in (int, float) and v108 < 0:
                    out.append(((p, "line_number"), f"{v108} is below the minimum 0"))
        v111 = v.get("external_refs", _M)
        if v111 is not _M:
            if type(v111) is not dict:
                out.append(((p, "external_refs"), K1 + type_name(v111)))
            elif True:
                for v112, v113 in v111.items():
                    if v112 not in K13:
                        if type(v113) is not str:
                            out.append((((p, "external_refs"), v112), K9 + type_name(v113)))
        v114 = v.get("sku", _M)
        if v114 is not _M:
            if type(v114) is not str:
                out.append(((p, "sku"), K9 + type_name(v114)))
        v115 = v.get("product_ref", _M)
        if v115 is not _M:
            if type(v115) not in K6:
                out.append(((p, "product_ref"), K7 + type_name(v115)))
        v116 = v.get("name", _M)
        if v116 is not _M:
            if type(v116) not in K6:
                out.append(((p, "name"), K7 + type_name(v116)))
        v117 = v.get("description", _M)
        if v117 is not _M:
            if type(v117) not in K6:
                out.append(((p, "description"), K7 + type_name(v117)))
        v118 = v.get("quantity", _M)
        if v118 is not _M:
            if type(v118) is not int:
                out.append(((p, "quantity"), K119 + type_name(v118)))
            elif True:
                if type(v118) in (int, float) and v118 < 0:
                    out.append(((p, "quantity"), f"{v118} is below the minimum 0"))
        v120 = v.get("quantity_shipped", _M)
        if v120 is not _M:
            if type(v120) not in K109:
                out.append(((p, "quantity_shipped"), K110 + type_name(v120)))
            elif True and v120 is not None:
                if type(v120) in (int, float) and v120 < 0:
                    out.append(((p, "quantity_shipped"), f"{v120} is below the minimum 0"))
        v121 = v.get("status", _M)
        if v121 is not _M:
            if type(v121) not in K6:
                out.append(((p, "status"), K7 + type_name(v121)))
        v122 = v.get("source_status", _M)
        if v122 is not _M:
            if type(v122) not in K6:
                out.append(((p, "source_status"), K7 + type_name(v122)))
        v123 = v.get("unit_price", _M)
        if v123 is not _M:
            if v123 is not None:
                if type(v123) is not str:
                    out.append(((p, "unit_price"), K7 + type_name(v123)))
                elif True:
                    if type(v123) is str and (not K88(v123)):
                        out.append(((p, "unit_price"), short(v123) + K89))
        v124 = v.get("unit_price_incl_tax", _M)
        if v124 is not _M:
            if v124 is not None:
                if type(v124) is not str:
                    out.append(((p, "unit_price_incl_tax"), K7 + type_name(v124)))
                elif True:
                    if type(v124) is str and (not K88(v124)):
                        out.append(((p, "unit_price_incl_tax"), short(v124) + K89))
        v125 = v.get("tax_rate", _M)
        if v125 is not _M:
            if v125 is not None:
                if type(v125) is not str:
                    out.append(((p, "tax_rate"), K7 + type_name(v125)))
                elif True:
                    if type(v125) is str and (not K88(v125)):
                        out.append(((p, "tax_rate"), short(v125) + K89))
        v126 = v.get("tax_amount", _M)
        if v126 is not _M:
            if v126 is not None:
                if type(v126) is not str:
                    out.append(((p, "tax_amount"), K7 + type_name(v126)))
                elif True:
                    if type(v126) is str and (not K88(v126)):
                        out.append(((p, "tax_amount"), short(v126) + K89))
        v127 = v.get("discount_amount", _M)
        if v127 is not _M:
            if v127 is not None:
                if type(v127) is not str:
                    out.append(((p, "discount_amount"), K7 + type_name(v127)))
                elif True:
                    if type(v127) is str and (not K88(v127)):
                        out.append(((p, "discount_amount"), short(v127) + K89))
        v128 = v.get("row_total", _M)
        if v128 is not _M:
            if v128 is not None:
                if type(v128) is not str:
                    out.append(((p, "row_total"), K7 + type_name(v128)))
                elif True:
                    if type(v128) is str and (not K88(v128)):
                        out.append(((p, "row_total"), short(v128) + K89))
        v129 = v.get("row_total_incl_tax", _M)
        if v129 is not _M:
            if v129 is not None:
                if type(v129) is not str:
                    out.append(((p, "row_total_incl_tax"), K7 + type_name(v129)))
                elif True:
                    if type(v129) is str and (not K88(v129)):
                        out.append(((p, "row_total_incl_tax"), short(v129) + K89))
        v130 = v.get("attributes", _M)
        if v130 is not _M:
            if type(v130) is not list:
                out.append(((p, "attributes"), K37 + type_name(v130)))
            elif True:
                for v131, v132 in enumerate(v130):
                    d_attribute(v132, ((p, "attributes"), v131), out)
        v135 = v.get("attribute_summary", _M)
        if v135 is not _M:
            if type(v135) not in K6:
                out.append(((p, "attribute_summary"), K7 + type_name(v135)))
        v136 = v.get("delivery_type", _M)
        if v136 is not _M:
            if type(v136) not in K6:
                out.append(((p, "delivery_type"), K7 + type_name(v136)))
        v137 = v.get("print", _M)
        if v137 is not _M:
            if v137 is not None:
                if type(v137) is not dict:
                    out.append(((p, "print"), K15 + type_name(v137)))
                elif True:
                    v138 = v137.get("pages", _M)
                    if v138 is not _M:
                        if type(v138) not in K109:
                            out.append((((p, "print"), "pages"), K110 + type_name(v138)))
                        elif True and v138 is not None:
                            if type(v138) in (int, float) and v138 < 0:
                                out.append((((p, "print"), "pages"), f"{v138} is below the minimum 0"))
                    v139 = v137.get("width_mm", _M)
                    if v139 is not _M:
                        if v139 is not None:
                            if type(v139) is not str:
                                out.append((((p, "print"), "width_mm"), K7 + type_name(v139)))
                            elif True:
                                if type(v139) is str and (not K88(v139)):
                                    out.append((((p, "print"), "width_mm"), short(v139) + K89))
                    v140 = v137.get("height_mm", _M)
                    if v140 is not _M:
                        if v140 is not None:
                            if type(v140) is not str:
                                out.append((((p, "print"), "height_mm"), K7 + type_name(v140)))
                            elif True:
                                if type(v140) is str and (not K88(v140)):
                                    out.append((((p, "print"), "height_mm"), short(v140) + K89))
        v141 = v.get("assets", _M)
        if v141 is not _M:
            if type(v141) is not list:
                out.append(((p, "assets"), K37 + type_name(v141)))
            elif True:
                for v142, v143 in enumerate(v141):
                    d_asset(v143, ((p, "assets"), v142), out)
        v149 = v.get("documents", _M)
        if v149 is not _M:
            if type(v149) is not list:
                out.append(((p, "documents"), K37 + type_name(v149)))
            elif True:
                for v150, v151 in enumerate(v149):
                    d_document(v151, ((p, "documents"), v150), out)
        v154 = v.get("extra_data", _M)
        if v154 is not _M:
            if type(v154) is not dict:
                out.append(((p, "extra_data"), K1 + type_name(v154)))
            elif True:
                for v155, v156 in v154.items():
                    if v155 not in K13:
                        if type(v156) is not str:
                            out.append((((p, "extra_data"), v155), K9 + type_name(v156)))
        v157 = v.get("history", _M)
        if v157 is not _M:
            if type(v157) is not list:
                out.append(((p, "history"), K37 + type_name(v157)))
            elif True:
                for v158, v159 in enumerate(v157):
                    d_history_item(v159, ((p, "history"), v158), out)
        v165 = v.get("approval_history", _M)
        if v165 is not _M:
            if type(v165) is not list:
                out.append(((p, "approval_history"), K37 + type_name(v165)))
            elif True:
                for v166, v167 in enumerate(v165):
                    d_history_item(v167, ((p, "approval_history"), v166), out)
        v168 = v.get("supplier", _M)
        if v168 is not _M:
            if type(v168) not in K6:
                out.append(((p, "supplier"), K7 + type_name(v168)))


def d_attribute(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        if "name" not in v:
            out.append(((p, "name"), "required member missing"))
        v133 = v.get("name", _M)
        if v133 is not _M:
            if type(v133) is not str:
                out.append(((p, "name"), K9 + type_name(v133)))
        v134 = v.get("value", _M)
        if v134 is not _M:
            if type(v134) not in K6:
                out.append(((p, "value"), K7 + type_name(v134)))


def d_asset(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        if "role" not in v:
            out.append(((p, "role"), "required member missing"))
        if "url" not in v:
            out.append(((p, "url"), "required member missing"))
        v144 = v.get("role", _M)
        if v144 is not _M:
            if type(v144) is not str:
                out.append(((p, "role"), K9 + type_name(v144)))
        v145 = v.get("area", _M)
        if v145 is not _M:
            if type(v145) not in K6:
                out.append(((p, "area"), K7 + type_name(v145)))
        v146 = v.get("url", _M)
        if v146 is not _M:
            if type(v146) is not str:
                out.append(((p, "url"), K9 + type_name(v146)))
        v147 = v.get("content_type", _M)
        if v147 is not _M:
            if type(v147) not in K6:
                out.append(((p, "content_type"), K7 + type_name(v147)))
        v148 = v.get("hash", _M)
        if v148 is not _M:
            if type(v148) not in K6:
                out.append(((p, "hash"), K7 + type_name(v148)))


def d_document(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        if "type" not in v:
            out.append(((p, "type"), "required member missing"))
        if "url" not in v:
            out.append(((p, "url"), "required member missing"))
        v152 = v.get("type", _M)
        if v152 is not _M:
            if type(v152) is not str:
                out.append(((p, "type"), K9 + type_name(v152)))
        v153 = v.get("url", _M)
        if v153 is not _M:
            if type(v153) is not str:
                out.append(((p, "url"), K9 + type_name(v153)))


def d_history_item(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        if "at" not in v:
            out.append(((p, "at"), "required member missing"))
        if "status" not in v:
            out.append(((p, "status"), "required member missing"))
        v160 = v.get("at", _M)
        if v160 is not _M:
            if type(v160) is not str:
                out.append(((p, "at"), K9 + type_name(v160)))
            elif True:
                if type(v160) is str and (not K34(v160) or not date_time_ok(v160)):
                    out.append(((p, "at"), short(v160) + K35))
        v161 = v.get("status", _M)
        if v161 is not _M:
            if type(v161) is not str:
                out.append(((p, "status"), K9 + type_name(v161)))
        v162 = v.get("status_id", _M)
        if v162 is not _M:
            if type(v162) not in K109:
                out.append(((p, "status_id"), K110 + type_name(v162)))
        v163 = v.get("actor_id", _M)
        if v163 is not _M:
            if type(v163) not in K6:
                out.append(((p, "actor_id"), K7 + type_name(v163)))
        v164 = v.get("info", _M)
        if v164 is not _M:
            if type(v164) not in K6:
                out.append(((p, "info"), K7 + type_name(v164)))


def d_payment(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        v172 = v.get("method", _M)
        if v172 is not _M:
            if type(v172) not in K6:
                out.append(((p, "method"), K7 + type_name(v172)))
        v173 = v.get("transaction_id", _M)
        if v173 is not _M:
            if type(v173) not in K6:
                out.append(((p, "transaction_id"), K7 + type_name(v173)))
        v174 = v.get("capture_transaction_id", _M)
        if v174 is not _M:
            if type(v174) not in K6:
                out.append(((p, "capture_transaction_id"), K7 + type_name(v174)))
        v175 = v.get("authorization_request_id", _M)
        if v175 is not _M:
            if type(v175) not in K6:
                out.append(((p, "authorization_request_id"), K7 + type_name(v175)))
        v176 = v.get("capture_request_id", _M)
        if v176 is not _M:
            if type(v176) not in K6:
                out.append(((p, "capture_request_id"), K7 + type_name(v176)))
        v177 = v.get("platform_transaction_id", _M)
        if v177 is not _M:
            if type(v177) not in K6:
                out.append(((p, "platform_transaction_id"), K7 + type_name(v177)))
        v178 = v.get("purchase_order_number", _M)
        if v178 is not _M:
            if type(v178) not in K6:
                out.append(((p, "purchase_order_number"), K7 + type_name(v178)))
        v179 = v.get("currency", _M)
        if v179 is not _M:
            if v179 is not None:
                if type(v179) is not str:
                    out.append(((p, "currency"), K7 + type_name(v179)))
                elif True:
                    if type(v179) is str and (not K44(v179)):
                        out.append(((p, "currency"), short(v179) + K45))
        v180 = v.get("amount", _M)
        if v180 is not _M:
            if v180 is not None:
                if type(v180) is not str:
                    out.append(((p, "amount"), K7 + type_name(v180)))
                elif True:
                    if type(v180) is str and (not K88(v180)):
                        out.append(((p, "amount"), short(v180) + K89))
        v181 = v.get("authorization_expires_at", _M)
        if v181 is not _M:
            if v181 is not None:
                if type(v181) is not str:
                    out.append(((p, "authorization_expires_at"), K7 + type_name(v181)))
                elif True:
                    if type(v181) is str and (not K34(v181) or not date_time_ok(v181)):
                        out.append(((p, "authorization_expires_at"), short(v181) + K35))
        v182 = v.get("transacted_at", _M)
        if v182 is not _M:
            if v182 is not None:
                if type(v182) is not str:
                    out.append(((p, "transacted_at"), K7 + type_name(v182)))
                elif True:
                    if type(v182) is str and (not K34(v182) or not date_time_ok(v182)):
                        out.append(((p, "transacted_at"), short(v182) + K35))
        v183 = v.get("status", _M)
        if v183 is not _M:
            if type(v183) not in K6:
                out.append(((p, "status"), K7 + type_name(v183)))


def d_shipment(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        v193 = v.get("id", _M)
        if v193 is not _M:
            if type(v193) not in K6:
                out.append(((p, "id"), K7 + type_name(v193)))
        v194 = v.get("status", _M)
        if v194 is not _M:
            if type(v194) not in K6:
                out.append(((p, "status"), K7 + type_name(v194)))
        v195 = v.get("carrier", _M)
        if v195 is not _M:
            if type(v195) not in K6:
                out.append(((p, "carrier"), K7 + type_name(v195)))
        v196 = v.get("service", _M)
        if v196 is not _M:
            if type(v196) not in K6:
                out.append(((p, "service"), K7 + type_name(v196)))
        v197 = v.get("method_code", _M)
        if v197 is not _M:
            if type(v197) not in K6:
                out.append(((p, "method_code"), K7 + type_name(v197)))
        v198 = v.get("shipped_at", _M)
        if v198 is not _M:
            if v198 is not None:
                if type(v198) is not str:
                    out.append(((p, "shipped_at"), K7 + type_name(v198)))
                elif True:
                    if type(v198) is str and (not K34(v198) or not date_time_ok(v198)):
                        out.append(((p, "shipped_at"), short(v198) + K35))
        v199 = v.get("tracking", _M)
        if v199 is not _M:
            if type(v199) is not list:
                out.append(((p, "tracking"), K37 + type_name(v199)))
            elif True:
                for v200, v201 in enumerate(v199):
                    if type(v201) is not dict:
                        out.append((((p, "tracking"), v200), K1 + type_name(v201)))
                    elif True:
                        if "code" not in v201:
                            out.append(((((p, "tracking"), v200), "code"), "required member missing"))
                        v202 = v201.get("code", _M)
                        if v202 is not _M:
                            if type(v202) is not str:
                                out.append(((((p, "tracking"), v200), "code"), K9 + type_name(v202)))
                        v203 = v201.get("url", _M)
                        if v203 is not _M:
                            if type(v203) not in K6:
                                out.append(((((p, "tracking"), v200), "url"), K7 + type_name(v203)))
        v204 = v.get("lines", _M)
        if v204 is not _M:
            if type(v204) is not list:
                out.append(((p, "lines"), K37 + type_name(v204)))
            elif True:
                for v205, v206 in enumerate(v204):
                    if type(v206) is not dict:
                        out.append((((p, "lines"), v205), K1 + type_name(v206)))
                    elif True:
                        if "line_id" not in v206:
                            out.append(((((p, "lines"), v205), "line_id"), "required member missing"))
                        if "quantity" not in v206:
                            out.append(((((p, "lines"), v205), "quantity"), "required member missing"))
                        v207 = v206.get("line_id", _M)
                        if v207 is not _M:
                            if type(v207) is not str:
                                out.append(((((p, "lines"), v205), "line_id"), K9 + type_name(v207)))
                        v208 = v206.get("quantity", _M)
                        if v208 is not _M:
                            if type(v208) is not int:
                                out.append(((((p, "lines"), v205), "quantity"), K119 + type_name(v208)))
                            elif True:
                                if type(v208) in (int, float) and v208 < 0:
                                    out.append(((((p, "lines"), v205), "quantity"), f"{v208} is below the minimum 0"))
        v209 = v.get("documents", _M)
        if v209 is not _M:
            if type(v209) is not list:
                out.append(((p, "documents"), K37 + type_name(v209)))
            elif True:
                for v210, v211 in enumerate(v209):
                    d_document(v211, ((p, "documents"), v210), out)


def f__root(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x272, x273, x274, x275, x276, x283, x286, x287, x288, x292, x293, x294, x295, x296, x297, x298, x307, x308, x309, x316, x323, x329, x330, x331, x332, x333, x334, x335, x338, x339 = K263(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e__root(v)
    if len(v) != 30:
        OPEN.add(1)
    if not (((type(x272) is str and x272 in K226)) and ((x273 is None or type(x273) is str)) and ((type(x274) is str and (len(x274) >= 1))) and ((type(x275) is dict and (not x275 or set(map(type, x275.values())) <= K227))) and (x276 is None or ((type(x276) is dict and ((x277 := x276.get("system", _M)) is _M or ((x277 is None or type(x277) is str))) and ((x278 := x276.get("channel", _M)) is _M or (x278 is None or ((type(x278) is dict and ((x279 := x278.get("id", _M)) is _M or ((x279 is None or type(x279) is str))) and ((x280 := x278.get("name", _M)) is _M or ((x280 is None or type(x280) is str))) and ((x281 := x278.get("type", _M)) is _M or ((x281 is None or type(x281) is str))) and (x278.keys() <= K228 or opened(OPEN)))))) and ((x282 := x276.get("store", _M)) is _M or ((x282 is None or type(x282) is str))) and (x276.keys() <= K229 or opened(OPEN))))) and (x283 is None or ((type(x283) is dict and ((x284 := x283.get("id", _M)) is _M or ((x284 is None or type(x284) is str))) and ((x285 := x283.get("name", _M)) is _M or ((x285 is None or type(x285) is str))) and (x283.keys() <= K230 or opened(OPEN))))) and ((x286 is None or (type(x286) is str and x286 in K231))) and ((x287 is None or type(x287) is str)) and (x288 is None or ((type(x288) is dict and "on_hold" in x288 and ((x289 := x288.get("on_hold", _M)) is _M or ((type(x289) is bool))) and ((x290 := x288.get("reason", _M)) is _M or ((x290 is None or type(x290) is str))) and ((x291 := x288.get("until", _M)) is _M or (x291 is None or ((type(x291) is str and (x291 in K232 or K232.match(x291)))))) and (x288.keys() <= K233 or opened(OPEN))))) and ((type(x292) is list and (not x292 or set(map(type, x292)) <= K227))) and ((x297 is None or type(x297) is str)) and (x298 is None or ((type(x298) is dict and ((x299 := x298.get("id", _M)) is _M or ((x299 is None or type(x299) is str))) and ((x300 := x298.get("email", _M)) is _M or ((x300 is None or type(x300) is str))) and ((x301 := x298.get("first_name", _M)) is _M or ((x301 is None or type(x301) is str))) and ((x302 := x298.get("last_name", _M)) is _M or ((x302 is None or type(x302) is str))) and ((x303 := x298.get("phone", _M)) is _M or ((x303 is None or type(x303) is str))) and ((x304 := x298.get("company", _M)) is _M or ((x304 is None or type(x304) is str))) and ((x305 := x298.get("is_guest", _M)) is _M or ((x305 is None or type(x305) is bool))) and ((x306 := x298.get("group", _M)) is _M or ((x306 is None or type(x306) is str))) and (x298.keys() <= K235 or opened(OPEN))))) and (x307 is None or f_address(x307)) and (x308 is None or f_address(x308)) and (x309 is None or ((type(x309) is dict and ((x310 := x309.get("method_code", _M)) is _M or ((x310 is None or type(x310) is str))) and ((x311 := x309.get("method_name", _M)) is _M or ((x311 is None or type(x311) is str))) and ((x312 := x309.get("carrier", _M)) is _M or ((x312 is None or type(x312) is str))) and ((x313 := x309.get("instructions", _M)) is _M or ((x313 is None or type(x313) is str))) and ((x314 := x309.get("deliver_by", _M)) is _M or (x314 is None or ((type(x314) is str and (x314 in K232 or K232.match(x314)))))) and ((x315 := x309.get("dispatch_by", _M)) is _M or (x315 is None or ((type(x315) is str and (x315 in K232 or K232.match(x315)))))) and (x309.keys() <= K239 or opened(OPEN))))) and (x316 is None or ((type(x316) is dict and ((x317 := x316.get("subtotal", _M)) is _M or (x317 is None or ((type(x317) is str and (x317 in K240 or K240.match(x317)))))) and ((x318 := x316.get("discount", _M)) is _M or (x318 is None or ((type(x318) is str and (x318 in K240 or K240.match(x318)))))) and ((x319 := x316.get("shipping", _M)) is _M or (x319 is None or ((type(x319) is str and (x319 in K240 or K240.match(x319)))))) and ((x320 := x316.get("tax", _M)) is _M or (x320 is None or ((type(x320) is str and (x320 in K240 or K240.match(x320)))))) and ((x321 := x316.get("grand_total", _M)) is _M or (x321 is None or ((type(x321) is str and (x321 in K240 or K240.match(x321)))))) and ((x322 := x316.get("prices_include_tax", _M)) is _M or ((x322 is None or type(x322) is bool))) and (x316.keys() <= K241 or opened(OPEN))))) and ((type(x323) is list and (not x323 or all(((type(x324) is dict and ((x325 := x324.get("code", _M)) is _M or ((x325 is None or type(x325) is str))) and ((x326 := x324.get("name", _M)) is _M or ((x326 is None or type(x326) is str))) and ((x327 := x324.get("amount", _M)) is _M or (x327 is None or ((type(x327) is str and (x327 in K240 or K240.match(x327)))))) and ((x328 := x324.get("line_ids", _M)) is _M or ((type(x328) is list and (not x328 or set(map(type, x328)) <= K227)))) and (x324.keys() <= K242 or opened(OPEN)))) for x324 in x323)))) and ((type(x329) is list and (not x329 or all(map(f_line, x329))))) and type(x330) is list and type(x331) is list and type(x332) is list and ((type(x333) is list and (not x333 or all(map(f_shipment, x333))))) and type(x334) is list and (x335 is None or ((type(x335) is dict and ((x336 := x335.get("customer", _M)) is _M or ((x336 is None or type(x336) is str))) and ((x337 := x335.get("internal", _M)) is _M or ((type(x337) is list and (not x337 or set(map(type, x337)) <= K227)))) and (x335.keys() <= K260 or opened(OPEN))))) and ((type(x338) is dict and (not x338 or set(map(type, x338.values())) <= K227))) and (x339 is None or ((type(x339) is dict and ((x340 := x339.get("exported", _M)) is _M or ((type(x340) is bool))) and ((x341 := x339.get("exported_at", _M)) is _M or (x341 is None or ((type(x341) is str and (x341 in K232 or K232.match(x341)))))) and (x339.keys() <= K261 or opened(OPEN))))) and K232.every((x293, x294, x295)) and K234.every((x296,))):
        return False
    for x342 in x330:
        if type(x342) is not dict:
            return False
        try:
            x343, x344, x345, x346, x347, x348, x349, x350, x351, x352, x353, x354 = K255(x342)
        except KeyError:
            OPEN.add(1)
            if e_payment(x342):
                continue
            return False
        if len(x342) != 12:
            OPEN.add(1)
        if not (((x343 is None or type(x343) is str)) and ((x344 is None or type(x344) is str)) and ((x345 is None or type(x345) is str)) and ((x346 is None or type(x346) is str)) and ((x347 is None or type(x347) is str)) and ((x348 is None or type(x348) is str)) and ((x349 is None or type(x349) is str)) and ((x354 is None or type(x354) is str)) and K234.every((x350,)) and K240.every((x351,)) and K232.every((x352, x353))):
            return False
    for x355 in x331:
        if type(x355) is not dict:
            return False
        try:
            x356, x357, x358, x359, x360 = K251(x355)
        except KeyError:
            OPEN.add(1)
            if e_history_item(x355):
                continue
            return False
        if len(x355) != 5:
            OPEN.add(1)
        if not (((type(x356) is str and (x356 in K232 or K232.match(x356)))) and ((type(x357) is str)) and ((x358 is None or type(x358) is int and (-9223372036854775808 <= x358 <= 9223372036854775807))) and ((x359 is None or type(x359) is str)) and ((x360 is None or type(x360) is str))):
            return False
    for x361 in x332:
        if type(x361) is not dict:
            return False
        try:
            x362, x363, x364, x365, x366 = K251(x361)
        except KeyError:
            OPEN.add(1)
            if e_history_item(x361):
                continue
            return False
        if len(x361) != 5:
            OPEN.add(1)
        if not (((type(x362) is str and (x362 in K232 or K232.match(x362)))) and ((type(x363) is str)) and ((x364 is None or type(x364) is int and (-9223372036854775808 <= x364 <= 9223372036854775807))) and ((x365 is None or type(x365) is str)) and ((x366 is None or type(x366) is str))):
            return False
    for x367 in x334:
        if type(x367) is not dict:
            return False
        try:
            x368, x369 = K249(x367)
        except KeyError:
            OPEN.add(1)
            if e_document(x367):
                continue
            return False
        if len(x367) != 2:
            OPEN.add(1)
        if not (((type(x368) is str)) and ((type(x369) is str))):
            return False
    return True


def f_address(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x52, x53, x54, x55, x56, x57, x58, x59, x60, x61, x62, x63, x64, x65, x66 = K238(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e_address(v)
    if len(v) != 15:
        OPEN.add(1)
    return bool(((x52 is None or type(x52) is str)) and ((x53 is None or type(x53) is str)) and ((x54 is None or type(x54) is str)) and ((type(x55) is list and (not x55 or set(map(type, x55)) <= K227))) and ((x56 is None or type(x56) is str)) and ((x57 is None or type(x57) is str)) and ((x58 is None or type(x58) is str)) and ((x59 is None or type(x59) is str)) and ((x60 is None or type(x60) is str)) and ((x62 is None or type(x62) is str)) and ((x63 is None or type(x63) is str)) and ((x64 is None or type(x64) is str)) and ((x65 is None or type(x65) is str)) and ((x66 is None or type(x66) is str)) and K236.every((x61,)))


def e_address(v: Any) -> bool:
    return bool(((type(v) is dict and ((x37 := v.get("first_name", _M)) is _M or ((x37 is None or type(x37) is str))) and ((x38 := v.get("last_name", _M)) is _M or ((x38 is None or type(x38) is str))) and ((x39 := v.get("company", _M)) is _M or ((x39 is None or type(x39) is str))) and ((x40 := v.get("lines", _M)) is _M or ((type(x40) is list and (not x40 or set(map(type, x40)) <= K227)))) and ((x41 := v.get("city", _M)) is _M or ((x41 is None or type(x41) is str))) and ((x42 := v.get("region", _M)) is _M or ((x42 is None or type(x42) is str))) and ((x43 := v.get("region_code", _M)) is _M or ((x43 is None or type(x43) is str))) and ((x44 := v.get("district", _M)) is _M or ((x44 is None or type(x44) is str))) and ((x45 := v.get("postal_code", _M)) is _M or ((x45 is None or type(x45) is str))) and ((x46 := v.get("country_code", _M)) is _M or (x46 is None or ((type(x46) is str and (x46 in K236 or K236.match(x46)))))) and ((x47 := v.get("email", _M)) is _M or ((x47 is None or type(x47) is str))) and ((x48 := v.get("phone", _M)) is _M or ((x48 is None or type(x48) is str))) and ((x49 := v.get("tax_id", _M)) is _M or ((x49 is None or type(x49) is str))) and ((x50 := v.get("tax_office", _M)) is _M or ((x50 is None or type(x50) is str))) and ((x51 := v.get("identity_number", _M)) is _M or ((x51 is None or type(x51) is str))) and (v.keys() <= K237 or opened(OPEN)))))


def f_line(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x148, x149, x150, x151, x152, x153, x154, x155, x156, x157, x158, x159, x160, x161, x162, x163, x164, x165, x166, x167, x168, x169, x173, x174, x175, x176, x177, x178 = K253(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e_line(v)
    if len(v) != 28:
        OPEN.add(1)
    if not (((type(x148) is str)) and ((x149 is None or type(x149) is int and (0 <= x149 <= 9223372036854775807))) and ((type(x150) is dict and (not x150 or set(map(type, x150.values())) <= K227))) and ((type(x151) is str)) and ((x152 is None or type(x152) is str)) and ((x153 is None or type(x153) is str)) and ((x154 is None or type(x154) is str)) and ((type(x155) is int and (0 <= x155 <= 9223372036854775807))) and ((x156 is None or type(x156) is int and (0 <= x156 <= 9223372036854775807))) and ((x157 is None or type(x157) is str)) and ((x158 is None or type(x158) is str)) and type(x166) is list and ((x167 is None or type(x167) is str)) and ((x168 is None or type(x168) is str)) and (x169 is None or ((type(x169) is dict and ((x170 := x169.get("pages", _M)) is _M or ((x170 is None or type(x170) is int and (0 <= x170 <= 9223372036854775807)))) and ((x171 := x169.get("width_mm", _M)) is _M or (x171 is None or ((type(x171) is str and (x171 in K240 or K240.match(x171)))))) and ((x172 := x169.get("height_mm", _M)) is _M or (x172 is None or ((type(x172) is str and (x172 in K240 or K240.match(x172)))))) and (x169.keys() <= K245 or opened(OPEN))))) and type(x173) is list and type(x174) is list and ((type(x175) is dict and (not x175 or set(map(type, x175.values())) <= K227))) and type(x176) is list and type(x177) is list and ((x178 is None or type(x178) is str)) and K240.every((x159, x160, x161, x162, x163, x164, x165))):
        return False
    for x179 in x166:
        if type(x179) is not dict:
            return False
        try:
            x180, x181 = K244(x179)
        except KeyError:
            OPEN.add(1)
            if e_attribute(x179):
                continue
            return False
        if len(x179) != 2:
            OPEN.add(1)
        if not (((type(x180) is str)) and ((x181 is None or type(x181) is str))):
            return False
    for x182 in x173:
        if type(x182) is not dict:
            return False
        try:
            x183, x184, x185, x186, x187 = K247(x182)
        except KeyError:
            OPEN.add(1)
            if e_asset(x182):
                continue
            return False
        if len(x182) != 5:
            OPEN.add(1)
        if not (((type(x183) is str)) and ((x184 is None or type(x184) is str)) and ((type(x185) is str)) and ((x186 is None or type(x186) is str)) and ((x187 is None or type(x187) is str))):
            return False
    for x188 in x174:
        if type(x188) is not dict:
            return False
        try:
            x189, x190 = K249(x188)
        except KeyError:
            OPEN.add(1)
            if e_document(x188):
                continue
            return False
        if len(x188) != 2:
            OPEN.add(1)
        if not (((type(x189) is str)) and ((type(x190) is str))):
            return False
    for x191 in x176:
        if type(x191) is not dict:
            return False
        try:
            x192, x193, x194, x195, x196 = K251(x191)
        except KeyError:
            OPEN.add(1)
            if e_history_item(x191):
                continue
            return False
        if len(x191) != 5:
            OPEN.add(1)
        if not (((type(x192) is str and (x192 in K232 or K232.match(x192)))) and ((type(x193) is str)) and ((x194 is None or type(x194) is int and (-9223372036854775808 <= x194 <= 9223372036854775807))) and ((x195 is None or type(x195) is str)) and ((x196 is None or type(x196) is str))):
            return False
    for x197 in x177:
        if type(x197) is not dict:
            return False
        try:
            x198, x199, x200, x201, x202 = K251(x197)
        except KeyError:
            OPEN.add(1)
            if e_history_item(x197):
                continue
            return False
        if len(x197) != 5:
            OPEN.add(1)
        if not (((type(x198) is str and (x198 in K232 or K232.match(x198)))) and ((type(x199) is str)) and ((x200 is None or type(x200) is int and (-9223372036854775808 <= x200 <= 9223372036854775807))) and ((x201 is None or type(x201) is str)) and ((x202 is None or type(x202) is str))):
            return False
    return True


def f_attribute(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x110, x111 = K244(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e_attribute(v)
    if len(v) != 2:
        OPEN.add(1)
    return bool(((type(x110) is str)) and ((x111 is None or type(x111) is str)))


def e_attribute(v: Any) -> bool:
    return bool(((type(v) is dict and "name" in v and ((x108 := v.get("name", _M)) is _M or ((type(x108) is str))) and ((x109 := v.get("value", _M)) is _M or ((x109 is None or type(x109) is str))) and (v.keys() <= K243 or opened(OPEN)))))


def f_asset(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x124, x125, x126, x127, x128 = K247(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e_asset(v)
    if len(v) != 5:
        OPEN.add(1)
    return bool(((type(x124) is str)) and ((x125 is None or type(x125) is str)) and ((type(x126) is str)) and ((x127 is None or type(x127) is str)) and ((x128 is None or type(x128) is str)))


def e_asset(v: Any) -> bool:
    return bool(((type(v) is dict and "role" in v and "url" in v and ((x119 := v.get("role", _M)) is _M or ((type(x119) is str))) and ((x120 := v.get("area", _M)) is _M or ((x120 is None or type(x120) is str))) and ((x121 := v.get("url", _M)) is _M or ((type(x121) is str))) and ((x122 := v.get("content_type", _M)) is _M or ((x122 is None or type(x122) is str))) and ((x123 := v.get("hash", _M)) is _M or ((x123 is None or type(x123) is str))) and (v.keys() <= K246 or opened(OPEN)))))


def f_document(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x132, x133 = K249(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e_document(v)
    if len(v) != 2:
        OPEN.add(1)
    return bool(((type(x132) is str)) and ((type(x133) is str)))


def e_document(v: Any) -> bool:
    return bool(((type(v) is dict and "type" in v and "url" in v and ((x130 := v.get("type", _M)) is _M or ((type(x130) is str))) and ((x131 := v.get("url", _M)) is _M or ((type(x131) is str))) and (v.keys() <= K248 or opened(OPEN)))))


def f_history_item(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x141, x142, x143, x144, x145 = K251(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e_history_item(v)
    if len(v) != 5:
        OPEN.add(1)
    return bool(((type(x141) is str and (x141 in K232 or K232.match(x141)))) and ((type(x142) is str)) and ((x143 is None or type(x143) is int and (-9223372036854775808 <= x143 <= 9223372036854775807))) and ((x144 is None or type(x144) is str)) and ((x145 is None or type(x145) is str)))


def e_history_item(v: Any) -> bool:
    return bool(((type(v) is dict and "at" in v and "status" in v and ((x136 := v.get("at", _M)) is _M or ((type(x136) is str and (x136 in K232 or K232.match(x136))))) and ((x137 := v.get("status", _M)) is _M or ((type(x137) is str))) and ((x138 := v.get("status_id", _M)) is _M or ((x138 is None or type(x138) is int and (-9223372036854775808 <= x138 <= 9223372036854775807)))) and ((x139 := v.get("actor_id", _M)) is _M or ((x139 is None or type(x139) is str))) and ((x140 := v.get("info", _M)) is _M or ((x140 is None or type(x140) is str))) and (v.keys() <= K250 or opened(OPEN)))))


def e_line(v: Any) -> bool:
    return bool(((type(v) is dict and "id" in v and "sku" in v and "quantity" in v and ((x89 := v.get("id", _M)) is _M or ((type(x89) is str))) and ((x90 := v.get("line_number", _M)) is _M or ((x90 is None or type(x90) is int and (0 <= x90 <= 9223372036854775807)))) and ((x91 := v.get("external_refs", _M)) is _M or ((type(x91) is dict and (not x91 or set(map(type, x91.values())) <= K227)))) and ((x92 := v.get("sku", _M)) is _M or ((type(x92) is str))) and ((x93 := v.get("product_ref", _M)) is _M or ((x93 is None or type(x93) is str))) and ((x94 := v.get("name", _M)) is _M or ((x94 is None or type(x94) is str))) and ((x95 := v.get("description", _M)) is _M or ((x95 is None or type(x95) is str))) and ((x96 := v.get("quantity", _M)) is _M or ((type(x96) is int and (0 <= x96 <= 9223372036854775807)))) and ((x97 := v.get("quantity_shipped", _M)) is _M or ((x97 is None or type(x97) is int and (0 <= x97 <= 9223372036854775807)))) and ((x98 := v.get("status", _M)) is _M or ((x98 is None or type(x98) is str))) and ((x99 := v.get("source_status", _M)) is _M or ((x99 is None or type(x99) is str))) and ((x100 := v.get("unit_price", _M)) is _M or (x100 is None or ((type(x100) is str and (x100 in K240 or K240.match(x100)))))) and ((x101 := v.get("unit_price_incl_tax", _M)) is _M or (x101 is None or ((type(x101) is str and (x101 in K240 or K240.match(x101)))))) and ((x102 := v.get("tax_rate", _M)) is _M or (x102 is None or ((type(x102) is str and (x102 in K240 or K240.match(x102)))))) and ((x103 := v.get("tax_amount", _M)) is _M or (x103 is None or ((type(x103) is str and (x103 in K240 or K240.match(x103)))))) and ((x104 := v.get("discount_amount", _M)) is _M or (x104 is None or ((type(x104) is str and (x104 in K240 or K240.match(x104)))))) and ((x105 := v.get("row_total", _M)) is _M or (x105 is None or ((type(x105) is str and (x105 in K240 or K240.match(x105)))))) and ((x106 := v.get("row_total_incl_tax", _M)) is _M or (x106 is None or ((type(x106) is str and (x106 in K240 or K240.match(x106)))))) and ((x107 := v.get("attributes", _M)) is _M or ((type(x107) is list and (not x107 or all(map(f_attribute, x107)))))) and ((x112 := v.get("attribute_summary", _M)) is _M or ((x112 is None or type(x112) is str))) and ((x113 := v.get("delivery_type", _M)) is _M or ((x113 is None or type(x113) is str))) and ((x114 := v.get("print", _M)) is _M or (x114 is None or ((type(x114) is dict and ((x115 := x114.get("pages", _M)) is _M or ((x115 is None or type(x115) is int and (0 <= x115 <= 9223372036854775807)))) and ((x116 := x114.get("width_mm", _M)) is _M or (x116 is None or ((type(x116) is str and (x116 in K240 or K240.match(x116)))))) and ((x117 := x114.get("height_mm", _M)) is _M or (x117 is None or ((type(x117) is str and (x117 in K240 or K240.match(x117)))))) and (x114.keys() <= K245 or opened(OPEN)))))) and ((x118 := v.get("assets", _M)) is _M or ((type(x118) is list and (not x118 or all(map(f_asset, x118)))))) and ((x129 := v.get("documents", _M)) is _M or ((type(x129) is list and (not x129 or all(map(f_document, x129)))))) and ((x134 := v.get("extra_data", _M)) is _M or ((type(x134) is dict and (not x134 or set(map(type, x134.values())) <= K227)))) and ((x135 := v.get("history", _M)) is _M or ((type(x135) is list and (not x135 or all(map(f_history_item, x135)))))) and ((x146 := v.get("approval_history", _M)) is _M or ((type(x146) is list and (not x146 or all(map(f_history_item, x146)))))) and ((x147 := v.get("supplier", _M)) is _M or ((x147 is None or type(x147) is str))) and (v.keys() <= K252 or opened(OPEN)))))


def f_payment(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x216, x217, x218, x219, x220, x221, x222, x223, x224, x225, x226, x227 = K255(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e_payment(v)
    if len(v) != 12:
        OPEN.add(1)
    return bool(((x216 is None or type(x216) is str)) and ((x217 is None or type(x217) is str)) and ((x218 is None or type(x218) is str)) and ((x219 is None or type(x219) is str)) and ((x220 is None or type(x220) is str)) and ((x221 is None or type(x221) is str)) and ((x222 is None or type(x222) is str)) and ((x227 is None or type(x227) is str)) and K234.every((x223,)) and K240.every((x224,)) and K232.every((x225, x226)))


def e_payment(v: Any) -> bool:
    return bool(((type(v) is dict and ((x204 := v.get("method", _M)) is _M or ((x204 is None or type(x204) is str))) and ((x205 := v.get("transaction_id", _M)) is _M or ((x205 is None or type(x205) is str))) and ((x206 := v.get("capture_transaction_id", _M)) is _M or ((x206 is None or type(x206) is str))) and ((x207 := v.get("authorization_request_id", _M)) is _M or ((x207 is None or type(x207) is str))) and ((x208 := v.get("capture_request_id", _M)) is _M or ((x208 is None or type(x208) is str))) and ((x209 := v.get("platform_transaction_id", _M)) is _M or ((x209 is None or type(x209) is str))) and ((x210 := v.get("purchase_order_number", _M)) is _M or ((x210 is None or type(x210) is str))) and ((x211 := v.get("currency", _M)) is _M or (x211 is None or ((type(x211) is str and (x211 in K234 or K234.match(x211)))))) and ((x212 := v.get("amount", _M)) is _M or (x212 is None or ((type(x212) is str and (x212 in K240 or K240.match(x212)))))) and ((x213 := v.get("authorization_expires_at", _M)) is _M or (x213 is None or ((type(x213) is str and (x213 in K232 or K232.match(x213)))))) and ((x214 := v.get("transacted_at", _M)) is _M or (x214 is None or ((type(x214) is str and (x214 in K232 or K232.match(x214)))))) and ((x215 := v.get("status", _M)) is _M or ((x215 is None or type(x215) is str))) and (v.keys() <= K254 or opened(OPEN)))))


def f_shipment(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x246, x247, x248, x249, x250, x251, x252, x256, x260 = K259(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e_shipment(v)
    if len(v) != 9:
        OPEN.add(1)
    if not (((x246 is None or type(x246) is str)) and ((x247 is None or type(x247) is str)) and ((x248 is None or type(x248) is str)) and ((x249 is None or type(x249) is str)) and ((x250 is None or type(x250) is str)) and ((type(x252) is list and (not x252 or all(((type(x253) is dict and "code" in x253 and ((x254 := x253.get("code", _M)) is _M or ((type(x254) is str))) and ((x255 := x253.get("url", _M)) is _M or ((x255 is None or type(x255) is str))) and (x253.keys() <= K256 or opened(OPEN)))) for x253 in x252)))) and ((type(x256) is list and (not x256 or all(((type(x257) is dict and "line_id" in x257 and "quantity" in x257 and ((x258 := x257.get("line_id", _M)) is _M or ((type(x258) is str))) and ((x259 := x257.get("quantity", _M)) is _M or ((type(x259) is int and (0 <= x259 <= 9223372036854775807)))) and (x257.keys() <= K257 or opened(OPEN)))) for x257 in x256)))) and type(x260) is list and K232.every((x251,))):
        return False
    for x261 in x260:
        if type(x261) is not dict:
            return False
        try:
            x262, x263 = K249(x261)
        except KeyError:
            OPEN.add(1)
            if e_document(x261):
                continue
            return False
        if len(x261) != 2:
            OPEN.add(1)
        if not (((type(x262) is str)) and ((type(x263) is str))):
            return False
    return True


def e_shipment(v: Any) -> bool:
    return bool(((type(v) is dict and ((x231 := v.get("id", _M)) is _M or ((x231 is None or type(x231) is str))) and ((x232 := v.get("status", _M)) is _M or ((x232 is None or type(x232) is str))) and ((x233 := v.get("carrier", _M)) is _M or ((x233 is None or type(x233) is str))) and ((x234 := v.get("service", _M)) is _M or ((x234 is None or type(x234) is str))) and ((x235 := v.get("method_code", _M)) is _M or ((x235 is None or type(x235) is str))) and ((x236 := v.get("shipped_at", _M)) is _M or (x236 is None or ((type(x236) is str and (x236 in K232 or K232.match(x236)))))) and ((x237 := v.get("tracking", _M)) is _M or ((type(x237) is list and (not x237 or all(((type(x238) is dict and "code" in x238 and ((x239 := x238.get("code", _M)) is _M or ((type(x239) is str))) and ((x240 := x238.get("url", _M)) is _M or ((x240 is None or type(x240) is str))) and (x238.keys() <= K256 or opened(OPEN)))) for x238 in x237))))) and ((x241 := v.get("lines", _M)) is _M or ((type(x241) is list and (not x241 or all(((type(x242) is dict and "line_id" in x242 and "quantity" in x242 and ((x243 := x242.get("line_id", _M)) is _M or ((type(x243) is str))) and ((x244 := x242.get("quantity", _M)) is _M or ((type(x244) is int and (0 <= x244 <= 9223372036854775807)))) and (x242.keys() <= K257 or opened(OPEN)))) for x242 in x241))))) and ((x245 := v.get("documents", _M)) is _M or ((type(x245) is list and (not x245 or all(map(f_document, x245)))))) and (v.keys() <= K258 or opened(OPEN)))))


def e__root(v: Any) -> bool:
    return bool(((type(v) is dict and "schema" in v and "number" in v and "lines" in v and ((x1 := v.get("schema", _M)) is _M or ((type(x1) is str and x1 in K226))) and ((x2 := v.get("id", _M)) is _M or ((x2 is None or type(x2) is str))) and ((x3 := v.get("number", _M)) is _M or ((type(x3) is str and (len(x3) >= 1)))) and ((x4 := v.get("external_refs", _M)) is _M or ((type(x4) is dict and (not x4 or set(map(type, x4.values())) <= K227)))) and ((x5 := v.get("source", _M)) is _M or (x5 is None or ((type(x5) is dict and ((x6 := x5.get("system", _M)) is _M or ((x6 is None or type(x6) is str))) and ((x7 := x5.get("channel", _M)) is _M or (x7 is None or ((type(x7) is dict and ((x8 := x7.get("id", _M)) is _M or ((x8 is None or type(x8) is str))) and ((x9 := x7.get("name", _M)) is _M or ((x9 is None or type(x9) is str))) and ((x10 := x7.get("type", _M)) is _M or ((x10 is None or type(x10) is str))) and (x7.keys() <= K228 or opened(OPEN)))))) and ((x11 := x5.get("store", _M)) is _M or ((x11 is None or type(x11) is str))) and (x5.keys() <= K229 or opened(OPEN)))))) and ((x12 := v.get("supplier", _M)) is _M or (x12 is None or ((type(x12) is dict and ((x13 := x12.get("id", _M)) is _M or ((x13 is None or type(x13) is str))) and ((x14 := x12.get("name", _M)) is _M or ((x14 is None or type(x14) is str))) and (x12.keys() <= K230 or opened(OPEN)))))) and ((x15 := v.get("status", _M)) is _M or ((x15 is None or (type(x15) is str and x15 in K231)))) and ((x16 := v.get("source_status", _M)) is _M or ((x16 is None or type(x16) is str))) and ((x17 := v.get("hold", _M)) is _M or (x17 is None or ((type(x17) is dict and "on_hold" in x17 and ((x18 := x17.get("on_hold", _M)) is _M or ((type(x18) is bool))) and ((x19 := x17.get("reason", _M)) is _M or ((x19 is None or type(x19) is str))) and ((x20 := x17.get("until", _M)) is _M or (x20 is None or ((type(x20) is str and (x20 in K232 or K232.match(x20)))))) and (x17.keys() <= K233 or opened(OPEN)))))) and ((x21 := v.get("tags", _M)) is _M or ((type(x21) is list and (not x21 or set(map(type, x21)) <= K227)))) and ((x22 := v.get("placed_at", _M)) is _M or (x22 is None or ((type(x22) is str and (x22 in K232 or K232.match(x22)))))) and ((x23 := v.get("created_at", _M)) is _M or (x23 is None or ((type(x23) is str and (x23 in K232 or K232.match(x23)))))) and ((x24 := v.get("updated_at", _M)) is _M or (x24 is None or ((type(x24) is str and (x24 in K232 or K232.match(x24)))))) and ((x25 := v.get("currency", _M)) is _M or (x25 is None or ((type(x25) is str and (x25 in K234 or K234.match(x25)))))) and ((x26 := v.get("po_number", _M)) is _M or ((x26 is None or type(x26) is str))) and ((x27 := v.get("customer", _M)) is _M or (x27 is None or ((type(x27) is dict and ((x28 := x27.get("id", _M)) is _M or ((x28 is None or type(x28) is str))) and ((x29 := x27.get("email", _M)) is _M or ((x29 is None or type(x29) is str))) and ((x30 := x27.get("first_name", _M)) is _M or ((x30 is None or type(x30) is str))) and ((x31 := x27.get("last_name", _M)) is _M or ((x31 is None or type(x31) is str))) and ((x32 := x27.get("phone", _M)) is _M or ((x32 is None or type(x32) is str))) and ((x33 := x27.get("company", _M)) is _M or ((x33 is None or type(x33) is str))) and ((x34 := x27.get("is_guest", _M)) is _M or ((x34 is None or type(x34) is bool))) and ((x35 := x27.get("group", _M)) is _M or ((x35 is None or type(x35) is str))) and (x27.keys() <= K235 or opened(OPEN)))))) and ((x36 := v.get("billing_address", _M)) is _M or (x36 is None or f_address(x36))) and ((x67 := v.get("shipping_address", _M)) is _M or (x67 is None or f_address(x67))) and ((x68 := v.get("shipping", _M)) is _M or (x68 is None or ((type(x68) is dict and ((x69 := x68.get("method_code", _M)) is _M or ((x69 is None or type(x69) is str))) and ((x70 := x68.get("method_name", _M)) is _M or ((x70 is None or type(x70) is str))) and ((x71 := x68.get("carrier", _M)) is _M or ((x71 is None or type(x71) is str))) and ((x72 := x68.get("instructions", _M)) is _M or ((x72 is None or type(x72) is str))) and ((x73 := x68.get("deliver_by", _M)) is _M or (x73 is None or ((type(x73) is str and (x73 in K232 or K232.match(x73)))))) and ((x74 := x68.get("dispatch_by", _M)) is _M or (x74 is None or ((type(x74) is str and (x74 in K232 or K232.match(x74)))))) and (x68.keys() <= K239 or opened(OPEN)))))) and ((x75 := v.get("totals", _M)) is _M or (x75 is None or ((type(x75) is dict and ((x76 := x75.get("subtotal", _M)) is _M or (x76 is None or ((type(x76) is str and (x76 in K240 or K240.match(x76)))))) and ((x77 := x75.get("discount", _M)) is _M or (x77 is None or ((type(x77) is str and (x77 in K240 or K240.match(x77)))))) and ((x78 := x75.get("shipping", _M)) is _M or (x78 is None or ((type(x78) is str and (x78 in K240 or K240.match(x78)))))) and ((x79 := x75.get("tax", _M)) is _M or (x79 is None or ((type(x79) is str and (x79 in K240 or K240.match(x79)))))) and ((x80 := x75.get("grand_total", _M)) is _M or (x80 is None or ((type(x80) is str and (x80 in K240 or K240.match(x80)))))) and ((x81 := x75.get("prices_include_tax", _M)) is _M or ((x81 is None or type(x81) is bool))) and (x75.keys() <= K241 or opened(OPEN)))))) and ((x82 := v.get("discounts", _M)) is _M or ((type(x82) is list and (not x82 or all(((type(x83) is dict and ((x84 := x83.get("code", _M)) is _M or ((x84 is None or type(x84) is str))) and ((x85 := x83.get("name", _M)) is _M or ((x85 is None or type(x85) is str))) and ((x86 := x83.get("amount", _M)) is _M or (x86 is None or ((type(x86) is str and (x86 in K240 or K240.match(x86)))))) and ((x87 := x83.get("line_ids", _M)) is _M or ((type(x87) is list and (not x87 or set(map(type, x87)) <= K227)))) and (x83.keys() <= K242 or opened(OPEN)))) for x83 in x82))))) and ((x88 := v.get("lines", _M)) is _M or ((type(x88) is list and (not x88 or all(map(f_line, x88)))))) and ((x203 := v.get("payments", _M)) is _M or ((type(x203) is list and (not x203 or all(map(f_payment, x203)))))) and ((x228 := v.get("history", _M)) is _M or ((type(x228) is list and (not x228 or all(map(f_history_item, x228)))))) and ((x229 := v.get("approval_history", _M)) is _M or ((type(x229) is list and (not x229 or all(map(f_history_item, x229)))))) and ((x230 := v.get("shipments", _M)) is _M or ((type(x230) is list and (not x230 or all(map(f_shipment, x230)))))) and ((x264 := v.get("documents", _M)) is _M or ((type(x264) is list and (not x264 or all(map(f_document, x264)))))) and ((x265 := v.get("notes", _M)) is _M or (x265 is None or ((type(x265) is dict and ((x266 := x265.get("customer", _M)) is _M or ((x266 is None or type(x266) is str))) and ((x267 := x265.get("internal", _M)) is _M or ((type(x267) is list and (not x267 or set(map(type, x267)) <= K227)))) and (x265.keys() <= K260 or opened(OPEN)))))) and ((x268 := v.get("extra_data", _M)) is _M or ((type(x268) is dict and (not x268 or set(map(type, x268.values())) <= K227)))) and ((x269 := v.get("sync", _M)) is _M or (x269 is None or ((type(x269) is dict and ((x270 := x269.get("exported", _M)) is _M or ((type(x270) is bool))) and ((x271 := x269.get("exported_at", _M)) is _M or (x271 is None or ((type(x271) is str and (x271 in K232 or K232.match(x271)))))) and (x269.keys() <= K261 or opened(OPEN)))))) and (v.keys() <= K262 or opened(OPEN)))))
