"""The compiled validator of the canonical order schema (flowkit.order/1); generated, do not edit.

Written by ``python -m flowkit.model`` from flowkit/schemas/order.schema.json.
"""

# ruff: noqa
# fmt: off
from __future__ import annotations

import re
from typing import Any

from flowkit.validation import in_enum, short, type_name
from flowkit.validation_fast import Matches, date_time_ok

SCHEMA_DIGEST = "6a83e83ec356cbc2685a291fffda5227"
_M = object()
K1 = "expected object, got "
K3 = " is not one of: flowkit.order/1"
K4 = ("flowkit.order/1",)
K6 = frozenset((str, type(None)))
K7 = "expected string or null, got "
K9 = "expected string, got "
K11 = "expected object, got "
K14: frozenset[Any] = frozenset()
K15 = "expected string, got "
K17 = "expected object or null, got "
K19 = frozenset((str, type(None)))
K20 = "expected string or null, got "
K22 = "expected object or null, got "
K24 = frozenset((str, type(None)))
K25 = "expected string or null, got "
K27 = frozenset((str, type(None)))
K28 = "expected string or null, got "
K30 = frozenset((str, type(None)))
K31 = "expected string or null, got "
K33 = frozenset((str, type(None)))
K34 = "expected string or null, got "
K36 = "expected object or null, got "
K38 = frozenset((str, type(None)))
K39 = "expected string or null, got "
K41 = frozenset((str, type(None)))
K42 = "expected string or null, got "
K44 = " is not one of: draft, pending, payment_pending, on_hold, approved, in_production, printed, partially_shipped, shipped, delivered, cancelled, failed, null"
K45 = (
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
K47 = frozenset((str, type(None)))
K48 = "expected string or null, got "
K50 = "expected object or null, got "
K52 = "expected boolean, got "
K54 = frozenset((str, type(None)))
K55 = "expected string or null, got "
K57 = "expected string or null, got "
K58 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K59 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K61 = "expected array, got "
K64 = "expected string, got "
K66 = "expected string or null, got "
K67 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K68 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K70 = "expected string or null, got "
K71 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K72 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K74 = "expected string or null, got "
K75 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K76 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K78 = "expected string or null, got "
K79 = re.compile("^[A-Z]{3}$").search
K80 = " is not valid (pattern ^[A-Z]{3}$)"
K82 = frozenset((str, type(None)))
K83 = "expected string or null, got "
K85 = "expected object or null, got "
K87 = frozenset((str, type(None)))
K88 = "expected string or null, got "
K90 = frozenset((str, type(None)))
K91 = "expected string or null, got "
K93 = frozenset((str, type(None)))
K94 = "expected string or null, got "
K96 = frozenset((str, type(None)))
K97 = "expected string or null, got "
K99 = frozenset((str, type(None)))
K100 = "expected string or null, got "
K102 = frozenset((str, type(None)))
K103 = "expected string or null, got "
K105 = frozenset((bool, type(None)))
K106 = "expected boolean or null, got "
K108 = frozenset((str, type(None)))
K109 = "expected string or null, got "
K111 = "expected object, got "
K113 = frozenset((str, type(None)))
K114 = "expected string or null, got "
K116 = frozenset((str, type(None)))
K117 = "expected string or null, got "
K119 = frozenset((str, type(None)))
K120 = "expected string or null, got "
K122 = "expected array, got "
K125 = "expected string, got "
K127 = frozenset((str, type(None)))
K128 = "expected string or null, got "
K130 = frozenset((str, type(None)))
K131 = "expected string or null, got "
K133 = frozenset((str, type(None)))
K134 = "expected string or null, got "
K136 = frozenset((str, type(None)))
K137 = "expected string or null, got "
K139 = frozenset((str, type(None)))
K140 = "expected string or null, got "
K142 = "expected string or null, got "
K143 = re.compile("^[A-Z]{2}$").search
K144 = " is not valid (pattern ^[A-Z]{2}$)"
K146 = frozenset((str, type(None)))
K147 = "expected string or null, got "
K149 = frozenset((str, type(None)))
K150 = "expected string or null, got "
K152 = frozenset((str, type(None)))
K153 = "expected string or null, got "
K155 = frozenset((str, type(None)))
K156 = "expected string or null, got "
K158 = frozenset((str, type(None)))
K159 = "expected string or null, got "
K162 = "expected object or null, got "
K164 = frozenset((str, type(None)))
K165 = "expected string or null, got "
K167 = frozenset((str, type(None)))
K168 = "expected string or null, got "
K170 = frozenset((str, type(None)))
K171 = "expected string or null, got "
K173 = frozenset((str, type(None)))
K174 = "expected string or null, got "
K176 = "expected string or null, got "
K177 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K178 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K180 = "expected string or null, got "
K181 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K182 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K184 = "expected object or null, got "
K186 = "expected string or null, got "
K187 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K188 = ' is not valid (decimal string, e.g. "12.50")'
K190 = "expected string or null, got "
K191 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K192 = ' is not valid (decimal string, e.g. "12.50")'
K194 = "expected string or null, got "
K195 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K196 = ' is not valid (decimal string, e.g. "12.50")'
K198 = "expected string or null, got "
K199 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K200 = ' is not valid (decimal string, e.g. "12.50")'
K202 = "expected string or null, got "
K203 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K204 = ' is not valid (decimal string, e.g. "12.50")'
K206 = frozenset((bool, type(None)))
K207 = "expected boolean or null, got "
K209 = "expected array, got "
K212 = "expected object, got "
K214 = frozenset((str, type(None)))
K215 = "expected string or null, got "
K217 = frozenset((str, type(None)))
K218 = "expected string or null, got "
K220 = "expected string or null, got "
K221 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K222 = ' is not valid (decimal string, e.g. "12.50")'
K224 = "expected array, got "
K227 = "expected string, got "
K229 = "expected array, got "
K232 = "expected object, got "
K234 = "expected string, got "
K236 = frozenset((int, type(None)))
K237 = "expected integer or null, got "
K239 = "expected object, got "
K242: frozenset[Any] = frozenset()
K243 = "expected string, got "
K245 = "expected string, got "
K247 = frozenset((str, type(None)))
K248 = "expected string or null, got "
K250 = frozenset((str, type(None)))
K251 = "expected string or null, got "
K253 = frozenset((str, type(None)))
K254 = "expected string or null, got "
K256 = "expected integer, got "
K258 = frozenset((int, type(None)))
K259 = "expected integer or null, got "
K261 = frozenset((str, type(None)))
K262 = "expected string or null, got "
K264 = frozenset((str, type(None)))
K265 = "expected string or null, got "
K267 = "expected string or null, got "
K268 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K269 = ' is not valid (decimal string, e.g. "12.50")'
K271 = "expected string or null, got "
K272 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K273 = ' is not valid (decimal string, e.g. "12.50")'
K275 = "expected string or null, got "
K276 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K277 = ' is not valid (decimal string, e.g. "12.50")'
K279 = "expected string or null, got "
K280 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K281 = ' is not valid (decimal string, e.g. "12.50")'
K283 = "expected string or null, got "
K284 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K285 = ' is not valid (decimal string, e.g. "12.50")'
K287 = "expected string or null, got "
K288 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K289 = ' is not valid (decimal string, e.g. "12.50")'
K291 = "expected string or null, got "
K292 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K293 = ' is not valid (decimal string, e.g. "12.50")'
K295 = "expected array, got "
K298 = "expected object, got "
K300 = "expected string, got "
K302 = frozenset((str, type(None)))
K303 = "expected string or null, got "
K305 = frozenset((str, type(None)))
K306 = "expected string or null, got "
K308 = frozenset((str, type(None)))
K309 = "expected string or null, got "
K311 = "expected object or null, got "
K313 = frozenset((int, type(None)))
K314 = "expected integer or null, got "
K316 = "expected string or null, got "
K317 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K318 = ' is not valid (decimal string, e.g. "12.50")'
K320 = "expected string or null, got "
K321 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K322 = ' is not valid (decimal string, e.g. "12.50")'
K324 = "expected array, got "
K327 = "expected object, got "
K329 = "expected string, got "
K331 = frozenset((str, type(None)))
K332 = "expected string or null, got "
K334 = "expected string, got "
K336 = frozenset((str, type(None)))
K337 = "expected string or null, got "
K339 = frozenset((str, type(None)))
K340 = "expected string or null, got "
K342 = "expected array, got "
K345 = "expected object, got "
K347 = "expected string, got "
K349 = "expected string, got "
K351 = "expected object, got "
K354: frozenset[Any] = frozenset()
K355 = "expected string, got "
K357 = "expected array, got "
K360 = "expected object, got "
K362 = "expected string, got "
K363 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K364 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K366 = "expected string, got "
K368 = frozenset((int, type(None)))
K369 = "expected integer or null, got "
K371 = frozenset((str, type(None)))
K372 = "expected string or null, got "
K374 = frozenset((str, type(None)))
K375 = "expected string or null, got "
K377 = "expected array, got "
K381 = frozenset((str, type(None)))
K382 = "expected string or null, got "
K384 = "expected array, got "
K387 = "expected object, got "
K389 = frozenset((str, type(None)))
K390 = "expected string or null, got "
K392 = frozenset((str, type(None)))
K393 = "expected string or null, got "
K395 = frozenset((str, type(None)))
K396 = "expected string or null, got "
K398 = frozenset((str, type(None)))
K399 = "expected string or null, got "
K401 = frozenset((str, type(None)))
K402 = "expected string or null, got "
K404 = frozenset((str, type(None)))
K405 = "expected string or null, got "
K407 = frozenset((str, type(None)))
K408 = "expected string or null, got "
K410 = "expected string or null, got "
K411 = re.compile("^[A-Z]{3}$").search
K412 = " is not valid (pattern ^[A-Z]{3}$)"
K414 = "expected string or null, got "
K415 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K416 = ' is not valid (decimal string, e.g. "12.50")'
K418 = "expected string or null, got "
K419 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K420 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K422 = "expected string or null, got "
K423 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K424 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K426 = frozenset((str, type(None)))
K427 = "expected string or null, got "
K429 = "expected array, got "
K433 = "expected array, got "
K437 = "expected array, got "
K440 = "expected object, got "
K442 = frozenset((str, type(None)))
K443 = "expected string or null, got "
K445 = frozenset((str, type(None)))
K446 = "expected string or null, got "
K448 = frozenset((str, type(None)))
K449 = "expected string or null, got "
K451 = frozenset((str, type(None)))
K452 = "expected string or null, got "
K454 = frozenset((str, type(None)))
K455 = "expected string or null, got "
K457 = "expected string or null, got "
K458 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K459 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K461 = "expected array, got "
K464 = "expected object, got "
K466 = "expected string, got "
K468 = frozenset((str, type(None)))
K469 = "expected string or null, got "
K471 = "expected array, got "
K474 = "expected object, got "
K476 = "expected string, got "
K478 = "expected integer, got "
K480 = "expected array, got "
K484 = "expected array, got "
K488 = "expected object or null, got "
K490 = frozenset((str, type(None)))
K491 = "expected string or null, got "
K493 = "expected array, got "
K496 = "expected string, got "
K498 = "expected object, got "
K501: frozenset[Any] = frozenset()
K502 = "expected string, got "
K504 = "expected object or null, got "
K506 = "expected boolean, got "
K508 = "expected string or null, got "
K509 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K510 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K511 = frozenset(("flowkit.order/1",))
K512: frozenset[Any] = frozenset()
K513 = frozenset(("id", "name", "type"))
K514 = frozenset(("channel", "store", "system"))
K515 = frozenset(("id", "name"))
K516 = frozenset(
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
K517 = Matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$", True)
K518 = frozenset(("on_hold", "reason", "until"))
K519 = Matches("^[A-Z]{3}$", False)
K520 = frozenset(("company", "email", "first_name", "group", "id", "is_guest", "last_name", "phone"))
K521 = Matches("^[A-Z]{2}$", False)
K522 = frozenset(
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
K523 = frozenset(("carrier", "deliver_by", "dispatch_by", "instructions", "method_code", "method_name"))
K524 = Matches("^-?[0-9]+(\\.[0-9]+)?$", False)
K525 = frozenset(("discount", "grand_total", "prices_include_tax", "shipping", "subtotal", "tax"))
K526 = frozenset(("amount", "code", "line_ids", "name"))
K527: frozenset[Any] = frozenset()
K528 = frozenset(("name", "value"))
K529 = frozenset(("height_mm", "pages", "width_mm"))
K530 = frozenset(("area", "content_type", "hash", "role", "url"))
K531 = frozenset(("type", "url"))
K532: frozenset[Any] = frozenset()
K533 = frozenset(("actor_id", "at", "info", "status", "status_id"))
K534 = frozenset(
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
K535 = frozenset(
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
K536 = frozenset(("code", "url"))
K537 = frozenset(("line_id", "quantity"))
K538 = frozenset(("carrier", "documents", "id", "lines", "method_code", "service", "shipped_at", "status", "tracking"))
K539 = frozenset(("customer", "internal"))
K540: frozenset[Any] = frozenset()
K541 = frozenset(("exported", "exported_at"))
K542 = frozenset(
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


def d__root(v: Any, p: Any, out: list[Any]) -> None:
    if f__root(v):
        return  # valid: no problem to name
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
                out.append(((p, "external_refs"), K11 + type_name(v10)))
            elif True:
                for v12, v13 in v10.items():
                    if v12 not in K14:
                        if type(v13) is not str:
                            out.append((((p, "external_refs"), v12), K15 + type_name(v13)))
        v16 = v.get("source", _M)
        if v16 is not _M:
            if v16 is not None:
                if type(v16) is not dict:
                    out.append(((p, "source"), K17 + type_name(v16)))
                elif True:
                    v18 = v16.get("system", _M)
                    if v18 is not _M:
                        if type(v18) not in K19:
                            out.append((((p, "source"), "system"), K20 + type_name(v18)))
                    v21 = v16.get("channel", _M)
                    if v21 is not _M:
                        if v21 is not None:
                            if type(v21) is not dict:
                                out.append((((p, "source"), "channel"), K22 + type_name(v21)))
                            elif True:
                                v23 = v21.get("id", _M)
                                if v23 is not _M:
                                    if type(v23) not in K24:
                                        out.append(((((p, "source"), "channel"), "id"), K25 + type_name(v23)))
                                v26 = v21.get("name", _M)
                                if v26 is not _M:
                                    if type(v26) not in K27:
                                        out.append(((((p, "source"), "channel"), "name"), K28 + type_name(v26)))
                                v29 = v21.get("type", _M)
                                if v29 is not _M:
                                    if type(v29) not in K30:
                                        out.append(((((p, "source"), "channel"), "type"), K31 + type_name(v29)))
                    v32 = v16.get("store", _M)
                    if v32 is not _M:
                        if type(v32) not in K33:
                            out.append((((p, "source"), "store"), K34 + type_name(v32)))
        v35 = v.get("supplier", _M)
        if v35 is not _M:
            if v35 is not None:
                if type(v35) is not dict:
                    out.append(((p, "supplier"), K36 + type_name(v35)))
                elif True:
                    v37 = v35.get("id", _M)
                    if v37 is not _M:
                        if type(v37) not in K38:
                            out.append((((p, "supplier"), "id"), K39 + type_name(v37)))
                    v40 = v35.get("name", _M)
                    if v40 is not _M:
                        if type(v40) not in K41:
                            out.append((((p, "supplier"), "name"), K42 + type_name(v40)))
        v43 = v.get("status", _M)
        if v43 is not _M:
            if not in_enum(v43, K45):
                out.append(((p, "status"), short(v43) + K44))
        v46 = v.get("source_status", _M)
        if v46 is not _M:
            if type(v46) not in K47:
                out.append(((p, "source_status"), K48 + type_name(v46)))
        v49 = v.get("hold", _M)
        if v49 is not _M:
            if v49 is not None:
                if type(v49) is not dict:
                    out.append(((p, "hold"), K50 + type_name(v49)))
                elif True:
                    if "on_hold" not in v49:
                        out.append((((p, "hold"), "on_hold"), "required member missing"))
                    v51 = v49.get("on_hold", _M)
                    if v51 is not _M:
                        if type(v51) is not bool:
                            out.append((((p, "hold"), "on_hold"), K52 + type_name(v51)))
                    v53 = v49.get("reason", _M)
                    if v53 is not _M:
                        if type(v53) not in K54:
                            out.append((((p, "hold"), "reason"), K55 + type_name(v53)))
                    v56 = v49.get("until", _M)
                    if v56 is not _M:
                        if v56 is not None:
                            if type(v56) is not str:
                                out.append((((p, "hold"), "until"), K57 + type_name(v56)))
                            elif True:
                                if type(v56) is str and (not K58(v56) or not date_time_ok(v56)):
                                    out.append((((p, "hold"), "until"), short(v56) + K59))
        v60 = v.get("tags", _M)
        if v60 is not _M:
            if type(v60) is not list:
                out.append(((p, "tags"), K61 + type_name(v60)))
            elif True:
                for v62, v63 in enumerate(v60):
                    if type(v63) is not str:
                        out.append((((p, "tags"), v62), K64 + type_name(v63)))
        v65 = v.get("placed_at", _M)
        if v65 is not _M:
            if v65 is not None:
                if type(v65) is not str:
                    out.append(((p, "placed_at"), K66 + type_name(v65)))
                elif True:
                    if type(v65) is str and (not K67(v65) or not date_time_ok(v65)):
                        out.append(((p, "placed_at"), short(v65) + K68))
        v69 = v.get("created_at", _M)
        if v69 is not _M:
            if v69 is not None:
                if type(v69) is not str:
                    out.append(((p, "created_at"), K70 + type_name(v69)))
                elif True:
                    if type(v69) is str and (not K71(v69) or not date_time_ok(v69)):
                        out.append(((p, "created_at"), short(v69) + K72))
        v73 = v.get("updated_at", _M)
        if v73 is not _M:
            if v73 is not None:
                if type(v73) is not str:
                    out.append(((p, "updated_at"), K74 + type_name(v73)))
                elif True:
                    if type(v73) is str and (not K75(v73) or not date_time_ok(v73)):
                        out.append(((p, "updated_at"), short(v73) + K76))
        v77 = v.get("currency", _M)
        if v77 is not _M:
            if v77 is not None:
                if type(v77) is not str:
                    out.append(((p, "currency"), K78 + type_name(v77)))
                elif True:
                    if type(v77) is str and (not K79(v77)):
                        out.append(((p, "currency"), short(v77) + K80))
        v81 = v.get("po_number", _M)
        if v81 is not _M:
            if type(v81) not in K82:
                out.append(((p, "po_number"), K83 + type_name(v81)))
        v84 = v.get("customer", _M)
        if v84 is not _M:
            if v84 is not None:
                if type(v84) is not dict:
                    out.append(((p, "customer"), K85 + type_name(v84)))
                elif True:
                    v86 = v84.get("id", _M)
                    if v86 is not _M:
                        if type(v86) not in K87:
                            out.append((((p, "customer"), "id"), K88 + type_name(v86)))
                    v89 = v84.get("email", _M)
                    if v89 is not _M:
                        if type(v89) not in K90:
                            out.append((((p, "customer"), "email"), K91 + type_name(v89)))
                    v92 = v84.get("first_name", _M)
                    if v92 is not _M:
                        if type(v92) not in K93:
                            out.append((((p, "customer"), "first_name"), K94 + type_name(v92)))
                    v95 = v84.get("last_name", _M)
                    if v95 is not _M:
                        if type(v95) not in K96:
                            out.append((((p, "customer"), "last_name"), K97 + type_name(v95)))
                    v98 = v84.get("phone", _M)
                    if v98 is not _M:
                        if type(v98) not in K99:
                            out.append((((p, "customer"), "phone"), K100 + type_name(v98)))
                    v101 = v84.get("company", _M)
                    if v101 is not _M:
                        if type(v101) not in K102:
                            out.append((((p, "customer"), "company"), K103 + type_name(v101)))
                    v104 = v84.get("is_guest", _M)
                    if v104 is not _M:
                        if type(v104) not in K105:
                            out.append((((p, "customer"), "is_guest"), K106 + type_name(v104)))
                    v107 = v84.get("group", _M)
                    if v107 is not _M:
                        if type(v107) not in K108:
                            out.append((((p, "customer"), "group"), K109 + type_name(v107)))
        v110 = v.get("billing_address", _M)
        if v110 is not _M:
            if v110 is not None:
                d_address(v110, (p, "billing_address"), out)
        v160 = v.get("shipping_address", _M)
        if v160 is not _M:
            if v160 is not None:
                d_address(v160, (p, "shipping_address"), out)
        v161 = v.get("shipping", _M)
        if v161 is not _M:
            if v161 is not None:
                if type(v161) is not dict:
                    out.append(((p, "shipping"), K162 + type_name(v161)))
                elif True:
                    v163 = v161.get("method_code", _M)
                    if v163 is not _M:
                        if type(v163) not in K164:
                            out.append((((p, "shipping"), "method_code"), K165 + type_name(v163)))
                    v166 = v161.get("method_name", _M)
                    if v166 is not _M:
                        if type(v166) not in K167:
                            out.append((((p, "shipping"), "method_name"), K168 + type_name(v166)))
                    v169 = v161.get("carrier", _M)
                    if v169 is not _M:
                        if type(v169) not in K170:
                            out.append((((p, "shipping"), "carrier"), K171 + type_name(v169)))
                    v172 = v161.get("instructions", _M)
                    if v172 is not _M:
                        if type(v172) not in K173:
                            out.append((((p, "shipping"), "instructions"), K174 + type_name(v172)))
                    v175 = v161.get("deliver_by", _M)
                    if v175 is not _M:
                        if v175 is not None:
                            if type(v175) is not str:
                                out.append((((p, "shipping"), "deliver_by"), K176 + type_name(v175)))
                            elif True:
                                if type(v175) is str and (not K177(v175) or not date_time_ok(v175)):
                                    out.append((((p, "shipping"), "deliver_by"), short(v175) + K178))
                    v179 = v161.get("dispatch_by", _M)
                    if v179 is not _M:
                        if v179 is not None:
                            if type(v179) is not str:
                                out.append((((p, "shipping"), "dispatch_by"), K180 + type_name(v179)))
                            elif True:
                                if type(v179) is str and (not K181(v179) or not date_time_ok(v179)):
                                    out.append((((p, "shipping"), "dispatch_by"), short(v179) + K182))
        v183 = v.get("totals", _M)
        if v183 is not _M:
            if v183 is not None:
                if type(v183) is not dict:
                    out.append(((p, "totals"), K184 + type_name(v183)))
                elif True:
                    v185 = v183.get("subtotal", _M)
                    if v185 is not _M:
                        if v185 is not None:
                            if type(v185) is not str:
                                out.append((((p, "totals"), "subtotal"), K186 + type_name(v185)))
                            elif True:
                                if type(v185) is str and (not K187(v185)):
                                    out.append((((p, "totals"), "subtotal"), short(v185) + K188))
                    v189 = v183.get("discount", _M)
                    if v189 is not _M:
                        if v189 is not None:
                            if type(v189) is not str:
                                out.append((((p, "totals"), "discount"), K190 + type_name(v189)))
                            elif True:
                                if type(v189) is str and (not K191(v189)):
                                    out.append((((p, "totals"), "discount"), short(v189) + K192))
                    v193 = v183.get("shipping", _M)
                    if v193 is not _M:
                        if v193 is not None:
                            if type(v193) is not str:
                                out.append((((p, "totals"), "shipping"), K194 + type_name(v193)))
                            elif True:
                                if type(v193) is str and (not K195(v193)):
                                    out.append((((p, "totals"), "shipping"), short(v193) + K196))
                    v197 = v183.get("tax", _M)
                    if v197 is not _M:
                        if v197 is not None:
                            if type(v197) is not str:
                                out.append((((p, "totals"), "tax"), K198 + type_name(v197)))
                            elif True:
                                if type(v197) is str and (not K199(v197)):
                                    out.append((((p, "totals"), "tax"), short(v197) + K200))
                    v201 = v183.get("grand_total", _M)
                    if v201 is not _M:
                        if v201 is not None:
                            if type(v201) is not str:
                                out.append((((p, "totals"), "grand_total"), K202 + type_name(v201)))
                            elif True:
                                if type(v201) is str and (not K203(v201)):
                                    out.append((((p, "totals"), "grand_total"), short(v201) + K204))
                    v205 = v183.get("prices_include_tax", _M)
                    if v205 is not _M:
                        if type(v205) not in K206:
                            out.append((((p, "totals"), "prices_include_tax"), K207 + type_name(v205)))
        v208 = v.get("discounts", _M)
        if v208 is not _M:
            if type(v208) is not list:
                out.append(((p, "discounts"), K209 + type_name(v208)))
            elif True:
                for v210, v211 in enumerate(v208):
                    if type(v211) is not dict:
                        out.append((((p, "discounts"), v210), K212 + type_name(v211)))
                    elif True:
                        v213 = v211.get("code", _M)
                        if v213 is not _M:
                            if type(v213) not in K214:
                                out.append(((((p, "discounts"), v210), "code"), K215 + type_name(v213)))
                        v216 = v211.get("name", _M)
                        if v216 is not _M:
                            if type(v216) not in K217:
                                out.append(((((p, "discounts"), v210), "name"), K218 + type_name(v216)))
                        v219 = v211.get("amount", _M)
                        if v219 is not _M:
                            if v219 is not None:
                                if type(v219) is not str:
                                    out.append(((((p, "discounts"), v210), "amount"), K220 + type_name(v219)))
                                elif True:
                                    if type(v219) is str and (not K221(v219)):
                                        out.append(((((p, "discounts"), v210), "amount"), short(v219) + K222))
                        v223 = v211.get("line_ids", _M)
                        if v223 is not _M:
                            if type(v223) is not list:
                                out.append(((((p, "discounts"), v210), "line_ids"), K224 + type_name(v223)))
                            elif True:
                                for v225, v226 in enumerate(v223):
                                    if type(v226) is not str:
                                        out.append((((((p, "discounts"), v210), "line_ids"), v225), K227 + type_name(v226)))
        v228 = v.get("lines", _M)
        if v228 is not _M:
            if type(v228) is not list:
                out.append(((p, "lines"), K229 + type_name(v228)))
            elif True:
                for v230, v231 in enumerate(v228):
                    d_line(v231, ((p, "lines"), v230), out)
        v383 = v.get("payments", _M)
        if v383 is not _M:
            if type(v383) is not list:
                out.append(((p, "payments"), K384 + type_name(v383)))
            elif True:
                for v385, v386 in enumerate(v383):
                    d_payment(v386, ((p, "payments"), v385), out)
        v428 = v.get("history", _M)
        if v428 is not _M:
            if type(v428) is not list:
                out.append(((p, "history"), K429 + type_name(v428)))
            elif True:
                for v430, v431 in enumerate(v428):
                    d_history_item(v431, ((p, "history"), v430), out)
        v432 = v.get("approval_history", _M)
        if v432 is not _M:
            if type(v432) is not list:
                out.append(((p, "approval_history"), K433 + type_name(v432)))
            elif True:
                for v434, v435 in enumerate(v432):
                    d_history_item(v435, ((p, "approval_history"), v434), out)
        v436 = v.get("shipments", _M)
        if v436 is not _M:
            if type(v436) is not list:
                out.append(((p, "shipments"), K437 + type_name(v436)))
            elif True:
                for v438, v439 in enumerate(v436):
                    d_shipment(v439, ((p, "shipments"), v438), out)
        v483 = v.get("documents", _M)
        if v483 is not _M:
            if type(v483) is not list:
                out.append(((p, "documents"), K484 + type_name(v483)))
            elif True:
                for v485, v486 in enumerate(v483):
                    d_document(v486, ((p, "documents"), v485), out)
        v487 = v.get("notes", _M)
        if v487 is not _M:
            if v487 is not None:
                if type(v487) is not dict:
                    out.append(((p, "notes"), K488 + type_name(v487)))
                elif True:
                    v489 = v487.get("customer", _M)
                    if v489 is not _M:
                        if type(v489) not in K490:
                            out.append((((p, "notes"), "customer"), K491 + type_name(v489)))
                    v492 = v487.get("internal", _M)
                    if v492 is not _M:
                        if type(v492) is not list:
                            out.append((((p, "notes"), "internal"), K493 + type_name(v492)))
                        elif True:
                            for v494, v495 in enumerate(v492):
                                if type(v495) is not str:
                                    out.append(((((p, "notes"), "internal"), v494), K496 + type_name(v495)))
        v497 = v.get("extra_data", _M)
        if v497 is not _M:
            if type(v497) is not dict:
                out.append(((p, "extra_data"), K498 + type_name(v497)))
            elif True:
                for v499, v500 in v497.items():
                    if v499 not in K501:
                        if type(v500) is not str:
                            out.append((((p, "extra_data"), v499), K502 + type_name(v500)))
        v503 = v.get("sync", _M)
        if v503 is not _M:
            if v503 is not None:
                if type(v503) is not dict:
                    out.append(((p, "sync"), K504 + type_name(v503)))
                elif True:
                    v505 = v503.get("exported", _M)
                    if v505 is not _M:
                        if type(v505) is not bool:
                            out.append((((p, "sync"), "exported"), K506 + type_name(v505)))
                    v507 = v503.get("exported_at", _M)
                    if v507 is not _M:
                        if v507 is not None:
                            if type(v507) is not str:
                                out.append((((p, "sync"), "exported_at"), K508 + type_name(v507)))
                            elif True:
                                if type(v507) is str and (not K509(v507) or not date_time_ok(v507)):
                                    out.append((((p, "sync"), "exported_at"), short(v507) + K510))


def d_address(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K111 + type_name(v)))
    elif True:
        v112 = v.get("first_name", _M)
        if v112 is not _M:
            if type(v112) not in K113:
                out.append(((p, "first_name"), K114 + type_name(v112)))
        v115 = v.get("last_name", _M)
        if v115 is not _M:
            if type(v115) not in K116:
                out.append(((p, "last_name"), K117 + type_name(v115)))
        v118 = v.get("company", _M)
        if v118 is not _M:
            if type(v118) not in K119:
                out.append(((p, "company"), K120 + type_name(v118)))
        v121 = v.get("lines", _M)
        if v121 is not _M:
            if type(v121) is not list:
                out.append(((p, "lines"), K122 + type_name(v121)))
            elif True:
                for v123, v124 in enumerate(v121):
                    if type(v124) is not str:
                        out.append((((p, "lines"), v123), K125 + type_name(v124)))
        v126 = v.get("city", _M)
        if v126 is not _M:
            if type(v126) not in K127:
                out.append(((p, "city"), K128 + type_name(v126)))
        v129 = v.get("region", _M)
        if v129 is not _M:
            if type(v129) not in K130:
                out.append(((p, "region"), K131 + type_name(v129)))
        v132 = v.get("region_code", _M)
        if v132 is not _M:
            if type(v132) not in K133:
                out.append(((p, "region_code"), K134 + type_name(v132)))
        v135 = v.get("district", _M)
        if v135 is not _M:
            if type(v135) not in K136:
                out.append(((p, "district"), K137 + type_name(v135)))
        v138 = v.get("postal_code", _M)
        if v138 is not _M:
            if type(v138) not in K139:
                out.append(((p, "postal_code"), K140 + type_name(v138)))
        v141 = v.get("country_code", _M)
        if v141 is not _M:
            if v141 is not None:
                if type(v141) is not str:
                    out.append(((p, "country_code"), K142 + type_name(v141)))
                elif True:
                    if type(v141) is str and (not K143(v141)):
                        out.append(((p, "country_code"), short(v141) + K144))
        v145 = v.get("email", _M)
        if v145 is not _M:
            if type(v145) not in K146:
                out.append(((p, "email"), K147 + type_name(v145)))
        v148 = v.get("phone", _M)
        if v148 is not _M:
            if type(v148) not in K149:
                out.append(((p, "phone"), K150 + type_name(v148)))
        v151 = v.get("tax_id", _M)
        if v151 is not _M:
            if type(v151) not in K152:
                out.append(((p, "tax_id"), K153 + type_name(v151)))
        v154 = v.get("tax_office", _M)
        if v154 is not _M:
            if type(v154) not in K155:
                out.append(((p, "tax_office"), K156 + type_name(v154)))
        v157 = v.get("identity_number", _M)
        if v157 is not _M:
            if type(v157) not in K158:
                out.append(((p, "identity_number"), K159 + type_name(v157)))


def d_line(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K232 + type_name(v)))
    elif True:
        if "id" not in v:
            out.append(((p, "id"), "required member missing"))
        if "sku" not in v:
            out.append(((p, "sku"), "required member missing"))
        if "quantity" not in v:
            out.append(((p, "quantity"), "required member missing"))
        v233 = v.get("id", _M)
        if v233 is not _M:
            if type(v233) is not str:
                out.append(((p, "id"), K234 + type_name(v233)))
        v235 = v.get("line_number", _M)
        if v235 is not _M:
            if type(v235) not in K236:
                out.append(((p, "line_number"), K237 + type_name(v235)))
            elif True and v235 is not None:
                if type(v235) in (int, float) and v235 < 0:
                    out.append(((p, "line_number"), f"{v235} is below the minimum 0"))
        v238 = v.get("external_refs", _M)
        if v238 is not _M:
            if type(v238) is not dict:
                out.append(((p, "external_refs"), K239 + type_name(v238)))
            elif True:
                for v240, v241 in v238.items():
                    if v240 not in K242:
                        if type(v241) is not str:
                            out.append((((p, "external_refs"), v240), K243 + type_name(v241)))
        v244 = v.get("sku", _M)
        if v244 is not _M:
            if type(v244) is not str:
                out.append(((p, "sku"), K245 + type_name(v244)))
        v246 = v.get("product_ref", _M)
        if v246 is not _M:
            if type(v246) not in K247:
                out.append(((p, "product_ref"), K248 + type_name(v246)))
        v249 = v.get("name", _M)
        if v249 is not _M:
            if type(v249) not in K250:
                out.append(((p, "name"), K251 + type_name(v249)))
        v252 = v.get("description", _M)
        if v252 is not _M:
            if type(v252) not in K253:
                out.append(((p, "description"), K254 + type_name(v252)))
        v255 = v.get("quantity", _M)
        if v255 is not _M:
            if type(v255) is not int:
                out.append(((p, "quantity"), K256 + type_name(v255)))
            elif True:
                if type(v255) in (int, float) and v255 < 0:
                    out.append(((p, "quantity"), f"{v255} is below the minimum 0"))
        v257 = v.get("quantity_shipped", _M)
        if v257 is not _M:
            if type(v257) not in K258:
                out.append(((p, "quantity_shipped"), K259 + type_name(v257)))
            elif True and v257 is not None:
                if type(v257) in (int, float) and v257 < 0:
                    out.append(((p, "quantity_shipped"), f"{v257} is below the minimum 0"))
        v260 = v.get("status", _M)
        if v260 is not _M:
            if type(v260) not in K261:
                out.append(((p, "status"), K262 + type_name(v260)))
        v263 = v.get("source_status", _M)
        if v263 is not _M:
            if type(v263) not in K264:
                out.append(((p, "source_status"), K265 + type_name(v263)))
        v266 = v.get("unit_price", _M)
        if v266 is not _M:
            if v266 is not None:
                if type(v266) is not str:
                    out.append(((p, "unit_price"), K267 + type_name(v266)))
                elif True:
                    if type(v266) is str and (not K268(v266)):
                        out.append(((p, "unit_price"), short(v266) + K269))
        v270 = v.get("unit_price_incl_tax", _M)
        if v270 is not _M:
            if v270 is not None:
                if type(v270) is not str:
                    out.append(((p, "unit_price_incl_tax"), K271 + type_name(v270)))
                elif True:
                    if type(v270) is str and (not K272(v270)):
                        out.append(((p, "unit_price_incl_tax"), short(v270) + K273))
        v274 = v.get("tax_rate", _M)
        if v274 is not _M:
            if v274 is not None:
                if type(v274) is not str:
                    out.append(((p, "tax_rate"), K275 + type_name(v274)))
                elif True:
                    if type(v274) is str and (not K276(v274)):
                        out.append(((p, "tax_rate"), short(v274) + K277))
        v278 = v.get("tax_amount", _M)
        if v278 is not _M:
            if v278 is not None:
                if type(v278) is not str:
                    out.append(((p, "tax_amount"), K279 + type_name(v278)))
                elif True:
                    if type(v278) is str and (not K280(v278)):
                        out.append(((p, "tax_amount"), short(v278) + K281))
        v282 = v.get("discount_amount", _M)
        if v282 is not _M:
            if v282 is not None:
                if type(v282) is not str:
                    out.append(((p, "discount_amount"), K283 + type_name(v282)))
                elif True:
                    if type(v282) is str and (not K284(v282)):
                        out.append(((p, "discount_amount"), short(v282) + K285))
        v286 = v.get("row_total", _M)
        if v286 is not _M:
            if v286 is not None:
                if type(v286) is not str:
                    out.append(((p, "row_total"), K287 + type_name(v286)))
                elif True:
                    if type(v286) is str and (not K288(v286)):
                        out.append(((p, "row_total"), short(v286) + K289))
        v290 = v.get("row_total_incl_tax", _M)
        if v290 is not _M:
            if v290 is not None:
                if type(v290) is not str:
                    out.append(((p, "row_total_incl_tax"), K291 + type_name(v290)))
                elif True:
                    if type(v290) is str and (not K292(v290)):
                        out.append(((p, "row_total_incl_tax"), short(v290) + K293))
        v294 = v.get("attributes", _M)
        if v294 is not _M:
            if type(v294) is not list:
                out.append(((p, "attributes"), K295 + type_name(v294)))
            elif True:
                for v296, v297 in enumerate(v294):
                    d_attribute(v297, ((p, "attributes"), v296), out)
        v304 = v.get("attribute_summary", _M)
        if v304 is not _M:
            if type(v304) not in K305:
                out.append(((p, "attribute_summary"), K306 + type_name(v304)))
        v307 = v.get("delivery_type", _M)
        if v307 is not _M:
            if type(v307) not in K308:
                out.append(((p, "delivery_type"), K309 + type_name(v307)))
        v310 = v.get("print", _M)
        if v310 is not _M:
            if v310 is not None:
                if type(v310) is not dict:
                    out.append(((p, "print"), K311 + type_name(v310)))
                elif True:
                    v312 = v310.get("pages", _M)
                    if v312 is not _M:
                        if type(v312) not in K313:
                            out.append((((p, "print"), "pages"), K314 + type_name(v312)))
                        elif True and v312 is not None:
                            if type(v312) in (int, float) and v312 < 0:
                                out.append((((p, "print"), "pages"), f"{v312} is below the minimum 0"))
                    v315 = v310.get("width_mm", _M)
                    if v315 is not _M:
                        if v315 is not None:
                            if type(v315) is not str:
                                out.append((((p, "print"), "width_mm"), K316 + type_name(v315)))
                            elif True:
                                if type(v315) is str and (not K317(v315)):
                                    out.append((((p, "print"), "width_mm"), short(v315) + K318))
                    v319 = v310.get("height_mm", _M)
                    if v319 is not _M:
                        if v319 is not None:
                            if type(v319) is not str:
                                out.append((((p, "print"), "height_mm"), K320 + type_name(v319)))
                            elif True:
                                if type(v319) is str and (not K321(v319)):
                                    out.append((((p, "print"), "height_mm"), short(v319) + K322))
        v323 = v.get("assets", _M)
        if v323 is not _M:
            if type(v323) is not list:
                out.append(((p, "assets"), K324 + type_name(v323)))
            elif True:
                for v325, v326 in enumerate(v323):
                    d_asset(v326, ((p, "assets"), v325), out)
        v341 = v.get("documents", _M)
        if v341 is not _M:
            if type(v341) is not list:
                out.append(((p, "documents"), K342 + type_name(v341)))
            elif True:
                for v343, v344 in enumerate(v341):
                    d_document(v344, ((p, "documents"), v343), out)
        v350 = v.get("extra_data", _M)
        if v350 is not _M:
            if type(v350) is not dict:
                out.append(((p, "extra_data"), K351 + type_name(v350)))
            elif True:
                for v352, v353 in v350.items():
                    if v352 not in K354:
                        if type(v353) is not str:
                            out.append((((p, "extra_data"), v352), K355 + type_name(v353)))
        v356 = v.get("history", _M)
        if v356 is not _M:
            if type(v356) is not list:
                out.append(((p, "history"), K357 + type_name(v356)))
            elif True:
                for v358, v359 in enumerate(v356):
                    d_history_item(v359, ((p, "history"), v358), out)
        v376 = v.get("approval_history", _M)
        if v376 is not _M:
            if type(v376) is not list:
                out.append(((p, "approval_history"), K377 + type_name(v376)))
            elif True:
                for v378, v379 in enumerate(v376):
                    d_history_item(v379, ((p, "approval_history"), v378), out)
        v380 = v.get("supplier", _M)
        if v380 is not _M:
            if type(v380) not in K381:
                out.append(((p, "supplier"), K382 + type_name(v380)))


def d_attribute(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K298 + type_name(v)))
    elif True:
        if "name" not in v:
            out.append(((p, "name"), "required member missing"))
        v299 = v.get("name", _M)
        if v299 is not _M:
            if type(v299) is not str:
                out.append(((p, "name"), K300 + type_name(v299)))
        v301 = v.get("value", _M)
        if v301 is not _M:
            if type(v301) not in K302:
                out.append(((p, "value"), K303 + type_name(v301)))


def d_asset(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K327 + type_name(v)))
    elif True:
        if "role" not in v:
            out.append(((p, "role"), "required member missing"))
        if "url" not in v:
            out.append(((p, "url"), "required member missing"))
        v328 = v.get("role", _M)
        if v328 is not _M:
            if type(v328) is not str:
                out.append(((p, "role"), K329 + type_name(v328)))
        v330 = v.get("area", _M)
        if v330 is not _M:
            if type(v330) not in K331:
                out.append(((p, "area"), K332 + type_name(v330)))
        v333 = v.get("url", _M)
        if v333 is not _M:
            if type(v333) is not str:
                out.append(((p, "url"), K334 + type_name(v333)))
        v335 = v.get("content_type", _M)
        if v335 is not _M:
            if type(v335) not in K336:
                out.append(((p, "content_type"), K337 + type_name(v335)))
        v338 = v.get("hash", _M)
        if v338 is not _M:
            if type(v338) not in K339:
                out.append(((p, "hash"), K340 + type_name(v338)))


def d_document(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K345 + type_name(v)))
    elif True:
        if "type" not in v:
            out.append(((p, "type"), "required member missing"))
        if "url" not in v:
            out.append(((p, "url"), "required member missing"))
        v346 = v.get("type", _M)
        if v346 is not _M:
            if type(v346) is not str:
                out.append(((p, "type"), K347 + type_name(v346)))
        v348 = v.get("url", _M)
        if v348 is not _M:
            if type(v348) is not str:
                out.append(((p, "url"), K349 + type_name(v348)))


def d_history_item(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K360 + type_name(v)))
    elif True:
        if "at" not in v:
            out.append(((p, "at"), "required member missing"))
        if "status" not in v:
            out.append(((p, "status"), "required member missing"))
        v361 = v.get("at", _M)
        if v361 is not _M:
            if type(v361) is not str:
                out.append(((p, "at"), K362 + type_name(v361)))
            elif True:
                if type(v361) is str and (not K363(v361) or not date_time_ok(v361)):
                    out.append(((p, "at"), short(v361) + K364))
        v365 = v.get("status", _M)
        if v365 is not _M:
            if type(v365) is not str:
                out.append(((p, "status"), K366 + type_name(v365)))
        v367 = v.get("status_id", _M)
        if v367 is not _M:
            if type(v367) not in K368:
                out.append(((p, "status_id"), K369 + type_name(v367)))
        v370 = v.get("actor_id", _M)
        if v370 is not _M:
            if type(v370) not in K371:
                out.append(((p, "actor_id"), K372 + type_name(v370)))
        v373 = v.get("info", _M)
        if v373 is not _M:
            if type(v373) not in K374:
                out.append(((p, "info"), K375 + type_name(v373)))


