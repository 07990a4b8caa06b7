"""flowkit transform: XSLT and Jolt in raw and record mode."""

from __future__ import annotations

from pathlib import Path

from conftest import DATA, ROOT, Invoke, record_line, records

HERE = DATA / "transform"
ORDER_XML = (HERE / "order.xml").read_text(encoding="utf-8")
SAMPLES = ROOT / "samples" / "transform"


def test_raw_mode_identity_writes_the_plain_document(invoke: Invoke) -> None:
    result = invoke(["transform", "--xslt", str(HERE / "identity.xsl"), str(HERE / "order.xml")])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Order>')
    assert "<Name>Zoë Example</Name>" in result.stdout
    assert result.stderr == ""


def test_record_mode_keeps_key_and_meta_and_sets_type_from_output_method(invoke: Invoke) -> None:
    line = record_line("payload", "1203", ORDER_XML, {"channel": "web", "filename": "1203.xml"}, "application/xml")
    result = invoke(["transform", "--xslt", str(SAMPLES / "lines-csv.xsl")], input=line)
    assert result.exit_code == 0, result.stderr
    [out] = records(result.stdout)
    assert out["kind"] == "payload" and out["key"] == "1203"
    assert out["type"] == "text/csv"
    assert out["meta"]["channel"] == "web"
    assert out["meta"]["format"] == "csv" and out["meta"]["filename"] == "1203.csv"
    assert out["body"].splitlines()[1] == "1203,,FLY-A5-350,,500,,,,,,"


def test_other_kinds_pass_through_unchanged(invoke: Invoke) -> None:
    alert = record_line("alert", "1203", {"rule": "r1", "order": "1203", "message": "m", "severity": "info"})
    payload = record_line("payload", "1203", ORDER_XML, {}, "application/xml")
    result = invoke(["transform", "--xslt", str(HERE / "params.xsl")], input=alert + payload)
    assert result.exit_code == 0, result.stderr
    first, second = records(result.stdout)
    assert first == records(alert)[0]
    assert second["type"] == "text/plain" and second["body"] == "hello 1203 via none"


def test_param_and_param_from_meta(invoke: Invoke) -> None:
    line = record_line("payload", "1203", ORDER_XML, {"channel": "web", "secret": "x"}, "application/xml")
    result = invoke(
        ["transform", "--xslt", str(HERE / "params.xsl"), "--param", 'greeting=it\'s "quoted"', "--param-from-meta", "channel"],
        input=line,
    )
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout)[0]["body"] == 'it\'s "quoted" 1203 via web'


def test_param_from_meta_missing_is_a_record_error(invoke: Invoke) -> None:
    line = record_line("payload", "1203", ORDER_XML, {}, "application/xml")
    result = invoke(["transform", "--xslt", str(HERE / "params.xsl"), "--param-from-meta", "channel"], input=line)
    assert result.exit_code == 65
    assert "meta has no 'channel'" in result.stderr


def test_message_terminate_becomes_an_error_record_and_others_go_on(invoke: Invoke) -> None:
    empty = ORDER_XML.replace("<OrderNumber>1203</OrderNumber>", "<OrderNumber>1299</OrderNumber>")
    empty = empty[: empty.index("<OrderLines>")] + "</Order>\n"
    lines = record_line("payload", "1299", empty, {"channel": "web"}, "application/xml") + record_line(
        "payload", "1203", ORDER_XML, {}, "application/xml"
    )
    result = invoke(["transform", "--xslt", str(HERE / "params.xsl")], input=lines)
    assert result.exit_code == 1
    error, ok = records(result.stdout)
    assert error["kind"] == "error" and error["key"] == "1299" and error["meta"] == {"channel": "web"}
    assert "order 1299 has no lines" in error["body"]["error"]
    assert ok["body"] == "hello 1203 via none"
    assert "record '1299'" in result.stderr and "order 1299 has no lines" in result.stderr
    assert "Traceback" not in result.stderr


