<?xml version="1.0" encoding="UTF-8"?>
<!--
  flowkit standard order XML (`flowkit render`, root <Order>) -> a printable HTML job sheet for the
  shop floor. Reads the names of flowkit/formats/names.py (OrderNumber, PlacedOnUtc,
  PurchaseOrderNumber, ShippingAddress/AddressLine1..2 and ZipPostalCode, OrderLine/JobId).
  Parameter: site  the production site's name shown in the header (default "Production").
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="html" encoding="UTF-8" indent="yes" media-type="text/html"
              doctype-system="about:legacy-compat"/>
  <xsl:strip-space elements="*"/>
  <xsl:param name="site" select="'Production'"/>

  <xsl:template match="/Order">
    <html lang="en">
      <head>
        <title>Job sheet <xsl:value-of select="OrderNumber"/></title>
        <style>body{font-family:sans-serif} table{border-collapse:collapse} td,th{border:1px solid #999;padding:4px}</style>
      </head>
      <body>
        <h1><xsl:value-of select="$site"/>: order <xsl:value-of select="OrderNumber"/></h1>
        <xsl:if test="Tags/Tag = 'rush'"><p class="rush"><strong>RUSH</strong></p></xsl:if>
        <xsl:if test="Hold/OnHold = 'true'"><p class="hold"><strong>ON HOLD</strong>: <xsl:value-of select="Hold/Reason"/></p></xsl:if>
        <p>
          <xsl:text>Placed </xsl:text><xsl:value-of select="PlacedOnUtc"/>
          <xsl:if test="normalize-space(PurchaseOrderNumber)">
            <xsl:text>, PO </xsl:text><xsl:value-of select="PurchaseOrderNumber"/>
          </xsl:if>
          <xsl:text>, ship by </xsl:text><xsl:value-of select="Shipping/MethodName"/>
          <xsl:if test="normalize-space(Shipping/DispatchByUtc)">
            <xsl:text>, dispatch by </xsl:text><xsl:value-of select="Shipping/DispatchByUtc"/>
          </xsl:if>
        </p>
        <h2>Deliver to</h2>
        <address>
          <xsl:value-of select="normalize-space(concat(ShippingAddress/FirstName, ' ', ShippingAddress/LastName))"/>
          <xsl:for-each select="ShippingAddress/Company | ShippingAddress/AddressLine1 | ShippingAddress/AddressLine2">
            <xsl:if test="normalize-space(.)"><br/><xsl:value-of select="."/></xsl:if>
          </xsl:for-each>
          <br/><xsl:value-of select="normalize-space(concat(ShippingAddress/City, ' ', ShippingAddress/ZipPostalCode, ' ', ShippingAddress/CountryCode))"/>
        </address>
        <h2>Items</h2>
        <table>
          <tr><th>#</th><th>Job</th><th>SKU</th><th>Product</th><th>Qty</th><th>Specification</th><th>Size (mm)</th><th>Artwork</th></tr>
          <xsl:for-each select="OrderLines/OrderLine">
            <tr>
              <td><xsl:value-of select="LineNumber"/></td>
              <td><xsl:value-of select="JobId"/></td>
              <td><xsl:value-of select="Sku"/></td>
              <td><xsl:value-of select="Name"/></td>
              <td><xsl:value-of select="Quantity"/></td>
              <td>
                <xsl:for-each select="Attributes/Attribute">
                  <xsl:value-of select="concat(Name, ': ', Value)"/>
                  <xsl:if test="position() != last()"><br/></xsl:if>
                </xsl:for-each>
              </td>
              <td><xsl:if test="normalize-space(Print/WidthMm)"><xsl:value-of select="concat(Print/WidthMm, ' x ', Print/HeightMm, ', ', Print/Pages, ' pp')"/></xsl:if></td>
              <td><xsl:for-each select="Assets/Asset[Role = 'print']"><a href="{Url}">print file</a></xsl:for-each></td>
            </tr>
          </xsl:for-each>
        </table>
        <xsl:if test="normalize-space(Shipping/Instructions)">
          <h2>Instructions</h2>
          <p><xsl:value-of select="Shipping/Instructions"/></p>
        </xsl:if>
        <xsl:if test="normalize-space(Notes/CustomerNote)">
          <h2>Customer note</h2>
          <p><xsl:value-of select="Notes/CustomerNote"/></p>
        </xsl:if>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
