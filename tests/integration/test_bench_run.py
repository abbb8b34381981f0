"""`assurance bench --orders N` end to end on a small N, on SQLite and on a throwaway database of
the PostgreSQL server: every page timed, the three contenders agreeing, the import written, the
throwaway database gone afterwards. Speed itself is the bench's output, never asserted here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rules import bundled_policy
from services.scale_bench.report import format_report
from services.scale_bench.run import run_scale_bench
from ui.bench_pages import time_pages
from ui.navigation import SCREENS

ORDERS = 2_000


def _bench_databases(server_url: str) -> set[str]:
    admin = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            names = conn.execute(text("SELECT datname FROM pg_database")).scalars()
            return {n for n in names if n.startswith("bench_")}
    finally:
        admin.dispose()


@pytest.mark.slow
def test_the_bench_runs_every_page_and_its_contenders_agree(
    database_url: str, frozen_clock: datetime
) -> None:
    postgres = database_url.startswith("postgresql")
    server = database_url if postgres else None
    before = _bench_databases(database_url) if postgres else set()
    report = run_scale_bench(
        ORDERS,
        time_pages,
        server_url=server,
        today=frozen_clock.astimezone(UTC).date(),
        now=frozen_clock,
        zone="UTC",
        policy=bundled_policy("v1"),
        recommend_n=500,
        database_claims=0,
    )
    assert report.database == ("PostgreSQL" if postgres else "SQLite")
    assert report.disagreements == []
    figures = report.service.headline
    assert figures.orders_placed > 0 and figures.claims_filed > 0 and figures.live_orders > 0
    assert [p.page for p in report.pages] == [s.title for s in SCREENS]
    assert all(
        p.cold_s > 0 and p.warm_s > 0 and p.role in s.roles
        for p, s in zip(report.pages, SCREENS, strict=True)
    )
    assert report.import_speed.rows == ORDERS
    assert report.first_import.rows == ORDERS
    assert report.app_peak_mb > 0 and report.helpers_peak_mb > 0
    assert report.first_import_peak_mb >= report.app_peak_mb
    assert report.throughput[0].name == "recommend() in memory, one core"

    lines = format_report(report).splitlines()
    for screen in SCREENS:
        assert any(line.startswith(f"page {screen.title} (") for line in lines)
    assert any(re.match(r"contenders agree +yes ", line) for line in lines)
    assert any(line.startswith("import orders, first (a new database) ") for line in lines)
    assert re.fullmatch(
        r"worst page cold: \d+\.\d\d s \(.+\); smallest ratio vs DuckDB: [\d,]+\.\d×", lines[-1]
    )
    if postgres:
        assert _bench_databases(database_url) == before  # dropped again


@pytest.mark.slow
def test_the_bench_command_prints_its_table_without_streamlits_bare_mode_warnings(
    frozen_clock: datetime,
) -> None:
    """From the command line (a fresh process, whose Streamlit config is parsed during the first
    page's run): the stages and the table, none of the warnings Streamlit logs outside a server
    ("missing ScriptRunContext", "No runtime found") between them."""
    done = subprocess.run(
        [sys.executable, "-m", "cli", "bench", "--orders", "300", "--claims", "100",
         "--database-claims", "0"],
        capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "ASSURANCE_CLOCK": frozen_clock.isoformat()},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2_000:]
    assert "worst page cold:" in done.stdout
    assert "Timing every page" in done.stderr
    assert "ScriptRunContext" not in done.stderr and "No runtime found" not in done.stderr