def test_compile_error_names_file_and_line(invoke: Invoke) -> None:
    result = invoke(["transform", "--xslt", str(HERE / "broken.xsl"), str(HERE / "order.xml")])
    assert result.exit_code == 78
    assert f"{HERE / 'broken.xsl'}:4: stylesheet does not compile" in result.stderr
    assert result.stdout == ""


def test_malformed_stylesheet_names_line_and_column(invoke: Invoke, tmp_path: Path) -> None:
    sheet = tmp_path / "bad.xsl"
    sheet.write_text('<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n<a>\n')
    result = invoke(["transform", "--xslt", str(sheet), str(HERE / "order.xml")])
    assert result.exit_code == 78
    assert f"{sheet}:3:" in result.stderr and "not well-formed" in result.stderr


def test_output_encoding_from_xsl_output_in_raw_mode(invoke: Invoke) -> None:
    result = invoke(["transform", "--xslt", str(HERE / "latin1.xsl"), str(HERE / "order.xml")])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>')
    assert "Zoë".encode("latin-1") in result.stdout_bytes


def test_json_output_method_makes_a_json_record(invoke: Invoke) -> None:
    line = record_line("payload", "1203", ORDER_XML, {"filename": "1203.xml"}, "application/xml")
    result = invoke(["transform", "--xslt", str(HERE / "json-out.xsl")], input=line)
    [out] = records(result.stdout)
    assert out["type"] == "application/json" and out["body"] == {"number": "1203", "lines": 1}
    assert out["meta"]["filename"] == "1203.json"


def test_html_job_sheet_sample(invoke: Invoke) -> None:
    result = invoke(
        [
            "transform",
            "--xslt",
            str(SAMPLES / "jobsheet-html.xsl"),
            "--records",
            str(SAMPLES / "cases" / "jobsheet" / "order-1203.in.xml"),
        ]
    )
    [out] = records(result.stdout)
    assert out["type"] == "text/html" and out["meta"]["format"] == "html"
    assert "<h1>Production: order 1203</h1>" in out["body"]


def test_xslt_refuses_a_json_payload(invoke: Invoke) -> None:
    line = record_line("payload", "1203", {"number": "1203"})
    result = invoke(["transform", "--xslt", str(HERE / "identity.xsl")], input=line)
    assert result.exit_code == 65
    assert "--xslt needs an XML payload" in result.stderr


def test_invalid_xml_payload_names_line_and_column(invoke: Invoke) -> None:
    line = record_line("payload", "1203", "<Order>\n<Number>1</Order>", {}, "application/xml")
    result = invoke(["transform", "--xslt", str(HERE / "identity.xsl")], input=line)
    assert result.exit_code == 65
    assert "record '1203':2:" in result.stderr and "invalid XML" in result.stderr


def test_exactly_one_of_xslt_or_jolt(invoke: Invoke) -> None:
    result = invoke(["transform", str(HERE / "order.xml")])
    assert result.exit_code == 2
    assert "exactly one of --xslt" in result.stderr


def test_bad_param_syntax_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke(["transform", "--xslt", str(HERE / "params.xsl"), "--param", "novalue", str(HERE / "order.xml")])
    assert result.exit_code == 2
    assert "NAME=VALUE" in result.stderr


def test_jolt_raw_mode(invoke: Invoke) -> None:
    result = invoke(["transform", "--jolt", str(HERE / "rename.jolt.json"), str(HERE / "order.json")])
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout) == [
        {"orderReferenceId": "1203", "orderType": "order", "items": [{"productUid": "FLY-A5-350"}, {"productUid": "BC-STD-400"}]}
    ]


