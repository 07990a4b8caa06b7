<?xml version="1.0" encoding="UTF-8"?>
<!--
  Email body for `flowkit deliver` (destination option `template`): flowkit standard order XML
  (`flowkit render`, root <Order>) -> a short HTML summary for a small print shop's inbox.
  Parameters flowkit passes: key (the record key), filename (the attachment's name).
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="html" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>
  <xsl:param name="key"/>
  <xsl:param name="filename"/>

  <xsl:template match="/Order">
    <html>
      <body style="font-family:sans-serif">
        <h1>Order <xsl:value-of select="OrderNumber"/></h1>
        <xsl:if test="Hold/OnHold = 'true'"><p><strong>ON HOLD</strong>: <xsl:value-of select="Hold/Reason"/></p></xsl:if>
        <p>
          <xsl:value-of select="normalize-space(concat(Customer/FirstName, ' ', Customer/LastName))"/>
          <xsl:if test="normalize-space(Customer/Company)">, <xsl:value-of select="Customer/Company"/></xsl:if>
          <xsl:text>; ship by </xsl:text><xsl:value-of select="Shipping/MethodName"/>
        </p>
        <table style="border-collapse:collapse">
          <tr><th align="left">SKU</th><th align="left">Product</th><th align="right">Qty</th></tr>
          <xsl:for-each select="OrderLines/OrderLine">
            <tr>
              <td><xsl:value-of select="Sku"/></td>
              <td><xsl:value-of select="Name"/></td>
              <td align="right"><xsl:value-of select="Quantity"/></td>
            </tr>
          </xsl:for-each>
        </table>
        <xsl:if test="normalize-space($filename)"><p>The order file is attached as <xsl:value-of select="$filename"/>.</p></xsl:if>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
