"""The Saxon engine's own open doors, each shut: what Saxon's defaults allow and libxslt never had.

Saxon-HE as saxonche ships it reads files and URLs (doc, unparsed-text, collection, json-doc),
the environment (environment-variable), writes files (xsl:result-document) and evaluates static
expressions while it compiles. tests/test_transform_security.py runs the attacks both engines share.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import Invoke, record_line, records
from saxon_engine import require_saxon
from test_transform_security import SECRET, http_server  # noqa: F401  (a fixture)

pytestmark = pytest.mark.usefixtures("saxon")
SAXON = ["transform", "--engine", "saxon"]


@pytest.fixture
def saxon() -> None:
    require_saxon()


@pytest.fixture
def jail(tmp_path: Path) -> Path:
    """As in test_transform_security: a stylesheet folder with a lookup file, a secret in a sibling folder."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.xml").write_text(f"<Secret>{SECRET}</Secret>")
    folder = tmp_path / "sheets"
    folder.mkdir()
    (folder / "lookup.xml").write_text("<Lookup>inside</Lookup>")
    return folder


def _sheet(folder: Path, body: str, name: str = "s.xsl", top: str = "") -> Path:
    path = folder / name
    path.write_text(
        '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema"><xsl:output method="text"/><xsl:param name="href"/>'
        f'{top}<xsl:template match="/">{body}</xsl:template></xsl:stylesheet>'
    )
    return path


def _payload(xml: str = "<Order/>", key: str = "1203") -> str:
    return record_line("payload", key, xml, {}, "application/xml")


