-- import-status: the production status last applied per order (item = '') and
-- per order line (item = the line id), so a late, older status is told apart
-- from a new one, and the inbox attempt counter. Message ids go into
-- processed_messages (0001) under kind 'status'. Never purged.
CREATE TABLE order_statuses (
    number TEXT NOT NULL REFERENCES orders(number) ON DELETE CASCADE,
    item TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,             -- the last status applied (received, in_production, printed, ..., error)
    stage INTEGER NOT NULL,           -- the furthest lifecycle stage reached (error does not move it)
    at TEXT,                          -- the newest status time applied (RFC 3339 UTC); NULL when no message had one
    target TEXT NOT NULL,
    message_seq INTEGER NOT NULL,     -- the message that applied ``status``
    updated_at TEXT NOT NULL,
    PRIMARY KEY (number, item)
);

-- Inbox (--from-dir) bookkeeping: failed attempts per message file.
CREATE TABLE status_inbox (
    folder TEXT NOT NULL,
    name TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (folder, name)
);
