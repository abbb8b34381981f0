"""Deciding claims: verdicts, notes, four-eyes, fresh recommendations, lapses, bulk and take —
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import AuditEvent, Claim, Decision, Order, Recommendation, User
from rules import Turn, bundled_policy
from services.auth import Actor, NotAllowed, Role
from services.claims.bulk import bulk_decide
from services.claims.decide import (
    AlreadyDecided,
    DecisionError,
    RecommendationChanged,
    decide_claim,
)
from services.claims.recommendations import recommend_claims, recompute_recommendations
from services.claims.take import assign_claim
from tests import factories as f
from tests.factories import utc

POLICY = bundled_policy("v1")
NOW = utc(2025, 2, 10, 9)
SYSTEM = Actor.system("test")
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
        recommend_claims(session, [c.id], POLICY, now=NOW, actor=SYSTEM)
    return c.id


def big_claim(session: Session, amount: int = 20_000_00, **claim_fields: Any) -> int:
    """The supplier accepted the whole order: approve in full, above the four-eyes threshold."""
    amounts = {"order_amount_cents": amount, "covered_amount_cents": amount}
    return make_claim(
        session,
        order={**LATE_5_DAYS, **amounts, "paid_amount_cents": amount},
        claimed_amount_cents=amount,
        supplier_response="accepted",
        **claim_fields,
    )


def decisions_of(session: Session, claim_id: int) -> list[Decision]:
    query = select(Decision).where(Decision.claim_id == claim_id).order_by(Decision.seq)
    return list(session.scalars(query))


def chain(session: Session, claim_id: int) -> list[tuple[str, int | None, str, int]]:
    return [
        (d.kind, d.reviewer_id, d.verdict, d.amount_cents) for d in decisions_of(session, claim_id)
    ]


def status_of(session: Session, claim_id: int) -> str:
    claim = session.get(Claim, claim_id)
    assert claim is not None
    return claim.status


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


def set_order(factory: sessionmaker[Session], claim_id: int, **fields: Any) -> None:
    with factory.begin() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None
        order = s.get(Order, claim.order_id)
        assert order is not None
        for name, value in fields.items():
            setattr(order, name, value)


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
        assert (decision.seq, decision.kind, decision.verdict, decision.amount_cents) == (
            1,
            "sole",
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
        assert (event.after["kind"], event.after["seq"]) == ("sole", 1)


def test_a_different_amount_needs_a_note_and_then_a_second_reviewer(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s)
    with pytest.raises(DecisionError, match="Add a note: this verdict departs"):
        decide(session_factory, rita, claim_id, amount_cents=80_00)
    with session_factory() as s:
        assert decisions_of(s, claim_id) == []
    outcome = decide(session_factory, rita, claim_id, amount_cents=80_00, note="  Photos  ")
    assert (outcome.status, outcome.final, outcome.kind) == (
        "awaiting_second_approval",
        False,
        "proposal",
    )
    with session_factory() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None and claim.decided_at is None
        (decision,) = decisions_of(s, claim_id)
        assert (decision.amount_cents, decision.note) == (80_00, "Photos")


@pytest.mark.parametrize(("amount", "message"), [(0, "positive amount"), (500_01, "above the cap")])
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


def test_the_whole_cap_may_be_proposed_with_a_note(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s)
    outcome = decide(session_factory, rita, claim_id, amount_cents=500_00, note="whole cap")
    assert (outcome.amount_cents, outcome.kind) == (500_00, "proposal")


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
    assert (outcome.approve, outcome.status) == (False, "awaiting_second_approval")


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


def test_four_eyes_is_final_only_when_a_second_reviewer_confirms_the_same_verdict(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita, ravi = reviewer(s), reviewer(s, "Ravi Reviewer")
        claim_id = big_claim(s)
    first = decide(session_factory, rita, claim_id)
    assert (first.kind, first.status, first.final) == (
        "proposal",
        "awaiting_second_approval",
        False,
    )
    with pytest.raises(DecisionError, match="second, different reviewer"):
        decide(session_factory, rita, claim_id)
    later = NOW + timedelta(hours=2)
    second = decide(
        session_factory, ravi, claim_id, now=later, expected_turn=Turn.CONFIRM_OR_PROPOSE
    )
    assert (second.kind, second.status, second.final) == ("confirmation", "approved", True)
    assert "two reviewers agree" in second.message
    with session_factory() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None and claim.decided_at == later
        assert chain(s, claim_id) == [
            ("proposal", rita.user_id, "approve", 20_000_00),
            ("confirmation", ravi.user_id, "approve", 20_000_00),
        ]
        assert len(audit_of(s, claim_id)) == 2


def test_a_second_reviewer_cannot_raise_the_payout_alone(
    session_factory: sessionmaker[Session],
) -> None:
    """Issue 9 (2): Rita proposes USD 150,000 of a USD 1,000,000 cap; Ravi's USD 1,000,000 is
    a new proposal, not a final decision; only when Rita (or a third reviewer) agrees on it is
    the claim final."""
    with session_factory.begin() as s:
        rita, ravi = reviewer(s), reviewer(s, "Ravi Reviewer")
        claim_id = big_claim(s, amount=1_000_000_00)
    decide(session_factory, rita, claim_id, amount_cents=150_000_00, note="Partly delivered")
    with pytest.raises(DecisionError, match=r"Add a note: your verdict .* differs"):
        decide(session_factory, ravi, claim_id, amount_cents=1_000_000_00)
    raised = decide(session_factory, ravi, claim_id, amount_cents=1_000_000_00, note="All lost")
    assert (raised.kind, raised.final, raised.status) == (
        "proposal",
        False,
        "awaiting_second_approval",
    )
    with pytest.raises(DecisionError, match="You proposed"):
        decide(session_factory, ravi, claim_id, amount_cents=1_000_000_00)
    confirmed = decide(session_factory, rita, claim_id, amount_cents=1_000_000_00)
    assert (confirmed.kind, confirmed.final, confirmed.status) == (
        "confirmation",
        True,
        "approved",
    )
    with session_factory() as s:
        assert chain(s, claim_id) == [
            ("proposal", rita.user_id, "approve", 150_000_00),
            ("proposal", ravi.user_id, "approve", 1_000_000_00),
            ("confirmation", rita.user_id, "approve", 1_000_000_00),
        ]


def test_a_second_reviewer_cannot_turn_a_rejection_into_a_payout_alone(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita, ravi, raj = (reviewer(s, n) for n in ("Rita", "Ravi", "Raj"))
        claim_id = big_claim(s)
    decide(session_factory, rita, claim_id, approve=False, note="Forged acceptance")
    flipped = decide(session_factory, ravi, claim_id, note="Acceptance is genuine")
    assert (flipped.kind, flipped.final) == ("proposal", False)
    # A third reviewer agreeing with Ravi's proposal makes it final.
    final = decide(session_factory, raj, claim_id)
    assert (final.kind, final.status) == ("confirmation", "approved")


def test_a_confirmation_answers_the_proposal_shown_not_a_newer_one(
    session_factory: sessionmaker[Session],
) -> None:
    """Raj was shown Rita's USD 20,000 proposal; meanwhile Ravi proposed USD 19,000. Raj's
    "confirm 20,000" must not land as a third proposal on top of Ravi's."""
    with session_factory.begin() as s:
        rita, ravi, raj = (reviewer(s, n) for n in ("Rita", "Ravi", "Raj"))
        claim_id = big_claim(s)
    decide(session_factory, rita, claim_id)
    decide(session_factory, ravi, claim_id, amount_cents=19_000_00, note="one pallet missing")
    with pytest.raises(AlreadyDecided, match="Ravi proposed a verdict"):
        decide(session_factory, raj, claim_id, shown_last_seq=1)
    with session_factory() as s:
        assert [d.seq for d in decisions_of(s, claim_id)] == [1, 2]
    # Shown the newer proposal, Raj answers it.
    done = decide(session_factory, raj, claim_id, amount_cents=19_000_00, shown_last_seq=2)
    assert (done.kind, done.amount_cents) == ("confirmation", 19_000_00)


