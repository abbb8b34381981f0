"""The simulator's reading of a period and `assurance policy …`, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from cli import app
from data_access.claim_facts import claim_facts_for
from data_access.models import AuditEvent
from data_access.queries.simulation import claims_filed_between
from rules import bundled_policy, policy_toml
from services.auth import Actor
from services.claims.recommendations import recommend_claims
from services.policy.simulate import simulate_period
from tests import factories as f
from tests.factories import utc

V1 = bundled_policy("v1")
NOW = utc(2025, 2, 5, 9)


def _world(s: Session) -> dict[str, int]:
    """Three late shipments filed in February (one on an order with a refund already approved
    on another claim), one filed in January; an order placed in February for the cohort."""
    reviewer = f.user(s)
    late = {"shipped_at": utc(2025, 1, 23, 8), "status": "shipped"}
    order = f.order(s, f.supplier(s, tier="gold"), f.buyer(s), **late)
    earlier = f.claim(s, order, status="approved", filed_at=utc(2025, 1, 25))
    f.decision(s, earlier, reviewer, amount_cents=200_00)
    ids = {
        "shared": f.claim(s, order, filed_at=utc(2025, 2, 2)).id,
        "plain": f.claim(
            s, f.order(s, f.supplier(s), f.buyer(s), **late), filed_at=utc(2025, 2, 3)
        ).id,
        "on_time": f.claim(
            s,
            f.order(s, f.supplier(s), f.buyer(s), shipped_at=utc(2025, 1, 19), status="shipped"),
            filed_at=utc(2025, 2, 4),
        ).id,
        "earlier": earlier.id,
    }
    f.order(s, f.supplier(s), f.buyer(s), placed_at=utc(2025, 2, 3), covered_amount_cents=5_000_00,
            order_amount_cents=5_000_00, paid_amount_cents=5_000_00)  # fmt: skip
    recommend_claims(s, list(ids.values()), V1, now=NOW, actor=Actor.system("t"))
    return ids


def test_the_period_reading_equals_the_recommendations_facts(
    session_factory: sessionmaker[Session], engine: Engine
) -> None:
    with session_factory.begin() as s:
        ids = _world(s)
    with engine.connect() as conn:
        period = claims_filed_between(conn, utc(2025, 2, 1), utc(2025, 3, 1))
        expected = claim_facts_for(conn, [label.claim_id for label, _ in period])
    assert [label.claim_id for label, _ in period] == [ids["shared"], ids["plain"], ids["on_time"]]
    assert [row for _, row in period] == expected
    assert period[0][1].already_refunded_cents == 200_00  # the other claim's refund
    assert period[0][0].supplier_tier == "gold"


def test_simulate_period_compares_both_policies(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    import dataclasses

    with session_factory.begin() as s:
        ids = _world(s)
    draft = dataclasses.replace(V1, version="v2", late_rate_per_day_bp=200)
    seen: list[tuple[int, int]] = []
    sim = simulate_period(
        engine,
        draft,
        V1,
        date(2025, 2, 1),
        date(2025, 2, 28),
        today=date(2025, 3, 1),
        zone="UTC",
        progress=lambda d, t: seen.append((d, t)),
        chunk_size=2,
        workers=1,
    )
    assert seen == [(0, 3), (2, 3), (3, 3)]
    # 3 days late: 3% -> 6% of the cap (USD 800.00 on the shared order, 1,000.00 otherwise),
    # within the claimed USD 500.00.
    assert [(c.claim_id, c.current_cents, c.simulated_cents) for c in sim.changed] == [
        (ids["shared"], 24_00, 48_00),
        (ids["plain"], 30_00, 60_00),
    ]
    assert (sim.total.current.approvals, sim.total.current.rejections) == (2, 1)
    assert (sim.total.current.refunds_cents, sim.total.simulated.refunds_cents) == (54_00, 108_00)
    # Orders placed in February: the cohort's covered amount (the others were placed Jan 1).
    assert (sim.cohort_orders, sim.cohort_covered_cents) == (1, 5_000_00)
    assert sim.loss_ratio(simulated=True) == 108_00 / 5_000_00


def test_two_worker_processes_simulate_what_one_does(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    """The claims split by id over this process and a child: the same tallies, the same
    changed claims in the same order, the same cohort, and progress that ends at the total."""
    import dataclasses

    with session_factory.begin() as s:
        _world(s)
        supplier, buyer = f.supplier(s, tier="verified"), f.buyer(s)
        for n in range(24):  # late by 0-7 days, some not shipped, a few quality claims
            shipped = None if n % 5 == 0 else utc(2025, 1, 20 + n % 8, 10)
            order = f.order(s, supplier, buyer, shipped_at=shipped,
                            status="shipped" if shipped else "placed")  # fmt: skip
            kind = "quality" if n % 7 == 0 else "late_shipment"
            f.claim(s, order, kind=kind, filed_at=utc(2025, 2, 1 + n % 27, 8),
                    claimed_amount_cents=100_00 * (1 + n % 9))  # fmt: skip
    draft = dataclasses.replace(V1, version="v2", late_rate_per_day_bp=250, late_rate_max_bp=900)
    period = (draft, V1, date(2025, 2, 1), date(2025, 2, 28))
    alone = simulate_period(engine, *period, today=date(2025, 3, 1), zone="UTC", workers=1)
    seen: list[tuple[int, int]] = []
    shared = simulate_period(engine, *period, today=date(2025, 3, 1), zone="UTC", workers=2,
                             chunk_size=4, progress=lambda d, t: seen.append((d, t)))  # fmt: skip
    assert alone.total.current.claims == 27 and len(alone.changed) > 5
    assert shared == alone
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1] == (27, 27)


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    monkeypatch.setenv("ASSURANCE_CLOCK", "2025-03-01T09:00:00Z")


@pytest.mark.usefixtures("cli_env")
def test_simulate_draft_and_activate_through_the_cli(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with session_factory.begin() as s:
        _world(s)
        alice = f.user(s, "ops_manager", email="alice@example.test").email
        bob = f.user(s, "ops_manager", email="bob@example.test").email
        carol = f.user(s, "claim_reviewer", email="carol@example.test").email
    file = tmp_path / "faster.toml"
    file.write_text(policy_toml(V1).replace('late_rate_per_day = "1%"', 'late_rate_per_day = "2%"'))
    runner = CliRunner()

    out = runner.invoke(
        app, ["policy", "simulate", str(file), "--from", "2025-02-01", "--to", "2025-02-28"]
    )
    assert out.exit_code == 0, out.output
    assert (
        "Total refunds" in out.output and "USD 54.00" in out.output and "USD 108.00" in out.output
    )
    assert "2 claims would change action or amount." in out.output

    out = runner.invoke(app, ["policy", "draft", str(file), "--as", carol])
    assert out.exit_code == 1 and "may not draft or activate policy versions" in out.output
    out = runner.invoke(app, ["policy", "draft", str(file), "--as", alice, "--note", "2% a day"])
    assert out.exit_code == 0, out.output
    assert "Saved draft v2" in out.output
    out = runner.invoke(app, ["policy", "activate", "v2", "--as", alice])
    assert out.exit_code == 1 and "second, different ops manager" in out.output
    out = runner.invoke(app, ["policy", "activate", "v2", "--as", "nobody@example.test"])
    assert out.exit_code == 1 and "does not have access" in out.output
    out = runner.invoke(app, ["policy", "activate", "v2", "--as", bob])
    assert out.exit_code == 0, out.output
    assert "Policy v2 is active (was v1)" in out.output
    out = runner.invoke(app, ["policy", "list"])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0].split()[:2] == ["v1", "retired"]
    assert lines[1].split()[:2] == ["v2", "active"] and "activated by bob@example.test" in lines[1]
    with session_factory() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "policy"))
        assert sorted(actions) == ["policy_activated", "policy_draft_saved"]


@pytest.mark.usefixtures("cli_env")
def test_a_bad_policy_file_is_named(tmp_path: Path) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(policy_toml(V1).replace('late_rate_max = "20%"', 'late_rate_max = "120%"'))
    out = CliRunner().invoke(app, ["policy", "simulate", str(file)])
    assert out.exit_code == 1
    assert "late_rate_max" in out.output
