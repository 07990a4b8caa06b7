"""deliver: payload records to a destination through the delivery ledger (core.py), and the run's wiring (run.py)."""
