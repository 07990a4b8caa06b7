-- Delivery ledger: one row per (record key, destination, content sha256).
-- status: reserved -> sending -> delivered | failed | unknown | dead.
-- The intent (status 'sending', attempts + 1) is committed before the side
-- effect; 'delivered' only after the destination confirmed. Never purged:
-- these rows are the dedupe keys.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    destination TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('reserved', 'sending', 'delivered', 'failed', 'unknown', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    filename TEXT NOT NULL,
    size INTEGER NOT NULL,
    remote_ref TEXT,
    error TEXT,
    error_code INTEGER,
    response TEXT,
    run_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    delivered_at TEXT,
    UNIQUE (key, destination, content_hash)
);
CREATE INDEX deliveries_status ON deliveries(destination, status);

-- What was sent (zlib-compressed body, media type, meta), kept until
-- retention so failed deliveries can be retried without re-rendering and
-- `flowkit state sent KEY` shows exactly what went out. Purgeable.
CREATE TABLE delivery_bodies (
    delivery_id INTEGER PRIMARY KEY REFERENCES deliveries(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    meta TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX delivery_bodies_at ON delivery_bodies(at);
