<?xml version="1.0" encoding="UTF-8"?>
<!--
  flowkit standard order XML (`flowkit render`, root <Order>) -> PrintFlow-style MIS JobImport XML.
  Reads the names of flowkit/formats/names.py: OrderNumber, PurchaseOrderNumber, PlacedOnUtc,
  CurrencyCode, ShippingAddress/AddressLine1..2 and ZipPostalCode, Totals/ShippingTotal,
  OrderLine/UnitPriceExclTax and PriceExclTax.
  Parameters:
    priority   "normal" (default) or "rush"; an order tagged "rush" is always rush.
    supplier   the MIS account for the producing site (pass with: -\-param-from-meta supplier).
  The stylesheet copies money as given: the standard payload's amounts are already rounded.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="urn:example:printflow:jobimport:1">
  <xsl:output method="xml" encoding="UTF-8" indent="yes" media-type="application/xml"/>
  <xsl:strip-space elements="*"/>

  <xsl:param name="priority" select="'normal'"/>
  <xsl:param name="supplier" select="''"/>

  <xsl:template match="/">
    <xsl:if test="not(/Order/OrderLines/OrderLine)">
      <xsl:message terminate="yes">order <xsl:value-of select="/Order/OrderNumber"/> has no lines: nothing to produce</xsl:message>
    </xsl:if>
    <xsl:apply-templates select="Order"/>
  </xsl:template>

  <xsl:template match="Order">
    <JobImport version="1">
      <Job ref="{OrderNumber}" placed="{PlacedOnUtc}">
        <xsl:if test="normalize-space(PurchaseOrderNumber)">
          <xsl:attribute name="po"><xsl:value-of select="PurchaseOrderNumber"/></xsl:attribute>
        </xsl:if>
        <xsl:attribute name="priority">
          <xsl:choose>
            <xsl:when test="Tags/Tag = 'rush'">rush</xsl:when>
            <xsl:otherwise><xsl:value-of select="$priority"/></xsl:otherwise>
          </xsl:choose>
        </xsl:attribute>
        <xsl:if test="$supplier != ''">
          <xsl:attribute name="account"><xsl:value-of select="$supplier"/></xsl:attribute>
        </xsl:if>
        <Customer code="{Customer/Id}">
          <Name>
            <xsl:choose>
              <xsl:when test="normalize-space(Customer/Company)"><xsl:value-of select="Customer/Company"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="normalize-space(concat(Customer/FirstName, ' ', Customer/LastName))"/></xsl:otherwise>
            </xsl:choose>
          </Name>
          <Contact><xsl:value-of select="normalize-space(concat(Customer/FirstName, ' ', Customer/LastName))"/></Contact>
          <Email><xsl:value-of select="Customer/Email"/></Email>
        </Customer>
        <xsl:apply-templates select="ShippingAddress"/>
        <Items>
          <xsl:apply-templates select="OrderLines/OrderLine"/>
        </Items>
        <Value currency="{CurrencyCode}" net="{Totals/Subtotal}" discount="{Totals/Discount}"
               carriage="{Totals/ShippingTotal}" tax="{Totals/Tax}" gross="{Totals/GrandTotal}"/>
        <xsl:for-each select="ExtraData/Item">
          <UserField name="{Key}"><xsl:value-of select="Value"/></UserField>
        </xsl:for-each>
      </Job>
    </JobImport>
  </xsl:template>

  <xsl:template match="ShippingAddress">
    <Delivery method="{../Shipping/MethodCode}">
      <Name><xsl:value-of select="normalize-space(concat(FirstName, ' ', LastName))"/></Name>
      <xsl:if test="normalize-space(Company)"><Company><xsl:value-of select="Company"/></Company></xsl:if>
      <xsl:for-each select="AddressLine1 | AddressLine2">
        <xsl:if test="normalize-space(.)"><Street><xsl:value-of select="."/></Street></xsl:if>
      </xsl:for-each>
      <Town><xsl:value-of select="City"/></Town>
      <xsl:if test="normalize-space(Region)"><Region><xsl:value-of select="Region"/></Region></xsl:if>
      <Postcode><xsl:value-of select="ZipPostalCode"/></Postcode>
      <Country><xsl:value-of select="CountryCode"/></Country>
      <xsl:if test="normalize-space(Phone)"><Phone><xsl:value-of select="Phone"/></Phone></xsl:if>
      <xsl:if test="normalize-space(../Shipping/Instructions)">
        <Instructions><xsl:value-of select="../Shipping/Instructions"/></Instructions>
      </xsl:if>
    </Delivery>
  </xsl:template>

  <xsl:template match="OrderLine">
    <Item seq="{LineNumber}" product="{Sku}" qty="{Quantity}">
      <xsl:if test="normalize-space(JobId)">
        <xsl:attribute name="job"><xsl:value-of select="JobId"/></xsl:attribute>
      </xsl:if>
      <Description><xsl:value-of select="Name"/></Description>
      <xsl:for-each select="Attributes/Attribute">
        <Spec name="{Name}"><xsl:value-of select="Value"/></Spec>
      </xsl:for-each>
      <xsl:if test="normalize-space(Print/WidthMm)">
        <Size width="{Print/WidthMm}" height="{Print/HeightMm}" pages="{Print/Pages}" unit="mm"/>
      </xsl:if>
      <xsl:for-each select="Assets/Asset[Role = 'print']">
        <Artwork href="{Url}" type="{ContentType}"/>
      </xsl:for-each>
      <Price unit="{UnitPriceExclTax}" total="{PriceExclTax}" taxRate="{TaxRate}"/>
      <xsl:if test="ExtraData/Item[Key = 'CostCentre']">
        <CostCentre><xsl:value-of select="ExtraData/Item[Key = 'CostCentre']/Value"/></CostCentre>
      </xsl:if>
    </Item>
  </xsl:template>
</xsl:stylesheet>
