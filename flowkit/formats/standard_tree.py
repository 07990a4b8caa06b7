"""The standard payload tree built in one pass per order, its member names bound once (the JSON payload's builder).

``builder(names)`` returns a ``tree(order, options, lines=None)`` equal to
``flowkit.formats.standard.tree(order, options, lines, names)``, written for
speed: every member name of ``names`` (``flowkit.formats.names``) is a local
of the closure, so an object is one dict display instead of a member lookup
per name; the options are read once per order, not once per line; a filter
that is off (every document type kept, no extra-data exclusion, all the
attributes) costs nothing; empty lists and objects are not walked.

``standard.tree`` stays the reference: tests/test_standard_tree.py holds the
two equal on the sample and realistic orders under every option, and on
mutated orders. render uses this one for ``--format json`` (bench/render.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from flowkit.formats.options import APPROVAL_STATUSES, RenderOptions
from flowkit.model import utc

Tree = dict[str, Any]
Build = Callable[[dict[str, Any], RenderOptions, "list[dict[str, Any]] | None"], Tree]


@cache
def builder(names: tuple[tuple[str, str], ...]) -> Build:
    """The tree builder for ``names`` (``tuple(names.items())``, hashable: one builder per table)."""
    return _make(dict(names))


def _make(n: Mapping[str, str]) -> Build:  # one closure holds every name as a local
    ID, NUMBER, STATUS, SOURCE_STATUS = n["id"], n["number"], n["status"], n["source_status"]
    HOLD, ON_HOLD, REASON, UNTIL = n["hold"], n["on_hold"], n["reason"], n["until"]
    TAGS, PLACED, CREATED, UPDATED = n["tags"], n["placed_at"], n["created_at"], n["updated_at"]
    CURRENCY, PO, SOURCE, SYSTEM, STORE = n["currency"], n["po_number"], n["source"], n["system"], n["store"]
    CHANNEL, NAME, TYPE, SUPPLIER = n["channel"], n["name"], n["type"], n["supplier"]
    REFS, KEY, VALUE = n["external_refs"], n["key"], n["value"]
    CUSTOMER, EMAIL, FIRST, LAST = n["customer"], n["email"], n["first_name"], n["last_name"]
    PHONE, COMPANY, GUEST, GROUP = n["phone"], n["company"], n["is_guest"], n["group"]
    BILLING, SHIPPING_ADDRESS, LINE1, LINE2 = n["billing_address"], n["shipping_address"], n["address_line1"], n["address_line2"]
    CITY, REGION, REGION_CODE, DISTRICT = n["city"], n["region"], n["region_code"], n["district"]
    POSTAL, COUNTRY, TAX_ID, TAX_OFFICE, IDENTITY = (
        n["postal_code"],
        n["country_code"],
        n["tax_id"],
        n["tax_office"],
        n["identity_number"],
    )
    NOTES, CUSTOMER_NOTE, INTERNAL = n["notes"], n["customer_note"], n["internal_notes"]
    SHIPPING, METHOD_CODE, METHOD_NAME, CARRIER = n["shipping"], n["method_code"], n["method_name"], n["carrier"]
    DELIVER_BY, DISPATCH_BY, INSTRUCTIONS = n["deliver_by"], n["dispatch_by"], n["instructions"]
    TOTALS, SUBTOTAL, DISCOUNT, SHIPPING_TOTAL = n["totals"], n["subtotal"], n["discount"], n["shipping_total"]
    TAX, GRAND_TOTAL, INCLUDES_TAX = n["tax"], n["grand_total"], n["prices_include_tax"]
    DISCOUNTS, CODE, AMOUNT, LINE_IDS = n["discounts"], n["code"], n["amount"], n["line_ids"]
    LINES, DOCUMENTS, URL, EXTRA = n["lines"], n["documents"], n["url"], n["extra_data"]
    LINE_NUMBER, JOB_ID, SKU, PRODUCT_REF = n["line_number"], n["job_id"], n["sku"], n["product_ref"]
    DESCRIPTION, QUANTITY, QUANTITY_SHIPPED = n["description"], n["quantity"], n["quantity_shipped"]
    UNIT_PRICE, UNIT_PRICE_INCL, TAX_RATE, TAX_AMOUNT = n["unit_price"], n["unit_price_incl_tax"], n["tax_rate"], n["tax_amount"]
    DISCOUNT_AMOUNT, ROW_TOTAL, ROW_TOTAL_INCL = n["discount_amount"], n["row_total"], n["row_total_incl_tax"]
    ATTRIBUTES, SUMMARY, DELIVERY_TYPE = n["attributes"], n["attribute_summary"], n["delivery_type"]
    PRINT, PAGES, WIDTH, HEIGHT = n["print"], n["pages"], n["width_mm"], n["height_mm"]
    ASSETS, ROLE, AREA, CONTENT_TYPE, HASH = n["assets"], n["role"], n["area"], n["content_type"], n["hash"]
    SUPPLIER_ID = n["supplier_id"]
    HISTORY, APPROVAL_HISTORY, TIMESTAMP = n["history"], n["approval_history"], n["timestamp"]
    STATUS_ID, ACTOR_ID, INFO = n["status_id"], n["actor_id"], n["info"]
    PAYMENTS, PAYMENT_METHOD, TRANSACTION_ID = n["payments"], n["payment_method"], n["transaction_id"]
    CAPTURE_ID, PO_NUMBER, PLATFORM_ID = n["capture_transaction_id"], n["purchase_order_number"], n["platform_transaction_id"]
    AUTH_REQUEST, CAPTURE_REQUEST = n["authorization_request_id"], n["capture_request_id"]
    PAYMENT_CURRENCY, PAYMENT_AMOUNT = n["payment_currency"], n["payment_amount"]
    AUTH_EXPIRES, TRANSACTED = n["authorization_expires_at"], n["transacted_at"]

    def address(a: dict[str, Any] | None) -> Tree | None:
        if a is None:
            return None
        get = a.get
        street = get("lines") or ()
        return {
            FIRST: get("first_name"),
            LAST: get("last_name"),
            COMPANY: get("company"),
            LINE1: street[0] if street else None,
            LINE2: ", ".join(street[1:]) if len(street) > 1 else None,
            CITY: get("city"),
            REGION: get("region"),
            REGION_CODE: get("region_code"),
            DISTRICT: get("district"),
            POSTAL: get("postal_code"),
            COUNTRY: get("country_code"),
            EMAIL: get("email"),
            PHONE: get("phone"),
            TAX_ID: get("tax_id"),
            TAX_OFFICE: get("tax_office"),
            IDENTITY: get("identity_number"),
        }

    def pairs(data: dict[str, Any] | None, options: RenderOptions | None = None) -> list[Tree]:
        if not data:
            return []
        if options is None or not options.extra_data_exclude:
            return [{KEY: k, VALUE: v} for k, v in data.items()]
        excluded = options.excluded
        return [{KEY: k, VALUE: v} for k, v in data.items() if not excluded(k)]

    def documents(items: list[dict[str, Any]] | None, allowed: dict[str, bool] | None) -> list[Tree]:
        if not items:
            return []
        if allowed is None:
            return [{TYPE: d.get("type"), URL: d.get("url")} for d in items]
        return [{TYPE: d.get("type"), URL: d.get("url")} for d in items if allowed.get(str(d.get("type")), True)]

    def history(items: list[dict[str, Any]] | None, approvals: bool) -> list[Tree]:
        out = []
        for item in items or ():
            get = item.get
            if approvals and get("status") not in APPROVAL_STATUSES:
                continue
            out.append(
                {
                    TIMESTAMP: utc(get("at")),
                    STATUS: get("status"),
                    STATUS_ID: get("status_id"),
                    ACTOR_ID: get("actor_id"),
                    INFO: get("info"),
                }
            )
        return out

    def attributes(line: dict[str, Any], keep: frozenset[str]) -> tuple[list[Tree], str | None]:
        kept = [a for a in line.get("attributes") or () if a.get("name") in keep]
        summary = "; ".join(a["name"] if a.get("value") is None else f"{a['name']}: {a.get('value')}" for a in kept) or None
        return [{NAME: a.get("name"), VALUE: a.get("value")} for a in kept], summary

    def lines_of(items: Any, options: RenderOptions) -> list[Tree]:
        """Every line's tree (the hot loop: the options read once, not per line)."""
        keep = options.attribute_set if options.attributes else None
        assets, extra, hist, approvals = options.assets, options.extra_data, options.history, options.approval_history
        allowed = _allowed(options)
        out = []
        for line in items:
            get = line.get
            refs = get("external_refs") or {}
            if keep is None:
                found = get("attributes")
                attrs = [{NAME: a.get("name"), VALUE: a.get("value")} for a in found] if found else []
                summary = get("attribute_summary")
            else:
                attrs, summary = attributes(line, keep)
            p = get("print")
            row = {
                ID: get("id"),
                LINE_NUMBER: get("line_number"),
                JOB_ID: refs.get("infigo.job_id"),
                SKU: get("sku"),
                PRODUCT_REF: get("product_ref"),
                NAME: get("name"),
                DESCRIPTION: get("description"),
                QUANTITY: get("quantity"),
                QUANTITY_SHIPPED: get("quantity_shipped"),
                STATUS: get("status"),
                SOURCE_STATUS: get("source_status"),
                UNIT_PRICE: get("unit_price"),
                UNIT_PRICE_INCL: get("unit_price_incl_tax"),
                TAX_RATE: get("tax_rate"),
                TAX_AMOUNT: get("tax_amount"),
                DISCOUNT_AMOUNT: get("discount_amount"),
                ROW_TOTAL: get("row_total"),
                ROW_TOTAL_INCL: get("row_total_incl_tax"),
                ATTRIBUTES: attrs,
                SUMMARY: summary,
                DELIVERY_TYPE: get("delivery_type"),
                PRINT: None if p is None else {PAGES: p.get("pages"), WIDTH: p.get("width_mm"), HEIGHT: p.get("height_mm")},
                SUPPLIER_ID: get("supplier"),
                REFS: [{KEY: k, VALUE: v} for k, v in refs.items()] if refs else [],
            }
            if assets:
                found = get("assets")
                row[ASSETS] = (
                    [
                        None
                        if a is None
                        else {
                            ROLE: a.get("role"),
                            AREA: a.get("area"),
                            URL: a.get("url"),
                            CONTENT_TYPE: a.get("content_type"),
                            HASH: a.get("hash"),
                        }
                        for a in found
                    ]
                    if found
                    else []
                )
            row[DOCUMENTS] = documents(get("documents"), allowed)
            if extra:
                row[EXTRA] = pairs(get("extra_data"), options)
            if hist:
                row[HISTORY] = history(get("history"), False)
            if approvals:
                row[APPROVAL_HISTORY] = history(get("approval_history"), True)
            out.append(row)
        return out

    def payment(p: dict[str, Any]) -> Tree:
        get = p.get
        return {
            PAYMENT_METHOD: get("method"),
            TRANSACTION_ID: get("transaction_id"),
            CAPTURE_ID: get("capture_transaction_id"),
            PO_NUMBER: get("purchase_order_number"),
            PLATFORM_ID: get("platform_transaction_id"),
            AUTH_REQUEST: get("authorization_request_id"),
            CAPTURE_REQUEST: get("capture_request_id"),
            PAYMENT_CURRENCY: get("currency"),
            PAYMENT_AMOUNT: get("amount"),
            AUTH_EXPIRES: utc(get("authorization_expires_at")),
            TRANSACTED: utc(get("transacted_at")),
        }

    def tree(order: dict[str, Any], options: RenderOptions, lines: list[dict[str, Any]] | None = None) -> Tree:
        get = order.get
        hold = get("hold") or {}
        source = get("source") or {}
        notes = get("notes") or {}
        channel, supplier, customer = source.get("channel"), get("supplier"), get("customer")
        shipping, totals = get("shipping"), get("totals")
        out: Tree = {
            ID: get("id"),
            NUMBER: get("number"),
            STATUS: get("status"),
            SOURCE_STATUS: get("source_status"),
            HOLD: {ON_HOLD: bool(hold.get("on_hold")), REASON: hold.get("reason"), UNTIL: utc(hold.get("until"))},
            TAGS: list(get("tags") or ()),
            PLACED: utc(get("placed_at")),
            CREATED: utc(get("created_at")),
            UPDATED: utc(get("updated_at")),
            CURRENCY: get("currency"),
            PO: get("po_number"),
            SOURCE: {
                SYSTEM: source.get("system"),
                STORE: source.get("store"),
                CHANNEL: None
                if channel is None
                else {ID: channel.get("id"), NAME: channel.get("name"), TYPE: channel.get("type")},
            },
            SUPPLIER: None if supplier is None else {ID: supplier.get("id"), NAME: supplier.get("name")},
            REFS: pairs(get("external_refs")),
            CUSTOMER: None
            if customer is None
            else {
                ID: customer.get("id"),
                EMAIL: customer.get("email"),
                FIRST: customer.get("first_name"),
                LAST: customer.get("last_name"),
                PHONE: customer.get("phone"),
                COMPANY: customer.get("company"),
                GUEST: customer.get("is_guest"),
                GROUP: customer.get("group"),
            },
            BILLING: address(get("billing_address")),
            SHIPPING_ADDRESS: address(get("shipping_address")),
            NOTES: {CUSTOMER_NOTE: notes.get("customer"), INTERNAL: list(notes.get("internal") or ())},
            SHIPPING: None
            if shipping is None
            else {
                METHOD_CODE: shipping.get("method_code"),
                METHOD_NAME: shipping.get("method_name"),
                CARRIER: shipping.get("carrier"),
                DELIVER_BY: utc(shipping.get("deliver_by")),
                DISPATCH_BY: utc(shipping.get("dispatch_by")),
                INSTRUCTIONS: shipping.get("instructions"),
            },
            TOTALS: None
            if totals is None
            else {
                SUBTOTAL: totals.get("subtotal"),
                DISCOUNT: totals.get("discount"),
                SHIPPING_TOTAL: totals.get("shipping"),
                TAX: totals.get("tax"),
                GRAND_TOTAL: totals.get("grand_total"),
                INCLUDES_TAX: totals.get("prices_include_tax"),
            },
            DISCOUNTS: [
                {CODE: d.get("code"), NAME: d.get("name"), AMOUNT: d.get("amount"), LINE_IDS: list(d.get("line_ids") or ())}
                for d in get("discounts") or ()
            ],
            LINES: lines_of(get("lines") or () if lines is None else lines, options),
        }
        if options.payment:
            out[PAYMENTS] = [payment(p) for p in get("payments") or ()]
        out[DOCUMENTS] = documents(get("documents"), _allowed(options))
        if options.extra_data:
            out[EXTRA] = pairs(get("extra_data"), options)
        if options.history:
            out[HISTORY] = history(get("history"), False)
        if options.approval_history:
            out[APPROVAL_HISTORY] = history(get("approval_history"), True)
        return out

    return tree


def _allowed(options: RenderOptions) -> dict[str, bool] | None:
    """The document types filter, or None when every type is kept (the default: nothing to test per document)."""
    allowed = options.document_types
    return None if all(allowed.values()) else allowed


def json_tree(order: dict[str, Any], options: RenderOptions, lines: list[dict[str, Any]] | None = None) -> Tree:
    """The JSON payload of ``order``: ``standard.tree(order, options, lines, standard.CAMEL)``, built faster."""
    return _json()(order, options, lines)


@cache
def _json() -> Build:
    from flowkit.formats.names import JSON

    return builder(tuple(JSON.items()))
