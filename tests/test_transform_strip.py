"""flowkit transform: parsing without blank text for strip-space="*" stylesheets gives the same output."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Invoke, record_line, records
from lxml import etree

from flowkit.mapping.xslt import Stylesheet

# Indentation, blank-only content, mixed content with blank runs, and xml:space="preserve".
DOCUMENT = """<?xml version="1.0" encoding="UTF-8"?>
<Order>
  <Number>1203</Number>
  <Empty>   </Empty>
  <Note>Ship <b>before</b> <i>noon</i> please</Note>
  <Art xml:space="preserve">
    <Line>  </Line>
  </Art>
  <!-- a comment -->
  <Lines>
    <Line><Sku>A-1</Sku>
    </Line>
  </Lines>
</Order>
"""

# Dumps every text node of the input, so any difference in the tree shows in the output.
SHEET = """<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" encoding="UTF-8"/>
  {space}
  <xsl:template match="/">
    <Texts count="{{count(//text())}}">
      <xsl:for-each select="//text()"><T at="{{name(..)}}">[<xsl:value-of select="."/>]</T></xsl:for-each>
      <Copy><xsl:copy-of select="/"/></Copy>
    </Texts>
  </xsl:template>
</xsl:stylesheet>
"""

CASES = {
    "strip-all": ('<xsl:strip-space elements="*"/>', True),
    "strip-all-among-names": ('<xsl:strip-space elements="Order *"/>', True),
    "strip-some": ('<xsl:strip-space elements="Order Lines"/>', False),
    "strip-all-but-preserve": ('<xsl:strip-space elements="*"/><xsl:preserve-space elements="Note"/>', False),
    "none": ("", False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_equals_a_plain_lxml_run(case: str, tmp_path: Path, invoke: Invoke) -> None:
    space, strips = CASES[case]
    sheet = tmp_path / "texts.xsl"
    sheet.write_text(SHEET.format(space=space), encoding="utf-8")
    assert Stylesheet(sheet).strips_all is strips
    expected = bytes(etree.XSLT(etree.parse(str(sheet)))(etree.fromstring(DOCUMENT.encode("utf-8"))))

    line = record_line("payload", "1203", DOCUMENT, {"filename": "1203.xml"}, "application/xml")
    result = invoke(["transform", "--xslt", str(sheet)], input=line)
    assert result.exit_code == 0, result.stderr
    [out] = records(result.stdout)
    assert out["body"].encode("utf-8") == expected


def test_an_importing_stylesheet_is_not_assumed_to_strip(tmp_path: Path) -> None:
    (tmp_path / "keep.xsl").write_text(SHEET.format(space='<xsl:preserve-space elements="*"/>'), encoding="utf-8")
    main = SHEET.format(space='<xsl:strip-space elements="*"/>').replace(
        "<xsl:output", '<xsl:import href="keep.xsl"/>\n  <xsl:output', 1
    )
    (tmp_path / "main.xsl").write_text(main, encoding="utf-8")
    assert Stylesheet(tmp_path / "main.xsl").strips_all is False
