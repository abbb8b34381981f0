"""The claim life cycle (rules.lifecycle): who may decide, confirm or propose, and when it ends."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules import (
    Action,
    ClaimStatus,
    DecisionKind,
    PastDecision,
    Reason,
    Recommendation,
    Refusal,
    Ruling,
    Turn,
    bulk_refusal,
    bundled_policy,
    departs_from,
    may_take,
    rule,
    same_substance,
    standing,
    status_after_lapse,
    status_after_pickup,
)

POLICY = bundled_policy("v1")  # four-eyes above USD 10,000.00
SMALL = Recommendation(Action.APPROVE_PARTIAL, 50_00, 500_00, (), "v1", False)
BIG = Recommendation(Action.APPROVE_FULL, 1_000_000_00, 1_000_000_00, (), "v1", True)
REJECT = Recommendation(Action.REJECT, 0, 500_00, (), "v1", False)
EVIDENCE = Recommendation(Action.REQUEST_EVIDENCE, 0, 500_00, (), "v1", False)
RITA, RAVI, RAJ = 1, 2, 3


def past(*steps: tuple[int, bool, int, DecisionKind]) -> list[PastDecision]:
    return [
        PastDecision(seq, reviewer, approve, amount, kind, 7)
        for seq, (reviewer, approve, amount, kind) in enumerate(steps, start=1)
    ]


PROPOSAL = DecisionKind.PROPOSAL
AWAITING = ClaimStatus.AWAITING_SECOND_APPROVAL


@pytest.mark.parametrize(
    ("rec", "approve", "amount", "kind", "status", "note"),
    [
        (SMALL, True, 50_00, DecisionKind.SOLE, ClaimStatus.APPROVED, False),  # as recommended
        (SMALL, True, 80_00, PROPOSAL, AWAITING, True),  # another amount departs
        (SMALL, False, 0, PROPOSAL, AWAITING, True),  # rejecting an approval departs
        (REJECT, False, 0, DecisionKind.SOLE, ClaimStatus.REJECTED, False),
        (REJECT, True, 10_00, PROPOSAL, AWAITING, True),
        (EVIDENCE, False, 0, PROPOSAL, AWAITING, True),  # ends a claim kept open: departs
        (BIG, True, 1_000_000_00, PROPOSAL, AWAITING, False),  # above the threshold only
    ],
)
def test_a_first_verdict(
    rec: Recommendation, approve: bool, amount: int, kind: DecisionKind, status: ClaimStatus,
    note: bool,
) -> None:  # fmt: skip
    ruling = rule("in_review", [], RITA, approve, amount, rec, POLICY)
    assert isinstance(ruling, Ruling)
    assert (ruling.kind, ruling.status_after, ruling.note_required) == (kind, status, note)
    assert ruling.final is (status in (ClaimStatus.APPROVED, ClaimStatus.REJECTED))


@pytest.mark.parametrize(
    ("approve", "amount", "message"),
    [(True, 0, "positive amount"), (True, 500_01, "above the cap"), (False, 1, "no amount")],
)
def test_impossible_verdicts_are_refused(approve: bool, amount: int, message: str) -> None:
    ruling = rule("open", [], RITA, approve, amount, SMALL, POLICY)
    assert isinstance(ruling, Refusal) and message in ruling.message


def test_a_second_reviewer_who_agrees_confirms() -> None:
    chain = past((RITA, True, 1_000_000_00, PROPOSAL))
    ruling = rule(AWAITING, chain, RAVI, True, 1_000_000_00, BIG, POLICY)
    assert isinstance(ruling, Ruling)
    assert (ruling.kind, ruling.status_after, ruling.final) == (
        DecisionKind.CONFIRMATION,
        ClaimStatus.APPROVED,
        True,
    )


@pytest.mark.parametrize(
    ("approve", "amount"), [(True, 999_999_99), (False, 0), (True, 1_000_000_00 - 1)]
)
def test_a_second_reviewer_who_disagrees_proposes(approve: bool, amount: int) -> None:
    chain = past((RITA, True, 150_000_00, PROPOSAL))
    ruling = rule(AWAITING, chain, RAVI, approve, amount, BIG, POLICY)
    assert isinstance(ruling, Ruling)
    assert (ruling.kind, ruling.status_after, ruling.note_required) == (PROPOSAL, AWAITING, True)
    assert "differs from the pending proposal" in ruling.note_reason


def test_nobody_confirms_their_own_proposal_but_the_first_may_confirm_the_second() -> None:
    chain = past((RITA, True, 150_000_00, PROPOSAL), (RAVI, True, 200_000_00, PROPOSAL))
    own = rule(AWAITING, chain, RAVI, True, 200_000_00, BIG, POLICY)
    assert isinstance(own, Refusal) and "You proposed" in own.message
    back = rule(AWAITING, chain, RITA, True, 200_000_00, BIG, POLICY)
    assert isinstance(back, Ruling) and back.kind is DecisionKind.CONFIRMATION


@pytest.mark.parametrize(
    ("status", "viewer", "turn", "blocked"),
    [
        ("open", RITA, Turn.DECIDE, ""),
        ("approved", RITA, None, "not decided again"),
        ("rejected", RAVI, None, "not decided again"),
        ("withdrawn", RITA, None, "withdrew"),
    ],
)
def test_standing(status: str, viewer: int, turn: Turn | None, blocked: str) -> None:
    here = standing(status, [], viewer)
    assert here.turn is turn and blocked in here.blocked


def test_standing_names_the_pending_and_the_lapsed_proposal() -> None:
    chain = past((RITA, True, 80_00, PROPOSAL))
    waiting = standing(AWAITING, chain, RAVI)
    assert (waiting.turn, waiting.pending, waiting.lapsed) == (
        Turn.CONFIRM_OR_PROPOSE,
        chain[0],
        None,
    )
    assert standing(AWAITING, chain, RITA).turn is None
    # Back in review: the proposal on the claim lapsed; anyone (Rita too) decides afresh.
    back = standing("in_review", chain, RITA)
    assert (back.turn, back.pending, back.lapsed) == (Turn.DECIDE, None, chain[0])


def test_status_after_a_lapse_is_where_the_dispute_clock_was() -> None:
    assert status_after_lapse(escalated=True, picked_up=True) is ClaimStatus.IN_REVIEW
    assert status_after_lapse(escalated=False, picked_up=True) is ClaimStatus.IN_REVIEW
    assert status_after_lapse(escalated=True, picked_up=False) is ClaimStatus.ESCALATED
    assert status_after_lapse(escalated=False, picked_up=False) is ClaimStatus.OPEN


def test_taking_and_picking_up() -> None:
    assert may_take("open") and may_take("awaiting_second_approval")
    assert not may_take("approved") and not may_take("withdrawn")
    assert status_after_pickup("escalated", escalated_now=True) is ClaimStatus.IN_REVIEW
    assert status_after_pickup("open", escalated_now=False) is ClaimStatus.OPEN
    assert status_after_pickup(AWAITING, escalated_now=True) is AWAITING


@pytest.mark.parametrize(
    ("status", "action", "four_eyes", "refusal"),
    [
        ("open", "approve_partial", False, None),
        ("in_review", "reject", False, None),
        ("open", "request_evidence", False, "request evidence"),
        ("open", "approve_full", True, "four-eyes"),
        ("open", None, False, "no recommendation"),
        (AWAITING, "approve_partial", False, "second reviewer"),
        ("approved", "approve_partial", False, "already approved"),
    ],
)
def test_bulk_refusal(
    status: str, action: str | None, four_eyes: bool, refusal: str | None
) -> None:
    got = bulk_refusal(status, action, four_eyes)
    assert got is None if refusal is None else refusal in (got or "")


def test_same_substance_ignores_only_the_wording_and_the_version() -> None:
    worded = replace(SMALL, reasons=(Reason("SHIPPED_LATE", "on 2025-02-05 …"),))
    reworded = replace(SMALL, reasons=(Reason("SHIPPED_LATE", "on 2025-02-06 …"),))
    assert same_substance(worded, reworded)
    assert same_substance(worded, replace(reworded, policy_version="v2"))
    for change in (
        {"amount_cents": 51_00},
        {"cap_cents": 400_00},
        {"action": Action.APPROVE_FULL},
        {"four_eyes_required": True},
        {"reasons": (Reason("NOT_SHIPPED", "…"),)},
    ):
        assert not same_substance(worded, replace(worded, **change))


# --- sequences -------------------------------------------------------------------------------

_REVIEWERS = st.sampled_from([RITA, RAVI, RAJ])
_RECS = st.sampled_from([SMALL, BIG, REJECT, EVIDENCE])
_AMOUNTS = st.sampled_from([0, 1, 50_00, 80_00, 500_00, 150_000_00, 1_000_000_00])


@settings(max_examples=400, deadline=None)
@given(
    rec=_RECS,
    attempts=st.lists(st.tuples(_REVIEWERS, st.booleans(), _AMOUNTS), min_size=1, max_size=8),
)
def test_every_final_claim_has_the_people_it_needs(
    rec: Recommendation, attempts: list[tuple[int, bool, int]]
) -> None:
    """Whatever reviewers try in whatever order, a claim ends only (a) by one reviewer following
    the recommendation within the four-eyes threshold, or (b) by two different reviewers
    agreeing on the same verdict and amount; nothing follows a final decision."""
    status: str = ClaimStatus.IN_REVIEW
    chain: list[PastDecision] = []
    for reviewer, approve, amount in attempts:
        amount = amount if approve else 0
        ruling = rule(status, chain, reviewer, approve, amount, rec, POLICY)
        if isinstance(ruling, Refusal):
            continue
        assert status not in ("approved", "rejected")  # a decided claim is never decided again
        chain.append(PastDecision(len(chain) + 1, reviewer, approve, amount, ruling.kind, 7))
        status = ruling.status_after
        if not ruling.final:
            continue
        last = chain[-1]
        if last.kind is DecisionKind.SOLE:
            assert not departs_from(rec, approve, amount)
            assert not (approve and amount > POLICY.four_eyes_threshold_cents)
        else:
            assert last.kind is DecisionKind.CONFIRMATION
            proposal = chain[-2]
            assert proposal.kind is DecisionKind.PROPOSAL
            assert proposal.reviewer_id != last.reviewer_id
            assert (proposal.approve, proposal.amount_cents) == (last.approve, last.amount_cents)
        assert status == ("approved" if approve else "rejected")
