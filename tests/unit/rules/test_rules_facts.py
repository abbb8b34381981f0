"""Input validation, formatting helpers, purity of the package and the benchmark's shape."""

from __future__ import annotations

import ast
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

import rules
from rules import (
    ClaimFacts,
    ClaimKind,
    OrderFacts,
    SupplierResponse,
    format_money,
    format_rate,
)
from rules.bench import bench_recommend

NOON = datetime(2025, 3, 1, 12, tzinfo=UTC)


def test_format_money_and_rate() -> None:
    assert format_money(123_450) == "USD 1,234.50"
    assert format_money(5) == "USD 0.05"
    assert format_money(100_000_000_00) == "USD 100,000,000.00"
    assert format_money(-1, "EUR") == "-EUR 0.01"  # one place for the minus sign: in front
    assert [format_rate(bp) for bp in (0, 65, 100, 150, 2000, 10_000)] == [
        "0%",
        "0.65%",
        "1%",
        "1.5%",
        "20%",
        "100%",
    ]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"covered_amount_cents": -1}, ValueError),
        ({"already_refunded_cents": -5}, ValueError),
        ({"paid_amount_cents": 10.0}, TypeError),
        ({"paid_amount_cents": True}, TypeError),
        ({"shipped_at": datetime(2025, 3, 1)}, ValueError),
        ({"delivered_at": datetime(2025, 3, 1)}, ValueError),
        ({"ship_by": NOON}, TypeError),
    ],
)
def test_order_facts_validation(kwargs: dict[str, object], error: type[Exception]) -> None:
    base: dict[str, object] = {
        "covered_amount_cents": 100,
        "paid_amount_cents": 100,
        "already_refunded_cents": 0,
        "ship_by": date(2025, 3, 1),
        "shipped_at": None,
        "delivered_at": None,
    }
    with pytest.raises(error):
        OrderFacts(**{**base, **kwargs})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"claimed_amount_cents": -1}, ValueError),
        ({"inspection_fee_cents": -1}, ValueError),
        ({"defect_rate_bp": 10_001}, ValueError),
        ({"defect_rate_bp": -1}, ValueError),
        ({"defect_rate_bp": 0.5}, TypeError),
        ({"filed_at": datetime(2025, 3, 1)}, ValueError),
        ({"kind": "lost"}, ValueError),
    ],
)
def test_claim_facts_validation(kwargs: dict[str, object], error: type[Exception]) -> None:
    base: dict[str, object] = {
        "kind": ClaimKind.QUALITY,
        "filed_at": NOON,
        "claimed_amount_cents": 100,
        "supplier_response": SupplierResponse.NONE,
        "inspection_report": True,
        "defect_rate_bp": 100,
        "conforming": False,
        "inspection_fee_cents": 0,
    }
    with pytest.raises(error):
        ClaimFacts(**{**base, **kwargs})  # type: ignore[arg-type]


def test_datetimes_are_normalised_to_utc_and_strings_to_enums() -> None:
    local = datetime(2025, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-3)))
    order = OrderFacts(1, 1, 0, date(2025, 3, 1), local, None)
    assert order.shipped_at == local
    assert order.shipped_at is not None and order.shipped_at.tzinfo is UTC
    assert order.shipped_at.date() == date(2025, 3, 2)
    claim = ClaimFacts("quality", NOON, 1, "accepted", False, None, None, 0)  # type: ignore[arg-type]
    assert claim.kind is ClaimKind.QUALITY
    assert claim.supplier_response is SupplierResponse.ACCEPTED


def test_rules_import_only_the_standard_library() -> None:
    package = Path(rules.__file__).parent
    for source in package.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top == "rules", (source.name, name)


def test_bench_reports_throughput() -> None:
    result = bench_recommend(20_000)
    assert result["n"] == 20_000
    # A loose, machine-independent guard (about 15 when written): catches a 4x regression such
    # as Decimal creeping into the hot path, without failing on a busy CI runner.
    assert result["ratio"] < 60
    assert result["claims_per_s"] > 0 and result["baseline_per_s"] > 0
    assert result["ratio"] == pytest.approx(result["seconds"] / result["baseline_seconds"])
    with pytest.raises(ValueError):
        bench_recommend(0)