def d_payment(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K387 + type_name(v)))
    elif True:
        v388 = v.get("method", _M)
        if v388 is not _M:
            if type(v388) not in K389:
                out.append(((p, "method"), K390 + type_name(v388)))
        v391 = v.get("transaction_id", _M)
        if v391 is not _M:
            if type(v391) not in K392:
                out.append(((p, "transaction_id"), K393 + type_name(v391)))
        v394 = v.get("capture_transaction_id", _M)
        if v394 is not _M:
            if type(v394) not in K395:
                out.append(((p, "capture_transaction_id"), K396 + type_name(v394)))
        v397 = v.get("authorization_request_id", _M)
        if v397 is not _M:
            if type(v397) not in K398:
                out.append(((p, "authorization_request_id"), K399 + type_name(v397)))
        v400 = v.get("capture_request_id", _M)
        if v400 is not _M:
            if type(v400) not in K401:
                out.append(((p, "capture_request_id"), K402 + type_name(v400)))
        v403 = v.get("platform_transaction_id", _M)
        if v403 is not _M:
            if type(v403) not in K404:
                out.append(((p, "platform_transaction_id"), K405 + type_name(v403)))
        v406 = v.get("purchase_order_number", _M)
        if v406 is not _M:
            if type(v406) not in K407:
                out.append(((p, "purchase_order_number"), K408 + type_name(v406)))
        v409 = v.get("currency", _M)
        if v409 is not _M:
            if v409 is not None:
                if type(v409) is not str:
                    out.append(((p, "currency"), K410 + type_name(v409)))
                elif True:
                    if type(v409) is str and (not K411(v409)):
                        out.append(((p, "currency"), short(v409) + K412))
        v413 = v.get("amount", _M)
        if v413 is not _M:
            if v413 is not None:
                if type(v413) is not str:
                    out.append(((p, "amount"), K414 + type_name(v413)))
                elif True:
                    if type(v413) is str and (not K415(v413)):
                        out.append(((p, "amount"), short(v413) + K416))
        v417 = v.get("authorization_expires_at", _M)
        if v417 is not _M:
            if v417 is not None:
                if type(v417) is not str:
                    out.append(((p, "authorization_expires_at"), K418 + type_name(v417)))
                elif True:
                    if type(v417) is str and (not K419(v417) or not date_time_ok(v417)):
                        out.append(((p, "authorization_expires_at"), short(v417) + K420))
        v421 = v.get("transacted_at", _M)
        if v421 is not _M:
            if v421 is not None:
                if type(v421) is not str:
                    out.append(((p, "transacted_at"), K422 + type_name(v421)))
                elif True:
                    if type(v421) is str and (not K423(v421) or not date_time_ok(v421)):
                        out.append(((p, "transacted_at"), short(v421) + K424))
        v425 = v.get("status", _M)
        if v425 is not _M:
            if type(v425) not in K426:
                out.append(((p, "status"), K427 + type_name(v425)))


