"""The one table ``assurance bench --orders N`` prints, each figure beside its target.

The targets are the issue's, for 1,000,000 and 10,000,000 orders; on a smaller run they are
shown all the same (a verdict on a toy database says little either way). The last line is the
summary a script can read: the worst page's cold time and the smallest ratio against DuckDB.
"""

from __future__ import annotations

from services.bench import BenchFigure
from services.scale_bench.import_rate import ImportSpeed
from services.scale_bench.run import Contender, ScaleReport

__all__ = [
    "APP_MEMORY_TARGET_MB",
    "COLD_TARGET_S",
    "IMPORT_MEMORY_TARGET_MB",
    "IMPORT_TARGET_PER_S",
    "PANDAS_TARGET_RATIO",
    "WARM_TARGET_S",
    "format_report",
    "summary_line",
]

COLD_TARGET_S = 1.0
WARM_TARGET_S = 0.2
PANDAS_TARGET_RATIO = 100.0
IMPORT_TARGET_PER_S = 50_000.0
APP_MEMORY_TARGET_MB = 600.0
#: The issue's bound for an import of a million-row file.
IMPORT_MEMORY_TARGET_MB = 1_000.0

_HEADER = ("measure", "value", "against", "target")


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:,.1f} s"


def _times(value: float) -> str:
    return f"{value:,.1f}×" if value < 100 else f"{value:,.0f}×"


def _throughput_row(f: BenchFigure) -> tuple[str, str, str, str]:
    target = ""
    if f.target_per_s is not None:
        target = f"≥ {f.target_per_s:,.0f} {f.unit}: {_verdict(bool(f.meets_target))}"
    against = f"{f.baseline_name}: {f.baseline_per_s:,.0f} {f.unit} ({f.ratio:.2f}× the time)"
    return (f.name, f"{f.per_s:,.0f} {f.unit}", against, target)


def _contender_row(report: ScaleReport, c: Contender, target: float | None) -> tuple[str, ...]:
    ratio = report.ratio(c)
    if target is None:  # DuckDB: the app should simply be faster
        goal = f"app faster: {_verdict(ratio > 1)}"
    else:
        goal = f"≥ {target:,.0f}× at 1M: {_verdict(ratio >= target)}"
    against = f"app is {_times(ratio)} faster" if ratio >= 1 else f"app takes {_times(1 / ratio)}"
    return (f"headline figures, {c.name}", _seconds(c.seconds), against, goal)


def _rows(report: ScaleReport) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for page in report.pages:
        met = page.cold_s <= COLD_TARGET_S and page.warm_s <= WARM_TARGET_S
        rows.append(
            (
                f"page {page.page} ({page.role.value.replace('_', ' ')})",
                f"cold {_seconds(page.cold_s)} · warm {_seconds(page.warm_s)}",
                "server time of one run"
                if page.runs == 1
                else f"server time, median of {page.runs} runs",
                f"cold ≤ {COLD_TARGET_S} s, warm ≤ {WARM_TARGET_S} s: {_verdict(met)}",
            )
        )
    rows.append(
        ("headline figures, app's services", _seconds(report.service.seconds), "best of 3", "")
    )
    rows.append(_contender_row(report, report.pandas, PANDAS_TARGET_RATIO))
    rows.append(_contender_row(report, report.duckdb, None))
    wrong = report.disagreements
    n = len(report.service.headline.__slots__)
    rows.append(
        (
            "contenders agree",
            "yes" if not wrong else f"NO: {'; '.join(wrong)}",
            f"{n} figures, exactly",
            "",
        )
    )
    rows.append(_import_row("import orders (check and write)", report.import_speed, "rows"))
    rows.append(
        _import_row("import orders, first (a new database)", report.first_import, "new rows")
    )
    rows += [_throughput_row(f) for f in report.throughput]
    rows.append(
        (
            "peak memory, app process",
            f"{report.app_peak_mb:,.0f} MB",
            "pages, figures, import",
            f"< {APP_MEMORY_TARGET_MB:,.0f} MB: "
            f"{_verdict(report.app_peak_mb < APP_MEMORY_TARGET_MB)}",
        )
    )
    rows.append(
        (
            "peak memory, with the first import",
            f"{report.first_import_peak_mb:,.0f} MB",
            "the same process, after it",
            f"< {IMPORT_MEMORY_TARGET_MB:,.0f} MB: "
            f"{_verdict(report.first_import_peak_mb < IMPORT_MEMORY_TARGET_MB)}",
        )
    )
    rows.append(
        (
            "peak memory, helper process",
            f"{report.helpers_peak_mb:,.0f} MB",
            "seed, pandas, Parquet export, DuckDB",
            "",
        )
    )
    return rows


def _import_row(measure: str, speed: ImportSpeed, what: str) -> tuple[str, ...]:
    met = speed.per_s >= IMPORT_TARGET_PER_S
    return (
        measure,
        f"{speed.per_s:,.0f} rows/s",
        f"{speed.rows:,} {what} in {_seconds(speed.seconds)}",
        f"≥ {IMPORT_TARGET_PER_S:,.0f} rows/s: {_verdict(met)}",
    )


def summary_line(report: ScaleReport) -> str:
    worst = report.worst_cold
    return (
        f"worst page cold: {worst.cold_s:.2f} s ({worst.page}); "
        f"smallest ratio vs DuckDB: {report.ratio(report.duckdb):.1f}×"
    )


def format_report(report: ScaleReport) -> str:
    title = (
        f"Assurance Desk bench: {report.orders:,} orders on {report.database} "
        f"(seeded in {_seconds(report.seed_s)}; Parquet export "
        f"{_seconds(report.parquet_export_s)}, outside the DuckDB time)"
    )
    rows = [_HEADER, *_rows(report)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join([title, *(line.rstrip() for line in lines), summary_line(report)])
