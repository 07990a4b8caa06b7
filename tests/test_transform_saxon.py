"""``transform --engine saxon``: XSLT 3.0 through Saxon-HE, pinned per stylesheet, in golden cases too.

The attacks it refuses are in tests/test_transform_saxon_security.py and tests/test_transform_security.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, Invoke, record_line, records
from saxon_engine import require_saxon

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "transform"
PLAN = SAMPLES / "dispatch-plan-3.xsl"
CASES = SAMPLES / "cases"


@pytest.fixture(autouse=True)
def saxon() -> None:
    require_saxon()


def _order_payload(key: str = "1203", meta: dict[str, str] | None = None) -> str:
    body = (CASES / "mis" / "order-1203.in.xml").read_text(encoding="utf-8")
    return record_line("payload", key, body, meta or {}, "application/xml")


def test_the_xslt3_sample_passes_its_golden_cases(invoke: Invoke) -> None:
    result = invoke(["transform", "test", str(CASES / "dispatch-plan")])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "3 passed, 0 failed"


def test_the_xslt3_sample_needs_saxon(invoke: Invoke) -> None:
    """The same cases on libxslt: XSLT 1.0 cannot compile maps, xsl:iterate or JSON output."""
    result = invoke(["transform", "test", "--engine", "libxslt", str(CASES / "dispatch-plan")])
    assert result.exit_code == 1
    assert "dispatch-plan-3.xsl:18: stylesheet does not compile" in result.stdout


def test_record_mode_writes_json_from_maps_iterate_and_format_date(invoke: Invoke) -> None:
    args = ["transform", "--engine", "saxon", "--xslt", str(PLAN), "--param", "site=Leeds", "--param", "max-lines=1"]
    result = invoke(args, input=_order_payload())
    assert result.exit_code == 0, result.stderr
    [out] = records(result.stdout)
    assert out["type"] == "application/json" and out["meta"]["format"] == "json" and out["meta"]["filename"] == "1203.json"
    body = out["body"]
    assert body["placed"] == "Saturday 14th March 2026" and body["dispatchBy"] == "Monday 16th March, 15:00 UTC"
    assert body["service"] == "next working day" and body["site"] == "Leeds"
    assert [line["sku"] for line in body["lines"]] == ["FLY-A5-350"] and body["moreLines"] == 1
    [step] = out["meta"]["transform"]
    assert step["engine"] == "saxon" and step["params"] == {"site": "Leeds", "max-lines": "1"}
    assert len(step["sha256"]) == 64


def test_libxslt_steps_name_no_engine(invoke: Invoke) -> None:
    result = invoke(["transform", "--xslt", str(SAMPLES / "mis-jobimport.xsl")], input=_order_payload())
    assert result.exit_code == 0, result.stderr
    assert "engine" not in records(result.stdout)[0]["meta"]["transform"][0]


def test_a_typed_parameter_that_does_not_convert_fails_the_record(invoke: Invoke) -> None:
    result = invoke(["transform", "--engine", "saxon", "--xslt", str(PLAN), "--param", "max-lines=ten"], input=_order_payload())
    assert result.exit_code == 65
    assert result.stderr.splitlines()[0] == (
        "flowkit: record '1203': dispatch-plan-3.xsl: line 29: FORG0001 Cannot convert string \"ten\" to an integer"
    )


def test_a_parameter_of_one_record_does_not_stay_for_the_next(invoke: Invoke) -> None:
    """--param-from-meta sets it per record; a compiled stylesheet is reused across records and cases."""
    sheet = DATA / "transform" / "params.xsl"
    data = "".join(_order_payload(key, {"channel": c}) for key, c in (("1", "web"), ("2", "pos")))
    result = invoke(["transform", "--engine", "saxon", "--xslt", str(sheet), "--param-from-meta", "channel"], input=data)
    assert result.exit_code == 0, result.stderr
    assert [r["body"] for r in records(result.stdout)] == ["hello 1203 via web", "hello 1203 via pos"]
    cases = invoke(["transform", "test", "--engine", "saxon", str(CASES / "csv")])  # the ';' case runs first
    assert cases.exit_code == 0, cases.stdout


def test_xsl_message_terminate_names_the_line_and_the_message(invoke: Invoke) -> None:
    args = ["transform", "--engine", "saxon", "--xslt", str(SAMPLES / "mis-jobimport.xsl")]
    result = invoke([*args, str(CASES / "mis" / "order-1299-no-lines.in.xml")])
    assert result.exit_code == 65
    assert result.stderr.splitlines()[0] == (
        f"flowkit: error: {CASES / 'mis' / 'order-1299-no-lines.in.xml'}: mis-jobimport.xsl: line 23: "
        "order 1299 has no lines: nothing to produce"
    )


def test_a_stylesheet_that_does_not_compile_names_its_module_and_line(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "lib.xsl").write_text(
        '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n\n'
        '<xsl:variable name="v" select="map { 1: }"/>\n</xsl:stylesheet>\n'
    )
    sheet = tmp_path / "main.xsl"
    sheet.write_text(
        '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n'
        '<xsl:include href="lib.xsl"/><xsl:template match="/">ok</xsl:template></xsl:stylesheet>\n'
    )
    result = invoke(["transform", "--engine", "saxon", "--xslt", str(sheet)], input=_order_payload())
    assert result.exit_code == 78
    [line] = result.stderr.splitlines()
    assert line.startswith(f"flowkit: error: {tmp_path / 'lib.xsl'}:3: stylesheet does not compile: XPST0003 ")


def test_a_non_utf8_output_is_written_in_its_declared_encoding(invoke: Invoke, tmp_path: Path) -> None:
    sheet = tmp_path / "latin1.xsl"
    sheet.write_text(
        '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:output method="xml" encoding="ISO-8859-1"/>'
        '<xsl:template match="/"><Name><xsl:value-of select="//Name"/> \u20ac</Name></xsl:template></xsl:stylesheet>'
    )
    doc = tmp_path / "in.xml"
    doc.write_text("<Order><Name>Zo\u00eb</Name></Order>", encoding="utf-8")
    raw = invoke(["transform", "--engine", "saxon", "--xslt", str(sheet), str(doc)])
    assert raw.exit_code == 0, raw.stderr
    assert raw.stdout_bytes == b'<?xml version="1.0" encoding="ISO-8859-1"?><Name>Zo\xeb &#8364;</Name>\n'
    result = invoke(["transform", "--engine", "saxon", "--xslt", str(sheet)], input=_order_payload())
    out = records(result.stdout)[0]
    assert out["meta"]["encoding"] == "ISO-8859-1" and out["body"].startswith('<?xml version="1.0" encoding="ISO-8859-1"?>')


def test_html_is_the_default_method_for_an_html_root(invoke: Invoke, tmp_path: Path) -> None:
    sheet = tmp_path / "page.xsl"
    sheet.write_text(
        '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:template match="/"><html><body><p><xsl:value-of select="//OrderNumber"/></p></body></html></xsl:template></xsl:stylesheet>'
    )
    result = invoke(["transform", "--engine", "saxon", "--xslt", str(sheet)], input=_order_payload())
    out = records(result.stdout)[0]
    assert out["type"] == "text/html" and out["meta"]["filename"] == "1203.html"
    assert out["body"].startswith("<!DOCTYPE HTML>") and "<p>1203</p>" in out["body"]


ROUTES = """
[transform]
xslt = "{plan}"
engine = "saxon"

