"""flowkit transform test: golden cases, canonical compare, diffs, schemas, JUnit, --update."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import DATA, ROOT, Invoke
from lxml import etree

HERE = DATA / "transform"
SAMPLES = ROOT / "samples" / "transform"


def _case(folder: Path, name: str, given: str, expected: str | None, settings: str, ext: str = "xml") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "identity.xsl", folder / "identity.xsl")
    in_ext = "json" if given.lstrip().startswith(("{", "[")) else "xml"
    (folder / f"{name}.in.{in_ext}").write_text(given, encoding="utf-8")
    if expected is not None:
        (folder / f"{name}.out.{ext}").write_text(expected, encoding="utf-8")
    (folder / f"{name}.toml").write_text(settings, encoding="utf-8")


IDENTITY = 'xslt = "identity.xsl"\n'


def test_the_samples_pass(invoke: Invoke, tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    result = invoke(["transform", "test", str(SAMPLES / "cases"), "--junit", str(report)])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "13 passed, 0 failed" in result.stdout  # dispatch-plan's 3 on Saxon (their transform.toml says so)
    suite = etree.parse(str(report)).getroot()[0]
    assert suite.get("tests") == "13" and suite.get("failures") == "0"


def test_canonical_compare_ignores_attribute_order_and_quoting(invoke: Invoke, tmp_path: Path) -> None:
    _case(tmp_path, "c14n", '<A b="1" a="2"><B/></A>', "<?xml version='1.0'?>\n<A a='2' b='1'><B></B></A>", IDENTITY)
    result = invoke(["transform", "test", str(tmp_path)])
    assert result.exit_code == 0, result.stdout


def test_failure_prints_a_unified_diff_writes_junit_and_exits_non_zero(invoke: Invoke, tmp_path: Path) -> None:
    _case(tmp_path / "cases", "diff", "<A><B>new</B></A>", "<A><B>old</B></A>", IDENTITY)
    report = tmp_path / "out" / "junit.xml"
    result = invoke(["transform", "test", str(tmp_path / "cases"), "--junit", str(report)])
    assert result.exit_code == 1
    assert "FAIL " in result.stdout and "output differs from diff.out.xml" in result.stdout
    assert "-<A><B>old</B></A>" in result.stdout and "+<A><B>new</B></A>" in result.stdout
    assert "1 of 1 transform case(s) failed" in result.stderr
    case = etree.parse(str(report)).find(".//testcase")
    assert case is not None and case.get("name") == "diff"
    failure = case.find("failure")
    assert failure is not None and "+<A><B>new</B></A>" in (failure.text or "")


def test_whitespace_insensitive_mode(invoke: Invoke, tmp_path: Path) -> None:
    _case(tmp_path, "ws", "<A><B>x</B><C/></A>", "<A>\n  <B>x</B>\n  <C/>\n</A>\n", IDENTITY)
    strict = invoke(["transform", "test", str(tmp_path)])
    assert strict.exit_code == 1
    loose = invoke(["transform", "test", "--ignore-whitespace", str(tmp_path)])
    assert loose.exit_code == 0, loose.stdout
    still_different = tmp_path / "ws.out.xml"
    still_different.write_text("<A>\n  <B>y</B>\n  <C/>\n</A>\n")
    assert invoke(["transform", "test", "--ignore-whitespace", str(tmp_path)]).exit_code == 1


def test_json_is_compared_structurally(invoke: Invoke, tmp_path: Path) -> None:
    shutil.copy(HERE / "rename.jolt.json", tmp_path / "rename.jolt.json")
    expected = '{"orderType": "order", "items": [{"productUid": "A"}], "orderReferenceId": "7"}'
    _case(
        tmp_path,
        "json",
        '{"orderNumber": "7", "orderLines": [{"sku": "A"}]}',
        expected,
        'jolt = "rename.jolt.json"\n',
        ext="json",
    )
    assert invoke(["transform", "test", str(tmp_path)]).exit_code == 0
    (tmp_path / "json.out.json").write_text(expected.replace('"A"', '"B"'))
    result = invoke(["transform", "test", str(tmp_path)])
    assert result.exit_code == 1
    assert '-      "productUid": "B"' in result.stdout and '+      "productUid": "A"' in result.stdout


def test_update_rewrites_and_creates_expected_files(invoke: Invoke, tmp_path: Path) -> None:
    _case(tmp_path, "old", "<A>1</A>", "<A>0</A>", IDENTITY)
    _case(tmp_path, "new", "<A>2</A>", None, IDENTITY)
    missing = invoke(["transform", "test", str(tmp_path)])
    assert missing.exit_code == 1 and "run with --update to create it" in missing.stdout
    result = invoke(["transform", "test", "--update", str(tmp_path)])
    assert result.exit_code == 0
    assert "UPDATED" in result.stdout
    assert "<A>1</A>" in (tmp_path / "old.out.xml").read_text()
    assert "<A>2</A>" in (tmp_path / "new.out.xml").read_text()
    assert invoke(["transform", "test", str(tmp_path)]).exit_code == 0


def test_expect_error_cases(invoke: Invoke, tmp_path: Path) -> None:
    shutil.copy(HERE / "params.xsl", tmp_path / "params.xsl")
    _case(
        tmp_path,
        "stops",
        "<Order><OrderNumber>9</OrderNumber></Order>",
        None,
        'xslt = "params.xsl"\nexpect_error = "order 9 has no lines"\n',
    )
    assert invoke(["transform", "test", str(tmp_path)]).exit_code == 0
    (tmp_path / "stops.toml").write_text('xslt = "params.xsl"\nexpect_error = "something else"\n')
    result = invoke(["transform", "test", str(tmp_path)])
    assert result.exit_code == 1 and "order 9 has no lines" in result.stdout


def test_xsd_validation(invoke: Invoke, tmp_path: Path) -> None:
    xsd = tmp_path / "a.xsd"
    xsd.write_text('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="A" type="xs:integer"/></xs:schema>')
    _case(tmp_path, "good", "<A>1</A>", "<A>1</A>", IDENTITY + 'schema = "a.xsd"\n')
    _case(tmp_path, "bad", "<A>x</A>", "<A>x</A>", IDENTITY + 'schema = "a.xsd"\n')
    result = invoke(["transform", "test", str(tmp_path)])
    assert result.exit_code == 1
    assert "PASS " in result.stdout and "good" in result.stdout
    assert "bad: output is not valid: line 2:" in result.stdout and "'x' is not a valid value" in result.stdout


def test_relax_ng_validation_from_the_command_line(invoke: Invoke, tmp_path: Path) -> None:
    rng = tmp_path / "a.rng"
    rng.write_text('<element name="A" xmlns="http://relaxng.org/ns/structure/1.0"><element name="B"><text/></element></element>')
    _case(tmp_path / "cases", "ok", "<A><B>t</B></A>", "<A><B>t</B></A>", IDENTITY)
    assert invoke(["transform", "test", "--schema", str(rng), str(tmp_path / "cases")]).exit_code == 0
    _case(tmp_path / "cases", "nok", "<A><C/></A>", "<A><C/></A>", IDENTITY)
    result = invoke(["transform", "test", "--schema", str(rng), str(tmp_path / "cases")])
    assert result.exit_code == 1 and "nok: output is not valid" in result.stdout


def test_schematron_validation_reports_the_failed_assertion(invoke: Invoke, tmp_path: Path) -> None:
    sch = tmp_path / "rules.sch"
    sch.write_text(
        '<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron"><sch:pattern>'
        '<sch:rule context="A"><sch:assert test="B">A needs a B.</sch:assert></sch:rule>'
        "</sch:pattern></sch:schema>"
    )
    _case(tmp_path, "rule", "<A><C/></A>", "<A><C/></A>", IDENTITY + 'schema = "rules.sch"\n')
    result = invoke(["transform", "test", str(tmp_path)])
    assert result.exit_code == 1
    assert "A needs a B." in result.stdout


def test_case_runs_under_the_same_security_profile(invoke: Invoke, tmp_path: Path) -> None:
    _case(tmp_path, "laughs", '<!DOCTYPE a [<!ENTITY x "y">]><A>&x;</A>', "<A>y</A>", IDENTITY)
    result = invoke(["transform", "test", str(tmp_path)])
    assert result.exit_code == 1 and "DOCTYPE refused" in result.stdout


def test_unknown_case_setting_and_no_cases(invoke: Invoke, tmp_path: Path) -> None:
    _case(tmp_path, "typo", "<A/>", "<A/>", IDENTITY + 'stylesheet = "x.xsl"\n')
    result = invoke(["transform", "test", str(tmp_path)])
    assert result.exit_code == 1 and "unknown key 'stylesheet'" in result.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke(["transform", "test", str(empty)])
    assert result.exit_code == 2 and "no cases" in result.stderr


def test_unreadable_case_input_fails_that_case_only(invoke: Invoke, tmp_path: Path) -> None:
    shutil.copy(HERE / "rename.jolt.json", tmp_path / "rename.jolt.json")
    _case(tmp_path, "broken", '{"orderNumber": ', "{}", 'jolt = "rename.jolt.json"\n', ext="json")
    _case(
        tmp_path,
        "fine",
        '{"orderNumber": "7"}',
        '{"orderReferenceId": "7", "orderType": "order"}',
        'jolt = "rename.jolt.json"\n',
        ext="json",
    )
    result = invoke(["transform", "test", str(tmp_path)])
    assert result.exit_code == 1
    assert "cannot read the case input" in result.stdout and "1 passed, 1 failed" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_an_unknown_engine_or_a_missing_spec_names_the_file(invoke: Invoke, tmp_path: Path) -> None:
    """A misspelt engine is named with its TOML file and line; a spec that is not there, in words (no errno repr)."""
    _case(tmp_path, "typo", "<A/>", "<A/>", IDENTITY + 'engine = "saxonn"\n')
    _case(tmp_path, "gone", '{"a": 1}', "{}", 'jolt = "nowhere.jolt.json"\n', ext="json")
    result = invoke(["transform", "test", str(tmp_path)])
    assert result.exit_code == 1 and "0 passed, 2 failed" in result.stdout
    assert f"{tmp_path / 'typo.toml'}:2: engine 'saxonn' is not one of libxslt, saxon" in result.stdout
    assert f"{tmp_path / 'nowhere.jolt.json'}: cannot read: No such file or directory" in result.stdout
    jolt = tmp_path / "jolt"
    shutil.copy(HERE / "rename.jolt.json", tmp_path / "rename.jolt.json")
    _case(jolt, "pinned", '{"orderNumber": "7"}', "{}", 'jolt = "../rename.jolt.json"\nengine = "saxon"\n', ext="json")
    result = invoke(["transform", "test", str(jolt)])
    assert result.exit_code == 1
    assert f"{jolt / 'pinned.toml'}:2: engine is for an XSLT stylesheet; this case runs a Jolt spec" in result.stdout
    assert "Errno" not in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_a_junit_report_that_cannot_be_written_is_a_usage_error(invoke: Invoke, tmp_path: Path) -> None:
    """Not 65 ("a case file is bad" in ci.md's script): the --junit path given cannot be written (exit 2)."""
    (tmp_path / "build").write_text("a file where the report's folder should be")
    report = tmp_path / "build" / "junit.xml"
    for command in (
        ["transform", "test", "--junit", str(report), str(SAMPLES / "cases" / "mis")],
        ["apply-rules", "test", "--rules", str(ROOT / "samples" / "rules.toml"), "--junit", str(report)]
        + [str(ROOT / "samples" / "rules-cases")],
    ):
        result = invoke(command)
        assert result.exit_code == 2, result.output
        assert f"--junit {report}: cannot write the report: a file stands where a folder should be" in result.stderr
        assert "Traceback" not in result.stderr
