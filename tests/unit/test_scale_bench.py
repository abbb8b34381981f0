"""The bench's pieces that need no database: which pages it opens as whom, the table and its
last line, the throwaway database's refusals, the command line's messages."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import inspect
from typer.testing import CliRunner

from data_access.engine import make_engine
from services.auth import Role
from services.bench import BenchFigure
from services.scale_bench.database import BenchDatabaseError, throwaway_database
from services.scale_bench.headline import Headline
from services.scale_bench.import_rate import ImportSpeed
from services.scale_bench.pages import PageSubjects, PageTiming
from services.scale_bench.report import format_report, summary_line
from services.scale_bench.run import Contender, ScaleReport
from ui import bench_pages
from ui.bench_pages import PageVisit, time_pages, visits
from ui.navigation import SCREENS

NOW = datetime(2025, 6, 4, 10, tzinfo=UTC)
EVERYONE: dict[Role, str] = {
    role: f"{role.value}@example.test" for role in Role if role != Role.SYSTEM
}


def _subjects(emails: dict[Role, str]) -> PageSubjects:
    return PageSubjects("sqlite://", NOW, emails, "SUP-0007", "CLM-0042", "Anna Svensson AB")


def test_every_screen_is_visited_by_a_role_that_sees_it() -> None:
    chosen = visits(_subjects(EVERYONE))
    assert [v.screen for v in chosen] == list(SCREENS)
    for visit in chosen:
        assert visit.role in visit.screen.roles
        assert visit.email == EVERYONE[visit.role]
    params = {v.screen.path: dict(v.params) for v in chosen}
    assert params["pages/supplier.py"] == {"supplier": "SUP-0007"}
    assert params["pages/claim.py"] == {"claim": "CLM-0042"}
    assert params["pages/find_claim.py"] == {"q": "Anna Svensson AB"}
    assert params["pages/overview.py"] == {}


def test_a_screen_nobody_present_may_open_is_an_error() -> None:
    without_admin: dict[Role, str] = {r: e for r, e in EVERYONE.items() if r != Role.ADMIN}
    with pytest.raises(RuntimeError, match="Users"):
        visits(_subjects(without_admin))


def test_each_screen_reports_the_median_of_its_cold_and_of_its_warm_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each screen: one untimed run, then cold and warm runs in turn, the caches emptied before
    each cold one; the median of each kind is reported, not the first nor the last."""
    cold_runs, warm_runs = [0.9, 1.4, 0.7], [0.2, 0.05, 0.1]
    runs: list[tuple[str, str]] = []
    cleared: list[int] = []
    monkeypatch.setattr(st.cache_data, "clear", lambda: cleared.append(len(runs)))

    def scripted(visit: PageVisit) -> float:
        done = [kind for page, kind in runs if page == visit.screen.title]
        # The untimed run, then cold and warm in turn; a cold run comes after a clear.
        kind = "first" if not done else ("warm" if done[-1] == "cold" else "cold")
        if kind == "cold":
            assert cleared and cleared[-1] == len(runs), "a cold run with the caches full"
        runs.append((visit.screen.title, kind))
        if kind == "first":
            return 9.0
        return (cold_runs if kind == "cold" else warm_runs)[done.count(kind)]

    monkeypatch.setattr(bench_pages, "_run_once", scripted)
    timings = time_pages(_subjects(EVERYONE), runs=3)
    assert [t.page for t in timings] == [screen.title for screen in SCREENS]
    assert {(t.cold_s, t.warm_s, t.runs) for t in timings} == {(0.9, 0.1, 3)}
    per_screen = [kind for page, kind in runs if page == SCREENS[0].title]
    assert per_screen == ["first", "cold", "warm", "cold", "warm", "cold", "warm"]
    with pytest.raises(ValueError, match="at least once"):
        time_pages(_subjects(EVERYONE), runs=0)


