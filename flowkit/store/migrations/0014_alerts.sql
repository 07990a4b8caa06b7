-- [alerts]: one row per run that had something to tell (deliveries gone dead,
-- inbox messages failed, orders held), kept until the alert destination
-- confirmed a message carrying it. `summary` is what the alert says of that
-- run (JSON, secrets masked). A row stays 'pending' while no send confirmed
-- it: each later run's alert carries the pending rows of the runs before it.
-- Sent rows are thinned by `state purge` (sent_at); pending ones never are.
CREATE TABLE alerts (
    run_id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    target TEXT,
    problems INTEGER NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
    attempts INTEGER NOT NULL DEFAULT 0,
    destination TEXT,
    error TEXT,
    remote_ref TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX alerts_pending ON alerts(run_id) WHERE status = 'pending';

-- The events an alert tells of, found by run without reading the run's other
-- events. Partial: only these (rare) events pay for the index on insert.
CREATE INDEX events_problems ON events(run_id)
WHERE event IN ('dead', 'held', 'duplicate-held', 'failed', 'attempt-failed');
