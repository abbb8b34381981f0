"""Deciding claims: verdicts, notes, four-eyes, fresh recommendations, bulk and take — both DBs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import AuditEvent, Claim, Decision, Recommendation
from rules import bundled_policy
from services.auth import Actor, NotAllowed, Role
from services.claims.decisions import (
    AlreadyDecided,
    DecisionError,
    RecommendationChanged,
    assign_claim,
    bulk_decide,
    decide_claim,
    preview_verdict,
)
from services.claims.recommendations import recommend_claims
from tests import factories as f
from tests.factories import utc

POLICY = bundled_policy("v1")
NOW = utc(2025, 2, 10, 9)
LATE_5_DAYS = {"shipped_at": utc(2025, 1, 25, 8)}  # ship-by 2025-01-20: 5% of USD 1,000.00


def reviewer(session: Session, name: str = "Rita Reviewer", role: str = "claim_reviewer") -> Actor:
    row = f.user(session, role, display_name=name)
    return Actor(row.id, row.email, row.display_name, Role(role))


def make_claim(
    session: Session,
    *,
    order: dict[str, Any] | None = None,
    recommend: bool = True,
    **claim_fields: Any,
) -> int:
    """A claim on its own order (default: shipped 5 days late -> approve USD 50.00 of 500.00)."""
    o = f.order(
        session, f.supplier(session), f.buyer(session), **(LATE_5_DAYS if order is None else order)
    )
    c = f.claim(session, o, **claim_fields)
    if recommend:
        recommend_claims(session, [c.id], POLICY, NOW.date(), now=NOW)
    return c.id


def big_claim(session: Session) -> int:
    """The supplier accepted USD 20,000.00: approve in full, above the four-eyes threshold."""
    amounts = {"order_amount_cents": 20_000_00, "covered_amount_cents": 20_000_00}
    return make_claim(
        session,
        order={**LATE_5_DAYS, **amounts, "paid_amount_cents": 20_000_00},
        claimed_amount_cents=20_000_00,
        supplier_response="accepted",
    )


def decisions_of(session: Session, claim_id: int) -> list[Decision]:
    query = select(Decision).where(Decision.claim_id == claim_id).order_by(Decision.id)
    return list(session.scalars(query))


def audit_of(session: Session, claim_id: int, action: str = "claim_decided") -> list[AuditEvent]:
    query = select(AuditEvent).where(
        AuditEvent.entity_type == "claim",
        AuditEvent.entity_id == str(claim_id),
        AuditEvent.action == action,
    )
    return list(session.scalars(query.order_by(AuditEvent.id)))


def decide(factory: sessionmaker[Session], actor: Actor, claim_id: int, **kwargs: Any) -> Any:
    values: dict[str, Any] = {
        "approve": True,
        "amount_cents": None,
        "note": "",
        "policy": POLICY,
        "now": NOW,
    }
    values.update(kwargs)
    return decide_claim(factory, actor, claim_id, **values)


def test_approving_at_the_recommended_amount_decides_the_claim(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s)
    with session_factory.begin() as s:
        # The queue's copy of the deadline exists while the claim is undecided.
        from services.claims.deadlines import refresh_due

        refresh_due(s, [claim_id], POLICY, NOW)
    outcome = decide(session_factory, rita, claim_id)
    assert (outcome.status, outcome.final, outcome.amount_cents) == ("approved", True, 50_00)
    assert "approved USD 50.00" in outcome.message
    with session_factory() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None
        assert (claim.status, claim.decided_at, claim.assignee_id) == (
            "approved",
            NOW,
            rita.user_id,
        )
        assert (claim.due_at, claim.due_label) == (None, None)
        (decision,) = decisions_of(s, claim_id)
        rec_id = s.scalar(select(Recommendation.id).where(Recommendation.claim_id == claim_id))
        assert (decision.stage, decision.verdict, decision.amount_cents) == (
            "first",
            "approve",
            50_00,
        )
        assert (decision.cap_cents, decision.recommendation_id) == (500_00, rec_id)
        assert decision.reviewer_id == rita.user_id
        (event,) = audit_of(s, claim_id)
        assert event.actor_id == rita.user_id
        assert event.before == {"status": "open"}
        assert event.after is not None
        assert event.after["status"] == "approved"
        assert (event.after["verdict"], event.after["amount_cents"]) == ("approve", 50_00)
        assert event.after["stage"] == "first"


def test_a_different_amount_needs_a_note_and_then_a_second_reviewer(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s)
    with pytest.raises(DecisionError, match="Add a note"):
        decide(session_factory, rita, claim_id, amount_cents=80_00)
    with session_factory() as s:
        assert decisions_of(s, claim_id) == []
    outcome = decide(session_factory, rita, claim_id, amount_cents=80_00, note="  Photos  ")
    assert (outcome.status, outcome.final) == ("awaiting_second_approval", False)
    with session_factory() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None and claim.decided_at is None
        (decision,) = decisions_of(s, claim_id)
        assert (decision.amount_cents, decision.note) == (80_00, "Photos")


@pytest.mark.parametrize(("amount", "message"), [(0, "above zero"), (500_01, "above the cap")])
def test_amounts_outside_zero_to_cap_are_refused(
    session_factory: sessionmaker[Session], amount: int, message: str
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s)
    with pytest.raises(DecisionError, match=message):
        decide(session_factory, rita, claim_id, amount_cents=amount, note="why")
    with session_factory() as s:
        assert decisions_of(s, claim_id) == []
        assert audit_of(s, claim_id) == []


def test_the_whole_cap_may_be_approved_with_a_note(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s)
    outcome = decide(session_factory, rita, claim_id, amount_cents=500_00, note="whole cap")
    assert outcome.amount_cents == 500_00


def test_rejecting_a_recommended_approval_needs_a_note(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s)
    with pytest.raises(DecisionError, match="Add a note"):
        decide(session_factory, rita, claim_id, approve=False)
    # Departing from the recommendation is a four-eyes case too (DESIGN.md §4).
    outcome = decide(session_factory, rita, claim_id, approve=False, note="Buyer agreed")
    assert (outcome.verdict, outcome.status) == ("reject", "awaiting_second_approval")


def test_rejecting_as_recommended_needs_no_note(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s, order={"shipped_at": utc(2025, 1, 19)})  # on time: reject
    outcome = decide(session_factory, rita, claim_id, approve=False)
    assert (outcome.status, outcome.final, outcome.amount_cents) == ("rejected", True, 0)


def test_approving_against_a_reject_needs_an_amount_and_a_note(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s, order={"shipped_at": utc(2025, 1, 19)})
    with pytest.raises(DecisionError, match="Enter the amount"):
        decide(session_factory, rita, claim_id, note="goodwill")
    with pytest.raises(DecisionError, match="Add a note"):
        decide(session_factory, rita, claim_id, amount_cents=10_00)


def test_four_eyes_waits_for_a_second_different_reviewer(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita, ravi = reviewer(s), reviewer(s, "Ravi Reviewer")
        claim_id = big_claim(s)
    first = decide(session_factory, rita, claim_id)
    assert (first.stage, first.status, first.final) == ("first", "awaiting_second_approval", False)
    with pytest.raises(DecisionError, match="second, different reviewer"):
        decide(session_factory, rita, claim_id)
    later = NOW + timedelta(hours=2)
    second = decide(session_factory, ravi, claim_id, now=later, stage="second")
    assert (second.stage, second.status, second.final) == ("second", "approved", True)
    with session_factory() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None and claim.decided_at == later
        stages = [(d.stage, d.reviewer_id, d.amount_cents) for d in decisions_of(s, claim_id)]
        assert stages == [("first", rita.user_id, 20_000_00), ("second", ravi.user_id, 20_000_00)]
        assert len(audit_of(s, claim_id)) == 2


def test_the_second_reviewer_may_override_with_a_note(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita, ravi = reviewer(s), reviewer(s, "Ravi Reviewer")
        claim_id = big_claim(s)
    decide(session_factory, rita, claim_id)
    with pytest.raises(DecisionError, match="overrides"):
        decide(session_factory, ravi, claim_id, approve=False)
    with pytest.raises(DecisionError, match="overrides"):
        decide(session_factory, ravi, claim_id, amount_cents=15_000_00)
    outcome = decide(session_factory, ravi, claim_id, approve=False, note="Forged invoice")
    assert (outcome.status, outcome.verdict) == ("rejected", "reject")
    with session_factory() as s:
        assert [d.verdict for d in decisions_of(s, claim_id)] == ["approve", "reject"]


def test_a_decided_claim_is_not_decided_again(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        rita, ravi = reviewer(s), reviewer(s, "Ravi Reviewer")
        claim_id = make_claim(s, external_id="CLM-000777")
    decide(session_factory, rita, claim_id)
    with pytest.raises(AlreadyDecided) as raised:
        decide(session_factory, ravi, claim_id, approve=False)
    message = str(raised.value)
    assert "CLM-000777" in message and "Rita Reviewer" in message
    assert "2025-02-10 09:00 UTC" in message and "approved USD 50.00" in message
    assert raised.value.decided_by == "Rita Reviewer"
    with session_factory() as s:
        assert len(decisions_of(s, claim_id)) == 1
        assert len(audit_of(s, claim_id)) == 1


def test_a_reviewer_shown_the_first_stage_does_not_become_the_second(
    session_factory: sessionmaker[Session],
) -> None:
    """Rita records a four-eyes first decision while Ravi still looks at the undecided claim."""
    with session_factory.begin() as s:
        rita, ravi = reviewer(s), reviewer(s, "Ravi Reviewer")
        claim_id = big_claim(s)
    decide(session_factory, rita, claim_id, stage="first")
    with pytest.raises(AlreadyDecided, match="Rita Reviewer already recorded the first"):
        decide(session_factory, ravi, claim_id, stage="first")
    with session_factory() as s:
        assert [d.stage for d in decisions_of(s, claim_id)] == ["first"]


def test_a_changed_recommendation_is_stored_and_the_decision_refused(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s)
    with session_factory.begin() as s:  # the shipment turns out 10 days late, not 5
        claim = s.get(Claim, claim_id)
        assert claim is not None
        from data_access.models import Order

        order = s.get(Order, claim.order_id)
        assert order is not None
        order.shipped_at = utc(2025, 1, 30, 8)
    with pytest.raises(RecommendationChanged, match=r"USD 100\.00 of a USD 500\.00 cap"):
        decide(session_factory, rita, claim_id)
    with session_factory() as s:
        assert decisions_of(s, claim_id) == []
        amounts = s.scalars(
            select(Recommendation.amount_cents)
            .where(Recommendation.claim_id == claim_id)
            .order_by(Recommendation.id)
        ).all()
        assert list(amounts) == [50_00, 100_00]
    # Having seen the new recommendation, the reviewer decides again.
    assert decide(session_factory, rita, claim_id).amount_cents == 100_00


def test_a_verdict_on_the_recommendation_shown_is_refused_once_it_changed_elsewhere(
    session_factory: sessionmaker[Session],
) -> None:
    """A recompute stored the new answer before the reviewer clicked: the page's is stale."""
    from data_access.models import Order
    from services.claims.recommendations import recompute_recommendations

    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s)
        shown = s.scalars(select(Recommendation.id).where(Recommendation.claim_id == claim_id))
        shown_id = shown.one()
        order = s.get(Order, s.get(Claim, claim_id).order_id)  # type: ignore[union-attr]
        assert order is not None
        order.shipped_at = utc(2025, 1, 30, 8)  # 10 days late, not 5
    recompute_recommendations(session_factory, Actor.system("t"), POLICY, NOW.date(), now=NOW)
    with pytest.raises(RecommendationChanged, match="changed since it was shown"):
        decide(session_factory, rita, claim_id, shown_recommendation_id=shown_id)
    with session_factory() as s:
        assert decisions_of(s, claim_id) == []
        latest = s.scalars(
            select(Recommendation.id)
            .where(Recommendation.claim_id == claim_id)
            .order_by(Recommendation.id.desc())
        ).first()
    # Shown the new one, the reviewer's verdict goes through.
    outcome = decide(session_factory, rita, claim_id, shown_recommendation_id=latest)
    assert outcome.amount_cents == 100_00


