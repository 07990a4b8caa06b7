-- Compression dictionaries the store trains from its own bodies (store/dictionaries.py):
-- one per kind of body (`order`: orders.document, `payload`: delivery_bodies.body,
-- `product`: products.document), trained once enough bodies of the kind are in hand.
-- `id` is the zstd dictionary id written in the header of every frame packed with it, so a
-- body names the dictionary that reads it. Never purged: a dictionary is kept for as long
-- as the store is (a few tens of KB), since any kept body may need it.
CREATE TABLE body_dictionaries (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    samples INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX body_dictionaries_kind ON body_dictionaries(kind, created_at);
