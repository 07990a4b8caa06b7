"""deliver over HTTP(S) to a local server: retries, Retry-After, permanent 4xx, hang, drop, exists-check, TLS."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from conftest import Invoke, record_line, records


def payload(key: str, body: Any = None) -> str:
    return record_line("payload", key, body or {"number": key, "total": "12.50"}, meta={"channel": "web"})


def results(text: str) -> list[dict[str, Any]]:
    return [r["body"] for r in records(text) if r["kind"] == "result"]


def http_config(tmp_config: Callable[..., Path], url: str, **extra: Any) -> Path:
    lines = ["[destinations.erp]", 'type = "http"', f'url = "{url}"']
    for key, value in {"base_delay": 0.01, "timeout": 0.5, **extra}.items():
        lines.append(f"{key} = {orjson.dumps(value).decode()}")
    return tmp_config("\n".join(lines) + "\n")


def test_posts_each_record_with_a_deterministic_idempotency_key(
    invoke: Invoke, http_server: Any, tmp_config: Callable[..., Path]
) -> None:
    config = http_config(tmp_config, http_server.base + "/orders/{key}", auth="bearer", token="${ERP_TOKEN}")
    result = invoke(["deliver", "--to", "erp"], input=payload("1") + payload("2"), config=config, env={"ERP_TOKEN": "s3cret"})
    assert result.exit_code == 0, result.stderr
    assert [(b["status"], b["remote_ref"]) for b in results(result.stdout)] == [
        ("delivered", "201 /orders/1"),
        ("delivered", "201 /orders/2"),
    ]
    first = http_server.state.requests[0]
    assert first["headers"]["Content-Type"] == "application/json"
    assert first["headers"]["Authorization"] == "Bearer s3cret"
    assert orjson.loads(http_server.state.stored["/orders/1"]) == {"number": "1", "total": "12.50"}
    key = first["headers"]["Idempotency-Key"]
    invoke(["deliver", "--to", "erp", "--force"], input=payload("1"), config=config, env={"ERP_TOKEN": "s3cret"})
    assert http_server.state.requests[-1]["headers"]["Idempotency-Key"] == key
    sent = orjson.loads(invoke(["state", "sent", "1"]).stdout)
    assert sent[0]["response"]["request"]["headers"]["authorization"] == "***"
    assert sent[0]["response"]["status"] == 201


def test_5xx_then_success_is_retried_within_the_run(invoke: Invoke, http_server: Any, tmp_config: Callable[..., Path]) -> None:
    http_server.state.script["/orders/5"] = [(503, {}, "busy"), (502, {}, "bad gateway")]
    config = http_config(tmp_config, http_server.base + "/orders/{key}")
    result = invoke(["deliver", "--to", "erp"], input=payload("5"), config=config)
    assert result.exit_code == 0, result.stderr
    assert results(result.stdout)[0]["attempts"] == 3
    assert http_server.state.creates["/orders/5"] == 1
    assert "2 retries" in result.stderr


def test_429_honours_retry_after(invoke: Invoke, http_server: Any, tmp_config: Callable[..., Path]) -> None:
    http_server.state.script["/orders/6"] = [(429, {"Retry-After": "1"}, "slow down")]
    config = http_config(tmp_config, http_server.base + "/orders/{key}")
    started = time.monotonic()
    result = invoke(["deliver", "--to", "erp"], input=payload("6"), config=config)
    assert result.exit_code == 0
    assert time.monotonic() - started >= 0.95
    assert results(result.stdout)[0]["attempts"] == 2


def test_retry_after_beyond_max_delay_leaves_it_for_the_next_run(
    invoke: Invoke, http_server: Any, tmp_config: Callable[..., Path]
) -> None:
    http_server.state.script["/orders/7"] = [(429, {"Retry-After": "3600"}, "later")]
    config = http_config(tmp_config, http_server.base + "/orders/{key}", max_delay=5)
    result = invoke(["deliver", "--to", "erp"], input=payload("7"), config=config)
    assert result.exit_code == 75
    body = results(result.stdout)[0]
    assert body["status"] == "failed" and "HTTP 429" in body["error"] and body["attempts"] == 1
    again = invoke(["deliver", "--to", "erp", "--retry-failed"], config=config)
    assert again.exit_code == 0 and results(again.stdout)[0]["status"] == "delivered"


def test_4xx_is_permanent_and_401_is_a_refusal(invoke: Invoke, http_server: Any, tmp_config: Callable[..., Path]) -> None:
    http_server.state.script["/orders/8"] = [(422, {}, "sku unknown")]
    http_server.state.script["/orders/9"] = [(401, {}, "who are you")]
    config = http_config(tmp_config, http_server.base + "/orders/{key}")
    result = invoke(["deliver", "--to", "erp"], input=payload("8"), config=config)
    assert result.exit_code == 65
    body = results(result.stdout)[0]
    assert body["status"] == "failed" and body["attempts"] == 1 and "HTTP 422" in body["error"]
    assert "sku unknown" in result.stderr
    refused = invoke(["deliver", "--to", "erp"], input=payload("9"), config=config)
    assert refused.exit_code == 69


def test_hang_and_dropped_reply_are_resent_safely(invoke: Invoke, http_server: Any, tmp_config: Callable[..., Path]) -> None:
    http_server.state.script["/orders/10"] = [("hang", 1.0)]
    http_server.state.script["/orders/11"] = [("drop",)]
    config = http_config(tmp_config, http_server.base + "/orders/{key}", timeout=0.3)
    result = invoke(["deliver", "--to", "erp"], input=payload("10") + payload("11"), config=config)
    assert result.exit_code == 0, result.stderr
    assert [(b["status"], b["attempts"]) for b in results(result.stdout)] == [("delivered", 2), ("delivered", 2)]
    time.sleep(0.8)  # let the hung handler finish
    assert http_server.state.creates["/orders/10"] == 1
    assert http_server.state.creates["/orders/11"] == 1


def test_unknown_outcome_is_reconciled_on_the_next_run(invoke: Invoke, http_server: Any, tmp_config: Callable[..., Path]) -> None:
    http_server.state.script["/orders/12"] = [("drop",)]
    config = http_config(tmp_config, http_server.base + "/orders/{key}", retries=1)
    first = invoke(["deliver", "--to", "erp"], input=payload("12"), config=config)
    assert first.exit_code == 75
    assert results(first.stdout)[0]["status"] == "unknown"
    second = invoke(["deliver", "--to", "erp"], input=payload("12"), config=config)
    assert second.exit_code == 0
    assert results(second.stdout)[0]["status"] == "delivered"
    assert http_server.state.creates["/orders/12"] == 1
    assert http_server.state.requests[-1]["headers"].get("Idempotency-Key")


def test_exists_check_skips_what_the_erp_already_has(invoke: Invoke, http_server: Any, tmp_config: Callable[..., Path]) -> None:
    http_server.state.stored["/orders/13"] = b"{}"
    http_server.state.script["/lookup/15"] = [(503, {}, "down")]
    config = http_config(
        tmp_config,
        http_server.base + "/orders/{key}",
        exists_url=http_server.base + "/orders/{key}",
        exists_path="found",
        exists_not_found=False,
        exists_stop_status=[403],
    )
    result = invoke(["deliver", "--to", "erp"], input=payload("13") + payload("14"), config=config)
    assert result.exit_code == 0, result.stderr
    assert [b["status"] for b in results(result.stdout)] == ["duplicate", "delivered"]
    assert [r["method"] for r in http_server.state.requests] == ["GET", "GET", "POST"]
    http_server.state.script["/orders/16"] = [(403, {}, "forbidden")]
    stop = invoke(["deliver", "--to", "erp"], input=payload("16"), config=config)
    assert stop.exit_code == 69 and "stopping" in stop.stderr


def test_tls_is_verified(invoke: Invoke, https_server: Any, tls_cert: tuple[Path, Path], tmp_config: Callable[..., Path]) -> None:
    untrusted = invoke(["deliver", "--to", https_server.base + "/orders/{key}"], input=payload("20"))
    assert untrusted.exit_code == 69
    assert "TLS certificate not trusted" in untrusted.stderr
    config = http_config(tmp_config, https_server.base + "/orders/{key}", ca_file=str(tls_cert[0]))
    trusted = invoke(["deliver", "--to", "erp"], input=payload("20"), config=config)
    assert trusted.exit_code == 0, trusted.stderr
    assert https_server.state.creates["/orders/20"] == 1


def test_basic_and_api_key_auth_and_meta_in_the_url(invoke: Invoke, http_server: Any, tmp_config: Callable[..., Path]) -> None:
    import base64

    record = record_line("payload", "30", {"n": 30}, meta={"channel": "web shop"})
    config = http_config(
        tmp_config,
        http_server.base + "/{meta.channel}/{key}",
        auth="basic",
        username="shop",
        password="${ERP_PASSWORD}",
        method="PUT",
        success=[201],
    )
    result = invoke(["deliver", "--to", "erp"], input=record, config=config, env={"ERP_PASSWORD": "pw"})
    assert result.exit_code == 0, result.stderr
    request = http_server.state.requests[-1]
    assert request["method"] == "PUT" and request["path"] == "/web%20shop/30"
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"shop:pw").decode()
    config = http_config(
        tmp_config,
        http_server.base + "/k/{key}",
        auth="header",
        api_key_header="X-Shop-Key",
        api_key="${ERP_KEY}",
        success=[202],
    )
    refused = invoke(["deliver", "--to", "erp"], input=payload("31"), config=config, env={"ERP_KEY": "k1"})
    assert http_server.state.requests[-1]["headers"]["X-Shop-Key"] == "k1"
    assert refused.exit_code == 65  # 201 is not in the configured success list
    sent = orjson.loads(invoke(["state", "sent", "31"]).stdout)
    assert sent[0]["status"] == "failed"
