"""Python's cycle collector around bulk work that builds objects it keeps."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a bulk job builds objects it keeps.

    Each collection of the older generations walks every object still alive, so building
    100,000 claims' facts triggers collections that walk the facts built so far: 0.6 s of the
    1.7 s it takes to read them. None of them is cyclic garbage. The pause is process-wide
    (other threads of a server allocate meanwhile without collection, for a second or two);
    the collector resumes after the block unless it was already off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
