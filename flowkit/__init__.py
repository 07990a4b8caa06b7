"""flowkit: small composable commands for order integration."""

__version__ = "0.1.0"
