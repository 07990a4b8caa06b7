"""render: canonical orders to the standard XML/JSON payload or OrderFlow (core.py), options per channel (options.py)."""
