"""Sequences, not steps: random runs of proposals, confirmations, counter-proposals, sole
decisions, changed facts, recomputations and re-imports, on SQLite and PostgreSQL.

After every step: every final claim has the people it needs (one reviewer following the
recommendation within the four-eyes threshold, or two different reviewers agreeing on verdict and
amount), no order's approved refunds exceed min(covered, paid), a pending proposal always
answers the recommendation standing now, and every daily summary (the refunds per order cohort
among them: a final approval adds to it, a re-import may move the order's month) equals a count
from the base tables.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from data_access import summaries
from data_access.claim_facts import approved_refunds_by_order
from data_access.models import Claim, Decision, Order, Recommendation
from rules import Action, Reason, Turn, bundled_policy, departs_from
from rules import Recommendation as Rec
from services.auth import Actor, Role
from services.claims.decide import DecisionError, decide_claim
from services.claims.recommendations import recommend_claims, recompute_recommendations
from services.importing import import_file
from tests import factories as f
from tests.factories import utc

POLICY = bundled_policy("v1")  # four-eyes above USD 10,000.00
START = utc(2025, 2, 10, 9)
SYSTEM = Actor.system("sequences")
#: Summaries kept in two zones: the order's placing moves between months in one of them only.
ZONES_KEPT = {"UTC": 30, "Asia/Shanghai": 30}
ORDER_HEADER = (
    "external_id,supplier_external_id,buyer_external_id,buyer_name,buyer_country,category,"
    "payment_method,currency,order_amount,covered_amount,paid_amount,placed_at,ship_by,"
    "shipped_at,delivered_at,cancelled_at,status\n"
)


@dataclass
class World:
    reviewers: list[Actor]
    claims: list[int]
    order_id: int


def _world(factory: sessionmaker[Session]) -> World:
    """One order of USD 30,000.00 with three claims on it: a large one (four-eyes), a small
    one and one the supplier accepted; shipped 5 days late."""
    with factory.begin() as s:
        users = [f.user(s, display_name=name) for name in ("Rita", "Ravi", "Raj")]
        reviewers = [Actor(u.id, u.email, u.display_name, Role.CLAIM_REVIEWER) for u in users]
        sup = f.supplier(s, external_id="SUP-SEQ")
        buy = f.buyer(s, external_id="BUY-SEQ", name="Buyer Seq", country="DE")
        order = f.order(
            s, sup, buy, external_id="ORD-SEQ", order_amount_cents=30_000_00,
            covered_amount_cents=30_000_00, paid_amount_cents=30_000_00,
            shipped_at=utc(2025, 1, 25, 8), status="shipped",
        )  # fmt: skip
        claims = [
            f.claim(s, order, claimed_amount_cents=25_000_00, supplier_response="accepted"),
            f.claim(s, order, claimed_amount_cents=500_00),
            f.claim(s, order, claimed_amount_cents=4_000_00, supplier_response="accepted"),
        ]
        ids = [c.id for c in claims]
        recommend_claims(s, ids, POLICY, now=START, actor=SYSTEM)
        summaries.rebuild(s, ZONES_KEPT, START)
        return World(reviewers, ids, order.id)


def _reimport(
    factory: sessionmaker[Session], paid: int, shipped_day: int, placed: str, now: datetime
) -> None:
    """An orders file with a new paid amount, shipping day and placing for the order (may be
    refused)."""
    row = (
        f"ORD-SEQ,SUP-SEQ,BUY-SEQ,Buyer Seq,DE,Machinery,tt,USD,30000.00,30000.00,"
        f"{paid // 100}.{paid % 100:02d},{placed},2025-01-20,"
        f"2025-01-{shipped_day:02d}T08:00:00Z,,,shipped\n"
    )
    import_file(
        factory, SYSTEM, "orders", io.BytesIO((ORDER_HEADER + row).encode()),
        file_name="orders.csv", now=now,
    )  # fmt: skip


_step = st.one_of(
    st.tuples(
        st.just("decide"),
        st.integers(0, 2),  # reviewer
        st.integers(0, 2),  # claim
        st.booleans(),  # approve
        st.sampled_from([None, 100_00, 4_000_00, 12_000_00, 25_000_00]),  # amount (None: rec'd)
    ),
    st.tuples(st.just("confirm"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(
        st.just("reimport"),
        st.sampled_from([30_000_00, 20_000_00, 5_000_00, 100_00]),  # paid
        st.sampled_from([21, 25, 30]),  # shipped on 2025-01-xx (ship-by the 20th)
        # Placed in January everywhere, or on 31 December in UTC and 1 January in Shanghai.
        st.sampled_from(["2025-01-01T09:00:00Z", "2024-12-31T20:00:00Z"]),
    ),
    st.tuples(st.just("recompute")),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(_step, min_size=1, max_size=12))
def test_random_sequences_keep_the_money_invariants(
    engine: Engine, session_factory: sessionmaker[Session], steps: list[tuple[Any, ...]]
) -> None:
    f.empty_database(engine)
    world = _world(session_factory)
    now = START
    for step in steps:
        now += timedelta(minutes=7)
        kind = step[0]
        if kind in ("decide", "confirm"):
            reviewer = world.reviewers[step[1]]
            claim_id = world.claims[step[2]]
            kwargs: dict[str, Any]
            if kind == "decide":
                approve, amount = bool(step[3]), step[4]
                kwargs = {"approve": approve, "amount_cents": amount if approve else None}
            else:
                pending = _pending(session_factory, claim_id)
                if pending is None:
                    continue
                kwargs = {
                    "approve": pending.verdict == "approve",
                    "amount_cents": pending.amount_cents if pending.verdict == "approve" else None,
                    "expected_turn": Turn.CONFIRM_OR_PROPOSE,
                }
            # Refused or changed under the reviewer: the invariants must hold all the same.
            with contextlib.suppress(DecisionError):
                decide_claim(
                    session_factory, reviewer, claim_id, note="because", policy=POLICY,
                    now=now, **kwargs,
                )  # fmt: skip
        elif kind == "reimport":
            _reimport(session_factory, step[1], step[2], step[3], now)
        else:
            recompute_recommendations(session_factory, SYSTEM, POLICY, now=now)
        _check(session_factory, world)


def _pending(factory: sessionmaker[Session], claim_id: int) -> Decision | None:
    with factory() as s:
        claim = s.get(Claim, claim_id)
        assert claim is not None
        if claim.status != "awaiting_second_approval":
            return None
        return s.scalars(
            select(Decision).where(Decision.claim_id == claim_id).order_by(Decision.seq.desc())
        ).first()


def _as_rec(row: Recommendation) -> Rec:
    return Rec(
        Action(row.action), row.amount_cents, row.cap_cents,
        tuple(Reason(r["code"], r["message"]) for r in row.reasons), row.policy_version,
        row.four_eyes_required,
    )  # fmt: skip


def _check(factory: sessionmaker[Session], world: World) -> None:
    with factory() as s:
        for zone in ZONES_KEPT:
            for table in summaries.TABLES:
                stored = summaries.stored_rows(s, table, zone)
                assert stored == summaries.aggregated_rows(s, table, zone), (table, zone)
        order = s.get(Order, world.order_id)
        assert order is not None
        refunded = approved_refunds_by_order(s, [order.id]).get(order.id, 0)
        assert refunded <= min(order.covered_amount_cents, order.paid_amount_cents)
        for claim_id in world.claims:
            claim = s.get(Claim, claim_id)
            assert claim is not None
            chain = list(
                s.scalars(
                    select(Decision).where(Decision.claim_id == claim_id).order_by(Decision.seq)
                )
            )
            assert [d.seq for d in chain] == list(range(1, len(chain) + 1))
            finals = [d for d in chain if d.kind in ("sole", "confirmation")]
            if claim.status in ("approved", "rejected"):
                (final,) = finals
                assert final is chain[-1]
                assert final.verdict == ("approve" if claim.status == "approved" else "reject")
                rec = s.get(Recommendation, final.recommendation_id)
                assert rec is not None
                if final.kind == "sole":
                    assert not departs_from(
                        _as_rec(rec), final.verdict == "approve", final.amount_cents
                    )
                    assert final.amount_cents <= POLICY.four_eyes_threshold_cents
                else:
                    proposal = chain[-2]
                    assert proposal.kind == "proposal"
                    assert proposal.reviewer_id != final.reviewer_id
                    assert (proposal.verdict, proposal.amount_cents) == (
                        final.verdict,
                        final.amount_cents,
                    )
                    assert proposal.recommendation_id == final.recommendation_id
            else:
                assert finals == []
            if claim.status == "awaiting_second_approval":
                pending = chain[-1]
                assert pending.kind == "proposal"
                answered = s.get(Recommendation, pending.recommendation_id)
                latest = s.scalars(
                    select(Recommendation)
                    .where(Recommendation.claim_id == claim_id)
                    .order_by(Recommendation.id.desc())
                ).first()
                assert answered is not None and latest is not None
                assert replace(_as_rec(answered), reasons=()) == replace(
                    _as_rec(latest), reasons=()
                )
                assert [r["code"] for r in answered.reasons] == [r["code"] for r in latest.reasons]


def test_the_sequence_world_can_reach_every_ending(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    """Guard against a property that holds because nothing ever happens: one scripted run
    reaches a confirmation, a sole decision, a refused re-import and one moving the order's
    month."""
    world = _world(session_factory)
    rita, ravi, _raj = world.reviewers
    big, small, _accepted = world.claims
    decide_claim(session_factory, rita, big, approve=True, amount_cents=None, note="",
                 policy=POLICY, now=START)  # fmt: skip
    out = decide_claim(session_factory, ravi, big, approve=True, amount_cents=None, note="",
                       policy=POLICY, now=START)  # fmt: skip
    assert out.kind == "confirmation"
    out = decide_claim(session_factory, rita, small, approve=True, amount_cents=None, note="",
                       policy=POLICY, now=START)  # fmt: skip
    assert out.kind == "sole"
    _reimport(session_factory, 100_00, 25, "2024-12-31T20:00:00Z", START)
    with session_factory() as s:
        order = s.get(Order, world.order_id)
        assert order is not None and order.paid_amount_cents == 30_000_00  # refused
    _check(session_factory, world)
    # Accepted: the order now placed on 31 December in UTC, 1 January in Shanghai. The two
    # refunds move to the December cohort in UTC only.
    _reimport(session_factory, 30_000_00, 25, "2024-12-31T20:00:00Z", START)
    _check(session_factory, world)
    with session_factory() as s:
        cohorts = {
            zone: {row[2] for row in summaries.stored_rows(s, "summary_refund_days", zone)}
            for zone in ZONES_KEPT
        }
    assert cohorts == {"UTC": {date(2024, 12, 1)}, "Asia/Shanghai": {date(2025, 1, 1)}}


pytestmark = pytest.mark.slow
