"""`assurance bench`: throughput figures, and with --orders N the app timed at scale."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import fail
from data_access.settings import get_settings
from services import clock


def bench(
    claims: Annotated[
        int, typer.Option(min=1, help="recommend() calls to time in memory.")
    ] = 200_000,
    database_claims: Annotated[
        int, typer.Option(min=0, help="Synthetic claims in the scratch SQLite database (0: skip).")
    ] = 20_000,
    orders: Annotated[
        int,
        typer.Option(
            min=0,
            help="Seed a throwaway database with this many orders and time the app on it: "
            "every page, the headline figures against pandas and DuckDB, the import, memory "
            "(0: only the throughput figures).",
        ),
    ] = 0,
    database: Annotated[
        str | None,
        typer.Option(
            help="A PostgreSQL server URL to create (and then drop) the throwaway database on; "
            "default: a temporary SQLite file. The configured database is never touched."
        ),
    ] = None,
) -> None:
    """Print throughput figures and their ratios against baselines run in the same process;
    with --orders N, the app timed at scale on a throwaway database."""
    from services.bench import format_figures, run_benchmarks

    if orders == 0:
        if database is not None:
            fail("--database needs --orders N.", code=2)
        typer.echo(format_figures(run_benchmarks(claims, database_claims)))
        return
    _at_scale(orders, database, claims, database_claims)


def _at_scale(orders: int, database: str | None, claims: int, database_claims: int) -> None:
    import importlib.util

    missing = [name for name in ("duckdb", "pyarrow") if importlib.util.find_spec(name) is None]
    if missing:
        fail(
            f"the bench compares the app with {' and '.join(missing)}, development "
            "dependencies that are not installed here; run `make dev` (or "
            "`pip install -e '.[dev]'`) first."
        )
    from rules import bundled_policy
    from services.scale_bench.database import BenchDatabaseError
    from services.scale_bench.report import format_report
    from services.scale_bench.run import run_scale_bench
    from ui.bench_pages import time_pages

    settings = get_settings()
    now = clock.now(settings)
    try:
        report = run_scale_bench(
            orders,
            time_pages,
            server_url=database,
            today=clock.day_of(now, settings),
            now=now,
            zone=settings.programme_timezone,
            # A throwaway database has no stored version: the bundled default is in force there.
            policy=bundled_policy(settings.policy_version),
            recommend_n=claims,
            database_claims=database_claims,
            say=lambda message: typer.echo(message, err=True),
        )
    except BenchDatabaseError as error:
        fail(error, code=2)
    typer.echo(format_report(report))
    if report.disagreements:
        fail("the contenders disagree on the headline figures.")
