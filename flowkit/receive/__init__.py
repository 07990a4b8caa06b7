"""receive: an HTTP receiver that puts pushed orders, stock, shipment and status messages in inbox folders.

``config`` reads the routes, ``body`` validates a posted body, ``spool`` writes it
durably under the name the inbox readers expect, ``keys`` answers a repeated
``Idempotency-Key``, ``guard`` holds the limits (deadlines, rate, connections) and
``server`` the standard library's threading HTTP server behind them.
"""
