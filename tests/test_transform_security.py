"""Each XML/XSLT attack is refused: entity expansion, XXE, depth, size, jail escapes, writes.

The tests that take ``engine`` run on both XSLT engines (libxslt and Saxon); the Saxon-only
attacks (environment variables, unparsed-text, xsl:result-document, static expressions) are in
tests/test_transform_saxon_security.py.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import DATA, Invoke, record_line, records
from saxon_engine import require_saxon
from servers.quiet import QuietHTTPServer

HERE = DATA / "transform"
SECRET = "s3cr3t-outside-the-jail"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Order><Number>&lol9;</Number></Order>
"""


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        body = b"<Order><Number>from-the-network</Number></Order>"
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on loopback that records every request it receives."""
    _Recorder.hits = []
    server = QuietHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def jail(tmp_path: Path) -> Path:
    """A stylesheet folder with a readable file, and a secret in a sibling folder."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.xml").write_text(f"<Secret>{SECRET}</Secret>")
    folder = tmp_path / "sheets"
    folder.mkdir()
    (folder / "lookup.xml").write_text("<Lookup>inside</Lookup>")
    return folder


@pytest.fixture(params=["libxslt", "saxon"])
def engine(request: pytest.FixtureRequest) -> str:
    """The XSLT engine a test runs on: every attack must be refused by both."""
    if request.param == "saxon":
        require_saxon()
    return str(request.param)


def _xslt(engine: str, sheet: Path) -> list[str]:
    return ["transform", "--engine", engine, "--xslt", str(sheet)]


def _sheet(folder: Path, body: str, name: str = "s.xsl", extra_ns: str = "") -> Path:
    path = folder / name
    path.write_text(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"'
        f' {extra_ns}><xsl:output method="text"/><xsl:param name="href"/>'
        f'<xsl:template match="/">{body}</xsl:template></xsl:stylesheet>'
    )
    return path


def _payload(xml: str, key: str = "1203") -> str:
    return record_line("payload", key, xml, {}, "application/xml")


def test_billion_laughs_is_refused(invoke: Invoke, engine: str) -> None:
    result = invoke(_xslt(engine, HERE / "identity.xsl"), input=_payload(BILLION_LAUGHS))
    assert result.exit_code == 65
    assert "DOCTYPE refused" in result.stderr and "billion laughs" in result.stderr
    assert records(result.stdout)[0]["kind"] == "error"


def test_quadratic_blowup_is_refused(invoke: Invoke, engine: str) -> None:
    big = "x" * 50_000
    doc = f'<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY a "{big}">]>\n<Order>{"&a;" * 5_000}</Order>'
    result = invoke(_xslt(engine, HERE / "identity.xsl"), input=_payload(doc))
    assert result.exit_code == 65
    assert "DOCTYPE refused" in result.stderr
    assert len(result.stdout) < 2_000


def test_xxe_file_is_refused(invoke: Invoke, jail: Path, engine: str) -> None:
    secret = jail.parent / "outside" / "secret.xml"
    doc = f'<!DOCTYPE o [<!ENTITY x SYSTEM "file://{secret}">]><Order><Number>&x;</Number></Order>'
    result = invoke(_xslt(engine, HERE / "identity.xsl"), input=_payload(doc))
    assert result.exit_code == 65
    assert "DOCTYPE refused" in result.stderr
    assert SECRET not in result.stdout


def test_xxe_network_is_refused_without_a_request(invoke: Invoke, http_server: tuple[str, list[str]], engine: str) -> None:
    url, hits = http_server
    doc = f'<?xml version="1.0"?><!DOCTYPE o SYSTEM "{url}/dtd"><Order>&x;</Order>'
    result = invoke(_xslt(engine, HERE / "identity.xsl"), input=_payload(doc))
    assert result.exit_code == 65
    assert "DOCTYPE refused" in result.stderr
    assert hits == []


