"""query-products: products from a source as flowkit.product/1 records, and their export lifecycle."""
