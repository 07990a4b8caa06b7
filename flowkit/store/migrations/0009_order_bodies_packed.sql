-- Order bodies kept compressed (store/orders.py, store/bodies.py): ~34 KB of
-- JSON text per realistic order becomes ~3.8 KB. The canonical `id`, which
-- apply-rules looked up with json_extract(document, '$.id'), gets a column of
-- its own, since SQL cannot read inside a compressed body.
--
-- Existing rows are packed in place by flowkit_pack(), the Python function
-- store/db.py registers while it migrates (the same pack as new rows: zstd).
-- sqlite streams the rows through it one at a time, so memory stays flat
-- whatever the store's size, and the whole
-- migration is one transaction: stopped half-way, nothing of it is kept and
-- the next open does it again. A row it has not packed (text) still reads.
-- The file does not shrink by itself: the pages freed are reused by the rows
-- written next (sqlite's VACUUM would return them, and needs no transaction).
ALTER TABLE orders ADD COLUMN order_id TEXT;

UPDATE orders SET order_id = json_extract(document, '$.id')
WHERE typeof(document) = 'text' AND json_valid(document);

UPDATE orders SET document = flowkit_pack(document)
WHERE typeof(document) = 'text' AND document <> '';
