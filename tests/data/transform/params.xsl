<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text" media-type="text/plain"/>
  <xsl:param name="greeting" select="'hello'"/>
  <xsl:param name="channel" select="'none'"/>
  <xsl:template match="/Order">
    <xsl:if test="not(OrderLines/OrderLine)">
      <xsl:message terminate="yes">order <xsl:value-of select="OrderNumber"/> has no lines</xsl:message>
    </xsl:if>
    <xsl:value-of select="concat($greeting, ' ', OrderNumber, ' via ', $channel)"/>
  </xsl:template>
</xsl:stylesheet>
