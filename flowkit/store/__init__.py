"""The sqlite state store (see db.py); ledgers live in their own modules here."""

from flowkit.store.db import Store, now

__all__ = ["Store", "now"]
