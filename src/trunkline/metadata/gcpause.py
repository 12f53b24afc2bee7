"""Pause the cyclic garbage collector while building or unpickling large acyclic data."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration of the block.

    Loading rdoinfo allocates millions of containers that all survive, so the
    collector keeps re-scanning a growing heap for nothing: pausing it halves
    the cold load and cuts a cache read by a third. Reference counting still
    frees everything; the collector's previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
