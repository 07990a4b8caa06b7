-- query-orders and mark-sent: export history per run, and the source-side
-- "mark as exported" calls still owed (e.g. Omnitron PATCH is_send) so a
-- failed call is retried by the next mark-sent run. Neither is purged.
CREATE TABLE export_history (
    id INTEGER PRIMARY KEY,
    run_id INTEGER,
    at TEXT NOT NULL,
    command TEXT NOT NULL,
    source TEXT,
    emitted INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    dead INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX export_history_at ON export_history(at);

CREATE TABLE source_marks (
    number TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    remote_ref TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX source_marks_state ON source_marks(state, source);