def d_shipment(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K440 + type_name(v)))
    elif True:
        v441 = v.get("id", _M)
        if v441 is not _M:
            if type(v441) not in K442:
                out.append(((p, "id"), K443 + type_name(v441)))
        v444 = v.get("status", _M)
        if v444 is not _M:
            if type(v444) not in K445:
                out.append(((p, "status"), K446 + type_name(v444)))
        v447 = v.get("carrier", _M)
        if v447 is not _M:
            if type(v447) not in K448:
                out.append(((p, "carrier"), K449 + type_name(v447)))
        v450 = v.get("service", _M)
        if v450 is not _M:
            if type(v450) not in K451:
                out.append(((p, "service"), K452 + type_name(v450)))
        v453 = v.get("method_code", _M)
        if v453 is not _M:
            if type(v453) not in K454:
                out.append(((p, "method_code"), K455 + type_name(v453)))
        v456 = v.get("shipped_at", _M)
        if v456 is not _M:
            if v456 is not None:
                if type(v456) is not str:
                    out.append(((p, "shipped_at"), K457 + type_name(v456)))
                elif True:
                    if type(v456) is str and (not K458(v456) or not date_time_ok(v456)):
                        out.append(((p, "shipped_at"), short(v456) + K459))
        v460 = v.get("tracking", _M)
        if v460 is not _M:
            if type(v460) is not list:
                out.append(((p, "tracking"), K461 + type_name(v460)))
            elif True:
                for v462, v463 in enumerate(v460):
                    if type(v463) is not dict:
                        out.append((((p, "tracking"), v462), K464 + type_name(v463)))
                    elif True:
                        if "code" not in v463:
                            out.append(((((p, "tracking"), v462), "code"), "required member missing"))
                        v465 = v463.get("code", _M)
                        if v465 is not _M:
                            if type(v465) is not str:
                                out.append(((((p, "tracking"), v462), "code"), K466 + type_name(v465)))
                        v467 = v463.get("url", _M)
                        if v467 is not _M:
                            if type(v467) not in K468:
                                out.append(((((p, "tracking"), v462), "url"), K469 + type_name(v467)))
        v470 = v.get("lines", _M)
        if v470 is not _M:
            if type(v470) is not list:
                out.append(((p, "lines"), K471 + type_name(v470)))
            elif True:
                for v472, v473 in enumerate(v470):
                    if type(v473) is not dict:
                        out.append((((p, "lines"), v472), K474 + type_name(v473)))
                    elif True:
                        if "line_id" not in v473:
                            out.append(((((p, "lines"), v472), "line_id"), "required member missing"))
                        if "quantity" not in v473:
                            out.append(((((p, "lines"), v472), "quantity"), "required member missing"))
                        v475 = v473.get("line_id", _M)
                        if v475 is not _M:
                            if type(v475) is not str:
                                out.append(((((p, "lines"), v472), "line_id"), K476 + type_name(v475)))
                        v477 = v473.get("quantity", _M)
                        if v477 is not _M:
                            if type(v477) is not int:
                                out.append(((((p, "lines"), v472), "quantity"), K478 + type_name(v477)))
                            elif True:
                                if type(v477) in (int, float) and v477 < 0:
                                    out.append(((((p, "lines"), v472), "quantity"), f"{v477} is below the minimum 0"))
        v479 = v.get("documents", _M)
        if v479 is not _M:
            if type(v479) is not list:
                out.append(((p, "documents"), K480 + type_name(v479)))
            elif True:
                for v481, v482 in enumerate(v479):
                    d_document(v482, ((p, "documents"), v481), out)


