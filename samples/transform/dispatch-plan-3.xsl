<?xml version="1.0" encoding="UTF-8"?>
<!--
  XSLT 3.0, for `flowkit transform -\-engine saxon`: flowkit's standard order XML (`flowkit render`,
  root <Order>) -> a JSON dispatch plan for the despatch bench.
  What XSLT 1.0 (libxslt) cannot do here:
    a map          the service level and cut-off of each shipping method ($services);
    xsl:iterate    a running quantity and value down the lines, stopping after $max-lines lines;
    format-date()  dates people read ("Monday 16th March 2026"), format-dateTime() for times;
    typed params   max-lines is an xs:integer (a -\-param value is untyped, as on Saxon's command line);
    JSON output    xsl:output method="json": the record's body becomes JSON (application/json).
  Parameters:
    site       the producing site's name (default "main works").
    max-lines  at most this many lines in the plan (default 50); the rest are counted in "moreLines".
-->
<xsl:stylesheet version="3.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    exclude-result-prefixes="#all">
  <xsl:output method="json" indent="yes"/>

  <xsl:param name="site" as="xs:string" select="'main works'"/>
  <xsl:param name="max-lines" as="xs:integer" select="50"/>

  <xsl:variable name="services" as="map(xs:string, map(xs:string, xs:string))" select="map {
      'express':  map { 'level': 'next working day', 'cutoff': '15:00' },
      'standard': map { 'level': '2-3 working days', 'cutoff': '17:00' },
      'collect':  map { 'level': 'customer collects', 'cutoff': '12:00' } }"/>

  <xsl:template match="/Order">
    <xsl:variable name="method" select="string(Shipping/MethodCode)"/>
    <xsl:variable name="service" select="($services($method), map { 'level': 'unknown', 'cutoff': '17:00' })[1]"/>
    <xsl:variable name="lines" as="map(*)*">
      <xsl:iterate select="OrderLines/OrderLine">
        <xsl:param name="quantity" as="xs:integer" select="0"/>
        <xsl:param name="value" as="xs:decimal" select="0"/>
        <xsl:choose>
          <xsl:when test="position() gt $max-lines">
            <xsl:break/>
          </xsl:when>
          <xsl:otherwise>
            <xsl:variable name="running-quantity" select="$quantity + xs:integer(Quantity)"/>
            <xsl:variable name="running-value" select="$value + xs:decimal(PriceExclTax)"/>
            <xsl:sequence select="map {
                'line': xs:integer(LineNumber),
                'job': string(JobId),
                'sku': string(Sku),
                'quantity': xs:integer(Quantity),
                'runningQuantity': $running-quantity,
                'runningValue': $running-value }"/>
            <xsl:next-iteration>
              <xsl:with-param name="quantity" select="$running-quantity"/>
              <xsl:with-param name="value" select="$running-value"/>
            </xsl:next-iteration>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:iterate>
    </xsl:variable>
    <xsl:sequence select="map {
        'order': string(OrderNumber),
        'site': $site,
        'placed': format-date(xs:date(substring(PlacedOnUtc, 1, 10)), '[FNn] [D1o] [MNn] [Y0001]', 'en', (), ()),
        'service': $service?level,
        'shipTo': string-join((ShippingAddress/City, ShippingAddress/CountryCode)[normalize-space()], ', '),
        'dispatchBy': if (normalize-space(Shipping/DispatchByUtc))
                      then format-dateTime(xs:dateTime(Shipping/DispatchByUtc), '[FNn] [D1o] [MNn], [H01]:[m01] UTC', 'en', (), ())
                      else 'today, before ' || $service?cutoff,
        'lines': array { $lines },
        'moreLines': max((0, count(OrderLines/OrderLine) - $max-lines)),
        'totalQuantity': sum(OrderLines/OrderLine/Quantity ! xs:integer(.)),
        'currency': string(CurrencyCode) }"/>
  </xsl:template>
</xsl:stylesheet>
