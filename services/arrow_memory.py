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
"""

from __future__ import annotations

import os

__all__ = ["POOL_VARIABLE", "use_system_allocator"]

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
