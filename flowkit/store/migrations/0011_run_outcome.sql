-- The story of a run: how it ended (its exit code) and the first error it met,
-- beside the command line (runs.args, now kept as given, secrets masked).
ALTER TABLE runs ADD COLUMN exit_code INTEGER;
ALTER TABLE runs ADD COLUMN error TEXT;
