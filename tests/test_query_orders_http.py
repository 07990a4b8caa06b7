"""query-orders against real HTTP servers on 127.0.0.1: Omnitron-like and Magento-like APIs."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke, record_line, records
from query_orders_api import MAGENTO_TOKEN, OMNI_TOKEN, Api, serve

ENV = {"OMNI_TOKEN": OMNI_TOKEN, "SHOP_TOKEN": MAGENTO_TOKEN}


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Api]]:
    yield from serve()


@pytest.fixture
def api(server: tuple[str, Api]) -> Api:
    server[1].reset()
    return server[1]


@pytest.fixture
def config(server: tuple[str, Api], tmp_config: Any) -> Path:
    return tmp_config(f"""
[sources.omni]
type = "http"
preset = "omnitron"
base_url = "{server[0]}"
token = "${{OMNI_TOKEN}}"
page_size = 2
retries = 2
backoff = 0.01

[sources.shop]
type = "http"
preset = "magento2"
base_url = "{server[0]}"
token = "${{SHOP_TOKEN}}"
page_size = 2
retries = 0
""")


def run(invoke: Invoke, config: Path, *args: str) -> Any:
    return invoke(["query-orders", *args], config=config, env=ENV)


def test_omnitron_pages_and_merges_sub_resources(invoke: Invoke, config: Path, api: Api) -> None:
    result = run(invoke, config, "--source", "omni", "--unsent")
    assert result.exit_code == 0, result.stderr
    out = records(result.stdout)
    # 7 orders; OMN-6003 is already sent (server-side is_send filter); OMN-6005 (cancelled, 100) and OMN-6007
    # (cancellation waiting, 50) are read, the list having no "not cancelled" filter, and kept out by query-orders.
    assert [r["key"] for r in out] == ["OMN-6001", "OMN-6002", "OMN-6004", "OMN-6006"]
    lists = [p for m, p in api.requests if p.startswith("/api/i1/orders/")]
    assert len(lists) == 3 and "is_send=False" in lists[0] and "limit=2" in lists[0] and "offset=2" in lists[1]
    assert "status" not in lists[0]
    order = out[0]["body"]
    assert [(li["sku"], li["quantity"]) for li in order["lines"]] == [("MUG-WHT-330", 2), ("CAL-A3-2026", 1)]
    assert order["discounts"][0]["code"] == "HAZIRAN"
    assert order["external_refs"] == {"akinon.pk": "6001"}
    assert out[0]["meta"] == {"channel": "3", "source": "omni"}
    item_pages = [p for m, p in api.requests if p.startswith("/api/v1/order_items/?") and "order_id=6001" in p]
    assert len(item_pages) == 2  # items of one order span two pages: the next link was followed
    details = [p for m, p in api.requests if p.startswith("/api/v1/order_items/6001")]
    assert details == ["/api/v1/order_items/60010/", "/api/v1/order_items/60011/", "/api/v1/order_items/60012/"]


def test_channel_filter_goes_to_the_server(invoke: Invoke, config: Path, api: Api) -> None:
    result = run(invoke, config, "--source", "omni", "--channel", "4")
    assert result.exit_code == 0, result.stderr
    assert [r["key"] for r in records(result.stdout)] == ["OMN-6002"]
    assert all("channel=4" in p for m, p in api.requests if p.startswith("/api/i1/orders/"))


def test_a_500_in_the_middle_is_retried(invoke: Invoke, config: Path, api: Api) -> None:
    api.faults["/api/v1/orders_integration/6002/"] = [500, 503]
    result = invoke(["-v", "query-orders", "--source", "omni"], config=config, env=ENV)
    assert result.exit_code == 0, result.stderr
    keys = ["OMN-6001", "OMN-6002", "OMN-6003", "OMN-6004", "OMN-6006", "OMN-6007"]  # not --unsent: 6007 is held
    assert [r["key"] for r in records(result.stdout)] == keys
    assert "HTTP 500, retrying (1 of 2 retries)" in result.stderr and "(3 of 2" not in result.stderr


def test_5xx_beyond_the_retries_is_a_temporary_failure(invoke: Invoke, config: Path, api: Api) -> None:
    api.faults["/api/i1/orders/"] = [502, 502, 502]
    result = run(invoke, config, "--source", "omni")
    assert result.exit_code == 75
    assert "/api/i1/orders/" in result.stderr and "HTTP 502 after 3 attempt(s)" in result.stderr
    assert result.stdout == ""


def test_401_is_unavailable(invoke: Invoke, config: Path, api: Api) -> None:
    result = invoke(["query-orders", "--source", "omni"], config=config, env={**ENV, "OMNI_TOKEN": "wrong"})
    assert result.exit_code == 69
    assert "refused, HTTP 401" in result.stderr and "/api/i1/orders/" in result.stderr
    assert "wrong" not in result.stderr and result.stdout == ""


def test_malformed_json_names_the_url(invoke: Invoke, config: Path, api: Api, server: tuple[str, Api]) -> None:
    api.faults["/api/i1/orders/"] = ["malformed"]
    result = run(invoke, config, "--source", "omni")
    assert result.exit_code == 65
    assert f"GET {server[0]}/api/i1/orders/?" in result.stderr and "malformed JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_detail_fails_that_order_only(invoke: Invoke, config: Path, api: Api) -> None:
    api.faults["/api/v1/orders_integration/6004/"] = ["malformed"]
    result = run(invoke, config, "--source", "omni", "--unsent")
    assert result.exit_code == 1
    out = records(result.stdout)
    assert [r["kind"] for r in out] == ["order", "order", "error", "order"]
    assert out[2]["key"] == "6004" and "orders_integration/6004/detailed_integration/" in out[2]["body"]["error"]


def test_mark_sent_patches_is_send_and_next_run_is_empty(invoke: Invoke, config: Path, api: Api) -> None:
    first = records(run(invoke, config, "--source", "omni", "--unsent").stdout)
    results = "".join(
        record_line(
            "result",
            r["key"],
            {
                "key": r["key"],
                "destination": "mis",
                "status": "delivered",
                "remote_ref": f"{r['key']}.xml",
                "attempts": 1,
                "error": None,
            },
            r["meta"],
        )
        for r in first
    )
    api.faults["/api/v1/orders/6004/"] = [500]  # the source call fails once (retries = 2: still succeeds)
    api.faults["/api/v1/orders/6006/"] = [500, 500, 500]  # ... this one fails for good: owed, exit 75
    marked = invoke(["query-orders", "mark-sent"], input=results, config=config, env=ENV)
    assert marked.exit_code == 75, marked.stderr  # the only failure is temporary: safe to rerun
    assert "telling source 'omni' failed (will retry)" in marked.stderr
    assert [api.omni[pk]["is_send"] for pk in (6001, 6002, 6004, 6006)] == [True, True, True, False]
    patches = [p for m, p in api.requests if m == "PATCH"]
    assert patches.count("/api/v1/orders/6001/") == 1
    retry = invoke(["query-orders", "mark-sent"], input="", config=config, env=ENV)
    assert retry.exit_code == 0, retry.stderr
    assert api.omni[6006]["is_send"] is True
    assert run(invoke, config, "--source", "omni", "--unsent", "--requeue-after", "0").stdout == ""
    story = json.loads(invoke(["state", "show", "OMN-6006"]).stdout)
    events = [e["event"] for e in story["events"]]
    assert events == ["fetched", "queued", "exported", "result-delivered", "source-mark-failed", "marked-at-source"]


def test_magento_search_criteria_pagination(invoke: Invoke, config: Path, api: Api) -> None:
    result = run(invoke, config, "--source", "shop")
    assert result.exit_code == 0, result.stderr
    assert [r["key"] for r in records(result.stdout)] == ["3000000050", "3000000051", "3000000052"]
    pages = [p for m, p in api.requests if p.startswith("/rest/V1/orders")]
    assert len(pages) == 2 and "currentPage%5D=2" in pages[1]


def test_magento_filters_become_search_criteria(invoke: Invoke, config: Path, api: Api) -> None:
    result = run(invoke, config, "--source", "shop", "--channel", "1", "--since", "2025-05-02")
    assert result.exit_code == 0, result.stderr
    assert [r["key"] for r in records(result.stdout)] == ["3000000052"]
    raw = run(invoke, config, "--source", "shop", "--number", "3000000051", "--raw")
    assert json.loads(raw.stdout)["external_refs"]["magento.entity_id"] == "51"
    assert "increment_id" in api.requests[-1][1]


def test_rate_limit_spaces_requests(invoke: Invoke, config: Path, tmp_config: Any, server: tuple[str, Api], api: Api) -> None:
    limited = tmp_config(
        config.read_text() + '\n[sources.slow]\ntype = "http"\npreset = "omnitron"\n'
        f'base_url = "{server[0]}"\ntoken = "${{OMNI_TOKEN}}"\nrate_limit = 40\n',
        "slow.toml",
    )
    started = time.monotonic()
    result = invoke(["query-orders", "--source", "slow", "--channel", "4"], config=limited, env=ENV)
    assert result.exit_code == 0, result.stderr
    # the list, then per order (OMN-6002, and the cancelled OMN-6005) detail, 2 pages of items, 3 item details, discounts
    assert len(api.requests) == 15 and time.monotonic() - started >= 14 / 40


def test_missing_token_reference_is_a_config_error(invoke: Invoke, config: Path, api: Api) -> None:
    result = invoke(["query-orders", "--source", "omni"], config=config, env={"OMNI_TOKEN": None})  # type: ignore
    assert result.exit_code == 78 and "OMNI_TOKEN is not set" in result.stderr


@pytest.mark.parametrize("paging", ['pagination = "offset"', 'pagination = "next"\nnext_field = "none"'])
def test_generic_api_basic_auth_and_jolt_mapping(
    invoke: Invoke, tmp_config: Any, server: tuple[str, Api], api: Api, paging: str
) -> None:
    spec = Path(__file__).parent / "data" / "query_orders" / "mappings" / "user-jolt.spec.json"
    config = tmp_config(f"""
