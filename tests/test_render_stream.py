"""flowkit render in pipelines: record mode, pass-through, errors, config overrides."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import ROOT, Invoke, record_line, records

from flowkit import __version__

ORDERS = ROOT / "samples" / "orders"


def order(number: str) -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads((ORDERS / f"{number}.json").read_bytes())
    return value


def stream(*numbers: str, meta: dict[str, Any] | None = None) -> str:
    return "".join(record_line("order", n, order(n), meta=meta or {"source": "inbox"}) for n in numbers)


def test_record_mode_keeps_key_and_meta(invoke: Invoke) -> None:
    alert = record_line("alert", "1203", {"rule": "big", "order": "1203", "message": "m", "severity": "info"})
    result = invoke(["render"], input=stream("1203", "1204") + alert + stream("1205"))
    assert result.exit_code == 0, result.stderr
    out = records(result.stdout)
    assert [(r["kind"], r["key"]) for r in out] == [
        ("payload", "1203"),
        ("payload", "1204"),
        ("alert", "1203"),
        ("result", "1205"),
    ]
    first = out[0]
    assert first["type"] == "application/xml" and first["body"].startswith("<?xml")
    assert first["meta"] == {
        "source": "inbox",
        "format": "xml",
        "filename": "1203.xml",
        "channel": "web",
        "supplier": "sup-print-01",
        "rendered": {"format": "xml", "version": __version__},  # provenance (flowkit.provenance)
    }
    held = out[3]["body"]
    assert held["status"] == "skipped" and held["reason"] == "on hold: artwork awaiting customer approval"
    assert result.stderr == ""


def test_json_payload_record_body_is_a_value(invoke: Invoke) -> None:
    result = invoke(["render", "--format", "json", "--payment"], input=stream("1204"))
    (out,) = records(result.stdout)
    assert out["type"] == "application/json" and out["meta"]["filename"] == "1204.json"
    assert [p["amount"] for p in out["body"]["payment"]] == ["20.00", "47.33"]


def test_include_held_renders(invoke: Invoke) -> None:
    result = invoke(["render", "--include-held"], input=stream("1205"))
    (out,) = records(result.stdout)
    assert out["kind"] == "payload" and "<OnHold>true</OnHold>" in out["body"]


def test_hold_until_in_the_past_is_released(invoke: Invoke) -> None:
    held = order("1205")
    held["hold"]["until"] = "2020-01-01T00:00:00Z"
    result = invoke(["render"], input=record_line("order", "1205", held))
    assert records(result.stdout)[0]["kind"] == "payload"


def test_hold_until_in_the_future_still_holds(invoke: Invoke) -> None:
    held = order("1205")
    held["hold"]["until"] = "2999-01-01T00:00:00Z"
    result = invoke(["render"], input=record_line("order", "1205", held))
    assert records(result.stdout)[0]["body"]["status"] == "skipped"


def test_bad_record_becomes_error_record(invoke: Invoke) -> None:
    bad = order("1203")
    bad["lines"][1]["quantity"] = "five"
    lines = record_line("order", "1203", bad) + stream("1204") + "not json\n"
    result = invoke(["render"], input=lines)
    assert result.exit_code == 1
    out = records(result.stdout)
    assert [(r["kind"], r["key"]) for r in out] == [("error", "1203"), ("payload", "1204")]
    assert out[0]["body"]["exit_code"] == 65 and "$.lines[1].quantity" in out[0]["body"]["error"]
    err = result.stderr.splitlines()
    assert err[0] == (
        "flowkit: record '1203': order 1203 is not a valid flowkit.order/1: $.lines[1].quantity: expected integer, got string"
    )
    assert err[1].startswith("flowkit: <stdin>:3: invalid JSON")
    assert "Traceback" not in result.stderr


def test_all_bad_exits_65(invoke: Invoke) -> None:
    result = invoke(["render"], input=record_line("order", "9", {"schema": "flowkit.order/1", "number": "9"}))
    assert result.exit_code == 65
    assert "$.lines: required member missing" in result.stderr


def test_raw_invalid_order_exits_65(invoke: Invoke, tmp_path: Path) -> None:
    bad = order("1206")
    bad["currency"] = "try"
    path = tmp_path / "bad.json"
    path.write_bytes(orjson.dumps(bad))
    result = invoke(["render", str(path)])
    assert result.exit_code == 65 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        'flowkit: error: order 1206 is not a valid flowkit.order/1: $.currency: "try" is not valid (pattern ^[A-Z]{3}$)'
    ]


def test_raw_malformed_json_names_line(invoke: Invoke) -> None:
    result = invoke(["render"], input='{"number": "1",\n  oops}')
    assert result.exit_code == 65 and "<stdin>:2:" in result.stderr


@pytest.fixture
def overrides(tmp_config: Callable[[str], Path]) -> Path:
    return tmp_config(
        '[render]\nexclude_extra = ["_.*"]\n'
        "[channels.web.render]\npayment = true\n"
        '[channels.b2b.render]\nformat = "json"\nexclude_extra = ["Internal\\\\..*", "_.*"]\n'
        "[suppliers.sup-print-02.render]\nhistory = true\n"
    )


def test_per_channel_and_supplier_overrides(invoke: Invoke, overrides: Path) -> None:
    result = invoke(["render"], input=stream("1203", "1204", "1207"), config=overrides)
    assert result.exit_code == 0, result.stderr
    web, web2, b2b = records(result.stdout)
    assert "<Payment>" in web["body"] and "<History>" not in web["body"]
    assert "<Payment>" in web2["body"] and "<History>" in web2["body"]  # supplier sup-print-02
    assert b2b["type"] == "application/json" and "payment" not in b2b["body"]
    keys = [i["key"] for i in b2b["body"]["extraData"]]
    assert keys == ["CheckoutAttribute.CostCode", "CheckoutAttribute.Department", "ERP.CustomerAccount"]


def test_flags_beat_overrides(invoke: Invoke, overrides: Path) -> None:
    result = invoke(["render", "--no-payment", "--format", "xml"], input=stream("1203", "1207"), config=overrides)
    web, b2b = records(result.stdout)
    assert "<Payment>" not in web["body"] and b2b["type"] == "application/xml"


def test_meta_routing_beats_order_fields(invoke: Invoke, overrides: Path) -> None:
    result = invoke(["render"], input=stream("1207", meta={"channel": "web"}), config=overrides)
    (out,) = records(result.stdout)
    assert "<Payment>" in out["body"] and out["meta"]["channel"] == "web"


def test_unknown_config_option_exits_78(invoke: Invoke, tmp_config: Callable[[str], Path]) -> None:
    config = tmp_config("[channels.web.render]\npaymnet = true\n")
    result = invoke(["render", str(ORDERS / "1203.json")], config=config)
    assert result.exit_code == 78
    assert result.stderr.strip() == (
        f"flowkit: error: {config}:2: unknown key 'channels.web.render.paymnet' (did you mean 'payment'?)"
    )


def test_bad_regex_flag_is_usage_error(invoke: Invoke) -> None:
    result = invoke(["render", "--exclude-extra", "Internal.(", str(ORDERS / "1203.json")])
    assert result.exit_code == 2 and "not a valid regular expression" in result.stderr


def test_config_default_format(invoke: Invoke, tmp_config: Callable[[str], Path]) -> None:
    config = tmp_config('[render]\nformat = "json"\n')
    result = invoke(["render", str(ORDERS / "1203.json"), "--compact"], config=config)
    assert result.exit_code == 0 and orjson.loads(result.stdout)["orderNumber"] == "1203"


def test_deterministic_output(invoke: Invoke) -> None:
    args = ["render", "--payment", "--history", "--approval-history"]
    first = invoke(args, input=stream("1203", "1204", "1206", "1207")).stdout_bytes
    assert first == invoke(args, input=stream("1203", "1204", "1206", "1207")).stdout_bytes


def test_input_order_is_not_modified(invoke: Invoke) -> None:
    from flowkit.render.core import Renderer

    source = order("1207")
    before = copy.deepcopy(source)
    list(
        Renderer()(
            {
                "flowkit": "record/1",
                "kind": "order",
                "key": "1207",
                "type": "application/json",
                "meta": {},
                "body": source,
            }
        )
    )
    assert source == before


def test_help_does_not_import_lxml() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from click.testing import CliRunner; from flowkit.cli import cli; "
        "r = CliRunner().invoke(cli, ['render', '--help']); assert r.exit_code == 0; "
        "print(sorted(m for m in ('lxml', 'rich', 'paramiko', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_wrong_type_in_render_table_exits_78(invoke: Invoke, tmp_config: Callable[[str], Path]) -> None:
    config = tmp_config('# comment\n[render]\npayment = "yes"\n')
    result = invoke(["render"], input=stream("1203"), config=config)
    assert result.exit_code == 78 and result.stdout == ""
    assert result.stderr.strip() == f"flowkit: error: {config}:3: 'render.payment' must be true or false"
