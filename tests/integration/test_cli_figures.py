"""`assurance figures --json` and `assurance suppliers set-limit`, through the real CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from cli import app
from data_access.models import AuditEvent, Supplier, SupplierLimitChange
from rules import bundled_policy
from services.figures.exposure import exposure_view
from services.figures.headline import headline
from services.figures.periods import Period
from tests import figures_oracle as oracle
from tests.figures_world import NOW, TODAY, World, build_world, insert_world

POLICY = bundled_policy("v1")


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    monkeypatch.setenv("ASSURANCE_CLOCK", NOW.isoformat())
    monkeypatch.setenv("ASSURANCE_PROGRAMME_TIMEZONE", "Asia/Shanghai")


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    built = build_world(seed=9)
    with session_factory() as session:
        insert_world(session, built)
    return built


@pytest.mark.usefixtures("cli_env")
def test_figures_json_is_what_the_pages_show(engine: Engine, world: World) -> None:
    result = CliRunner().invoke(
        app,
        [
            "figures",
            "--json",
            "--from",
            "2025-01-01",
            "--to",
            "2025-02-28",
            "--as-of",
            "2025-03-01",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    zone = "Asia/Shanghai"
    assert data["programme_timezone"] == zone and data["policy"] == "v1"
    period = Period(date(2025, 1, 1), date(2025, 2, 28))
    tiles = headline(engine, period, today=TODAY, now=NOW, zone=zone, policy=POLICY).as_json()
    assert data["period"] == tiles["period"] and data["previous_period"] == tiles["previous_period"]
    late, due = oracle.late_counts(world, period.first, period.last, TODAY, zone)
    assert data["period"]["late_shipment"] == {
        "late": late,
        "due": due,
        "rate": round(late / due, 6),
    }
    claims, orders = oracle.dispute_counts(world, period.first, period.last, zone)
    assert (
        data["period"]["dispute"]["claims_filed"],
        data["period"]["dispute"]["orders_placed"],
    ) == (
        claims,
        orders,
    )
    assert data["previous_period"]["from"] == "2024-11-03"  # 59 days before
    view = exposure_view(engine, date(2025, 3, 1), zone, POLICY)
    exposure = data["exposure"]
    assert exposure["as_of"] == "2025-03-01"
    assert (
        exposure["exposure_cents"]
        == view.exposure_cents
        == sum(oracle.exposure(world, date(2025, 3, 1), zone, POLICY.claim_window_days).values())
    )
    assert exposure["pending_liability"]["cents"] == view.pending_liability.cents
    assert exposure["suppliers_over_limit"] == int((view.suppliers["headroom_cents"] < 0).sum())
    assert len(exposure["trend"]) == 12 and exposure["trend"][-1]["month"] == "2025-03-01"
    assert all(isinstance(row["exposure_cents"], int) for row in exposure["trend"])
    assert set(data["stress"]) == {"largest_exposures_fail", "late_shipments_double"}
    assert data["reviewers"]["claims_decided"] >= 0


@pytest.mark.usefixtures("cli_env", "world")
def test_figures_default_range_and_bad_dates() -> None:
    result = CliRunner().invoke(app, ["figures", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    # The latest twelve months holding data, ending today.
    assert (data["period"]["from"], data["period"]["to"]) == ("2024-04-01", "2025-03-15")
    assert data["exposure"]["as_of"] == TODAY.isoformat()
    bad = CliRunner().invoke(app, ["figures", "--json", "--from", "2025-13-01"])
    assert bad.exit_code != 0 and "not a date" in bad.output
    backwards = CliRunner().invoke(
        app, ["figures", "--json", "--from", "2025-03-01", "--to", "2025-02-01"]
    )
    assert backwards.exit_code == 1 and "before" in backwards.output


@pytest.fixture
def supplier(session_factory: sessionmaker[Session]) -> None:
    from tests import factories as f

    with session_factory() as s:
        f.supplier(s, external_id="SUP-000123", name="Ningbo Example", limit_cents=100_000_00)
        s.commit()


def _limit(session_factory: sessionmaker[Session]) -> tuple[int, int, int]:
    with session_factory() as s:
        limit = s.scalar(select(Supplier.limit_cents))
        return (
            int(limit or 0),
            len(s.scalars(select(SupplierLimitChange)).all()),
            len(s.scalars(select(AuditEvent)).all()),
        )


@pytest.mark.usefixtures("cli_env", "supplier")
def test_set_limit_from_the_cli(session_factory: sessionmaker[Session]) -> None:
    result = CliRunner().invoke(
        app, ["suppliers", "set-limit", "SUP-000123", "250000.00", "--reason", "Six months clean"]
    )
    assert result.exit_code == 0, result.output
    assert "USD 250,000.00" in result.output
    assert _limit(session_factory) == (250_000_00, 1, 1)
    with session_factory() as s:
        change = s.scalars(select(SupplierLimitChange)).one()
        assert change.reason == "Six months clean" and change.changed_at == NOW


@pytest.mark.usefixtures("cli_env", "supplier")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["SUP-000123", "250000.001", "--reason", "x"], "at most two decimals"),
        (["SUP-000123", "--reason", "x", "--", "-5"], "cannot be negative"),
        (["SUP-000123", "２５０", "--reason", "x"], "at most two decimals"),
        (["SUP-000123", "1e6", "--reason", "x"], "at most two decimals"),
        (["SUP-000123", "1,5", "--reason", "x"], "at most two decimals"),  # "1,000" is taken
        (["SUP-000999", "10.00", "--reason", "x"], "no supplier SUP-000999"),
        (["SUP-000123", "10.00", "--reason", " "], "Give a reason"),
    ],
)
def test_set_limit_refuses_bad_input(
    session_factory: sessionmaker[Session], args: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, ["suppliers", "set-limit", *args])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert _limit(session_factory) == (100_000_00, 0, 0)


@pytest.mark.usefixtures("cli_env", "supplier")
def test_set_limit_needs_a_reason() -> None:
    result = CliRunner().invoke(app, ["suppliers", "set-limit", "SUP-000123", "10.00"])
    assert result.exit_code == 2 and "--reason" in result.output