[suppliers.acme.transform]
xslt = "{mis}"

[suppliers.globex.transform]
engine = "libxslt"

[channels.pos.transform]
engine = "saxon"
"""


def test_the_table_that_names_a_stylesheet_pins_its_engine(invoke: Invoke, tmp_config) -> None:
    """[transform] runs the XSLT 3.0 plan on Saxon; acme's own stylesheet runs on libxslt (its table names none);
    a table naming only an engine moves the stylesheet it inherits; --engine on the command line beats them all."""
    config = tmp_config(ROUTES.format(plan=PLAN, mis=SAMPLES / "mis-jobimport.xsl"))
    data = "".join(
        _order_payload(key, meta)
        for key, meta in (
            ("1", {"supplier": "initech"}),
            ("2", {"supplier": "acme"}),
            ("3", {"supplier": "acme", "channel": "pos"}),
            ("4", {"supplier": "globex"}),
        )
    )
    result = invoke(["transform"], input=data, config=config)
    out = {r["key"]: r for r in records(result.stdout)}
    engines = {key: r["meta"]["transform"][0].get("engine", "libxslt") for key, r in out.items() if r["kind"] == "payload"}
    assert engines == {"1": "saxon", "2": "libxslt", "3": "saxon"}
    assert out["4"]["kind"] == "error" and "dispatch-plan-3.xsl:18: stylesheet does not compile" in out["4"]["body"]["error"]
    assert out["4"]["body"]["exit_code"] == 78
    assert result.exit_code == 1
    forced = invoke(["transform", "--engine", "saxon"], input=data, config=config)
    assert forced.exit_code == 0, forced.stderr
    assert {r["meta"]["transform"][0]["engine"] for r in records(forced.stdout)} == {"saxon"}


def test_an_engine_flowkit_does_not_know_is_a_config_error(invoke: Invoke, tmp_config, tmp_path: Path) -> None:
    config = tmp_config(f'[transform]\nxslt = "{PLAN}"\n\n[channels.web.transform]\nengine = "xalan"\n')
    result = invoke(["transform"], input=_order_payload("1", {"channel": "web"}), config=config)
    assert result.exit_code == 78
    assert "unknown value for 'channels.web.transform.engine' (known: libxslt, saxon)" in result.stderr
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "transform.toml").write_text(f'xslt = "{PLAN}"\nengine = "xalan"\n')
    (cases / "order.in.xml").write_bytes((CASES / "mis" / "order-1203.in.xml").read_bytes())
    case = invoke(["transform", "test", str(cases)], config=tmp_config("", name="empty.toml"))
    assert case.exit_code == 1 and "engine 'xalan' is not one of libxslt, saxon" in case.stdout, case.stdout + case.stderr


def test_an_engine_beside_a_jolt_spec_alone_is_a_config_error(invoke: Invoke, tmp_config) -> None:
    jolt = ROOT / "samples" / "transform" / "gelato-order.jolt.json"
    config = tmp_config(f'[suppliers.acme.transform]\njolt = "{jolt}"\nengine = "saxon"\n')
    result = invoke(["config", "check"], config=config)
    assert result.exit_code == 78
    assert f"{config}:3: 'suppliers.acme.transform.engine' is an XSLT engine: a table naming a jolt spec takes none" in (
        result.stderr
    )
    both = tmp_config(f'[channels.web.transform]\nxslt = "{PLAN}"\njolt = "{jolt}"\nengine = "saxon"\n', "both.toml")
    assert invoke(["config", "check"], config=both).exit_code == 0  # the engine is the stylesheet's


def test_transform_test_runs_cases_on_either_engine(invoke: Invoke, tmp_path: Path) -> None:
    """The MIS cases' bytes differ on Saxon (indentation) but not their content: what a switch would change."""
    exact = invoke(["transform", "test", "--engine", "saxon", str(CASES / "mis")])
    assert exact.exit_code == 1 and "FAIL" in exact.stdout and "+   <Job account=" in exact.stdout
    loose = invoke(["transform", "test", "--engine", "saxon", "--ignore-whitespace", str(CASES / "mis")])
    assert loose.exit_code == 0, loose.stdout
    junit = tmp_path / "junit.xml"
    both = invoke(["transform", "test", "--junit", str(junit), str(CASES)])  # each case on its own engine
    assert both.exit_code == 0, both.stdout
    assert 'tests="13"' in junit.read_text() and 'failures="0"' in junit.read_text()