def test_a_decided_claim_is_not_decided_again(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        rita, ravi = reviewer(s), reviewer(s, "Ravi Reviewer")
        claim_id = make_claim(s, external_id="CLM-000777")
    decide(session_factory, rita, claim_id)
    with pytest.raises(AlreadyDecided) as raised:
        decide(session_factory, ravi, claim_id, approve=False)
    message = str(raised.value)
    assert "CLM-000777" in message and "Rita Reviewer" in message
    assert "10 Feb 2025, 09:00 UTC" in message and "approved USD 50.00" in message
    assert raised.value.decided_by == "Rita Reviewer"
    # On a screen the time is the reader's, as every time there: Shanghai is 8 hours ahead.
    told = raised.value.told(ZoneInfo("Asia/Shanghai"))
    assert told == message.replace("10 Feb 2025, 09:00 UTC", "10 Feb 2025, 17:00")
    with session_factory() as s:
        assert len(decisions_of(s, claim_id)) == 1
        assert len(audit_of(s, claim_id)) == 1


def test_a_reviewer_shown_an_undecided_claim_does_not_answer_a_new_proposal(
    session_factory: sessionmaker[Session],
) -> None:
    """Rita proposes while Ravi still looks at the undecided claim."""
    with session_factory.begin() as s:
        rita, ravi = reviewer(s), reviewer(s, "Ravi Reviewer")
        claim_id = big_claim(s)
    decide(session_factory, rita, claim_id, expected_turn=Turn.DECIDE)
    with pytest.raises(AlreadyDecided, match="Rita Reviewer proposed a verdict"):
        decide(session_factory, ravi, claim_id, expected_turn=Turn.DECIDE)
    with session_factory() as s:
        assert [d.kind for d in decisions_of(s, claim_id)] == ["proposal"]


def test_a_changed_recommendation_is_stored_and_the_decision_refused(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s)
    set_order(session_factory, claim_id, shipped_at=utc(2025, 1, 30, 8))  # 10 days late, not 5
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
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s)
        shown_id = s.scalars(
            select(Recommendation.id).where(Recommendation.claim_id == claim_id)
        ).one()
    set_order(session_factory, claim_id, shipped_at=utc(2025, 1, 30, 8))  # 10 days late, not 5
    recompute_recommendations(session_factory, SYSTEM, POLICY, now=NOW)
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


