"""The presets against real test APIs that apply the documented filters server-side, and mark-sent's write-back.

Omnitron: unsent = ``is_send=False`` and not cancelled (the list has no "not" filter: cancelled orders are
read and kept out, a cancellation waiting for a decision is held until it is decided), items from
``/order_items/?order_id=`` and each item's detail. Magento 2: open invoiced orders by default,
``invoiced_only = false`` for all. Write-back: query-orders -> render -> deliver to an HTTP ERP that
answers with its ids -> mark-sent -> the Omnitron API received the ERP's ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke, record_line, records
from query_orders_api import MAGENTO_TOKEN, OMNI_TOKEN, Api, serve

ENV = {"OMNI_TOKEN": OMNI_TOKEN, "SHOP_TOKEN": MAGENTO_TOKEN}
WRITE_BACK = """
[sources.omni.mark_sent.items]
body = { extra_field = { erp_order_id = "{response.id}", erp_item_id = "{response.lines[sku=line.sku].id}" } }
"""


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Api]]:
    yield from serve()


@pytest.fixture
def api(server: tuple[str, Api]) -> Api:
    server[1].reset()
    return server[1]


def sources(server: tuple[str, Api], extra: str = "") -> str:
    return f"""
[sources.omni]
type = "http"
preset = "omnitron"
base_url = "{server[0]}"
token = "${{OMNI_TOKEN}}"
retries = 0

