"""One bench run: seed a throwaway database with N orders, then time the app on it.

The main process plays the app's part (pages, figure services, the import, the rules) so its
peak memory is the app's; the seed, the pandas baseline and the DuckDB contender run in a
helper process of their own (one at a time: the machine's cores are not shared with the timing)
and their peak is reported apart.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy.engine import make_url

from data_access.engine import make_engine
from rules import Policy
from services.bench import BenchFigure, run_benchmarks
from services.scale_bench.database import throwaway_database
from services.scale_bench.duckdb_parquet import timed_duckdb_headline
from services.scale_bench.headline import Headline, HeadlineAsk, ask_for, service_headline
from services.scale_bench.import_rate import ImportSpeed, time_first_import, time_orders_import
from services.scale_bench.pages import PageTimer, PageTiming, page_subjects
from services.scale_bench.pandas_baseline import timed_pandas_headline

__all__ = ["FIRST_IMPORT_ROWS", "IMPORT_ROWS", "Contender", "ScaleReport", "run_scale_bench"]

#: The import file's size: N orders, at most this many.
IMPORT_ROWS = 100_000
#: The first import's file (into a new database holding only the seeded one's suppliers): N
#: orders, at most this many; the issue's import target names a file of a million orders.
FIRST_IMPORT_ROWS = 1_000_000
#: Runs of the app's services and of DuckDB; the fastest counts (the pandas baseline runs once).
REPEATS = 3

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Contender:
    name: str
    seconds: float
    headline: Headline


@dataclass(frozen=True, slots=True)
class ScaleReport:
    orders: int
    database: str
    seed_s: float
    pages: list[PageTiming]
    service: Contender
    pandas: Contender
    duckdb: Contender
    parquet_export_s: float
    import_speed: ImportSpeed
    first_import: ImportSpeed
    throughput: list[BenchFigure]
    #: Peak resident memory in MB: this (the app's) process before the first import, the same
    #: after it, and the largest helper process.
    app_peak_mb: float
    first_import_peak_mb: float
    helpers_peak_mb: float

    @property
    def disagreements(self) -> list[str]:
        return [
            f"{other.name}: {difference}"
            for other in (self.pandas, self.duckdb)
            for difference in self.service.headline.differences(other.headline)
        ]

    @property
    def worst_cold(self) -> PageTiming:
        return max(self.pages, key=lambda p: p.cold_s)

    def ratio(self, other: Contender) -> float:
        """How many times the app's time the contender took (above 1: the app is faster)."""
        return other.seconds / self.service.seconds


@contextmanager
def _plain_main() -> Iterator[None]:
    """A spawned helper re-runs ``__main__`` from its file; after an AppTest run in this process
    that can be the app's own script. Start helpers with no main module to re-run."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _peak_mb(who: int) -> float:
    peak = resource.getrusage(who).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes there, KiB here


def _seed(database_url: str, orders: int, seed: int, today: date, now: datetime) -> float:
    from services.demo.seed import seed_demo

    engine = make_engine(database_url)
    try:
        return seed_demo(engine, orders=orders, seed=seed, today=today, now=now).seconds
    finally:
        engine.dispose()


def _backend(database_url: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
        make_url(database_url).get_backend_name(), database_url
    )


def _best_service(database_url: str, ask: HeadlineAsk, policy: Policy) -> Contender:
    engine = make_engine(database_url)
    try:
        best: Contender | None = None
        for _ in range(REPEATS):
            started = time.perf_counter()
            headline = service_headline(engine, ask, policy)
            seconds = time.perf_counter() - started
            if best is None or seconds < best.seconds:
                best = Contender("app's services", seconds, headline)
    finally:
        engine.dispose()
    assert best is not None
    return best


def run_scale_bench(
    orders: int,
    time_pages: PageTimer,
    *,
    server_url: str | None,
    today: date,
    now: datetime,
    zone: str,
    policy: Policy,
    seed: int = 42,
    recommend_n: int = 200_000,
    database_claims: int = 20_000,
    say: Say | None = None,
) -> ScaleReport:
    """Everything ``assurance bench --orders N`` prints; ``say`` hears what is under way."""

    def tell(message: str) -> None:
        if say is not None:
            say(message)

    with (
        throwaway_database(server_url) as url,
        tempfile.TemporaryDirectory(prefix="assurance-bench-files-") as files,
        ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as helper,
    ):
        tell(f"Seeding {orders:,} orders into a throwaway {_backend(url)} database…")
        with _plain_main():  # the helper process starts here, at the first task
            seeding = helper.submit(_seed, url, orders, seed, today, now)
        seed_s = seeding.result()

        engine = make_engine(url)
        try:
            tell("Timing every page, cold and warm…")
            pages = time_pages(page_subjects(engine, url, now))
            ask = ask_for(engine, today=today, now=now, zone=zone, policy=policy)
        finally:
            engine.dispose()

        tell("Headline figures: the app's services, pandas, DuckDB over Parquet…")
        service = _best_service(url, ask, policy)
        headline, seconds = helper.submit(timed_pandas_headline, url, ask).result()
        pandas = Contender("pandas baseline", seconds, headline)
        headline, seconds, export_s = helper.submit(timed_duckdb_headline, url, ask, files).result()
        duckdb = Contender("DuckDB over Parquet", seconds, headline)

        rows = min(orders, IMPORT_ROWS)
        tell(f"Importing {rows:,} orders through the import service…")
        engine = make_engine(url)
        try:
            speed = time_orders_import(engine, Path(files), rows, today=today, now=now, seed=seed)
        finally:
            engine.dispose()
        app_peak = _peak_mb(resource.RUSAGE_SELF)

        rows = min(orders, FIRST_IMPORT_ROWS)
        tell(f"Importing {rows:,} orders into a new database, as a first import…")
        with throwaway_database(server_url) as new_url:
            engine = make_engine(url)
            try:
                first = time_first_import(
                    engine, new_url, Path(files), rows, today=today, now=now, seed=seed
                )
            finally:
                engine.dispose()
        first_peak = _peak_mb(resource.RUSAGE_SELF)

    tell("Rules and recomputation throughput…")
    throughput = run_benchmarks(recommend_n, database_claims, policy)
    return ScaleReport(
        orders=orders,
        database=_backend(url),
        seed_s=seed_s,
        pages=pages,
        service=service,
        pandas=pandas,
        duckdb=duckdb,
        parquet_export_s=export_s,
        import_speed=speed,
        first_import=first,
        throughput=throughput,
        app_peak_mb=app_peak,
        first_import_peak_mb=first_peak,
        helpers_peak_mb=_peak_mb(resource.RUSAGE_CHILDREN),
    )
