-- Pauses made at run time with `flowkit state pause`: query-orders emits no order
-- of a paused source, channel or supplier (and does not fetch a paused source)
-- until `flowkit state resume` deletes the row. Pauses written in the config
-- (`paused = true`) are not kept here. `name` is a source name, or a channel's or
-- supplier's id or name as the orders carry it.
CREATE TABLE pauses (
    kind TEXT NOT NULL CHECK (kind IN ('source', 'channel', 'supplier')),
    name TEXT NOT NULL,
    reason TEXT,
    paused_at TEXT NOT NULL,
    paused_by TEXT,
    PRIMARY KEY (kind, name)
);