[sources.shop]
type = "http"
preset = "magento2"
base_url = "{server[0]}"
token = "${{SHOP_TOKEN}}"
retries = 0
{extra}"""


@pytest.fixture
def config(server: tuple[str, Api], tmp_config: Any) -> Path:
    return tmp_config(sources(server))


def keys(invoke: Invoke, config: Path, *args: str) -> list[str]:
    result = invoke(["query-orders", *args], config=config, env=ENV)
    assert result.exit_code == 0, result.stderr
    return [r["key"] for r in records(result.stdout)]


def story(invoke: Invoke, number: str) -> dict[str, Any]:
    return json.loads(invoke(["state", "show", number]).stdout)  # type: ignore[no-any-return]


# Omnitron ---------------------------------------------------------------------------------------------------------


def test_omnitron_unsent_is_is_send_false_and_cancelled_orders_stay_out(invoke: Invoke, config: Path, api: Api) -> None:
    assert keys(invoke, config, "--source", "omni", "--unsent") == ["OMN-6001", "OMN-6002", "OMN-6004", "OMN-6006"]
    lists = [p for _, p in api.requests if p.startswith("/api/i1/orders/")]
    assert all("is_send=False" in p and "status" not in p for p in lists)  # the API filters one status code, no "not"
    # OMN-6005 (canceled, 100) was read, and neither emitted nor queued
    assert "/api/v1/orders_integration/6005/detailed_integration/" in [p for _, p in api.requests]
    unknown = invoke(["state", "show", "OMN-6005"])
    assert unknown.exit_code == 65 and "nothing known about 'OMN-6005'" in unknown.stderr


def test_an_order_cancelled_after_it_was_queued_is_taken_back(invoke: Invoke, config: Path, api: Api) -> None:
    assert keys(invoke, config, "--source", "omni", "--unsent", "--channel", "3") == ["OMN-6001", "OMN-6004", "OMN-6006"]
    api.omni[6004]["status"] = "100"
    result = invoke(["query-orders", "--source", "omni", "--unsent", "--requeue-after", "0"], config=config, env=ENV)
    assert result.exit_code == 0, result.stderr
    assert "OMN-6004" not in [r["key"] for r in records(result.stdout)]
    assert "order OMN-6004 was cancelled at the source after it was queued" in result.stderr
    assert story(invoke, "OMN-6004")["order"]["export_status"] == "cancelled"


def test_cancellation_waiting_is_held_until_decided(invoke: Invoke, config: Path, api: Api) -> None:
    """Status 50: "the order remains in this status until a decision is made": held, not exported, not lost."""
    assert "OMN-6007" not in keys(invoke, config, "--source", "omni", "--unsent")
    held = story(invoke, "OMN-6007")["order"]
    assert held["export_status"] == "held" and held["hold_reason"] == "source: cancellation waiting"
    api.omni[6007]["status"] = "400"  # the cancellation was refused: the order goes on
    assert keys(invoke, config, "--source", "omni", "--unsent", "--channel", "3", "--requeue-after", "0") == [
        "OMN-6001",
        "OMN-6004",
        "OMN-6006",
        "OMN-6007",
    ]


def test_items_come_from_order_items_and_each_items_detail(invoke: Invoke, config: Path, api: Api) -> None:
    result = invoke(["query-orders", "--source", "omni", "--number", "OMN-6001", "--raw"], config=config, env=ENV)
    assert result.exit_code == 0, result.stderr
    order = json.loads(result.stdout)
    assert [(li["sku"], li["quantity"]) for li in order["lines"]] == [("MUG-WHT-330", 2), ("CAL-A3-2026", 1)]
    assert order["lines"][0]["external_refs"] == {"akinon.item_pks": "60010,60011"}
    paths = [p for _, p in api.requests]
    assert "/api/v1/order_items/?order_id=6001&limit=50" not in paths  # no limit sent: the API's page size (2 here)
    assert [p for p in paths if p.startswith("/api/v1/order_items/")] == [
        "/api/v1/order_items/?order_id=6001",
        "/api/v1/order_items/?order_id=6001&offset=2&limit=2",
        "/api/v1/order_items/60010/",
        "/api/v1/order_items/60011/",
        "/api/v1/order_items/60012/",
    ]
    assert not any(p.startswith("/api/v1/order_item/detailed_integration/") for p in paths)


def test_the_prefix_is_configurable(invoke: Invoke, server: tuple[str, Api], tmp_config: Any, api: Api) -> None:
    config = tmp_config(sources(server).replace("retries = 0\n", 'retries = 0\nprefix = "/api/i1"\n', 1))
    assert keys(invoke, config, "--source", "omni", "--number", "OMN-6002") == ["OMN-6002"]
    paths = [p for _, p in api.requests]
    assert "/api/i1/orders_integration/6002/detailed_integration/" in paths
    assert "/api/i1/order_items/60020/" in paths and not any(p.startswith("/api/v1/") for p in paths)


# Magento 2 --------------------------------------------------------------------------------------------------------


def test_magento_exports_open_invoiced_orders_by_default(invoke: Invoke, config: Path, api: Api) -> None:
    assert keys(invoke, config, "--source", "shop") == ["3000000050", "3000000051", "3000000052"]
    first = api.requests[0][1]
    assert "%5Bfield%5D=state&" in first and "%5Bvalue%5D=processing&" in first
    assert "%5Bfield%5D=total_invoiced&" in first and "%5Bcondition_type%5D=gt" in first


def test_magento_invoiced_only_can_be_turned_off(invoke: Invoke, server: tuple[str, Api], tmp_config: Any, api: Api) -> None:
    config = tmp_config(sources(server, "invoiced_only = false\n"))
    all_six = ["3000000050", "3000000051", "3000000052", "3000000053", "3000000054", "3000000055"]
    assert keys(invoke, config, "--source", "shop") == all_six
    assert not any("total_invoiced" in p for _, p in api.requests)
    assert keys(invoke, config, "--source", "shop", "--channel", "2") == ["3000000051", "3000000054"]


def test_invoiced_only_needs_a_magento_api(invoke: Invoke, server: tuple[str, Api], tmp_config: Any, api: Api) -> None:
    config = tmp_config(sources(server).replace("retries = 0\n", "retries = 0\ninvoiced_only = true\n", 1))
    result = invoke(["query-orders", "--source", "omni"], config=config, env=ENV)
    assert result.exit_code == 78 and "'sources.omni.invoiced_only' needs query_style" in result.stderr and result.stdout == ""
    assert api.requests == []
    check = invoke(["config", "check"], config=config, env=ENV)  # config check says so too, with the line
    assert check.exit_code == 78
    assert ":8: 'sources.omni.invoiced_only' needs query_style = \"magento\" (a Magento 2 API)" in check.stderr
    assert invoke(["config", "check"], config=tmp_config(sources(server)), env=ENV).exit_code == 0  # magento2's own


# Write-back -------------------------------------------------------------------------------------------------------


def erp(http_server: Any, number: str, answer: dict[str, Any], *, method: str = "POST") -> None:
    """The ERP answers the next request for ``number`` with ``answer`` (JSON)."""
    path = f"/erp/orders/{number}"
    http_server.state.script[path].append(
        (201 if method == "POST" else 200, {"Content-Type": "application/json"}, json.dumps(answer))
    )


def pipeline(invoke: Invoke, config: Path, *query: str) -> tuple[Any, Any]:
    """query-orders -> render -> deliver --to erp; then mark-sent with the results."""
    fetched = invoke(["query-orders", "--source", "omni", "--unsent", *query], config=config, env=ENV)
    assert fetched.exit_code == 0, fetched.stderr
    rendered = invoke(["render", "--format", "json"], input=fetched.stdout, config=config, env=ENV)
    assert rendered.exit_code == 0, rendered.stderr
    delivered = invoke(["deliver", "--to", "erp"], input=rendered.stdout, config=config, env=ENV)
    assert delivered.exit_code == 0, delivered.stderr
    return delivered, invoke(["query-orders", "mark-sent"], input=delivered.stdout, config=config, env=ENV)


def erp_config(server: tuple[str, Api], tmp_config: Any, http_server: Any, write_back: str = WRITE_BACK, **dest: str) -> Path:
    extra = "".join(f'{k} = "{v}"\n' for k, v in dest.items())
    return tmp_config(
        sources(server)
        + write_back
        + f'\n[destinations.erp]\ntype = "http"\nurl = "{http_server.base}/erp/orders/{{key}}"\nbase_delay = 0.01\n{extra}'
    )


ERP_IDS = {"id": "ERP-77", "lines": [{"sku": "MUG-WHT-330", "id": "ERP-L1"}, {"sku": "CAL-A3-2026", "id": "ERP-L2"}]}


def test_mark_sent_writes_the_erps_ids_back(
    invoke: Invoke, server: tuple[str, Api], tmp_config: Any, http_server: Any, api: Api
) -> None:
    config = erp_config(server, tmp_config, http_server)
    erp(http_server, "OMN-6002", ERP_IDS)
    delivered, marked = pipeline(invoke, config, "--channel", "4")
    assert marked.exit_code == 0, marked.stderr
    result = next(r for r in records(delivered.stdout) if r["kind"] == "result")
    assert result["body"]["status"] == "delivered" and result["body"]["response"] == ERP_IDS
    items = {i["pk"]: i["extra_field"] for i in api.omni[6002]["order_items"]}
    assert items == {
        60020: {"erp_order_id": "ERP-77", "erp_item_id": "ERP-L1"},
        60021: {"erp_order_id": "ERP-77", "erp_item_id": "ERP-L1"},
        60022: {"design_id": "D-55", "erp_order_id": "ERP-77", "erp_item_id": "ERP-L2"},  # the item's own kept
    }
    patches = [p for m, p in api.requests if m == "PATCH"]
    assert patches == [*(f"/api/v1/order_items/{pk}/" for pk in (60020, 60021, 60022)), "/api/v1/orders/6002/"]
    assert api.omni[6002]["is_send"] is True  # the order PATCH carried is_send alone, as Omnitron allows
    events = story(invoke, "OMN-6002")["events"]
    marked_at = next(e for e in events if e["event"] == "marked-at-source")
    assert "(and 3 item call(s))" in marked_at["detail"]["remote_ref"]


def test_the_ids_of_an_order_the_erp_already_has_come_from_the_check(
    invoke: Invoke, server: tuple[str, Api], tmp_config: Any, http_server: Any, api: Api
) -> None:
    """The ERP already has the order (exists-check answers 200 with its ids): nothing is posted, the ids go back."""
    config = erp_config(server, tmp_config, http_server, exists_url=f"{http_server.base}/erp/orders/{{key}}", exists_path="id")
    erp(http_server, "OMN-6002", ERP_IDS, method="GET")
    delivered, marked = pipeline(invoke, config, "--channel", "4")
    assert marked.exit_code == 0, marked.stderr
    assert [r["body"]["status"] for r in records(delivered.stdout) if r["kind"] == "result"] == ["duplicate"]
    assert [r["method"] for r in http_server.state.requests] == ["GET"]
    assert {i["extra_field"]["erp_item_id"] for i in api.omni[6002]["order_items"]} == {"ERP-L1", "ERP-L2"}
    assert api.omni[6002]["is_send"] is True


def test_a_missing_id_sends_nothing_and_is_retried_with_the_kept_answer(
    invoke: Invoke, server: tuple[str, Api], tmp_config: Any, http_server: Any, api: Api
) -> None:
    config = erp_config(server, tmp_config, http_server)
    erp(http_server, "OMN-6002", {"reference": "ERP-77", "lines": ERP_IDS["lines"]})  # no "id"
    _, marked = pipeline(invoke, config, "--channel", "4")
    assert marked.exit_code == 65
    line = "exported, but telling source 'omni' failed (will retry): source omni mark-sent of order OMN-6002"
    assert line in marked.stderr and "{response.id}: no value in the destination's response" in marked.stderr
    assert "Traceback" not in marked.stderr
    assert [m for m, _ in api.requests if m == "PATCH"] == []  # never a PATCH with a hole in it
    assert api.omni[6002]["is_send"] is False and not any(
        "erp_order_id" in i["extra_field"] for i in api.omni[6002]["order_items"]
    )
    again = invoke(["query-orders", "mark-sent"], input="", config=config, env=ENV)  # the next run retries it...
    assert "order 'OMN-6002'" in again.stderr and "{response.id}: no value" in again.stderr
    assert [m for m, _ in api.requests if m == "PATCH"] == []
    fixed = tmp_config(config.read_text().replace("{response.id}", "{response.reference}"), "fixed.toml")
    retried = invoke(["query-orders", "mark-sent"], input="", config=fixed, env=ENV)  # ...with the answer kept
    assert retried.exit_code == 0, retried.stderr
    assert {i["extra_field"]["erp_order_id"] for i in api.omni[6002]["order_items"]} == {"ERP-77"}
    assert api.omni[6002]["is_send"] is True


def test_the_sources_own_body_replaces_the_presets(invoke: Invoke, server: tuple[str, Api], tmp_config: Any, api: Api) -> None:
    """``json``, the older spelling of ``body``, still overrides the preset's body (here to unmark an order)."""
    config = tmp_config(sources(server, "\n[sources.omni.mark_sent]\njson = { is_send = false }\n"))
    api.omni[6002]["is_send"] = True
    assert keys(invoke, config, "--source", "omni", "--number", "OMN-6002") == ["OMN-6002"]
    done = record_line("result", "OMN-6002", {"key": "OMN-6002", "status": "delivered", "destination": "mis"})
    marked = invoke(["query-orders", "mark-sent"], input=done, config=config, env=ENV)
    assert marked.exit_code == 0, marked.stderr
    assert [p for m, p in api.requests if m == "PATCH"] == ["/api/v1/orders/6002/"] and api.omni[6002]["is_send"] is False