[sources.legacy]
type = "http"
base_url = "{server[0]}"
list_path = "/legacy/orders"
auth = "basic"
username = "fk"
password = "${{LEGACY_PASSWORD}}"
page_size = 2
{paging}
mapping = "{spec}"
""")
    result = invoke(["query-orders", "--source", "legacy", "--since", "2025-08-02"], config=config, env={"LEGACY_PASSWORD": "pw"})
    assert result.exit_code == 0, result.stderr
    out = records(result.stdout)
    assert [r["key"] for r in out] == ["LS-301", "LS-302", "LS-303", "LS-304"]
    assert out[0]["body"]["lines"][0]["quantity"] == 20 and out[0]["body"]["source"]["system"] == "legacy-shop"
    assert out[0]["meta"] == {"channel": "outlet", "source": "legacy"}
    assert len([p for m, p in api.requests if p.startswith("/legacy/")]) == 3
    refused = invoke(["query-orders", "--source", "legacy"], config=config, env={"LEGACY_PASSWORD": "nope"})
    assert refused.exit_code == 69 and "nope" not in refused.stderr


def test_store_source_re_emits_failed_orders(invoke: Invoke, config: Path, tmp_config: Any, api: Api) -> None:
    first = records(run(invoke, config, "--source", "omni", "--channel", "4").stdout)
    assert [r["key"] for r in first] == ["OMN-6002"]
    failed = record_line("result", "OMN-6002", {"key": "OMN-6002", "status": "failed", "error": "disk full"})
    invoke(["query-orders", "mark-sent", "--no-source"], input=failed, config=config, env=ENV)
    retry = tmp_config(config.read_text() + '\n[sources.retry]\ntype = "store"\nexport_status = ["failed"]\n', "retry.toml")
    requests_before = len(api.requests)
    result = invoke(["query-orders", "--source", "retry"], config=retry, env=ENV)
    assert result.exit_code == 0, result.stderr
    assert [r["key"] for r in records(result.stdout)] == ["OMN-6002"]
    assert len(api.requests) == requests_before  # from the store, not the API


def test_duplicate_result_still_tells_the_source_once(invoke: Invoke, config: Path, api: Api) -> None:
    run(invoke, config, "--source", "omni", "--number", "OMN-6001")
    duplicate = record_line("result", "OMN-6001", {"key": "OMN-6001", "status": "duplicate", "destination": "mis"})
    for _ in range(2):
        result = invoke(["query-orders", "mark-sent"], input=duplicate, config=config, env=ENV)
        assert result.exit_code == 0, result.stderr
    assert api.omni[6001]["is_send"] is True
    assert [p for m, p in api.requests if m == "PATCH"] == ["/api/v1/orders/6001/"]


def test_a_missing_detail_fails_that_order_and_a_403_stops_the_run(invoke: Invoke, config: Path, api: Api) -> None:
    api.faults["/api/v1/orders_integration/6004/"] = [404]
    result = run(invoke, config, "--source", "omni", "--unsent")
    assert result.exit_code == 1
    assert [(r["kind"], r["key"]) for r in records(result.stdout)] == [
        ("order", "OMN-6001"),
        ("order", "OMN-6002"),
        ("error", "6004"),
        ("order", "OMN-6006"),
    ]
    assert "HTTP 404" in result.stderr
    api.faults["/api/v1/order_items/"] = [403]
    stopped = run(invoke, config, "--source", "omni", "--number", "OMN-6001", "--raw")
    assert stopped.exit_code == 69 and "refused, HTTP 403" in stopped.stderr and stopped.stdout == ""


def test_timeout_is_temporary_and_a_closed_port_is_unavailable(
    invoke: Invoke, tmp_config: Any, server: tuple[str, Api], api: Api
) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    config = tmp_config(f"""
[sources.slow]
type = "http"
preset = "omnitron"
base_url = "{server[0]}"
token = "${{OMNI_TOKEN}}"
timeout = 0.2
retries = 1
backoff = 0.01

