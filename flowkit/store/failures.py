"""The store's failures of the environment, whatever the engine: busy, full, unusable (as flowkit errors)."""

from __future__ import annotations

from flowkit.errors import ConfigError, TempFailError

CHECK_HINT = "run 'flowkit state check' for how to recover"


class StoreBusy(TempFailError):
    """Another process holds the store's write lock past the busy timeout (exit 75)."""


class StoreFull(TempFailError):
    """The disk under the store is full (exit 75: free space, then rerun)."""


class StoreUnusable(ConfigError):
    """The store is read-only, corrupt, unopenable or fails with I/O errors (exit 78: an admin must act)."""
