"""Python's cyclic garbage collector paused for a short job that allocates many objects.

A job that reads tens of thousands of rows into tuples and dicts triggers collections as it goes, and
a full one walks every object of the process (their cost in the target check: docs/performance.md).
Those objects are freed by reference counting when the job returns; pausing the collector only
postpones the search for reference cycles until then, when the collector runs as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """`with gc_paused():` or `@gc_paused()`: no cyclic collection inside; nests; restores the state."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