def test_a_change_of_wording_only_is_kept_and_the_decision_goes_through(
    session_factory: sessionmaker[Session],
) -> None:
    """Not shipped at all: the reason names today's date, so tomorrow it reads differently."""
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s, order={})
    tomorrow = NOW + timedelta(days=1)
    outcome = decide(session_factory, rita, claim_id, now=tomorrow)
    assert outcome.amount_cents == 500_00
    with session_factory() as s:
        rec_ids = s.scalars(
            select(Recommendation.id)
            .where(Recommendation.claim_id == claim_id)
            .order_by(Recommendation.id)
        ).all()
        assert len(rec_ids) == 2
        (decision,) = decisions_of(s, claim_id)
        assert decision.recommendation_id == rec_ids[-1]


def test_a_claim_without_a_recommendation_gets_one_before_any_decision(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s, recommend=False)
    with pytest.raises(RecommendationChanged, match="computed just now: approve partial"):
        decide(session_factory, rita, claim_id)
    with session_factory() as s:
        assert decisions_of(s, claim_id) == []
        stored = s.scalars(select(Recommendation).where(Recommendation.claim_id == claim_id))
        assert [r.amount_cents for r in stored] == [50_00]
    assert decide(session_factory, rita, claim_id).status == "approved"


def test_claims_of_one_order_share_its_refundable_amount(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        o = f.order(s, f.supplier(s), f.buyer(s), **LATE_5_DAYS)
        ids = [
            f.claim(s, o, claimed_amount_cents=1_000_00, supplier_response="accepted").id
            for _ in range(2)
        ]
        recommend_claims(s, ids, POLICY, NOW.date(), now=NOW)
    assert decide(session_factory, rita, ids[0]).amount_cents == 1_000_00
    # The first approval used the order's whole USD 1,000.00: nothing is left to refund.
    with pytest.raises(RecommendationChanged, match="changed since it was shown: now reject"):
        decide(session_factory, rita, ids[1])
    outcome = decide(session_factory, rita, ids[1], approve=False)
    assert outcome.status == "rejected"


def test_only_claim_reviewers_decide(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        ops = reviewer(s, "Olu Ops", role="ops_manager")
        claim_id = make_claim(s)
    with pytest.raises(NotAllowed, match="may not decide claims"):
        decide(session_factory, ops, claim_id)
    with pytest.raises(NotAllowed):
        bulk_decide(session_factory, ops, [claim_id], POLICY, NOW)
    with session_factory() as s:
        assert decisions_of(s, claim_id) == []


def test_a_withdrawn_claim_has_nothing_to_decide(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s, status="withdrawn", withdrawn_at=utc(2025, 2, 5))
    with pytest.raises(DecisionError, match="withdrawn"):
        decide(session_factory, rita, claim_id)


def test_bulk_follows_recommendations_and_refuses_what_needs_a_look(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        partial = make_claim(s)
        on_time = make_claim(s, order={"shipped_at": utc(2025, 1, 19)})
        evidence = make_claim(s, kind="quality")  # no inspection report
        four_eyes = big_claim(s)
        unrecommended = make_claim(s, recommend=False)
        done = make_claim(s)
    decide(session_factory, rita, done)
    ids = [partial, on_time, evidence, four_eyes, unrecommended, done]
    outcomes = bulk_decide(session_factory, rita, ids, POLICY, NOW)
    assert [o.claim_id for o in outcomes] == ids
    assert [o.ok for o in outcomes] == [True, True, False, False, False, False]
    reasons = [o.message for o in outcomes if not o.ok]
    assert "request evidence" in reasons[0]
    assert "four-eyes" in reasons[1]
    assert "no recommendation" in reasons[2]
    assert "already approved" in reasons[3]
    with session_factory() as s:
        statuses = {i: s.get(Claim, i).status for i in ids}  # type: ignore[union-attr]
        assert statuses[partial] == "approved" and statuses[on_time] == "rejected"
        assert statuses[evidence] == statuses[four_eyes] == statuses[unrecommended] == "open"
        # Each decided claim has its own decision and its own audit event.
        for claim_id in (partial, on_time):
            assert len(decisions_of(s, claim_id)) == 1
            assert len(audit_of(s, claim_id)) == 1


def test_taking_a_claim_assigns_it_and_picks_up_an_escalated_one(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita, ravi = reviewer(s), reviewer(s, "Ravi Reviewer")
        fresh = make_claim(s, filed_at=utc(2025, 2, 9, 12))  # supplier still has days to respond
        escalated = make_claim(s, status="escalated", escalated_at=utc(2025, 2, 6, 10))
    assert "assigned to you" in assign_claim(session_factory, rita, fresh, now=NOW, policy=POLICY)
    assert "already yours" in assign_claim(session_factory, rita, fresh, now=NOW, policy=POLICY)
    assign_claim(session_factory, ravi, escalated, now=NOW, policy=POLICY)
    with session_factory() as s:
        one, two = s.get(Claim, fresh), s.get(Claim, escalated)
        assert one is not None and two is not None
        assert (one.assignee_id, one.status, one.picked_up_at) == (rita.user_id, "open", None)
        assert (two.assignee_id, two.status, two.picked_up_at) == (ravi.user_id, "in_review", NOW)
        assert two.due_label == "decision_due"
        assert len(audit_of(s, fresh, "claim_assigned")) == 1  # the no-op was not audited
        (event,) = audit_of(s, escalated, "claim_assigned")
        assert event.before is not None and event.after is not None
        assert (event.before["status"], event.after["status"]) == ("escalated", "in_review")
    ops = Actor(None, "ops@x.test", "Ops", Role.OPS_MANAGER)
    with pytest.raises(NotAllowed):
        assign_claim(session_factory, ops, fresh, now=NOW, policy=POLICY)


def test_a_decided_claim_cannot_be_taken(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s)
    decide(session_factory, rita, claim_id)
    with pytest.raises(DecisionError, match="nothing to take"):
        assign_claim(session_factory, rita, claim_id, now=NOW, policy=POLICY)
    with session_factory() as s:
        count = s.scalar(select(func.count()).select_from(AuditEvent))
        assert count == 1  # only the decision


@pytest.mark.parametrize(
    ("approve", "amount", "expected"),
    [
        (True, 50_00, (False, False, None)),  # as recommended
        (True, 80_00, (True, True, None)),  # a different amount departs: note, second reviewer
        (False, 0, (True, True, None)),  # rejecting a recommended approval
        (True, 500_01, (False, False, "USD 500.01 is above the cap USD 500.00.")),
    ],
)
def test_the_preview_applies_the_same_rules(
    approve: bool, amount: int, expected: tuple[bool, bool, str | None]
) -> None:
    preview = preview_verdict(
        action="approve_partial",
        recommended_cents=50_00,
        cap_cents=500_00,
        approve=approve,
        amount_cents=amount,
        policy=POLICY,
    )
    note, waits, problem = expected
    assert (preview.note_required, preview.waits_for_second) == (note, waits)
    assert preview.problem == problem


def test_the_preview_of_a_second_decision_asks_a_note_only_to_override() -> None:
    common: dict[str, Any] = {
        "action": "approve_full",
        "recommended_cents": 20_000_00,
        "cap_cents": 20_000_00,
        "policy": POLICY,
        "first_verdict": "approve",
        "first_amount_cents": 20_000_00,
    }
    confirm = preview_verdict(approve=True, amount_cents=20_000_00, **common)
    override = preview_verdict(approve=False, amount_cents=0, **common)
    assert (confirm.note_required, confirm.waits_for_second) == (False, False)
    assert (override.note_required, override.waits_for_second) == (True, False)
