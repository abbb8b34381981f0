"""Where Arrow's buffers come from, set once per process by its entry points (app.py, cli/).

pyarrow allocates from the mimalloc it bundles, which keeps the memory it freed for reuse
instead of giving it back. An import parses its file with Arrow (8 MB at a time) and a page's
tables reach the browser as Arrow, so a server kept what its largest parse once took on top of
everything it then allocated elsewhere. From the C library's allocator, large buffers go back
when freed, and the import hands back the rest after each chunk it parses
(``services.importing.fast_reading._give_back``). Measured on 6 Dec 2026, runs alternating,
at the same speed each way: the bench's app process (every screen at ten million orders on
SQLite, then 100,000 orders imported) peaked at 529–548 MB against 579–587 MB with mimalloc,
and at 516–524 MB with the import handing back; ``assurance import orders`` of a million
orders into the million-order demo database at 630–634 MB against 675 MB with mimalloc (both
handing back) and 724–731 MB with mimalloc as it was (neither). A deployment that names a pool in
``ARROW_DEFAULT_MEMORY_POOL`` keeps it.

What the process freed goes back to the system only from the top of the C library's heap;
:func:`give_back_freed` hands back the rest, where a large load has freed much (Arrow's pool
calls ``malloc_trim`` with that allocator).
"""

from __future__ import annotations

import os

__all__ = ["POOL_VARIABLE", "give_back_freed", "use_system_allocator"]

#: Arrow's own setting, read when it first allocates; set, it wins over this module.
POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


def use_system_allocator() -> None:
    """Arrow's default pool: the C library's allocator, unless the environment names one.
    Idempotent; buffers already allocated stay with the pool they came from."""
    if os.environ.get(POOL_VARIABLE):
        return
    import pyarrow as pa  # here, not at the module's top: the CLI's commands mostly need none

    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())


def give_back_freed() -> None:
    """Hand the memory freed in the process back to the system (with the C library's
    allocator; a pool that gives back by itself does nothing), in a few milliseconds.

    Called after each chunk an import parses (``services.importing.fast_reading``), before
    it is checked and written: ``assurance import orders`` of a million orders into the
    million-order demo database peaked at 630–634 MB so against 823 MB without; its 101
    calls took 0.1 s of the 42.1 s (6 Dec 2026). And after a load's rows and indexes are
    written (``services.importing.write_orders``), before the summaries are counted again:
    a first import of a million orders over 50,000 suppliers had 200 MB freed by the load
    and its index builds on hand, on top of which the recount grew."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
