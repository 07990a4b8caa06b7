<?xml version="1.0" encoding="UTF-8"?>
<!--
  flowkit standard order XML (`flowkit render`, root <Order>) -> CSV, one row per order line
  (RFC 4180 quoting). Reads the names of flowkit/formats/names.py: OrderNumber, CurrencyCode,
  OrderLine/UnitPriceExclTax and PriceExclTax, ShippingAddress/ZipPostalCode.
  Parameter: separator  the field separator, one character (default ",").
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text" encoding="UTF-8" media-type="text/csv"/>
  <xsl:param name="separator" select="','"/>
  <xsl:variable name="nl" select="'&#13;&#10;'"/>

  <xsl:template match="/Order">
    <xsl:value-of select="translate('order,line,sku,name,quantity,unit_price,row_total,currency,paper,cost_centre,ship_to_postcode', ',', $separator)"/>
    <xsl:value-of select="$nl"/>
    <xsl:for-each select="OrderLines/OrderLine">
      <xsl:call-template name="field"><xsl:with-param name="value" select="/Order/OrderNumber"/></xsl:call-template>
      <xsl:call-template name="field"><xsl:with-param name="value" select="LineNumber"/></xsl:call-template>
      <xsl:call-template name="field"><xsl:with-param name="value" select="Sku"/></xsl:call-template>
      <xsl:call-template name="field"><xsl:with-param name="value" select="Name"/></xsl:call-template>
      <xsl:call-template name="field"><xsl:with-param name="value" select="Quantity"/></xsl:call-template>
      <xsl:call-template name="field"><xsl:with-param name="value" select="UnitPriceExclTax"/></xsl:call-template>
      <xsl:call-template name="field"><xsl:with-param name="value" select="PriceExclTax"/></xsl:call-template>
      <xsl:call-template name="field"><xsl:with-param name="value" select="/Order/CurrencyCode"/></xsl:call-template>
      <xsl:call-template name="field"><xsl:with-param name="value" select="Attributes/Attribute[Name = 'Paper']/Value"/></xsl:call-template>
      <xsl:call-template name="field"><xsl:with-param name="value" select="ExtraData/Item[Key = 'CostCentre']/Value"/></xsl:call-template>
      <xsl:call-template name="field">
        <xsl:with-param name="value" select="/Order/ShippingAddress/ZipPostalCode"/>
        <xsl:with-param name="last" select="true()"/>
      </xsl:call-template>
    </xsl:for-each>
  </xsl:template>

  <!-- One CSV field: quoted when it holds the separator, a quote or a line break. -->
  <xsl:template name="field">
    <xsl:param name="value"/>
    <xsl:param name="last" select="false()"/>
    <xsl:variable name="text" select="string($value)"/>
    <xsl:choose>
      <xsl:when test="contains($text, $separator) or contains($text, '&quot;') or contains($text, '&#10;')">
        <xsl:text>"</xsl:text>
        <xsl:call-template name="double-quotes"><xsl:with-param name="text" select="$text"/></xsl:call-template>
        <xsl:text>"</xsl:text>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
    <xsl:choose>
      <xsl:when test="$last"><xsl:value-of select="$nl"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$separator"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="double-quotes">
    <xsl:param name="text"/>
    <xsl:choose>
      <xsl:when test="contains($text, '&quot;')">
        <xsl:value-of select="concat(substring-before($text, '&quot;'), '&quot;&quot;')"/>
        <xsl:call-template name="double-quotes">
          <xsl:with-param name="text" select="substring-after($text, '&quot;')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
