"""Concurrency: reviewers racing on the same claims, and a connection dying mid-decision."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import AuditEvent, Claim, Decision, Recommendation
from rules import Turn
from services import audit
from services.auth import Actor
from services.claims.deadlines import refresh_due
from services.claims.decide import AlreadyDecided, DecisionNotSaved, decide_claim
from services.claims.recommendations import recommend_claims
from tests import factories as f
from tests.integration.test_decisions import LATE_5_DAYS, NOW, POLICY, decide, make_claim, reviewer

CLAIMS = 100
THREADS = 8


def test_racing_reviewers_store_exactly_one_decision_per_claim(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as s:
        actors = [reviewer(s, f"Reviewer {n}") for n in range(THREADS)]
        sup, buy = f.supplier(s), f.buyer(s)
        # Each claim on an order of its own, shipped 5 days late: approve USD 50.00, below the
        # four-eyes threshold, so the first decision is final.
        ids = [f.claim(s, f.order(s, sup, buy, **LATE_5_DAYS)).id for _ in range(CLAIMS)]
        recommend_claims(s, ids, POLICY, now=NOW, actor=Actor.system("test"))

    start = threading.Barrier(THREADS)

    def work(actor: Actor, seed: int) -> Counter[str]:
        tally: Counter[str] = Counter()
        order = ids[:]
        random.Random(seed).shuffle(order)
        start.wait()
        for claim_id in order:
            try:
                decide_claim(
                    session_factory,
                    actor,
                    claim_id,
                    approve=True,
                    amount_cents=None,
                    note="",
                    policy=POLICY,
                    now=NOW,
                    expected_turn=Turn.DECIDE,
                )
            except AlreadyDecided as error:
                assert "Reviewer" in str(error)  # the loser is told who decided
                tally["already_decided"] += 1
            else:
                tally["decided"] += 1
        return tally

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(work, actor, n) for n, actor in enumerate(actors)]
        totals = sum((future.result() for future in futures), Counter())

    assert totals == {"decided": CLAIMS, "already_decided": (THREADS - 1) * CLAIMS}
    with session_factory() as s:
        per_claim = Counter(s.scalars(select(Decision.claim_id)).all())
        assert per_claim == dict.fromkeys(ids, 1)  # none lost, none doubled
        statuses = Counter(s.scalars(select(Claim.status)).all())
        assert statuses == {"approved": CLAIMS}
        events = s.scalar(
            select(func.count()).where(AuditEvent.action == "claim_decided").select_from(AuditEvent)
        )
        assert events == CLAIMS


def _drop_connection(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
    else:
        connection.connection.dbapi_connection.close()  # type: ignore[union-attr]


def test_a_connection_dropped_mid_decision_leaves_nothing_half_written(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_factory.begin() as s:
        rita = reviewer(s)
        claim_id = make_claim(s)
        refresh_due(s, [claim_id], POLICY, NOW)
    with session_factory() as s:
        before = s.get(Claim, claim_id)
        assert before is not None
        due_before = (before.status, before.due_at, before.due_label, before.assignee_id)

    real_record = audit.record
    reached: list[int] = []

    def record_after_dropping(session: Session, *args: object, **kwargs: object) -> object:
        # By now the decision row is inserted and the claim updated, in the open transaction.
        flushed = session.scalar(select(func.count()).where(Decision.claim_id == claim_id))
        reached.append(int(flushed or 0))
        _drop_connection(session)
        return real_record(session, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(audit, "record", record_after_dropping)
    with pytest.raises(DecisionNotSaved, match="nothing was recorded"):
        decide(session_factory, rita, claim_id)
    assert reached == [1]
    monkeypatch.setattr(audit, "record", real_record)

    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Decision)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0
        assert s.scalar(select(func.count()).select_from(Recommendation)) == 1
        after = s.get(Claim, claim_id)
        assert after is not None
        assert (after.status, after.due_at, after.due_label, after.assignee_id) == due_before
        assert after.decided_at is None

    outcome = decide(session_factory, rita, claim_id)  # the retry gets a healthy connection
    assert outcome.status == "approved"
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Decision)) == 1


def test_racing_second_reviewers_make_one_confirmation(
    session_factory: sessionmaker[Session],
) -> None:
    """Four reviewers answer the same proposal at once, some confirming, some proposing another
    amount: exactly one of them goes first; the claim is final only if that one confirmed."""
    from tests.integration.test_decisions import big_claim

    with session_factory.begin() as s:
        proposer = reviewer(s, "Proposer")
        others = [reviewer(s, f"Second {n}") for n in range(4)]
        claim_id = big_claim(s)
    decide(session_factory, proposer, claim_id)
    start = threading.Barrier(len(others))

    def answer(n: int) -> str:
        start.wait()
        amount = 20_000_00 if n % 2 == 0 else 19_000_00
        try:
            outcome = decide(
                session_factory, others[n], claim_id, amount_cents=amount, note="checked",
                expected_turn=Turn.CONFIRM_OR_PROPOSE, shown_last_seq=1,
            )  # fmt: skip
        except AlreadyDecided:
            return "lost"
        return str(outcome.kind)

    with ThreadPoolExecutor(len(others)) as pool:
        results = list(pool.map(answer, range(len(others))))
    winners = [r for r in results if r != "lost"]
    assert len(winners) == 1, results
    with session_factory() as s:
        kinds = [d.kind for d in s.scalars(select(Decision).order_by(Decision.seq))]
        claim = s.get(Claim, claim_id)
        assert claim is not None
    assert kinds == ["proposal", winners[0]]
    expected = "approved" if winners[0] == "confirmation" else "awaiting_second_approval"
    assert claim.status == expected
