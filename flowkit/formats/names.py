"""The one table of output names of the standard payload: field -> XML name, JSON name.

Every element of the standard XML and every member of the standard JSON is
named here and nowhere else, so a real Connect: Flow / MIS.Generic sample can
be matched by editing this table, not the code. A *field* is the key the
builder (``flowkit.formats.standard``) uses in its neutral tree; the same
field always has the same names wherever it appears.

Lists: ``ITEMS`` gives the XML element of each list item. A list field whose
XML name is ``None`` has no wrapper: its items repeat directly in the parent
(``<Payment>`` blocks), while JSON still holds them in one array.
"""

from __future__ import annotations

# field: (XML name, JSON name). PascalCase in XML, camelCase in JSON.
NAMES: dict[str, tuple[str | None, str]] = {
    # order
    "order": ("Order", "order"),
    "id": ("Id", "id"),
    "number": ("OrderNumber", "orderNumber"),
    "status": ("Status", "status"),
    "source_status": ("SourceStatus", "sourceStatus"),
    "hold": ("Hold", "hold"),
    "on_hold": ("OnHold", "onHold"),
    "reason": ("Reason", "reason"),
    "until": ("UntilUtc", "untilUtc"),
    "tags": ("Tags", "tags"),
    "placed_at": ("PlacedOnUtc", "placedOnUtc"),
    "created_at": ("CreatedOnUtc", "createdOnUtc"),
    "updated_at": ("UpdatedOnUtc", "updatedOnUtc"),
    "currency": ("CurrencyCode", "currencyCode"),
    "po_number": ("PurchaseOrderNumber", "purchaseOrderNumber"),
    "source": ("Source", "source"),
    "system": ("System", "system"),
    "store": ("Store", "store"),
    "channel": ("Channel", "channel"),
    "name": ("Name", "name"),
    "type": ("Type", "type"),
    "supplier": ("Supplier", "supplier"),
    "external_refs": ("ExternalReferences", "externalReferences"),
    "key": ("Key", "key"),
    "value": ("Value", "value"),
    "customer": ("Customer", "customer"),
    "email": ("Email", "email"),
    "first_name": ("FirstName", "firstName"),
    "last_name": ("LastName", "lastName"),
    "phone": ("Phone", "phone"),
    "company": ("Company", "company"),
    "is_guest": ("IsGuest", "isGuest"),
    "group": ("Group", "group"),
    "billing_address": ("BillingAddress", "billingAddress"),
    "shipping_address": ("ShippingAddress", "shippingAddress"),
    "address_line1": ("AddressLine1", "addressLine1"),
    "address_line2": ("AddressLine2", "addressLine2"),
    "city": ("City", "city"),
    "region": ("Region", "region"),
    "region_code": ("RegionCode", "regionCode"),
    "district": ("District", "district"),
    "postal_code": ("ZipPostalCode", "zipPostalCode"),
    "country_code": ("CountryCode", "countryCode"),
    "tax_id": ("TaxId", "taxId"),
    "tax_office": ("TaxOffice", "taxOffice"),
    "identity_number": ("IdentityNumber", "identityNumber"),
    "shipping": ("Shipping", "shipping"),
    "method_code": ("MethodCode", "methodCode"),
    "method_name": ("MethodName", "methodName"),
    "carrier": ("Carrier", "carrier"),
    "deliver_by": ("DeliverByUtc", "deliverByUtc"),
    "dispatch_by": ("DispatchByUtc", "dispatchByUtc"),
    "instructions": ("Instructions", "instructions"),
    "totals": ("Totals", "totals"),
    "subtotal": ("Subtotal", "subtotal"),
    "discount": ("Discount", "discount"),
    "shipping_total": ("ShippingTotal", "shippingTotal"),
    "tax": ("Tax", "tax"),
    "grand_total": ("GrandTotal", "grandTotal"),
    "prices_include_tax": ("PricesIncludeTax", "pricesIncludeTax"),
    "discounts": ("Discounts", "discounts"),
    "code": ("Code", "code"),
    "amount": ("Amount", "amount"),
    "line_ids": ("LineIds", "lineIds"),
    "notes": ("Notes", "notes"),
    "customer_note": ("CustomerNote", "customerNote"),
    "internal_notes": ("InternalNotes", "internalNotes"),
    "documents": ("Documents", "documents"),
    "url": ("Url", "url"),
    "extra_data": ("ExtraData", "extraData"),
    # order lines
    "lines": ("OrderLines", "orderLines"),
    "line_number": ("LineNumber", "lineNumber"),
    "job_id": ("JobId", "jobId"),
    "sku": ("Sku", "sku"),
    "product_ref": ("ExternalProductId", "externalProductId"),
    "description": ("Description", "description"),
    "quantity": ("Quantity", "quantity"),
    "quantity_shipped": ("QuantityShipped", "quantityShipped"),
    "unit_price": ("UnitPriceExclTax", "unitPriceExclTax"),
    "unit_price_incl_tax": ("UnitPriceInclTax", "unitPriceInclTax"),
    "tax_rate": ("TaxRate", "taxRate"),
    "tax_amount": ("TaxAmount", "taxAmount"),
    "discount_amount": ("DiscountAmount", "discountAmount"),
    "row_total": ("PriceExclTax", "priceExclTax"),
    "row_total_incl_tax": ("PriceInclTax", "priceInclTax"),
    "attributes": ("Attributes", "attributes"),
    "attribute_summary": ("AttributeSummary", "attributeSummary"),
    "delivery_type": ("DeliveryType", "deliveryType"),
    "print": ("Print", "print"),
    "pages": ("Pages", "pages"),
    "width_mm": ("WidthMm", "widthMm"),
    "height_mm": ("HeightMm", "heightMm"),
    "assets": ("Assets", "assets"),
    "role": ("Role", "role"),
    "area": ("Area", "area"),
    "content_type": ("ContentType", "contentType"),
    "hash": ("Hash", "hash"),
    "supplier_id": ("SupplierId", "supplierId"),
    # history items (Infigo's HistoryItem)
    "history": ("History", "history"),
    "approval_history": ("ApprovalHistory", "approvalHistory"),
    "timestamp": ("Timestamp", "timestamp"),
    "status_id": ("StatusId", "statusId"),
    "actor_id": ("CustomerId", "customerId"),
    "info": ("Info", "info"),
    # payments: the 11 documented Connect: Flow fields; repeated <Payment> blocks
    "payments": (None, "payment"),
    "payment_method": ("PaymentMethod", "paymentMethod"),
    "transaction_id": ("PaymentTransactionId", "paymentTransactionId"),
    "capture_transaction_id": ("CaptureTransactionId", "captureTransactionId"),
    "purchase_order_number": ("PurchaseOrderNumber", "purchaseOrderNumber"),
    "platform_transaction_id": ("InfigoTransactionId", "infigoTransactionId"),
    "authorization_request_id": ("AuthorizationRequestId", "authorizationRequestId"),
    "capture_request_id": ("CaptureRequestId", "captureRequestId"),
    "payment_currency": ("CurrencyCode", "currencyCode"),
    "payment_amount": ("Amount", "amount"),
    "authorization_expires_at": ("AuthorizationExpirationDateUtc", "authorizationExpirationDateUtc"),
    "transacted_at": ("TransactionDateUtc", "transactionDateUtc"),
}

# list field: XML element of each item
ITEMS: dict[str, str] = {
    "tags": "Tag",
    "external_refs": "Reference",
    "discounts": "Discount",
    "line_ids": "LineId",
    "internal_notes": "Note",
    "documents": "Document",
    "extra_data": "Item",
    "lines": "OrderLine",
    "attributes": "Attribute",
    "assets": "Asset",
    "history": "HistoryItem",
    "approval_history": "HistoryItem",
    "payments": "Payment",
}

XML: dict[str, str | None] = {field: names[0] for field, names in NAMES.items()}
JSON: dict[str, str] = {field: names[1] for field, names in NAMES.items()}

# The order of the 11 payment fields, as Connect: Flow documents them.
PAYMENT_FIELDS = (
    "payment_method", "transaction_id", "capture_transaction_id", "purchase_order_number",
    "platform_transaction_id", "authorization_request_id", "capture_request_id", "payment_currency",
    "payment_amount", "authorization_expires_at", "transacted_at",
)