def test_parser_itself_resolves_no_entity_even_without_the_prescan(jail: Path) -> None:
    from lxml import etree

    from flowkit.mapping import xmlsafe

    secret = jail.parent / "outside" / "secret.xml"
    doc = f'<!DOCTYPE o [<!ENTITY x SYSTEM "file://{secret}">]><Order>&x;</Order>'.encode()
    root = etree.fromstring(doc, xmlsafe.parser())
    assert SECRET not in etree.tostring(root).decode()


def test_too_deep_nesting_is_refused(invoke: Invoke, engine: str) -> None:
    doc = "<a>" * 300 + "</a>" * 300
    result = invoke(_xslt(engine, HERE / "identity.xsl"), input=_payload(doc))
    assert result.exit_code == 65
    assert "nesting deeper than 256 levels refused" in result.stderr


def test_document_over_the_size_limit_is_refused_before_reading(invoke: Invoke, tmp_config, tmp_path: Path, engine: str) -> None:
    config = tmp_config('[transform]\nmax_document_size = "1KiB"\n')
    big = tmp_path / "big.xml"
    big.write_text("<Order>" + "x" * 4096 + "</Order>")
    result = invoke([*_xslt(engine, HERE / "identity.xsl"), str(big)], config=config)
    assert result.exit_code == 65
    assert "document is 4.0 KiB, over the limit of 1.0 KiB ([transform] max_document_size)" in result.stderr
    records_in = _payload("<Order>" + "x" * 4096 + "</Order>")
    result = invoke(_xslt(engine, HERE / "identity.xsl"), input=records_in, config=config)
    assert result.exit_code == 65 and "over the limit of 1.0 KiB" in result.stderr


def test_document_inside_the_jail_is_readable(invoke: Invoke, jail: Path) -> None:
    sheet = _sheet(jail, '<xsl:value-of select="document($href)"/>')
    result = invoke(["transform", "--xslt", str(sheet), "--param", "href=lookup.xml"], input=_payload("<Order/>"))
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout)[0]["body"] == "inside"


@pytest.mark.parametrize("href", ["../outside/secret.xml", "{secret}", "file://{secret}"])
def test_document_outside_the_jail_is_refused(invoke: Invoke, jail: Path, href: str, engine: str) -> None:
    secret = jail.parent / "outside" / "secret.xml"
    sheet = _sheet(jail, '<xsl:value-of select="document($href)"/>')
    result = invoke([*_xslt(engine, sheet), "--param", "href=" + href.format(secret=secret)], input=_payload("<Order/>"))
    assert result.exit_code == 65
    refusal = "read outside the allowed folders refused" if engine == "libxslt" else "the saxon engine reads no file or URL"
    assert refusal in result.stderr and "refused" in result.stderr
    assert SECRET not in result.stdout


def test_allow_read_config_opens_a_folder(invoke: Invoke, jail: Path, tmp_config) -> None:
    config = tmp_config('[transform]\nallow_read = ["outside"]\n')
    sheet = _sheet(jail, '<xsl:value-of select="document($href)"/>')
    result = invoke(
        ["transform", "--xslt", str(sheet), "--param", "href=../outside/secret.xml"], input=_payload("<Order/>"), config=config
    )
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout)[0]["body"] == SECRET


def test_document_over_the_network_is_refused(
    invoke: Invoke, jail: Path, http_server: tuple[str, list[str]], engine: str
) -> None:
    url, hits = http_server
    sheet = _sheet(jail, '<xsl:value-of select="document($href)"/>')
    result = invoke([*_xslt(engine, sheet), "--param", f"href={url}/order.xml"], input=_payload("<Order/>"))
    assert result.exit_code == 65
    assert "refused" in result.stderr
    assert "from-the-network" not in result.stdout
    assert hits == []


def test_exsl_document_write_is_refused(invoke: Invoke, jail: Path, tmp_path: Path, engine: str) -> None:
    target = tmp_path / "written.txt"
    sheet = _sheet(
        jail,
        f'<exsl:document href="{target}" method="text">pwned</exsl:document>ok',
        extra_ns='xmlns:exsl="http://exslt.org/common" extension-element-prefixes="exsl"',
    )
    result = invoke(_xslt(engine, sheet), input=_payload("<Order/>"))
    assert result.exit_code == 65
    if engine == "libxslt":
        assert "File write for" in result.stderr and "refused" in result.stderr
    else:  # Saxon-HE has no exsl:document; its xsl:result-document is refused too (test_transform_saxon_security.py)
        assert "s.xsl: line 1: XTDE1450 Unknown extension instruction <exsl:document>" in result.stderr
    assert not target.exists()


