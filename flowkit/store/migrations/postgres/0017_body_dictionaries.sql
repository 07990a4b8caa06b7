-- Compression dictionaries the store trains from its own bodies: sqlite's migration 0017
-- in PostgreSQL's types. `id` is the zstd dictionary id every frame packed with it names
-- (chosen by flowkit, not an identity column).
CREATE TABLE body_dictionaries (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    samples BIGINT NOT NULL,
    data BYTEA NOT NULL
);
CREATE INDEX body_dictionaries_kind ON body_dictionaries(kind, created_at);
