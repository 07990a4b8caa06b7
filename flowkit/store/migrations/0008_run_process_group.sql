-- The process group and host of each run, so query-orders can tell an order
-- queued by a pipeline that is still running (in flight: not re-emitted yet)
-- from one queued by a pipeline that ended without exporting it (killed,
-- destination down: re-emitted by the very next run).
ALTER TABLE runs ADD COLUMN pgid INTEGER;
ALTER TABLE runs ADD COLUMN host TEXT;