def test_include_outside_the_jail_is_refused_at_compile_time(invoke: Invoke, jail: Path, engine: str) -> None:
    outside = jail.parent / "outside" / "evil.xsl"
    outside.write_text('<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"/>')
    sheet = jail / "inc.xsl"
    sheet.write_text(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:include href="../outside/evil.xsl"/></xsl:stylesheet>'
    )
    result = invoke(_xslt(engine, sheet), input=_payload("<Order/>"))
    assert result.exit_code == 78
    assert "read outside the allowed folders refused" in result.stderr


def test_entities_in_a_jailed_lookup_file_stay_unexpanded(invoke: Invoke, jail: Path) -> None:
    secret = jail.parent / "outside" / "secret.xml"
    (jail / "sneaky.xml").write_text(f'<!DOCTYPE l [<!ENTITY x SYSTEM "file://{secret}">]><Lookup>&x;</Lookup>')
    sheet = _sheet(jail, '<xsl:value-of select="document($href)"/>')
    result = invoke(["transform", "--xslt", str(sheet), "--param", "href=sneaky.xml"], input=_payload("<Order/>"))
    assert SECRET not in result.stdout


def test_a_record_stream_file_larger_than_the_limit_is_read_record_by_record(
    invoke: Invoke, tmp_config, tmp_path: Path, engine: str
) -> None:
    config = tmp_config('[transform]\nmax_document_size = "1KiB"\n')
    stream = tmp_path / "records.ndjson"
    stream.write_text("".join(_payload(f"<Order><Number>{i}</Number></Order>", str(i)) for i in range(40)))
    assert stream.stat().st_size > 1024
    result = invoke([*_xslt(engine, HERE / "identity.xsl"), str(stream)], config=config)
    assert result.exit_code == 0, result.stderr
    assert len(records(result.stdout)) == 40


def test_an_output_encoding_python_does_not_know_fails_each_record_of_that_stylesheet(
    invoke: Invoke, tmp_path: Path, tmp_config, engine: str
) -> None:
    """libxslt accepts ``UCS-2``, Python has no codec for it: not a LookupError traceback but exit 65 for
    the records that stylesheet transforms (named, with the xsl:output line), the others transformed."""
    _sheet(tmp_path, "ok", name="good.xsl")
    (tmp_path / "ucs2.xsl").write_text(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n'
        '<xsl:output method="xml" encoding="UCS-2"/>\n'
        '<xsl:template match="/"><Out/></xsl:template></xsl:stylesheet>\n'
    )
    config = tmp_config('[channels.web.transform]\nxslt = "good.xsl"\n\n[channels.pos.transform]\nxslt = "ucs2.xsl"\n')
    data = "".join(
        record_line("payload", key, "<Order/>", {"channel": channel}, "application/xml")
        for key, channel in (("1", "web"), ("2", "pos"), ("3", "web"))
    )
    result = invoke(["transform", "--engine", engine], input=data, config=config)  # --engine: every route on it
    assert "Traceback" not in result.stderr
    assert result.exit_code == 1, result.stderr
    message = (
        "ucs2.xsl: xsl:output encoding 'UCS-2' (line 2) is not one Python can read: "
        "declare UTF-8 or another encoding Python knows (ISO-8859-1, windows-1252, UTF-16, ...)"
    )
    assert result.stderr.splitlines()[0] == f"flowkit: record '2': {message}"
    out = records(result.stdout)
    assert [(r["kind"], r["key"]) for r in out] == [("payload", "1"), ("error", "2"), ("payload", "3")]
    assert out[1]["body"]["error"] == message and out[1]["body"]["exit_code"] == 65
    assert out[0]["body"] == out[2]["body"] == "ok"
