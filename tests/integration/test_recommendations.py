"""Stored recommendations: computed on import, recomputed as history, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from data_access.claim_facts import claim_facts_for, latest_recommendations
from data_access.models import AuditEvent, Claim, Order, Recommendation, User
from rules import ClaimFacts, ClaimKind, OrderFacts, SupplierResponse, bundled_policy, recommend
from services.auth import Actor, NotAllowed, Role
from services.claims.recommendations import recommend_claims, recompute_recommendations
from tests import factories as f
from tests.factories import utc

POLICY = bundled_policy("v1")
TODAY = date(2025, 2, 5)
NOW = utc(2025, 2, 5, 9)
SYSTEM = Actor.system("test")


def _recs(session: Session, claim_id: int) -> list[Recommendation]:
    query = select(Recommendation).where(Recommendation.claim_id == claim_id)
    return list(session.scalars(query.order_by(Recommendation.id)))


def _late_order(session: Session, **fields: object) -> Order:
    """USD 1,000.00 covered and paid, due 2025-01-20, not shipped."""
    return f.order(session, f.supplier(session), f.buyer(session), **fields)


def _decide(
    session: Session, claim: Claim, reviewer: User, kind: str, verdict: str, amount: int
) -> None:
    f.decision(session, claim, reviewer, kind=kind, verdict=verdict, amount_cents=amount)


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)


def test_a_new_claim_gets_one_recommendation(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        claim = f.claim(s, _late_order(s), claimed_amount_cents=500_00)
        assert recommend_claims(s, [claim.id], POLICY, now=NOW, actor=SYSTEM) == 1
    with session_factory() as s:
        (row,) = _recs(s, claim.id)
    expected = recommend(
        ClaimFacts(
            ClaimKind.LATE_SHIPMENT,
            utc(2025, 2, 1, 12),
            500_00,
            SupplierResponse.NONE,
            False,
            None,
            None,
            0,
        ),
        OrderFacts(1_000_00, 1_000_00, 0, date(2025, 1, 20), None, None),
        POLICY,
        TODAY,
    )
    assert (row.policy_version, row.action, row.amount_cents, row.cap_cents) == (
        "v1",
        "approve_full",
        500_00,
        500_00,
    )
    assert row.four_eyes_required is False
    assert row.created_at == NOW
    assert row.reasons == [{"code": str(r.code), "message": r.message} for r in expected.reasons]
    assert [r["code"] for r in row.reasons] == ["NOT_SHIPPED", "CAP_CLAIMED_AMOUNT"]
    assert "16 days late" in row.reasons[0]["message"]


def test_recommend_claims_runs_in_the_callers_transaction(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s:
        claim = f.claim(s, _late_order(s))
        assert (
            recommend_claims(s, [claim.id, 999_999], POLICY, now=NOW, actor=SYSTEM) == 1
        )  # unknown id skipped
        s.rollback()
    with session_factory() as s:
        assert s.scalars(select(Recommendation)).all() == []
        assert recommend_claims(s, [], POLICY, now=NOW, actor=SYSTEM) == 0


def test_recompute_without_change_adds_nothing(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        ids = [f.claim(s, _late_order(s)).id for _ in range(3)]
        recommend_claims(s, ids, POLICY, now=NOW, actor=SYSTEM)
    report = recompute_recommendations(session_factory, SYSTEM, POLICY, now=NOW)
    assert (report.evaluated, report.changed, report.unchanged, report.policy_version) == (
        3,
        0,
        3,
        "v1",
    )
    assert str(report) == "Evaluated 3 undecided claims under policy v1: 0 changed, 3 unchanged."
    with session_factory() as s:
        assert len(s.scalars(select(Recommendation)).all()) == 3


def test_a_changed_fact_adds_a_row_and_keeps_the_old_one(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        moved, kept = _late_order(s), _late_order(s)
        moved_claim, kept_claim = f.claim(s, moved), f.claim(s, kept)
        recommend_claims(s, [moved_claim.id, kept_claim.id], POLICY, now=NOW, actor=SYSTEM)
        # The supplier's shipping record arrives: shipped 5 days after the ship-by date.
        moved.shipped_at = utc(2025, 1, 25, 8)
        moved.status = "shipped"
    later = utc(2025, 2, 5, 10)
    report = recompute_recommendations(session_factory, SYSTEM, POLICY, now=later)
    assert (report.evaluated, report.changed, report.unchanged) == (2, 1, 1)
    with session_factory() as s:
        old, new = _recs(s, moved_claim.id)
        assert (old.action, old.amount_cents, old.created_at) == ("approve_full", 500_00, NOW)
        # 5 days x 1% of the refundable USD 1,000.00.
        assert (new.action, new.amount_cents, new.cap_cents) == ("approve_partial", 50_00, 500_00)
        assert new.reasons[0]["code"] == "SHIPPED_LATE"
        assert new.created_at == later
        assert len(_recs(s, kept_claim.id)) == 1
        latest = latest_recommendations(s, [moved_claim.id, kept_claim.id])
        assert latest[moved_claim.id].id == new.id
        assert latest[kept_claim.id].created_at == NOW


def test_a_different_today_changes_only_the_claims_whose_outcome_moved(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        # Not shipped and already past its ship-by day: full refund today and tomorrow alike.
        overdue = f.claim(s, _late_order(s))
        # Not shipped, ship-by on 2025-02-10: not late yet on 2025-02-05, late by 2025-02-12.
        not_yet = f.claim(s, _late_order(s, ship_by=date(2025, 2, 10)))
        recommend_claims(s, [overdue.id, not_yet.id], POLICY, now=NOW, actor=SYSTEM)
    report = recompute_recommendations(session_factory, SYSTEM, POLICY, now=_at(date(2025, 2, 6)))
    assert (report.changed, report.unchanged) == (0, 2)  # the calendar alone is no change
    report = recompute_recommendations(session_factory, SYSTEM, POLICY, now=_at(date(2025, 2, 12)))
    assert (report.changed, report.unchanged) == (1, 1)
    with session_factory() as s:
        assert len(_recs(s, overdue.id)) == 1
        before, after = _recs(s, not_yet.id)
        assert (before.action, after.action) == ("reject", "approve_full")


def test_decided_claims_are_never_touched(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        order = _late_order(s)
        decided = [
            f.claim(s, order, status=status, decided_at=utc(2025, 2, 3))
            for status in ("approved", "rejected")
        ]
        decided.append(f.claim(s, order, status="withdrawn", withdrawn_at=utc(2025, 2, 2)))
        undecided = [
            f.claim(s, _late_order(s), status=status)
            for status in ("open", "escalated", "in_review", "awaiting_second_approval")
        ]
    report = recompute_recommendations(session_factory, SYSTEM, POLICY, now=NOW)
    # None had a stored recommendation yet, so every undecided claim gets its first one.
    assert (report.evaluated, report.changed, report.unchanged) == (4, 4, 0)
    with session_factory() as s:
        assert all(len(_recs(s, c.id)) == 1 for c in undecided)
        assert all(_recs(s, c.id) == [] for c in decided)


def test_refunds_approved_on_other_claims_of_the_order_reduce_the_cap(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        reviewer, second = f.user(s), f.user(s)
        order = _late_order(s)
        four_eyes = f.claim(s, order, status="approved", claimed_amount_cents=400_00)
        # A proposal of 300.00, then a counter-proposal of 400.00 that a third reviewer
        # confirmed: only the confirmed amount is the refund.
        _decide(s, four_eyes, reviewer, "proposal", "approve", 300_00)
        _decide(s, four_eyes, second, "proposal", "approve", 400_00)
        _decide(s, four_eyes, reviewer, "confirmation", "approve", 400_00)
        single = f.claim(s, order, status="approved", claimed_amount_cents=100_00)
        _decide(s, single, reviewer, "sole", "approve", 100_00)
        rejected = f.claim(s, order, status="rejected")
        _decide(s, rejected, reviewer, "sole", "reject", 0)
        # Awaiting the second approval: nothing is refunded yet.
        pending = f.claim(s, order, status="awaiting_second_approval")
        _decide(s, pending, reviewer, "proposal", "approve", 200_00)
        # An approval on another order of the same parties does not count.
        elsewhere = f.claim(s, _late_order(s), status="approved")
        _decide(s, elsewhere, reviewer, "sole", "approve", 900_00)
        new = f.claim(s, order, claimed_amount_cents=800_00)

        facts = {row.claim_id: row for row in claim_facts_for(s, [new.id, four_eyes.id, single.id])}
        assert facts[new.id].already_refunded_cents == 500_00
        # Each claim's own refund is not "already refunded" for itself.
        assert facts[four_eyes.id].already_refunded_cents == 100_00
        assert facts[single.id].already_refunded_cents == 400_00

        recommend_claims(s, [new.id], POLICY, now=NOW, actor=SYSTEM)
        (row,) = _recs(s, new.id)
    assert (row.action, row.amount_cents, row.cap_cents) == ("approve_full", 500_00, 500_00)
    assert [r["code"] for r in row.reasons] == [
        "NOT_SHIPPED",
        "CAP_COVERED_AMOUNT",
        "CAP_ALREADY_REFUNDED",
    ]


def test_a_new_policy_version_changes_every_claim_it_answers_differently(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        ids = [f.claim(s, _late_order(s)).id for _ in range(5)]
        recommend_claims(s, ids, POLICY, now=NOW, actor=SYSTEM)
    # A version that answers alike adds nothing: the v1 rows stand.
    alike = recompute_recommendations(
        session_factory, SYSTEM, dataclasses.replace(POLICY, version="v2"), now=NOW
    )
    assert (alike.evaluated, alike.changed) == (5, 0)
    # Four eyes from USD 100.00: every one of these refunds now needs two people.
    v2 = dataclasses.replace(POLICY, version="v2", four_eyes_threshold_cents=100_00)
    seen: list[tuple[int, int]] = []
    report = recompute_recommendations(
        session_factory,
        SYSTEM,
        v2,
        now=NOW,
        progress=lambda d, t: seen.append((d, t)),
        chunk_size=2,
    )
    assert (report.evaluated, report.changed, report.policy_version) == (5, 5, "v2")
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    with session_factory() as s:
        assert {r.policy_version for r in latest_recommendations(s, ids).values()} == {"v2"}
        assert len(s.scalars(select(Recommendation)).all()) == 10  # v1 rows kept as history
    again = recompute_recommendations(session_factory, SYSTEM, v2, now=NOW, chunk_size=2)
    assert (again.evaluated, again.changed) == (5, 0)


def test_the_latest_recommendation_is_the_last_stored_whatever_the_clocks_say(
    session_factory: sessionmaker[Session],
) -> None:
    """Issue 9 (6): a server whose clock runs behind stores a row dated earlier; it is still
    the newest, so a reviewer on that server is not refused "changed since it was shown"."""
    with session_factory.begin() as s:
        claim = f.claim(s, _late_order(s))
        recommend_claims(s, [claim.id], POLICY, now=utc(2025, 2, 5, 9), actor=SYSTEM)
        # Another server, 10 seconds behind, stores the next one.
        recommend_claims(s, [claim.id], POLICY, now=utc(2025, 2, 5, 8, 59, 50), actor=SYSTEM)
        _first, behind = _recs(s, claim.id)
        assert latest_recommendations(s, [claim.id])[claim.id].id == behind.id
        assert latest_recommendations(s, []) == {}


@pytest.mark.parametrize("role", [Role.EXEC, Role.CLAIM_REVIEWER])
def test_only_ops_managers_and_the_cli_recompute(
    session_factory: sessionmaker[Session], role: Role
) -> None:
    with session_factory.begin() as s:
        f.claim(s, _late_order(s))
        someone = f.user(s, role.value)
        manager = f.user(s, "ops_manager")
    actor = Actor(someone.id, someone.email, "Someone", role)
    with pytest.raises(NotAllowed):
        recompute_recommendations(session_factory, actor, POLICY, now=NOW)
    with session_factory() as s:
        assert s.scalars(select(Recommendation)).all() == []
        assert s.scalars(select(AuditEvent)).all() == []
    ops = Actor(manager.id, manager.email, "Olu", Role.OPS_MANAGER)
    assert recompute_recommendations(session_factory, ops, POLICY, now=NOW).changed == 1


def test_recompute_writes_one_audit_event(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        ids = [f.claim(s, _late_order(s)).id for _ in range(2)]
        recommend_claims(s, ids[:1], POLICY, now=NOW, actor=SYSTEM)
    recompute_recommendations(session_factory, SYSTEM, POLICY, now=NOW)
    with session_factory() as s:
        (event,) = s.scalars(select(AuditEvent)).all()
    assert (event.action, event.entity_type, event.entity_id) == (
        "recommendations_recomputed",
        "policy",
        "v1",
    )
    assert event.actor_label == "cli:test"
    assert event.after == {
        "evaluated": 2,
        "changed": 1,
        "unchanged": 1,
        "lapsed": 0,
        "today": "2025-02-05",
    }
    assert event.at == NOW


def test_empty_database(session_factory: sessionmaker[Session]) -> None:
    report = recompute_recommendations(session_factory, SYSTEM, POLICY, now=NOW)
    assert (report.evaluated, report.changed, report.unchanged) == (0, 0, 0)


def test_cli_recommend(database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli import app

    with Session(engine) as s, s.begin():
        f.claim(s, _late_order(s))
        f.claim(s, _late_order(s), status="rejected")
    monkeypatch.setenv("ASSURANCE_DATABASE_URL", database_url)
    monkeypatch.setenv("ASSURANCE_CLOCK", "2025-02-05T09:00:00Z")
    runner = CliRunner()
    result = runner.invoke(app, ["recommend"])
    assert result.exit_code == 0, result.output
    assert (
        result.output == "Evaluated 1 undecided claims under policy v1: 1 changed, 0 unchanged.\n"
    )
    result = runner.invoke(app, ["recommend", "--policy", "v1"])
    assert "1 undecided claims under policy v1: 0 changed, 1 unchanged." in result.output
    result = runner.invoke(app, ["recommend", "--policy", "v99"])
    assert result.exit_code == 1
    assert "no bundled policy 'v99'" in result.output
