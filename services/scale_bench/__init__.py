"""``assurance bench --orders N``: the app timed at scale, on a throwaway database.

``run`` orchestrates: ``database`` makes and removes the throwaway database, the demo seed fills
it, ``pages`` picks what the page timings open (the timing runs the app, so it lives on the UI
side, ``ui.bench_pages``, handed in as a callable), ``headline`` defines the figures and computes
them through the app's services, ``pandas_baseline`` and ``duckdb_parquet`` compute them again
from the base tables (``tables``), ``import_rate`` times an import, ``report`` prints the table.
The throughput figures of ``services.bench`` are part of the same table.
"""
