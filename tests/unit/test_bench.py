"""`assurance bench` runs end to end on tiny sizes; speed itself is read from its figures."""

from __future__ import annotations

from typer.testing import CliRunner

from services.bench import BenchFigure, format_figures, run_benchmarks


def test_run_benchmarks_reports_every_figure_with_its_baseline() -> None:
    figures = run_benchmarks(recommend_n=2_000, database_claims=150)
    assert [f.name.split(" (")[0] for f in figures] == [
        "recommend() in memory, one core",
        "recompute, all new",
        "recompute, none changed",
        "export claims CSV",
        "policy what-if, both policies",
    ]
    for figure in figures:
        assert figure.n > 0 and figure.seconds > 0 and figure.baseline_seconds > 0
        assert figure.ratio == figure.seconds / figure.baseline_seconds
    assert figures[0].target_per_s == 100_000
    assert figures[0].meets_target is not None
    assert figures[1].meets_target is None
    assert len(run_benchmarks(recommend_n=100, database_claims=0)) == 1


def test_format_figures() -> None:
    figures = [
        BenchFigure("fast", 300_000, 1.5, "cap only", 0.1, target_per_s=100_000),
        BenchFigure("slow", 1_000, 1.0, "read", 0.5, unit="rows/s", target_per_s=2_000),
        BenchFigure("plain", 10, 1.0, "read", 1.0),
    ]
    lines = format_figures(figures).splitlines()
    assert (
        " ".join(lines[0].split()) == "figure throughput baseline baseline throughput ratio target"
    )
    assert set(lines[1]) == {"-", " "}
    assert " ".join(lines[2].split()) == (
        "fast 200,000 claims/s cap only 3,000,000 claims/s x15.00 >= 100,000 claims/s: met"
    )
    assert lines[3].endswith(">= 2,000 rows/s: MISSED")
    assert lines[4].split()[-1] == "x1.00"


def test_cli_bench() -> None:
    from cli import app

    result = CliRunner().invoke(app, ["bench", "--claims", "500", "--database-claims", "0"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("figure")
    assert "recommend() in memory, one core" in result.output
