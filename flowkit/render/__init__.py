"""render: canonical orders to the standard XML/JSON payload or OrderFlow (core.py); its options are formats/options.py."""