def test_a_case_file_that_names_a_stylesheet_pins_its_engine(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "transform.toml").write_text(f'xslt = "{PLAN}"\nengine = "saxon"\n')
    (folder / "order.in.xml").write_bytes((CASES / "mis" / "order-1203.in.xml").read_bytes())
    (folder / "order.toml").write_text(f'xslt = "{SAMPLES / "lines-csv.xsl"}"\n')  # an XSLT 1.0 sheet, no engine
    result = invoke(["transform", "test", "--update", str(folder)])
    assert result.exit_code == 0, result.stdout
    assert (folder / "order.out.csv").read_text().startswith("order,line,sku")


def test_without_saxonche_the_engine_says_how_to_install_it(tmp_path: Path) -> None:
    probe = (
        "import sys; sys.modules['saxonche'] = None\n"  # as if not installed
        "from flowkit.cli import cli\n"
        "cli.main(args=sys.argv[1:], prog_name='flowkit')\n"
    )
    args = ["transform", "--engine", "saxon", "--xslt", str(PLAN), str(CASES / "mis" / "order-1203.in.xml")]
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 78
    assert result.stderr.splitlines() == [
        "flowkit: error: --engine saxon needs saxonche (SaxonC-HE), which is not installed (pip install 'flowkit-orders[saxon]')"
    ]


def test_the_libxslt_engine_never_imports_saxonche(tmp_path: Path) -> None:
    probe = (
        "import json, sys\nfrom flowkit.cli import cli\n"
        "try:\n    cli.main(args=sys.argv[1:], prog_name='flowkit', standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "print(json.dumps('saxonche' in sys.modules), file=sys.stderr)\n"
    )
    args = ["transform", "--xslt", str(SAMPLES / "mis-jobimport.xsl"), str(CASES / "mis" / "order-1203.in.xml")]
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert json.loads(result.stderr.strip().splitlines()[-1]) is False
    saxon = subprocess.run(
        [sys.executable, "-c", probe, "transform", "--engine", "saxon", *args[1:]], capture_output=True, text=True, cwd=tmp_path
    )
    assert json.loads(saxon.stderr.strip().splitlines()[-1]) is True