def f__root(v: Any) -> bool:
    return bool(((type(v) is dict and "schema" in v and "number" in v and "lines" in v and ((x1 := v.get("schema", _M)) is _M or ((type(x1) is str and x1 in K511))) and ((x2 := v.get("id", _M)) is _M or (type(x2) in (str, type(None)))) and ((x3 := v.get("number", _M)) is _M or ((type(x3) is str and (type(x3) is not str or len(x3) >= 1)))) and ((x4 := v.get("external_refs", _M)) is _M or ((type(x4) is dict and all((type(x5) is str) for x5 in x4.values())))) and ((x7 := v.get("source", _M)) is _M or (x7 is None or ((type(x7) is dict and ((x8 := x7.get("system", _M)) is _M or (type(x8) in (str, type(None)))) and ((x9 := x7.get("channel", _M)) is _M or (x9 is None or ((type(x9) is dict and ((x10 := x9.get("id", _M)) is _M or (type(x10) in (str, type(None)))) and ((x11 := x9.get("name", _M)) is _M or (type(x11) in (str, type(None)))) and ((x12 := x9.get("type", _M)) is _M or (type(x12) in (str, type(None)))))))) and ((x13 := x7.get("store", _M)) is _M or (type(x13) in (str, type(None)))))))) and ((x14 := v.get("supplier", _M)) is _M or (x14 is None or ((type(x14) is dict and ((x15 := x14.get("id", _M)) is _M or (type(x15) in (str, type(None)))) and ((x16 := x14.get("name", _M)) is _M or (type(x16) in (str, type(None)))))))) and ((x17 := v.get("status", _M)) is _M or ((x17 is None or (type(x17) is str and x17 in K516)))) and ((x18 := v.get("source_status", _M)) is _M or (type(x18) in (str, type(None)))) and ((x19 := v.get("hold", _M)) is _M or (x19 is None or ((type(x19) is dict and "on_hold" in x19 and ((x20 := x19.get("on_hold", _M)) is _M or (type(x20) is bool)) and ((x21 := x19.get("reason", _M)) is _M or (type(x21) in (str, type(None)))) and ((x22 := x19.get("until", _M)) is _M or (x22 is None or ((type(x22) is str and (type(x22) is not str or x22 in K517 or K517.match(x22)))))))))) and ((x23 := v.get("tags", _M)) is _M or ((type(x23) is list and all((type(x24) is str) for x24 in x23)))) and ((x25 := v.get("placed_at", _M)) is _M or (x25 is None or ((type(x25) is str and (type(x25) is not str or x25 in K517 or K517.match(x25)))))) and ((x26 := v.get("created_at", _M)) is _M or (x26 is None or ((type(x26) is str and (type(x26) is not str or x26 in K517 or K517.match(x26)))))) and ((x27 := v.get("updated_at", _M)) is _M or (x27 is None or ((type(x27) is str and (type(x27) is not str or x27 in K517 or K517.match(x27)))))) and ((x28 := v.get("currency", _M)) is _M or (x28 is None or ((type(x28) is str and (type(x28) is not str or x28 in K519 or K519.match(x28)))))) and ((x29 := v.get("po_number", _M)) is _M or (type(x29) in (str, type(None)))) and ((x30 := v.get("customer", _M)) is _M or (x30 is None or ((type(x30) is dict and ((x31 := x30.get("id", _M)) is _M or (type(x31) in (str, type(None)))) and ((x32 := x30.get("email", _M)) is _M or (type(x32) in (str, type(None)))) and ((x33 := x30.get("first_name", _M)) is _M or (type(x33) in (str, type(None)))) and ((x34 := x30.get("last_name", _M)) is _M or (type(x34) in (str, type(None)))) and ((x35 := x30.get("phone", _M)) is _M or (type(x35) in (str, type(None)))) and ((x36 := x30.get("company", _M)) is _M or (type(x36) in (str, type(None)))) and ((x37 := x30.get("is_guest", _M)) is _M or (type(x37) in (bool, type(None)))) and ((x38 := x30.get("group", _M)) is _M or (type(x38) in (str, type(None)))))))) and ((x39 := v.get("billing_address", _M)) is _M or (x39 is None or f_address(x39))) and ((x56 := v.get("shipping_address", _M)) is _M or (x56 is None or f_address(x56))) and ((x57 := v.get("shipping", _M)) is _M or (x57 is None or ((type(x57) is dict and ((x58 := x57.get("method_code", _M)) is _M or (type(x58) in (str, type(None)))) and ((x59 := x57.get("method_name", _M)) is _M or (type(x59) in (str, type(None)))) and ((x60 := x57.get("carrier", _M)) is _M or (type(x60) in (str, type(None)))) and ((x61 := x57.get("instructions", _M)) is _M or (type(x61) in (str, type(None)))) and ((x62 := x57.get("deliver_by", _M)) is _M or (x62 is None or ((type(x62) is str and (type(x62) is not str or x62 in K517 or K517.match(x62)))))) and ((x63 := x57.get("dispatch_by", _M)) is _M or (x63 is None or ((type(x63) is str and (type(x63) is not str or x63 in K517 or K517.match(x63)))))))))) and ((x64 := v.get("totals", _M)) is _M or (x64 is None or ((type(x64) is dict and ((x65 := x64.get("subtotal", _M)) is _M or (x65 is None or ((type(x65) is str and (type(x65) is not str or x65 in K524 or K524.match(x65)))))) and ((x66 := x64.get("discount", _M)) is _M or (x66 is None or ((type(x66) is str and (type(x66) is not str or x66 in K524 or K524.match(x66)))))) and ((x67 := x64.get("shipping", _M)) is _M or (x67 is None or ((type(x67) is str and (type(x67) is not str or x67 in K524 or K524.match(x67)))))) and ((x68 := x64.get("tax", _M)) is _M or (x68 is None or ((type(x68) is str and (type(x68) is not str or x68 in K524 or K524.match(x68)))))) and ((x69 := x64.get("grand_total", _M)) is _M or (x69 is None or ((type(x69) is str and (type(x69) is not str or x69 in K524 or K524.match(x69)))))) and ((x70 := x64.get("prices_include_tax", _M)) is _M or (type(x70) in (bool, type(None)))))))) and ((x71 := v.get("discounts", _M)) is _M or ((type(x71) is list and all(((type(x72) is dict and ((x73 := x72.get("code", _M)) is _M or (type(x73) in (str, type(None)))) and ((x74 := x72.get("name", _M)) is _M or (type(x74) in (str, type(None)))) and ((x75 := x72.get("amount", _M)) is _M or (x75 is None or ((type(x75) is str and (type(x75) is not str or x75 in K524 or K524.match(x75)))))) and ((x76 := x72.get("line_ids", _M)) is _M or ((type(x76) is list and all((type(x77) is str) for x77 in x76)))))) for x72 in x71)))) and ((x78 := v.get("lines", _M)) is _M or ((type(x78) is list and all(map(f_line, x78))))) and ((x128 := v.get("payments", _M)) is _M or ((type(x128) is list and all(map(f_payment, x128))))) and ((x141 := v.get("history", _M)) is _M or ((type(x141) is list and all(map(f_history_item, x141))))) and ((x142 := v.get("approval_history", _M)) is _M or ((type(x142) is list and all(map(f_history_item, x142))))) and ((x143 := v.get("shipments", _M)) is _M or ((type(x143) is list and all(map(f_shipment, x143))))) and ((x159 := v.get("documents", _M)) is _M or ((type(x159) is list and all(map(f_document, x159))))) and ((x160 := v.get("notes", _M)) is _M or (x160 is None or ((type(x160) is dict and ((x161 := x160.get("customer", _M)) is _M or (type(x161) in (str, type(None)))) and ((x162 := x160.get("internal", _M)) is _M or ((type(x162) is list and all((type(x163) is str) for x163 in x162)))))))) and ((x164 := v.get("extra_data", _M)) is _M or ((type(x164) is dict and all((type(x165) is str) for x165 in x164.values())))) and ((x167 := v.get("sync", _M)) is _M or (x167 is None or ((type(x167) is dict and ((x168 := x167.get("exported", _M)) is _M or (type(x168) is bool)) and ((x169 := x167.get("exported_at", _M)) is _M or (x169 is None or ((type(x169) is str and (type(x169) is not str or x169 in K517 or K517.match(x169)))))))))))))


