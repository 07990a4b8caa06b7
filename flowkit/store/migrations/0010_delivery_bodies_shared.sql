-- deliver: a body is kept once per key and content. The same payload sent to
-- a second destination (or kept for any other ledger row of the same key and
-- content sha256) gets a row with an empty body whose `same_as` names the row
-- that holds the bytes (store/delivery_bodies.py). A row that holds bytes others
-- share hands them, before it goes (`state purge`, a withdrawn intent's
-- cascade), to the oldest of those rows, which the others then point at: a
-- kept body is never lost while a row still needs it.
ALTER TABLE delivery_bodies ADD COLUMN same_as INTEGER;
CREATE INDEX delivery_bodies_same_as ON delivery_bodies(same_as) WHERE same_as IS NOT NULL;

CREATE TRIGGER delivery_bodies_hand_over BEFORE DELETE ON delivery_bodies
WHEN OLD.same_as IS NULL AND EXISTS (SELECT 1 FROM delivery_bodies WHERE same_as = OLD.delivery_id)
BEGIN
    -- every sharer but the oldest points at the oldest (which keeps pointing at OLD until the next step)
    UPDATE delivery_bodies SET same_as = (SELECT MIN(delivery_id) FROM delivery_bodies WHERE same_as = OLD.delivery_id)
    WHERE same_as = OLD.delivery_id
      AND delivery_id > (SELECT MIN(delivery_id) FROM delivery_bodies WHERE same_as = OLD.delivery_id);
    -- the oldest takes the bytes
    UPDATE delivery_bodies SET body = OLD.body, same_as = NULL WHERE same_as = OLD.delivery_id;
END;