def test_jolt_record_mode_and_context_param(invoke: Invoke) -> None:
    order = (SAMPLES / "cases" / "gelato" / "order-1203.in.json").read_text(encoding="utf-8")
    import orjson

    line = record_line("payload", "1203", orjson.loads(order), {"supplier": "gelato", "filename": "1203.json"})
    result = invoke(
        ["transform", "--jolt", str(SAMPLES / "gelato-order.jolt.json"), "--param", "shipmentMethod=express"], input=line
    )
    assert result.exit_code == 0, result.stderr
    [out] = records(result.stdout)
    assert out["meta"]["supplier"] == "gelato" and out["type"] == "application/json"
    assert out["body"]["shipmentMethodUid"] == "express"
    assert out["body"]["shippingAddress"]["country"] == "GB"
    assert out["body"]["items"][1] == {
        "itemReferenceId": "2",
        "productUid": "V789",
        "quantity": 5,
        "files": [{"url": "https://files.example.com/jobs/J-2232/print.pdf", "type": "default"}],
    }


def test_jolt_empty_chain_is_refused(invoke: Invoke) -> None:
    result = invoke(["transform", "--jolt", str(HERE / "empty.jolt.json"), str(HERE / "order.json")])
    assert result.exit_code == 78
    assert "the Jolt chain is empty" in result.stderr


def test_jolt_unknown_function_runs_as_in_jolt_and_strict_refuses_it(invoke: Invoke) -> None:
    spec = HERE / "unknown-fn.jolt.json"
    result = invoke(["transform", "--jolt", str(spec), str(HERE / "order.json")])
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout) == records((HERE / "order.json").read_text())  # no value: "name" is not written
    assert f"WARNING: {spec}: $[0].spec.name: unknown modify function 'toShouty' gives no value" in result.stderr
    strict = invoke(["transform", "--jolt", str(spec), "--jolt-strict", str(HERE / "order.json")])
    assert strict.exit_code == 78
    assert f"{spec}: $[0].spec.name: unknown modify function 'toShouty'" in strict.stderr


def test_jolt_spec_json_error_names_line(invoke: Invoke, tmp_path: Path) -> None:
    spec = tmp_path / "bad.json"
    spec.write_text('[\n  {"operation": "shift",\n  "spec": {]\n')
    result = invoke(["transform", "--jolt", str(spec), str(HERE / "order.json")])
    assert result.exit_code == 78
    assert f"{spec}:3:" in result.stderr


def test_jolt_refuses_an_xml_payload(invoke: Invoke) -> None:
    line = record_line("payload", "1203", ORDER_XML, {}, "application/xml")
    result = invoke(["transform", "--jolt", str(HERE / "rename.jolt.json")], input=line)
    assert result.exit_code == 65
    assert "--jolt needs a JSON payload" in result.stderr


def test_transform_help_does_not_need_lxml(invoke: Invoke) -> None:
    result = invoke(["transform", "--help"])
    assert result.exit_code == 0
    assert "flowkit transform test" in result.stdout