def _run_flowkit(args: list[str], stdin: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """flowkit as its own process: what Saxon's native code writes to fds 1 and 2 is visible here."""
    return subprocess.run(
        [sys.executable, "-m", "flowkit", *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


READS = [
    "doc($href)",
    "document($href)",
    "unparsed-text($href)",
    "unparsed-text-lines($href)",
    "json-doc($href)",
    "collection($href)",
    "uri-collection($href)",
]


@pytest.mark.parametrize("call", READS)
@pytest.mark.parametrize("where", ["inside", "outside"])
def test_no_file_is_read_while_the_stylesheet_runs(invoke: Invoke, jail: Path, call: str, where: str) -> None:
    """Stricter than libxslt: even inside the jail, lookups are xsl:include'd modules or --param values."""
    target = jail / "lookup.xml" if where == "inside" else jail.parent / "outside" / "secret.xml"
    sheet = _sheet(jail, f'<xsl:value-of select="{call}"/>')
    result = invoke([*SAXON, "--xslt", str(sheet), "--param", f"href={target.as_uri()}"], input=_payload())
    assert result.exit_code == 65, result.stderr
    assert result.stderr.splitlines()[0].startswith("flowkit: record '1203': s.xsl: line 1: reading ")
    assert "refused: the saxon engine reads no file or URL while it runs" in result.stderr
    assert SECRET not in result.stdout and "inside" not in result.stdout


@pytest.mark.parametrize("call", ["doc-available($href)", "unparsed-text-available($href)"])
def test_availability_checks_read_nothing_and_say_no(invoke: Invoke, jail: Path, call: str) -> None:
    sheet = _sheet(jail, f'<xsl:value-of select="{call}"/>')
    secret = jail.parent / "outside" / "secret.xml"
    result = invoke([*SAXON, "--xslt", str(sheet), "--param", f"href={secret.as_uri()}"], input=_payload())
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout)[0]["body"] == "false"


def test_an_xpath_evaluated_at_run_time_reads_nothing_either(invoke: Invoke, jail: Path) -> None:
    sheet = _sheet(jail, '<xsl:evaluate xpath="$href" as="xs:string?"/>')
    secret = jail.parent / "outside" / "secret.xml"
    result = invoke([*SAXON, "--xslt", str(sheet), "--param", f"href=unparsed-text('{secret.as_uri()}')"], input=_payload())
    assert result.exit_code == 65 and "s.xsl: line 1: FOUT1170 Dynamic error in expression" in result.stderr
    assert SECRET not in result.stdout


@pytest.mark.parametrize("call", ["unparsed-text($href)", "doc($href)", "json-doc($href)"])
def test_no_url_is_fetched(invoke: Invoke, jail: Path, http_server: tuple[str, list[str]], call: str) -> None:  # noqa: F811
    url, hits = http_server
    sheet = _sheet(jail, f'<xsl:value-of select="{call}"/>')
    result = invoke([*SAXON, "--xslt", str(sheet), "--param", f"href={url}/order.xml"], input=_payload())
    assert result.exit_code == 65 and "refused" in result.stderr
    assert "from-the-network" not in result.stdout
    assert hits == []


def test_an_import_over_the_network_is_refused_before_saxon_sees_it(
    invoke: Invoke,
    jail: Path,
    http_server: tuple[str, list[str]],  # noqa: F811
) -> None:
    url, hits = http_server
    sheet = jail / "net.xsl"
    sheet.write_text(
        f'<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:import href="{url}/m.xsl"/>'
        '<xsl:template match="/">ok</xsl:template></xsl:stylesheet>'
    )
    result = invoke([*SAXON, "--xslt", str(sheet)], input=_payload())
    assert result.exit_code == 78
    assert f"net.xsl:1: network and URL access refused: {url}/m.xsl" in result.stderr
    assert hits == []


ENV_SHEET = (
    "<xsl:value-of select=\"environment-variable('FLOWKIT_SAXON_SECRET')\"/>|"
    '<xsl:value-of select="available-environment-variables()"/>|'
    "<xsl:value-of select=\"system-property('user.home')\"/>"
)


def test_environment_variables_read_as_nothing(jail: Path) -> None:
    """Run as its own process with a secret in its environment; unlocked Saxon reads it there (the control)."""
    env = {**os.environ, "FLOWKIT_SAXON_SECRET": SECRET}
    sheet = _sheet(jail, ENV_SHEET)
    control = subprocess.run(
        [sys.executable, "-c", CONTROL, str(sheet)], capture_output=True, text=True, env=env, timeout=120, check=True
    )
    assert SECRET in control.stdout and "FLOWKIT_SAXON_SECRET" in control.stdout  # Saxon's defaults: read
    result = _run_flowkit([*SAXON, "--xslt", str(sheet)], _payload(), env)
    assert result.returncode == 0, result.stderr
    assert records(result.stdout)[0]["body"] == "||"
    assert SECRET not in result.stdout and "FLOWKIT_SAXON_SECRET" not in result.stdout


CONTROL = """
import sys, saxonche
p = saxonche.PySaxonProcessor(license=False)
sheet = p.new_xslt30_processor().compile_stylesheet(stylesheet_file=sys.argv[1])
print(sheet.transform_to_string(xdm_node=p.parse_xml(xml_text="<Order/>")))
"""


def test_result_document_is_refused_before_anything_runs(invoke: Invoke, jail: Path, tmp_path: Path) -> None:
    target = tmp_path / "written.txt"
    sheet = _sheet(jail, f'<xsl:result-document href="{target.as_uri()}" method="text">pwned</xsl:result-document>ok')
    result = invoke([*SAXON, "--xslt", str(sheet)], input=_payload())
    assert result.exit_code == 78
    assert "s.xsl:1: stylesheet does not compile: XTSE0010 xsl:result-document is disabled" in result.stderr
    assert not target.exists()


def test_a_static_expression_reads_nothing_while_compiling(invoke: Invoke, jail: Path) -> None:
    secret = jail.parent / "outside" / "secret.xml"
    sheet = _sheet(
        jail, '<xsl:value-of select="$s"/>', top=f'<xsl:param name="s" static="yes" select="unparsed-text(\'{secret}\')"/>'
    )
    result = invoke([*SAXON, "--xslt", str(sheet)], input=_payload())
    assert result.exit_code == 78 and "stylesheet does not compile" in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_static_expressions_are_refused_beside_included_modules(invoke: Invoke, jail: Path) -> None:
    """Saxon may read the jailed modules while it compiles: then no use-when/static/shadow expression may run."""
    (jail / "lib.xsl").write_text('<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"/>')
    for attribute in ('use-when="true()"', 'static="yes" select="1"', '_select="1"'):
        element = "xsl:param" if "static" in attribute else "xsl:variable"
        sheet = jail / "main.xsl"
        sheet.write_text(
            '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n'
            f'<xsl:include href="lib.xsl"/>\n<{element} name="v" {attribute}/>\n'
            '<xsl:template match="/">ok</xsl:template></xsl:stylesheet>'
        )
        result = invoke([*SAXON, "--xslt", str(sheet)], input=_payload())
        assert result.exit_code == 78, attribute
        assert "main.xsl:3: " in result.stderr and "refused in a stylesheet that includes or imports modules" in result.stderr


def test_an_include_inside_the_jail_holds_the_lookups(invoke: Invoke, jail: Path) -> None:
    (jail / "lookup.xsl").write_text(
        '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        "<xsl:variable name=\"codes\" select=\"map { 'express': 'EXP-1' }\"/></xsl:stylesheet>"
    )
    sheet = _sheet(jail, "<xsl:value-of select=\"$codes('express')\"/>", top='<xsl:include href="lookup.xsl"/>')
    result = invoke([*SAXON, "--xslt", str(sheet)], input=_payload())
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout)[0]["body"] == "EXP-1"


def test_allow_read_opens_a_folder_for_includes(invoke: Invoke, jail: Path, tmp_config) -> None:
    (jail.parent / "outside" / "shared.xsl").write_text(
        '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:variable name="shared" select="\'from-shared\'"/></xsl:stylesheet>'
    )
    sheet = _sheet(jail, '<xsl:value-of select="$shared"/>', top='<xsl:include href="../outside/shared.xsl"/>')
    refused = invoke([*SAXON, "--xslt", str(sheet)], input=_payload())
    assert refused.exit_code == 78 and "read outside the allowed folders refused: ../outside/shared.xsl" in refused.stderr
    config = tmp_config('[transform]\nallow_read = ["outside"]\n')
    result = invoke([*SAXON, "--xslt", str(sheet)], input=_payload(), config=config)
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout)[0]["body"] == "from-shared"


