"""The transform feature: per-record engine (core), golden-case test mode (cases, compare, junit)."""
