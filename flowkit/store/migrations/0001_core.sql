-- Core tables: run log, per-key event log (the story `state show` tells),
-- orders known to flowkit with their export lifecycle, their lines, and
-- processed message ids (scoped by kind and target; never purged).
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    args TEXT,
    pid INTEGER,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    counts TEXT
);
CREATE INDEX runs_started ON runs(started_at);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at TEXT NOT NULL,
    command TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT,
    run_id INTEGER
);
CREATE INDEX events_key ON events(key, id);
CREATE INDEX events_at ON events(at);

CREATE TABLE orders (
    number TEXT PRIMARY KEY,
    channel TEXT,
    source TEXT,
    supplier TEXT,
    status TEXT,
    export_status TEXT NOT NULL DEFAULT 'pending'
        CHECK (export_status IN ('pending', 'queued', 'exported', 'failed', 'dead', 'held', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    hold_reason TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    content_hash TEXT,
    document TEXT,
    placed_at TEXT,
    fetched_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    exported_at TEXT
);
CREATE INDEX orders_export ON orders(export_status, channel);

CREATE TABLE order_lines (
    number TEXT NOT NULL REFERENCES orders(number) ON DELETE CASCADE,
    line_id TEXT NOT NULL,
    sku TEXT,
    source TEXT,
    quantity INTEGER NOT NULL DEFAULT 0,
    quantity_shipped INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (number, line_id)
);
CREATE INDEX order_lines_sku ON order_lines(sku);

CREATE TABLE processed_messages (
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    message_seq INTEGER NOT NULL,
    processed_at TEXT NOT NULL,
    result TEXT,
    PRIMARY KEY (kind, target, message_seq)
);