@pytest.mark.parametrize("trick", ["symlink", "xml:base", "file-url", "encoded"])
def test_an_include_cannot_leave_the_jail(invoke: Invoke, jail: Path, trick: str) -> None:
    outside = jail.parent / "outside" / "evil.xsl"
    outside.write_text(
        '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        f'<xsl:variable name="leak" select="\'{SECRET}\'"/></xsl:stylesheet>'
    )
    href, attrs = "evil.xsl", ""
    if trick == "symlink":
        (jail / "evil.xsl").symlink_to(outside)
    elif trick == "xml:base":
        attrs = f' xml:base="{outside.parent.as_uri()}/"'
    elif trick == "file-url":
        href = outside.as_uri()
    else:
        href = "%2E%2E/outside/evil.xsl"
    sheet = _sheet(jail, '<xsl:value-of select="$leak"/>', top=f'<xsl:include href="{href}"{attrs}/>')
    result = invoke([*SAXON, "--xslt", str(sheet)], input=_payload())
    assert result.exit_code == 78
    assert "refused" in result.stderr and SECRET not in result.stdout


def test_a_doctype_in_an_included_module_is_refused(invoke: Invoke, jail: Path) -> None:
    secret = jail.parent / "outside" / "secret.xml"
    (jail / "dtd.xsl").write_text(
        f'<!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>'
        '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:variable name="leak">&e;</xsl:variable></xsl:stylesheet>'
    )
    sheet = _sheet(jail, '<xsl:value-of select="$leak"/>', top='<xsl:include href="dtd.xsl"/>')
    result = invoke([*SAXON, "--xslt", str(sheet)], input=_payload())
    assert result.exit_code == 78 and "dtd.xsl: DOCTYPE refused in a stylesheet" in result.stderr
    assert SECRET not in result.stdout