def test_a_change_of_wording_only_decides_on_the_recommendation_shown(
    session_factory: sessionmaker[Session],
) -> None:
    """Not shipped at all: the reason names today's date, so tomorrow it reads differently."""
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s, order={})
        shown = s.scalars(select(Recommendation.id).where(Recommendation.claim_id == claim_id))
        shown_id = shown.one()
    tomorrow = NOW + timedelta(days=1)
    outcome = decide(
        session_factory, rita, claim_id, now=tomorrow, shown_recommendation_id=shown_id
    )
    assert outcome.amount_cents == 500_00
    with session_factory() as s:
        (decision,) = decisions_of(s, claim_id)
        assert decision.recommendation_id == shown_id
        count = s.scalar(select(func.count()).where(Recommendation.claim_id == claim_id))
        assert count == 1


def test_a_clock_running_behind_does_not_block_decisions(
    session_factory: sessionmaker[Session],
) -> None:
    """Issue 9 (6): a server 10 seconds ahead stored a recommendation; then the order changed
    and a server 10 seconds behind stored the new one — dated earlier, but the newest. A
    reviewer shown the newest decides without a "changed since it was shown" refusal."""
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s, recommend=False, order={})  # not shipped: a full refund
        recommend_claims(s, [claim_id], POLICY, now=NOW + timedelta(seconds=10), actor=SYSTEM)
    set_order(session_factory, claim_id, **LATE_5_DAYS, status="shipped")
    with session_factory.begin() as s:
        recommend_claims(s, [claim_id], POLICY, now=NOW - timedelta(seconds=10), actor=SYSTEM)
        newest = max(s.scalars(select(Recommendation.id)).all())
    outcome = decide(
        session_factory,
        rita,
        claim_id,
        now=NOW - timedelta(seconds=5),
        shown_recommendation_id=newest,
    )
    assert (outcome.status, outcome.amount_cents) == ("approved", 50_00)
    with session_factory() as s:
        (decision,) = decisions_of(s, claim_id)
        assert decision.recommendation_id == newest


