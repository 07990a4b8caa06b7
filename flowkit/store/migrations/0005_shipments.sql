-- import-shipment: shipments recorded against orders (one per message and
-- source), their lines and tracking numbers, and the inbox attempt counter.
-- Shipped quantities also advance order_lines.quantity_shipped (0001).
CREATE TABLE shipments (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL REFERENCES orders(number) ON DELETE CASCADE,
    target TEXT NOT NULL,
    message_seq INTEGER NOT NULL,
    source TEXT NOT NULL DEFAULT 'default',
    courier TEXT,
    service TEXT,
    shipped_at TEXT,
    comment TEXT,
    notify INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (target, message_seq, source)
);
CREATE INDEX shipments_number ON shipments(number, id);

CREATE TABLE shipment_lines (
    shipment_id INTEGER NOT NULL REFERENCES shipments(id) ON DELETE CASCADE,
    line_id TEXT NOT NULL,
    sku TEXT,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (shipment_id, line_id)
);

CREATE TABLE shipment_tracking (
    shipment_id INTEGER NOT NULL REFERENCES shipments(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    url TEXT,
    PRIMARY KEY (shipment_id, position)
);

-- Inbox (--from-dir) bookkeeping: failed attempts per message file. Never purged.
CREATE TABLE shipment_inbox (
    folder TEXT NOT NULL,
    name TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (folder, name)
);