def test_saxon_writes_nothing_to_stdout_or_stderr_but_one_line(jail: Path) -> None:
    """Saxon's native code prints its errors on fd 2: flowkit captures them and prints one line of its own."""
    sheet = _sheet(jail, '<xsl:value-of select="xs:integer(string(.))"/><xsl:message>note</xsl:message>')
    data = _payload("<n>12</n>", "1") + _payload("<n>twelve</n>", "2") + _payload("<n>3</n>", "3")
    result = _run_flowkit([*SAXON, "--xslt", str(sheet)], data)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "flowkit: record '2': s.xsl: line 1: FORG0001 Cannot convert string \"twelve\" to an integer",
        "flowkit: error: 1 record(s) failed, 2 done",
    ]
    assert [(r["kind"], r["key"], r["body"] if r["kind"] == "payload" else "") for r in records(result.stdout)] == [
        ("payload", "1", "12"),
        ("error", "2", ""),
        ("payload", "3", "3"),
    ]
    broken = _sheet(jail, '<xsl:value-of select="1 +"/>', name="broken.xsl")
    result = _run_flowkit([*SAXON, "--xslt", str(broken)], _payload())
    assert result.returncode == 78 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"flowkit: error: {broken}:1: stylesheet does not compile: XPST0003 Unexpected token <eof> before ..."
    ]


def test_a_stylesheet_is_called_only_from_the_thread_that_compiled_it(jail: Path) -> None:
    from flowkit.mapping import xmlsafe
    from flowkit.mapping.saxon import SaxonStylesheet

    sheet = SaxonStylesheet(_sheet(jail, "ok"))
    assert sheet.apply(xmlsafe.parse(b"<Order/>", "doc"), {}).data == b"ok"
    failures: list[BaseException] = []

    def other() -> None:
        try:
            sheet.apply(xmlsafe.parse(b"<Order/>", "doc"), {})
        except BaseException as exc:  # the assertion below names it
            failures.append(exc)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert [type(f).__name__ for f in failures] == ["RuntimeError"]
    assert "runs only on the thread that compiled it" in str(failures[0])


def test_a_module_doctype_is_refused_even_without_the_prescan(jail: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saxon's stylesheet parser would expand it (its parser features cover source documents only): flowkit's parser
    sees the DOCTYPE as well as its prescan does."""
    from flowkit.errors import ConfigError
    from flowkit.mapping import xmlsafe
    from flowkit.mapping.saxon import SaxonStylesheet

    secret = jail.parent / "outside" / "secret.xml"
    (jail / "dtd.xsl").write_text(
        f'<!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>'
        '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:variable name="leak">&e;</xsl:variable></xsl:stylesheet>'
    )
    sheet = _sheet(jail, '<xsl:value-of select="$leak"/>', top='<xsl:include href="dtd.xsl"/>')
    monkeypatch.setattr(xmlsafe, "has_doctype", lambda data: False)
    with pytest.raises(ConfigError, match="dtd.xsl: DOCTYPE refused in a stylesheet"):
        SaxonStylesheet(sheet)


def test_saxon_compiles_the_modules_flowkit_checked_not_what_is_on_disk_later(
    invoke: Invoke, jail: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A module swapped between flowkit's check and Saxon's read (a race) is not what compiles: Saxon reads
    flowkit's private copies of the checked bytes."""
    from flowkit.mapping.saxon import SaxonStylesheet

    secret = jail.parent / "outside" / "secret.xml"
    lib = jail / "lib.xsl"
    lib.write_text(
        '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:variable name="leak" select="\'checked\'"/></xsl:stylesheet>'
    )
    sheet = _sheet(jail, '<xsl:value-of select="$leak"/>', top='<xsl:include href="lib.xsl"/>')
    compile_at = SaxonStylesheet._compile_at

    def swapped(self: SaxonStylesheet, base: Path) -> object:
        lib.write_text(
            f'<!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>'
            '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
            '<xsl:variable name="leak">&e;</xsl:variable></xsl:stylesheet>'
        )
        return compile_at(self, base)

    monkeypatch.setattr(SaxonStylesheet, "_compile_at", swapped)
    result = invoke([*SAXON, "--xslt", str(sheet)], input=_payload())
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout)[0]["body"] == "checked"
    assert SECRET not in result.stdout
