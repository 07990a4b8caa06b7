"""import-status: production status messages in, statuses applied in order, result and postback records out."""
