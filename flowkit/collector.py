"""The cyclic garbage collector's settings for a run of parsed orders (query-orders, apply-rules).

(``records.Reader`` freezes what is loaded when a stream starts; this also raises the
young generation for a run that holds windows of parsed orders until their commit.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def roomy_collector(young: int) -> Iterator[None]:
    """The cyclic collector's young generation made ``young`` objects large, for a run.

    A window of parsed orders (~400 objects each for a realistic order) waits for its commit;
    the collector, run every 700 new objects, rescanned it over and over while the next orders
    were parsed (~20% of a realistic run of query-orders or apply-rules). Parsed JSON holds no
    cycles and a window's objects are freed at its commit; what lived before the run is frozen
    out of the scans, and something that keeps growing is still collected.
    """
    import gc

    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(young, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
