"""The standard payload: name table, XML and JSON carry the same data, property tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from flowkit import model
from flowkit.formats import orderflow, standard
from flowkit.formats.names import ITEMS, NAMES, PAYMENT_FIELDS
from flowkit.formats.options import RenderOptions
from flowkit.render.core import payload

ORDERS = sorted((ROOT / "samples" / "orders").glob("*.json"))
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
XML_TO_JSON = {xml: json for xml, json in NAMES.values() if xml}
WRAPPERS = {NAMES[f][0] for f in ITEMS if NAMES[f][0]}
UNWRAPPED = {ITEMS[f]: NAMES[f][1] for f in ITEMS if NAMES[f][0] is None}


def test_name_table_is_one_to_one_between_xml_and_json() -> None:
    seen: dict[str, str] = {}
    for field, (xml, json) in NAMES.items():
        if xml is None:
            continue
        assert xml[0].isupper() and json[0].islower(), field
        assert seen.setdefault(xml, json) == json, f"{xml} maps to {seen[xml]} and {json}"
    assert len(PAYMENT_FIELDS) == 11
    assert [NAMES[f][0] for f in PAYMENT_FIELDS] == [
        "PaymentMethod",
        "PaymentTransactionId",
        "CaptureTransactionId",
        "PurchaseOrderNumber",
        "InfigoTransactionId",
        "AuthorizationRequestId",
        "CaptureRequestId",
        "CurrencyCode",
        "Amount",
        "AuthorizationExpirationDateUtc",
        "TransactionDateUtc",
    ]


def xml_as_json(element: Any) -> dict[str, Any]:
    """Read the XML back into the JSON shape using only the name table."""
    out: dict[str, Any] = {}
    for child in element:
        if child.tag in UNWRAPPED:
            out.setdefault(UNWRAPPED[child.tag], []).append(_item(child))
        elif child.tag in WRAPPERS:
            out[XML_TO_JSON[child.tag]] = [_item(c) for c in child]
        else:
            out[XML_TO_JSON[child.tag]] = _item(child)
    return out


def _item(element: Any) -> Any:
    return xml_as_json(element) if len(element) else (element.text or "")


def normalised(value: Any) -> Any:
    """JSON values as XML text: null -> "", booleans and numbers as text, XML-illegal characters replaced."""
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items() if not (k == "payment" and v == [])}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return standard.clean(str(value))


def compare(order: dict[str, Any], options: RenderOptions) -> None:
    xml, _, _ = payload(order, replace(options, format="xml"))
    js, _, _ = payload(order, replace(options, format="json"))
    assert xml_as_json(etree.fromstring(xml.encode(), PARSER)) == normalised(orjson.loads(orjson.dumps(js)))


@pytest.mark.parametrize("path", ORDERS, ids=[p.stem for p in ORDERS])
def test_json_and_xml_carry_the_same_fields(path: Any) -> None:
    order = orjson.loads(path.read_bytes())
    compare(order, RenderOptions().everything())
    compare(order, RenderOptions(escape_non_ascii=True, indent=False))


def test_approval_history_keeps_only_approval_statuses() -> None:
    order = orjson.loads((ROOT / "samples" / "orders" / "1203.json").read_bytes())
    order["lines"][0]["approval_history"].append(
        {"at": "2026-03-14T10:00:00Z", "status": "InProduction", "status_id": 40, "actor_id": "1", "info": ""}
    )
    node = standard.tree(order, RenderOptions(approval_history=True))
    statuses = [h["status"] for h in node["lines"][0]["approval_history"]]
    assert statuses == ["AwaitingApproval", "Approved"]


def test_xml_illegal_characters_are_replaced() -> None:
    order = orjson.loads((ROOT / "samples" / "orders" / "1204.json").read_bytes())
    order["customer"]["first_name"] = "Bo\x00b\x1b\r\n"
    xml = standard.to_xml(standard.tree(order, RenderOptions()))
    root = etree.fromstring(xml.encode(), PARSER)
    assert root.findtext("Customer/FirstName") == "Bo\ufffdb\ufffd\r\n"


def test_orderflow_cdata_is_split_and_single_line() -> None:
    order = orjson.loads((ROOT / "samples" / "orders" / "1203.json").read_bytes())
    order["notes"]["customer"] = "line one\nline ]]> two"
    text = orderflow.document(order, order["lines"])
    body = etree.fromstring(text.encode(), PARSER)[0].text
    assert "customerComment=line one line ]]> two\n" in body


# ---- property tests -----------------------------------------------------------------------------------------------

text = st.text(max_size=12)
opt_text = st.none() | text
money = st.from_regex(r"-?[0-9]{1,6}\.[0-9]{2}", fullmatch=True)
zones = st.sampled_from([UTC, timezone(timedelta(hours=3)), timezone(-timedelta(hours=5))])
stamp = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=zones).map(
    lambda d: d.isoformat().replace("+00:00", "Z")
)
history = st.fixed_dictionaries(
    {"at": stamp, "status": st.sampled_from(["Approved", "Rejected", "InProduction", "x"])},
    optional={"status_id": st.none() | st.integers(0, 99), "actor_id": opt_text, "info": opt_text},
)
extra = st.dictionaries(text, text, max_size=3)
address = st.fixed_dictionaries(
    {},
    optional={
        "first_name": opt_text,
        "lines": st.lists(text, max_size=3),
        "city": opt_text,
        "country_code": st.none() | st.just("GB"),
    },
)
line = st.fixed_dictionaries(
    {"id": text, "sku": text, "quantity": st.integers(0, 10**6)},
    optional={
        "name": opt_text,
        "product_ref": opt_text,
        "unit_price": st.none() | money,
        "row_total": money,
        "attributes": st.lists(st.fixed_dictionaries({"name": text, "value": opt_text}), max_size=2),
        "assets": st.lists(st.fixed_dictionaries({"role": text, "url": text}), max_size=2),
        "documents": st.lists(st.fixed_dictionaries({"type": st.sampled_from(["job_ticket", "proof"]), "url": text}), max_size=2),
        "extra_data": extra,
        "history": st.lists(history, max_size=2),
        "approval_history": st.lists(history, max_size=2),
        "print": st.none() | st.fixed_dictionaries({"pages": st.none() | st.integers(0, 500)}),
        "external_refs": st.dictionaries(text, text, max_size=2),
    },
)
payment = st.fixed_dictionaries(
    {},
    optional={
        "method": opt_text,
        "amount": st.none() | money,
        "transacted_at": st.none() | stamp,
        "currency": st.just("EUR"),
    },
)
orders = st.fixed_dictionaries(
    {"schema": st.just("flowkit.order/1"), "number": text.filter(bool), "lines": st.lists(line, max_size=3)},
    optional={
        "tags": st.lists(text, max_size=3),
        "placed_at": stamp,
        "currency": st.just("GBP"),
        "customer": st.none() | st.fixed_dictionaries({"first_name": opt_text, "is_guest": st.booleans()}),
        "billing_address": st.none() | address,
        "shipping_address": address,
        "payments": st.lists(payment, max_size=2),
        "extra_data": extra,
        "hold": st.fixed_dictionaries({"on_hold": st.booleans(), "reason": opt_text}),
        "totals": st.fixed_dictionaries({"grand_total": money, "tax": money}),
        "notes": st.fixed_dictionaries({"customer": opt_text, "internal": st.lists(text, max_size=2)}),
    },
)
options = st.builds(
    RenderOptions,
    payment=st.booleans(),
    history=st.booleans(),
    approval_history=st.booleans(),
    extra_data=st.booleans(),
    extra_data_exclude=st.sampled_from([(), ("a.*",), ("x", "[0-9]+")]),
    attributes=st.sampled_from([(), ("a",)]),
    assets=st.booleans(),
    job_ticket=st.booleans(),
    escape_non_ascii=st.booleans(),
    indent=st.booleans(),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=orders, opts=options)
def test_render_never_fails_is_well_formed_and_deterministic(order: dict[str, Any], opts: RenderOptions) -> None:
    assert model.validate(order) == []
    for fmt in ("xml", "json", "orderflow"):
        chosen = replace(opts, format=fmt)
        first, _, _ = payload(order, chosen)
        again, _, _ = payload(order, chosen)
        assert first == again
        if fmt == "json":
            orjson.dumps(first)
        else:
            etree.fromstring(first.encode("utf-8"), PARSER)
            assert not chosen.escape_non_ascii or fmt == "orderflow" or first.isascii()
    compare(order, opts)


def test_docs_list_every_name_and_flag() -> None:
    from flowkit.commands.render import command

    names_doc = (ROOT / "docs" / "formats" / "order.md").read_text(encoding="utf-8")
    for field, (xml, json) in NAMES.items():
        assert f"| `{field}` | " in names_doc and f"`{json}` |" in names_doc, field
        assert xml is None or f"`{xml}`" in names_doc, field
    command_doc = (ROOT / "docs" / "commands" / "render.md").read_text(encoding="utf-8")
    for param in command.params:
        for flag in (*param.opts, *param.secondary_opts):
            assert flag in command_doc, flag