def test_a_claim_without_a_recommendation_gets_one_before_any_decision(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s, recommend=False)
    with pytest.raises(RecommendationChanged, match="computed just now: approve in part"):
        decide(session_factory, rita, claim_id)
    with session_factory() as s:
        assert decisions_of(s, claim_id) == []
        stored = s.scalars(select(Recommendation).where(Recommendation.claim_id == claim_id))
        assert [r.amount_cents for r in stored] == [50_00]
    assert decide(session_factory, rita, claim_id).status == "approved"


def test_a_refund_re_evaluates_the_orders_other_claims_at_once(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        o = f.order(s, f.supplier(s), f.buyer(s), **LATE_5_DAYS)
        ids = [
            f.claim(s, o, claimed_amount_cents=1_000_00, supplier_response="accepted").id
            for _ in range(2)
        ]
        recommend_claims(s, ids, POLICY, now=NOW, actor=SYSTEM)
        shown = s.scalars(select(Recommendation.id).where(Recommendation.claim_id == ids[1]))
        shown_id = shown.one()
    assert decide(session_factory, rita, ids[0]).amount_cents == 1_000_00
    # The first approval used the order's whole USD 1,000.00: the other claim's recommendation
    # is now to reject, stored in the deciding transaction.
    with session_factory() as s:
        latest = s.scalars(
            select(Recommendation)
            .where(Recommendation.claim_id == ids[1])
            .order_by(Recommendation.id.desc())
        ).first()
        assert latest is not None
        assert (latest.action, latest.cap_cents) == ("reject", 0)
    with pytest.raises(RecommendationChanged, match="changed since it was shown: now reject"):
        decide(session_factory, rita, ids[1], shown_recommendation_id=shown_id)
    outcome = decide(session_factory, rita, ids[1], approve=False)
    assert outcome.status == "rejected"


def test_a_pending_proposal_lapses_when_its_recommendation_changes(
    session_factory: sessionmaker[Session],
) -> None:
    """Issue 9 (3): Rita proposed the recommended full refund; the order then turns out shipped
    (late): the recommendation becomes a partial refund, so Ravi can no longer confirm the
    old figure — the claim is back in review, with the lapsed proposal in its history."""
    with session_factory.begin() as s:
        rita, ravi = reviewer(s), reviewer(s, "Ravi Reviewer")
        # Not shipped at all: a full USD 20,639.00 refund, above the four-eyes threshold.
        claim_id = make_claim(
            s,
            order={"order_amount_cents": 20_639_00, "covered_amount_cents": 20_639_00,
                   "paid_amount_cents": 20_639_00},
            claimed_amount_cents=20_639_00,
            picked_up_at=utc(2025, 2, 9, 9),
            status="in_review",
        )  # fmt: skip
    decide(session_factory, rita, claim_id, expected_turn=Turn.DECIDE)
    with session_factory() as s:
        assert status_of(s, claim_id) == "awaiting_second_approval"
    # The shipping record arrives: shipped 25 days late, 20% of the cap = USD 4,127.80.
    set_order(session_factory, claim_id, shipped_at=utc(2025, 2, 14, 8), status="shipped")
    report = recompute_recommendations(session_factory, SYSTEM, POLICY, now=NOW + timedelta(days=5))
    assert (report.changed, report.lapsed) == (1, 1)
    with session_factory() as s:
        assert status_of(s, claim_id) == "in_review"
        (event,) = audit_of(s, claim_id, "claim_proposal_lapsed")
        assert event.before == {"status": "awaiting_second_approval", "proposal_seq": 1}
        assert event.after is not None and "4,127.80" in event.after["recommendation"]
        assert [d.kind for d in decisions_of(s, claim_id)] == ["proposal"]  # history kept
    with pytest.raises(DecisionError, match="no longer stands"):
        decide(
            session_factory, ravi, claim_id, now=NOW + timedelta(days=5),
            expected_turn=Turn.CONFIRM_OR_PROPOSE, amount_cents=20_639_00,
        )  # fmt: skip
    # Decided afresh on the new recommendation, by anyone (Rita too).
    outcome = decide(session_factory, rita, claim_id, now=NOW + timedelta(days=5))
    assert (outcome.kind, outcome.amount_cents, outcome.status) == ("sole", 4_127_80, "approved")
    with session_factory() as s:
        assert [(d.seq, d.kind) for d in decisions_of(s, claim_id)] == [
            (1, "proposal"),
            (2, "sole"),
        ]


def test_a_confirmation_on_changed_facts_lapses_the_proposal_and_is_refused(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        rita, ravi = reviewer(s), reviewer(s, "Ravi Reviewer")
        claim_id = big_claim(s, picked_up_at=utc(2025, 2, 9, 9), status="in_review")
    decide(session_factory, rita, claim_id)
    set_order(session_factory, claim_id, paid_amount_cents=12_000_00)  # the cap shrinks
    with pytest.raises(RecommendationChanged, match=r"USD 12,000\.00 of a USD 12,000\.00 cap"):
        decide(session_factory, ravi, claim_id, expected_turn=Turn.CONFIRM_OR_PROPOSE)
    with session_factory() as s:
        assert status_of(s, claim_id) == "in_review"
        assert len(audit_of(s, claim_id, "claim_proposal_lapsed")) == 1
        assert [d.kind for d in decisions_of(s, claim_id)] == ["proposal"]


def test_only_active_claim_reviewers_decide(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        ops = reviewer(s, "Olu Ops", role="ops_manager")
        gone = reviewer(s, "Gone Reviewer")
        demoted = reviewer(s, "Demoted Reviewer")
        claim_id = make_claim(s)
        for user_id, fields in ((gone.user_id, {"is_active": False}),
                                (demoted.user_id, {"role": "exec"})):  # fmt: skip
            user = s.get(User, user_id)
            assert user is not None
            for name, value in fields.items():
                setattr(user, name, value)
    ghost = Actor(987_654, "ghost@example.test", "Ghost", Role.CLAIM_REVIEWER)
    with pytest.raises(NotAllowed, match="may not decide claims"):
        decide(session_factory, ops, claim_id)
    # Issue 9 (7): an Actor is a claim made at sign-in; the account is re-read every time.
    with pytest.raises(NotAllowed, match="disabled"):
        decide(session_factory, gone, claim_id)
    with pytest.raises(NotAllowed, match="signed in as exec"):
        decide(session_factory, demoted, claim_id)
    with pytest.raises(NotAllowed, match="no longer exists"):
        decide(session_factory, ghost, claim_id)
    for actor in (ops, gone, demoted, ghost):
        with pytest.raises(NotAllowed):
            bulk_decide(session_factory, actor, [claim_id], POLICY, NOW)
        with pytest.raises(NotAllowed):
            assign_claim(session_factory, actor, claim_id, now=NOW, policy=POLICY)
    with session_factory() as s:
        assert decisions_of(s, claim_id) == []
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0


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
    assert [o.amount_cents for o in outcomes[:2]] == [50_00, 0]
    reasons = [o.message for o in outcomes if not o.ok]
    assert "request evidence" in reasons[0]
    assert "four-eyes" in reasons[1]
    assert "no recommendation" in reasons[2]
    assert "already approved" in reasons[3]
    with session_factory() as s:
        statuses = {i: s.get(Claim, i).status for i in ids}  # type: ignore[union-attr]
        assert statuses[partial] == "approved" and statuses[on_time] == "rejected"
        assert statuses[evidence] == statuses[four_eyes] == statuses[unrecommended] == "open"
        # Each decided claim has its own sole decision and its own audit event.
        for claim_id in (partial, on_time):
            assert [d.kind for d in decisions_of(s, claim_id)] == ["sole"]
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