def f_address(v: Any) -> bool:
    return bool(((type(v) is dict and ((x40 := v.get("first_name", _M)) is _M or (type(x40) in (str, type(None)))) and ((x41 := v.get("last_name", _M)) is _M or (type(x41) in (str, type(None)))) and ((x42 := v.get("company", _M)) is _M or (type(x42) in (str, type(None)))) and ((x43 := v.get("lines", _M)) is _M or ((type(x43) is list and all((type(x44) is str) for x44 in x43)))) and ((x45 := v.get("city", _M)) is _M or (type(x45) in (str, type(None)))) and ((x46 := v.get("region", _M)) is _M or (type(x46) in (str, type(None)))) and ((x47 := v.get("region_code", _M)) is _M or (type(x47) in (str, type(None)))) and ((x48 := v.get("district", _M)) is _M or (type(x48) in (str, type(None)))) and ((x49 := v.get("postal_code", _M)) is _M or (type(x49) in (str, type(None)))) and ((x50 := v.get("country_code", _M)) is _M or (x50 is None or ((type(x50) is str and (type(x50) is not str or x50 in K521 or K521.match(x50)))))) and ((x51 := v.get("email", _M)) is _M or (type(x51) in (str, type(None)))) and ((x52 := v.get("phone", _M)) is _M or (type(x52) in (str, type(None)))) and ((x53 := v.get("tax_id", _M)) is _M or (type(x53) in (str, type(None)))) and ((x54 := v.get("tax_office", _M)) is _M or (type(x54) in (str, type(None)))) and ((x55 := v.get("identity_number", _M)) is _M or (type(x55) in (str, type(None)))))))


