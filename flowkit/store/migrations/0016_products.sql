-- query-products: every product seen at a source, its canonical document and its
-- export lifecycle, as the Magento-WMS extension keeps it per product:
-- pending -> queued -> exported | failed. A product whose data changed (its
-- fingerprint, `content_hash`: the canonical JSON without updated_at) goes back to
-- pending. `exported_at` and `exported_hash` are those of its last export: a
-- product never exported goes out as a create, an exported one as an update.
-- `resend` is set by `state reset-products` (send again even what the destination
-- has: deliver honours meta.resend) and cleared by the next export.
-- Never purged: it is the catalogue's export state.
CREATE TABLE products (
    sku TEXT PRIMARY KEY,
    source TEXT,
    type TEXT,
    content_hash TEXT NOT NULL,
    document BLOB,
    export_status TEXT NOT NULL DEFAULT 'pending'
        CHECK (export_status IN ('pending', 'queued', 'exported', 'failed')),
    operation TEXT CHECK (operation IN ('create', 'update')),
    exported_at TEXT,
    exported_hash TEXT,
    resend INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    fetched_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX products_export ON products(export_status, source);

-- One row per query-products, mark-sent or reset run: the product export history
-- (`flowkit state exports --products`). Never purged.
CREATE TABLE product_history (
    id INTEGER PRIMARY KEY,
    run_id INTEGER,
    at TEXT NOT NULL,
    command TEXT NOT NULL,
    source TEXT,
    emitted INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    reset INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX product_history_at ON product_history(at);