def test_config_table_gives_the_stylesheet_relative_to_the_config_file(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    (folder / "mappings").mkdir(parents=True)
    (folder / "mappings" / "p.xsl").write_text((HERE / "params.xsl").read_text())
    config = folder / "flowkit.toml"
    config.write_text('[transform]\nxslt = "mappings/p.xsl"\nmax_document_size = "1MiB"\n')
    result = invoke(["transform", str(HERE / "order.xml")], config=config)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "hello 1203 via none\n"


def test_bad_size_in_config_is_a_config_error(invoke: Invoke, tmp_config) -> None:
    config = tmp_config('[transform]\nmax_document_size = "lots"\n')
    result = invoke(["transform", "--xslt", str(HERE / "identity.xsl"), str(HERE / "order.xml")], config=config)
    assert result.exit_code == 78
    assert "[transform] max_document_size: not a size" in result.stderr


def test_xhtml_media_type_from_xsl_output(invoke: Invoke, tmp_path: Path) -> None:
    sheet = tmp_path / "x.xsl"
    sheet.write_text(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:output method="xml" media-type="application/xhtml+xml"/>'
        '<xsl:template match="/"><html xmlns="http://www.w3.org/1999/xhtml"><body>'
        '<p><xsl:value-of select="/Order/OrderNumber"/></p></body></html></xsl:template>'
        "</xsl:stylesheet>"
    )
    line = record_line("payload", "1203", ORDER_XML, {"filename": "1203.xml"}, "application/xml")
    [out] = records(invoke(["transform", "--xslt", str(sheet)], input=line).stdout)
    assert out["type"] == "application/xhtml+xml" and out["meta"]["filename"] == "1203.xhtml"
    assert "<p>1203</p>" in out["body"]


def test_transform_help_imports_no_lxml_or_jolt() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom flowkit.cli import cli\n"
        "r = CliRunner().invoke(cli, ['transform', '--help'])\nassert r.exit_code == 0\n"
        "r = CliRunner().invoke(cli, ['transform', 'test', '--help'])\nassert r.exit_code == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lxml', 'pyjolt')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_raw_mode_failure_names_the_document(invoke: Invoke, tmp_path: Path) -> None:
    doc = tmp_path / "1299.xml"
    doc.write_text("<Order><OrderNumber>1299</OrderNumber></Order>")
    result = invoke(["transform", "--xslt", str(HERE / "params.xsl"), str(doc)])
    assert result.exit_code == 65
    assert result.stderr == f"flowkit: error: {doc}: params.xsl: order 1299 has no lines\n"
    assert result.stdout == ""


def test_per_supplier_and_channel_stylesheets_from_config(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    for name in ("identity.xsl", "params.xsl", "json-out.xsl"):
        (folder / name).write_text((HERE / name).read_text())
    config = folder / "flowkit.toml"
    config.write_text(
        '[transform]\nxslt = "identity.xsl"\n\n'
        '[suppliers.acme.transform]\nxslt = "params.xsl"\n\n'
        '[channels.b2b.transform]\nxslt = "json-out.xsl"\n'
    )
    lines = "".join(
        record_line("payload", key, ORDER_XML, meta, "application/xml")
        for key, meta in (
            ("1", {}),
            ("2", {"supplier": "acme"}),
            ("3", {"supplier": "acme", "channel": "b2b"}),
            ("4", {"supplier": "acme"}),
        )
    )
    result = invoke(["transform"], input=lines, config=config)
    assert result.exit_code == 0, result.stderr
    outs = records(result.stdout)
    # meta.transform: the steps, each stylesheet shown relative to the config file's folder
    assert [[s["stylesheet"] for s in o["meta"]["transform"]] for o in outs] == [
        ["identity.xsl"],
        ["params.xsl"],
        ["json-out.xsl"],
        ["params.xsl"],
    ]
    assert outs[1]["body"] == "hello 1203 via none" and outs[2]["body"] == {"number": "1203", "lines": 1}
    flag = invoke(["transform", "--xslt", str(HERE / "identity.xsl")], input=lines, config=config)
    assert {o["meta"]["transform"][-1]["stylesheet"].rpartition("/")[2] for o in records(flag.stdout)} == {"identity.xsl"}


def test_record_without_a_route_fails_alone(invoke: Invoke, tmp_config) -> None:
    config = tmp_config(f'[suppliers.acme.transform]\nxslt = "{HERE / "params.xsl"}"\n')
    lines = record_line("payload", "1", ORDER_XML, {"supplier": "acme"}, "application/xml") + record_line(
        "payload", "2", ORDER_XML, {"supplier": "other"}, "application/xml"
    )
    result = invoke(["transform"], input=lines, config=config)
    assert result.exit_code == 1
    ok, error = records(result.stdout)
    assert ok["body"] == "hello 1203 via none"
    assert error["kind"] == "error" and "no stylesheet or spec for this record" in error["body"]["error"]