def f_line(v: Any) -> bool:
    return bool(((type(v) is dict and "id" in v and "sku" in v and "quantity" in v and ((x79 := v.get("id", _M)) is _M or (type(x79) is str)) and ((x80 := v.get("line_number", _M)) is _M or ((type(x80) in (int, type(None)) and (x80 is None or (type(x80) not in (int, float) or x80 >= 0))))) and ((x81 := v.get("external_refs", _M)) is _M or ((type(x81) is dict and all((type(x82) is str) for x82 in x81.values())))) and ((x84 := v.get("sku", _M)) is _M or (type(x84) is str)) and ((x85 := v.get("product_ref", _M)) is _M or (type(x85) in (str, type(None)))) and ((x86 := v.get("name", _M)) is _M or (type(x86) in (str, type(None)))) and ((x87 := v.get("description", _M)) is _M or (type(x87) in (str, type(None)))) and ((x88 := v.get("quantity", _M)) is _M or ((type(x88) is int and (type(x88) not in (int, float) or x88 >= 0)))) and ((x89 := v.get("quantity_shipped", _M)) is _M or ((type(x89) in (int, type(None)) and (x89 is None or (type(x89) not in (int, float) or x89 >= 0))))) and ((x90 := v.get("status", _M)) is _M or (type(x90) in (str, type(None)))) and ((x91 := v.get("source_status", _M)) is _M or (type(x91) in (str, type(None)))) and ((x92 := v.get("unit_price", _M)) is _M or (x92 is None or ((type(x92) is str and (type(x92) is not str or x92 in K524 or K524.match(x92)))))) and ((x93 := v.get("unit_price_incl_tax", _M)) is _M or (x93 is None or ((type(x93) is str and (type(x93) is not str or x93 in K524 or K524.match(x93)))))) and ((x94 := v.get("tax_rate", _M)) is _M or (x94 is None or ((type(x94) is str and (type(x94) is not str or x94 in K524 or K524.match(x94)))))) and ((x95 := v.get("tax_amount", _M)) is _M or (x95 is None or ((type(x95) is str and (type(x95) is not str or x95 in K524 or K524.match(x95)))))) and ((x96 := v.get("discount_amount", _M)) is _M or (x96 is None or ((type(x96) is str and (type(x96) is not str or x96 in K524 or K524.match(x96)))))) and ((x97 := v.get("row_total", _M)) is _M or (x97 is None or ((type(x97) is str and (type(x97) is not str or x97 in K524 or K524.match(x97)))))) and ((x98 := v.get("row_total_incl_tax", _M)) is _M or (x98 is None or ((type(x98) is str and (type(x98) is not str or x98 in K524 or K524.match(x98)))))) and ((x99 := v.get("attributes", _M)) is _M or ((type(x99) is list and all(map(f_attribute, x99))))) and ((x102 := v.get("attribute_summary", _M)) is _M or (type(x102) in (str, type(None)))) and ((x103 := v.get("delivery_type", _M)) is _M or (type(x103) in (str, type(None)))) and ((x104 := v.get("print", _M)) is _M or (x104 is None or ((type(x104) is dict and ((x105 := x104.get("pages", _M)) is _M or ((type(x105) in (int, type(None)) and (x105 is None or (type(x105) not in (int, float) or x105 >= 0))))) and ((x106 := x104.get("width_mm", _M)) is _M or (x106 is None or ((type(x106) is str and (type(x106) is not str or x106 in K524 or K524.match(x106)))))) and ((x107 := x104.get("height_mm", _M)) is _M or (x107 is None or ((type(x107) is str and (type(x107) is not str or x107 in K524 or K524.match(x107)))))))))) and ((x108 := v.get("assets", _M)) is _M or ((type(x108) is list and all(map(f_asset, x108))))) and ((x114 := v.get("documents", _M)) is _M or ((type(x114) is list and all(map(f_document, x114))))) and ((x117 := v.get("extra_data", _M)) is _M or ((type(x117) is dict and all((type(x118) is str) for x118 in x117.values())))) and ((x120 := v.get("history", _M)) is _M or ((type(x120) is list and all(map(f_history_item, x120))))) and ((x126 := v.get("approval_history", _M)) is _M or ((type(x126) is list and all(map(f_history_item, x126))))) and ((x127 := v.get("supplier", _M)) is _M or (type(x127) in (str, type(None)))))))


