<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text" media-type="application/json"/>
  <xsl:template match="/Order">{"number": "<xsl:value-of select="OrderNumber"/>", "lines": <xsl:value-of select="count(OrderLines/OrderLine)"/>}</xsl:template>
</xsl:stylesheet>