def _report(duckdb_s: float, pandas_figures: Headline | None = None) -> ScaleReport:
    figures = Headline(*range(1, 13))
    return ScaleReport(
        orders=1_000_000,
        database="SQLite",
        seed_s=70.0,
        pages=[
            PageTiming("Overview", Role.OPS_MANAGER, 0.8, 0.1, runs=3),
            PageTiming("Exposure", Role.OPS_MANAGER, 1.4, 0.3),
        ],
        service=Contender("app's services", 0.5, figures),
        pandas=Contender("pandas baseline", 60.0, pandas_figures or figures),
        duckdb=Contender("DuckDB over Parquet", duckdb_s, figures),
        parquet_export_s=20.0,
        import_speed=ImportSpeed(100_000, 2.0),
        first_import=ImportSpeed(1_000_000, 25.0),
        throughput=[BenchFigure("recommend() in memory, one core", 1000, 0.005, "cap", 0.001)],
        app_peak_mb=512.0,
        first_import_peak_mb=720.0,
        helpers_peak_mb=1900.0,
    )


def test_the_table_and_its_last_line() -> None:
    report = _report(duckdb_s=0.25)
    lines = format_report(report).splitlines()
    assert lines[0].startswith("Assurance Desk bench: 1,000,000 orders on SQLite")
    assert lines[1].split() == ["measure", "value", "against", "target"]
    text = "\n".join(lines)
    overview = r"page Overview \(ops manager\) +cold 0\.80 s · warm 0\.10 s +server time, median"
    assert re.search(overview + r" of 3 runs .*: met", text)
    exposure = r"page Exposure \(ops manager\) +cold 1\.40 s · warm 0\.30 s +server time of one run"
    assert re.search(exposure + r" .*: MISSED", text)
    assert re.search(r"pandas baseline +60\.0 s +app is 120× faster +≥ 100× at 1M: met", text)
    assert re.search(r"DuckDB over Parquet +0\.25 s +app takes 2\.0× +app faster: MISSED", text)
    assert re.search(r"contenders agree +yes +12 figures", text)
    assert re.search(r"import orders \(check and write\) +50,000 rows/s .*: met", text)
    assert re.search(
        r"import orders, first \(a new database\) +40,000 rows/s +1,000,000 new rows in "
        r"25\.0 s +≥ 50,000 rows/s: MISSED",
        text,
    )
    assert re.search(r"peak memory, with the first import +720 MB .*< 1,000 MB: met", text)
    assert re.search(r"peak memory, app process +512 MB .*< 600 MB: met", text)
    assert lines[-1] == summary_line(report)
    assert lines[-1] == "worst page cold: 1.40 s (Exposure); smallest ratio vs DuckDB: 0.5×"


def test_a_disagreement_is_named_in_the_table() -> None:
    wrong = replace(Headline(*range(1, 13)), limits_cents=99)
    report = _report(duckdb_s=1.0, pandas_figures=wrong)
    assert report.disagreements == ["pandas baseline: limits_cents: 12 != 99"]
    assert "NO: pandas baseline: limits_cents: 12 != 99" in format_report(report)


@pytest.mark.parametrize(
    "url", ["sqlite:////tmp/x.db", "mysql://u@h/db", "not a url at all"], ids=str
)
def test_the_throwaway_database_wants_a_postgresql_server(url: str) -> None:
    with pytest.raises(BenchDatabaseError), throwaway_database(url):
        pass


def test_the_default_throwaway_database_is_a_migrated_file_removed_afterwards() -> None:
    with throwaway_database() as url:
        path = Path(url.removeprefix("sqlite:///"))
        engine = make_engine(url)
        assert "orders" in inspect(engine).get_table_names()
        engine.dispose()
    assert not path.exists() and not path.parent.exists()


def test_cli_database_needs_orders() -> None:
    from cli import app

    result = CliRunner().invoke(app, ["bench", "--database", "postgresql://x@h/db"])
    assert result.exit_code == 2
    assert "--database needs --orders N" in result.output


def test_cli_says_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from cli import app

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "duckdb" else real(name)
    )
    result = CliRunner().invoke(app, ["bench", "--orders", "10"])
    assert result.exit_code == 1
    assert "duckdb" in result.output and "make dev" in result.output


def test_cli_refuses_a_server_it_cannot_use() -> None:
    from cli import app

    result = CliRunner().invoke(app, ["bench", "--orders", "10", "--database", "sqlite:///x.db"])
    assert result.exit_code == 2
    assert "PostgreSQL server URL" in result.output