def f_attribute(v: Any) -> bool:
    return bool(((type(v) is dict and "name" in v and ((x100 := v.get("name", _M)) is _M or (type(x100) is str)) and ((x101 := v.get("value", _M)) is _M or (type(x101) in (str, type(None)))))))


def f_asset(v: Any) -> bool:
    return bool(((type(v) is dict and "role" in v and "url" in v and ((x109 := v.get("role", _M)) is _M or (type(x109) is str)) and ((x110 := v.get("area", _M)) is _M or (type(x110) in (str, type(None)))) and ((x111 := v.get("url", _M)) is _M or (type(x111) is str)) and ((x112 := v.get("content_type", _M)) is _M or (type(x112) in (str, type(None)))) and ((x113 := v.get("hash", _M)) is _M or (type(x113) in (str, type(None)))))))


def f_document(v: Any) -> bool:
    return bool(((type(v) is dict and "type" in v and "url" in v and ((x115 := v.get("type", _M)) is _M or (type(x115) is str)) and ((x116 := v.get("url", _M)) is _M or (type(x116) is str)))))


def f_history_item(v: Any) -> bool:
    return bool(((type(v) is dict and "at" in v and "status" in v and ((x121 := v.get("at", _M)) is _M or ((type(x121) is str and (type(x121) is not str or x121 in K517 or K517.match(x121))))) and ((x122 := v.get("status", _M)) is _M or (type(x122) is str)) and ((x123 := v.get("status_id", _M)) is _M or (type(x123) in (int, type(None)))) and ((x124 := v.get("actor_id", _M)) is _M or (type(x124) in (str, type(None)))) and ((x125 := v.get("info", _M)) is _M or (type(x125) in (str, type(None)))))))


