-- Where each delivered payload came from: the render and transform steps its
-- record's meta named (meta.rendered, meta.transform: format and options,
-- stylesheet path, sha256 and parameters). Each distinct value is kept once
-- and the ledger rows that carried it point at it; `state show` prints it
-- with the delivery. Never purged, like the ledger rows that point at it.
CREATE TABLE provenance (
    id INTEGER PRIMARY KEY,
    detail TEXT NOT NULL UNIQUE
);
ALTER TABLE deliveries ADD COLUMN provenance_id INTEGER REFERENCES provenance(id);