def test_no_answer_to_write_back_from_is_a_clear_failure(
    invoke: Invoke, server: tuple[str, Api], tmp_config: Any, tmp_path: Path, api: Api
) -> None:
    """A destination that gives no JSON answer (a folder) leaves nothing to write back: said plainly, nothing sent."""
    config = tmp_config(sources(server) + WRITE_BACK + f'\n[destinations.erp]\ntype = "hotfolder"\npath = "{tmp_path / "out"}"\n')
    (tmp_path / "out").mkdir()
    _, marked = pipeline(invoke, config, "--channel", "4")
    assert marked.exit_code == 65
    assert "the delivery result carries no response (only an HTTP destination answering JSON gives one)" in marked.stderr
    assert [m for m, _ in api.requests if m == "PATCH"] == []


def test_config_check_reads_the_write_back_templates(invoke: Invoke, server: tuple[str, Api], tmp_config: Any, api: Api) -> None:
    """A misspelt placeholder root would leave every order's call owed; a brace left open would be sent as it is."""
    assert invoke(["config", "check"], config=tmp_config(sources(server) + WRITE_BACK), env=ENV).exit_code == 0
    bad = WRITE_BACK.replace("{response.id}", "{respons.id}").replace('.id}" }', '.id" }')
    config = tmp_config(sources(server) + bad + '[sources.omni.mark_sent]\npath = "{prefix}/orders/{refs[akinon.pk]}/"\n')
    check = invoke(["config", "check"], config=config, env=ENV)
    assert check.exit_code == 78
    body = "'sources.omni.mark_sent.items.body.extra_field"
    assert f"{body}.erp_order_id': {{respons.id}}: no order, answer or source key is named 'respons'" in check.stderr
    assert "(did you mean 'response'?)" in check.stderr
    assert f"{body}.erp_item_id': '{{response.lines[sku=line.sku].id' opens a placeholder it never closes" in check.stderr
    assert "mark_sent.path" not in check.stderr  # {prefix} (the preset's) and {refs[…]} are placeholders it knows
    assert api.requests == []
    # a source without a preset: {prefix} is a default (""), and a literal brace that starts no name is text
    plain = (
        f'[sources.erp]\ntype = "http"\nurl = "{server[0]}/api/v1/orders/"\n'
        '[sources.erp.mark_sent]\npath = "{prefix}/orders/{number}"\nbody = { pattern = "^[0-9]{6}$", done = "}" }\n'
    )
    assert invoke(["config", "check"], config=tmp_config(plain, "plain.toml"), env=ENV).exit_code == 0


def test_a_line_without_the_item_reference_is_named_by_its_place_never_none() -> None:
    from flowkit.sources.writeback import Missing, calls

    items = {"each": "omnitron.item_ids", "path": "/items/{item}/", "body": {"x": 1}}
    spec = {"mark_sent": {"path": "/orders/{number}/", "body": {"is_send": True}, "items": items}}
    lines = [{"id": "1", "external_refs": {"omnitron.item_ids": "11,12"}}, {"line_number": 2}, {}]
    order = {"number": "6002", "lines": lines[:2]}
    with pytest.raises(Missing, match=r"^line 2 \(\$\.lines\[1\]\) has no 'omnitron.item_ids' reference"):
        calls(spec, order, None, "order 6002")
    with pytest.raises(Missing, match=r"^\$\.lines\[1\] has no 'omnitron.item_ids' reference"):
        calls(spec, {"number": "6002", "lines": [lines[0], lines[2]]}, None, "order 6002")
    done = calls(spec, {"number": "6002", "lines": lines[:1]}, None, "order 6002")
    assert [c.path for c in done] == ["/items/11/", "/items/12/", "/orders/6002/"]
