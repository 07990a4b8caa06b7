-- apply-rules: orders an operator released from a hold (`flowkit state release`).
-- A released order is not held again by apply-rules (cancel still applies).
CREATE TABLE order_releases (
    number TEXT PRIMARY KEY,
    released_at TEXT NOT NULL,
    previous_reason TEXT,
    note TEXT
);
