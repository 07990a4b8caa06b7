-- push-stock: the per-target stock ledger (highest applied seq, stored qty and
-- the recent applied seqs, so a replayed old line is recognised as a
-- duplicate, per target, sku and source), the outgoing message outbox
-- (write-ahead intent before a chunk is sent, confirmed after), and the inbox
-- attempt counts. None of these tables is ever purged by retention.
CREATE TABLE stock_ledger (
    target TEXT NOT NULL,
    sku TEXT NOT NULL,
    source TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    qty INTEGER NOT NULL,
    received INTEGER,
    message_seq INTEGER,
    history TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (target, sku, source)
) WITHOUT ROWID;

CREATE TABLE stock_outbox (
    target TEXT NOT NULL,
    message_seq INTEGER NOT NULL,
    filename TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'confirmed', 'failed')),
    lines TEXT NOT NULL,
    size INTEGER NOT NULL,
    remote_ref TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (target, message_seq)
);

CREATE TABLE stock_inbox (
    folder TEXT NOT NULL,
    name TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
    last_error TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (folder, name)
);