def f_payment(v: Any) -> bool:
    return bool(((type(v) is dict and ((x129 := v.get("method", _M)) is _M or (type(x129) in (str, type(None)))) and ((x130 := v.get("transaction_id", _M)) is _M or (type(x130) in (str, type(None)))) and ((x131 := v.get("capture_transaction_id", _M)) is _M or (type(x131) in (str, type(None)))) and ((x132 := v.get("authorization_request_id", _M)) is _M or (type(x132) in (str, type(None)))) and ((x133 := v.get("capture_request_id", _M)) is _M or (type(x133) in (str, type(None)))) and ((x134 := v.get("platform_transaction_id", _M)) is _M or (type(x134) in (str, type(None)))) and ((x135 := v.get("purchase_order_number", _M)) is _M or (type(x135) in (str, type(None)))) and ((x136 := v.get("currency", _M)) is _M or (x136 is None or ((type(x136) is str and (type(x136) is not str or x136 in K519 or K519.match(x136)))))) and ((x137 := v.get("amount", _M)) is _M or (x137 is None or ((type(x137) is str and (type(x137) is not str or x137 in K524 or K524.match(x137)))))) and ((x138 := v.get("authorization_expires_at", _M)) is _M or (x138 is None or ((type(x138) is str and (type(x138) is not str or x138 in K517 or K517.match(x138)))))) and ((x139 := v.get("transacted_at", _M)) is _M or (x139 is None or ((type(x139) is str and (type(x139) is not str or x139 in K517 or K517.match(x139)))))) and ((x140 := v.get("status", _M)) is _M or (type(x140) in (str, type(None)))))))


def f_shipment(v: Any) -> bool:
    return bool(((type(v) is dict and ((x144 := v.get("id", _M)) is _M or (type(x144) in (str, type(None)))) and ((x145 := v.get("status", _M)) is _M or (type(x145) in (str, type(None)))) and ((x146 := v.get("carrier", _M)) is _M or (type(x146) in (str, type(None)))) and ((x147 := v.get("service", _M)) is _M or (type(x147) in (str, type(None)))) and ((x148 := v.get("method_code", _M)) is _M or (type(x148) in (str, type(None)))) and ((x149 := v.get("shipped_at", _M)) is _M or (x149 is None or ((type(x149) is str and (type(x149) is not str or x149 in K517 or K517.match(x149)))))) and ((x150 := v.get("tracking", _M)) is _M or ((type(x150) is list and all(((type(x151) is dict and "code" in x151 and ((x152 := x151.get("code", _M)) is _M or (type(x152) is str)) and ((x153 := x151.get("url", _M)) is _M or (type(x153) in (str, type(None)))))) for x151 in x150)))) and ((x154 := v.get("lines", _M)) is _M or ((type(x154) is list and all(((type(x155) is dict and "line_id" in x155 and "quantity" in x155 and ((x156 := x155.get("line_id", _M)) is _M or (type(x156) is str)) and ((x157 := x155.get("quantity", _M)) is _M or ((type(x157) is int and (type(x157) not in (int, float) or x157 >= 0)))))) for x155 in x154)))) and ((x158 := v.get("documents", _M)) is _M or ((type(x158) is list and all(map(f_document, x158))))))))
