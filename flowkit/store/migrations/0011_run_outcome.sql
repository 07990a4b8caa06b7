-- The story of a run: how it ended (its exit code), the first error it met, and
-- its target (the destination or source it ran against, for metrics), beside
-- the command line (runs.args, now kept as given, secrets masked).
ALTER TABLE runs ADD COLUMN exit_code INTEGER;
ALTER TABLE runs ADD COLUMN error TEXT;
ALTER TABLE runs ADD COLUMN target TEXT;