[sources.gone]
type = "http"
preset = "omnitron"
base_url = "http://127.0.0.1:{closed}"
token = "${{OMNI_TOKEN}}"
retries = 1
backoff = 0.01
""")
    api.faults["/api/i1/orders/"] = ["slow", "slow"]
    slow = invoke(["query-orders", "--source", "slow"], config=config, env=ENV)
    assert slow.exit_code == 75 and "timed out after 2 attempt(s)" in slow.stderr
    gone = invoke(["query-orders", "--source", "gone"], config=config, env=ENV)
    # unreachable is temporary for a source as for a destination (75), the cause in words
    assert gone.exit_code == 75 and f"127.0.0.1:{closed}/api/i1/orders/" in gone.stderr
    assert "cannot connect: connection refused after 2 attempt(s)" in gone.stderr


def test_an_untrusted_certificate_is_a_refusal_not_an_outage(invoke: Invoke, https_server: Any, tmp_path: Path) -> None:
    """TLS verification failing is 69 at once (a configuration to fix), not 75 after retries like a host that is down."""
    config = tmp_path / "tls.toml"
    config.write_text(
        f'[sources.shop]\ntype = "http"\npreset = "magento2"\nbase_url = "{https_server.base}"\n'
        'token = "t0ken-for-the-test"\nretries = 2\nbackoff = 0.01\n',
        encoding="utf-8",
    )
    result = invoke(["query-orders", "--source", "shop"], config=config)
    assert result.exit_code == 69, result.stderr
    assert "TLS certificate not trusted" in result.stderr and "SSL_CERT_FILE" in result.stderr
    assert "attempt(s)" not in result.stderr  # not retried
