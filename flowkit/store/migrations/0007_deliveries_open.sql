-- deliver: index only the ledger rows that are not delivered (in flight,
-- failed, unknown, dead). These are the rows `--retry-failed` looks up; a
-- delivered row (nearly all of them) no longer moves in an index when it
-- settles, which saves one index write per delivery.
DROP INDEX deliveries_status;
CREATE INDEX deliveries_open ON deliveries(destination, status) WHERE status <> 'delivered';
