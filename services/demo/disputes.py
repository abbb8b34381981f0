"""Each demo claim walked through its dispute clock, as :mod:`rules` would have run it.

A claim is filed with its evidence and amount (what the buyer writes follows what happened to
the order), then walks ``rules.claim_deadlines``: the supplier's response, escalation, pick-up,
the first decision and, where four-eyes applies, the second, on the calendar of the programme's
time zone. Where the walk stands at ``cut`` (00:00 of the demo's today in that zone) is the
claim's status, so recent claims are open with deadlines in the coming days. The
recommendation is the rules module's own, computed on the order as it was known then, and
reviewers mostly follow it. Claims aimed at an undecided status (the queue top-up of
:mod:`~services.demo.claims`) get their clock bent so they stand in it at ``cut``.

This is the one per-claim Python loop of the generator — claims are a few percent of orders and
each needs ``rules.recommend`` — so all its random numbers are drawn up front as arrays, and the
walk itself draws nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import numpy as np

from rules import (
    ClaimFacts,
    ClaimKind,
    OrderFacts,
    Policy,
    Recommendation,
    SupplierResponse,
    add_working_days,
    claim_deadlines,
    needs_second_approval,
    recommend,
    same_substance,
)
from services.demo.catalogue import (
    APPROVE_NOTES,
    DEPART_APPROVE_NOTE,
    DEPART_REJECT_NOTE,
    EVIDENCE_REJECT_NOTE,
    REJECT_NOTES,
    REVIEWER_IDS,
    SECOND_NOTE,
)
from services.demo.columns import BoolArray, IntArray
from services.demo.filings import draw_inspections, file_claim
from services.demo.orders import Orders
from services.demo.timeline import (
    NAT,
    US_PER_DAY,
    US_PER_HOUR,
    US_PER_SECOND,
    to_datetime,
    to_us,
)

__all__ = ["KINDS", "ClaimRecord", "walk_claims"]

#: Claim kinds by the index the candidates use (0 late, 1 quality, 2 non-delivery).
KINDS = ("late_shipment", "quality", "non_delivery")


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """One walked claim: its row, its recommendation rows and its decision rows (no ids yet)."""

    filed_us: int
    status: str
    claim: dict[str, Any]
    recommendations: list[dict[str, Any]]
    decisions: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class _Evidence:
    """A claim's own facts, as the buyer filed them and the supplier answered."""

    kind: ClaimKind
    filed_at: datetime
    claimed_cents: int
    response: str
    responded_us: int | None
    report: bool
    defect_bp: int | None
    conforming: bool | None
    fee_cents: int


def walk_claims(
    rng: np.random.Generator,
    cut: int,
    today: date,
    policy: Policy,
    orders: Orders,
    poor: BoolArray,
    order_idx: IntArray,
    kind: IntArray,
    filed: IntArray,
    forced: list[str | None],
    withdraw: BoolArray,
    zone: tzinfo,
) -> list[ClaimRecord]:
    """Walk each claim through the dispute clock; ``forced`` aims it at a status.

    Claim ``i`` is on order ``order_idx[i]``, of kind ``kind[i]``, filed at ``filed[i]`` (us);
    ``poor[i]`` says its supplier is a poor one; ``withdraw[i]`` withdraws it if it can be.
    Days and working days are those of the programme's time zone ``zone``, as the app counts
    them: otherwise a decision the walk made on time could show as late, and a recommendation
    the walk stored could differ from the daily recompute's and lapse a pending proposal.
    """
    c = len(order_idx)
    draws = rng.random((c, 16))
    # The walk reads its draws as Python floats: the same doubles, several times cheaper to
    # compute with than NumPy scalars. (Filing keeps the NumPy row: its inspection flag is a
    # NumPy bool in the rows, and the pinned fingerprint counts types.)
    draw_rows: list[list[float]] = draws.tolist()
    inspections = draw_inspections(rng, poor)
    holidays = frozenset(policy.holidays)

    records: list[ClaimRecord] = []
    for i in range(c):
        u = draw_rows[i]
        o = int(order_idx[i])
        k = int(kind[i])
        target = forced[i]
        filed_us = int(filed[i])
        filed_at = to_datetime(filed_us)
        filing = file_claim(orders, o, k, filed_us, draws[i], poor[i], inspections, i)

        # The dispute clock: response, escalation, pick-up, decision(s).
        clock = claim_deadlines(filed_at, None, None, policy, zone)
        r = u[5]
        response = "accepted" if r < 0.2 else "disputed" if r < 0.75 else "none"
        responded_us: int | None = None
        if response != "none":
            responded_us = filed_us + int((0.05 + u[6] * 2.9) * US_PER_DAY)
        if target == "open":
            response = "none" if response == "accepted" else response
        if target in ("escalated", "in_review", "awaiting_second_approval"):
            response = "disputed" if response == "accepted" else response
        may_from, auto = to_us(clock.buyer_may_escalate_from), to_us(clock.auto_escalation_at)
        escalated_us: int | None = None
        if response == "accepted":
            start = responded_us
        else:
            if u[7] < 0.45:
                escalated_us = may_from + int(u[8] * (auto - may_from))
            else:
                escalated_us = auto + int(u[8] * 20 * 60 * US_PER_SECOND)
            start = escalated_us
        assert start is not None
        pickup_due = to_us(
            add_working_days(to_datetime(start), policy.pickup_working_days, holidays, zone)
        )
        picked_us = start + int(u[9] * (pickup_due - start))
        if u[10] < 0.08:  # the team sometimes misses the pick-up deadline
            picked_us = pickup_due + int(u[9] * US_PER_DAY)
        decision_due = to_us(
            add_working_days(to_datetime(picked_us), policy.decision_working_days, holidays, zone)
        )
        first_us = picked_us + int((0.05 + 0.9 * u[11]) * (decision_due - picked_us))
        if target is not None:
            escalated_us, picked_us, first_us = _aim(
                target, cut, may_from, escalated_us, picked_us, first_us, u
            )

        # The recommendation, with the order as it was known when it was computed: at the
        # filing for a claim decided since, else now (as the daily recompute would).
        has_first = first_us < cut
        evidence = _Evidence(
            ClaimKind(KINDS[k]), filed_at, filing.claimed, response, responded_us, filing.report,
            filing.defect, filing.conforming, filing.fee,
        )  # fmt: skip
        rec_us = filed_us + 2 * 60 * US_PER_SECOND if has_first else cut
        day = filed_at.astimezone(zone).date() if has_first else today
        rec = _recommend(orders, policy, zone, o, evidence, rec_us, day)

        # The reviewer mostly follows the recommendation.
        approve, decided_amount, note = _verdict(rec, u[12] >= 0.07, u[13])
        four_eyes = needs_second_approval(rec, approve, decided_amount, policy)
        if target == "awaiting_second_approval" and not four_eyes:
            # Aim for a four-eyes case: a verdict that departs from the recommendation.
            approve, decided_amount, note = _verdict(rec, False, u[13])
            four_eyes = needs_second_approval(rec, approve, decided_amount, policy)
        second_us = first_us
        if four_eyes:
            second_us += int((0.05 + 1.5 * u[14]) * US_PER_DAY)
            if target == "awaiting_second_approval":
                second_us = max(second_us, cut + US_PER_HOUR)
        withdrawn_us: int | None = None
        if target is None and withdraw[i]:
            until = min(start, first_us)
            withdrawn_us = filed_us + int((0.2 + 0.8 * u[15]) * (until - filed_us))
            if withdrawn_us >= cut:
                withdrawn_us = None

        if withdrawn_us is not None:
            status = "withdrawn"
        elif second_us < cut:
            status = "approved" if approve else "rejected"
        elif has_first and four_eyes:
            status = "awaiting_second_approval"
        elif picked_us < cut:
            status = "in_review"
        elif escalated_us is not None and escalated_us < cut:
            status = "escalated"
        else:
            status = "open"
        # A proposal still pending must answer the recommendation as it stands now (the
        # daily recompute would store a different one and lapse it): either the order moved
        # on since (a shipment, a delivery), and the proposal lapsed — the claim is back in
        # review with both recommendations in its history — or, for a claim aimed at this
        # status, the reviewer proposed on today's figures.
        later: Recommendation | None = None
        if status == "awaiting_second_approval":
            now_rec = _recommend(orders, policy, zone, o, evidence, cut, today)
            if not same_substance(rec, now_rec):
                if target == "awaiting_second_approval":
                    rec, rec_us = now_rec, first_us - 2 * 60 * US_PER_SECOND
                    approve, decided_amount, note = _verdict(rec, False, u[13])
                else:
                    status, later = "in_review", now_rec
        end = withdrawn_us if withdrawn_us is not None else cut

        def seen(moment: int | None, end: int = end) -> datetime | None:
            return None if moment is None or moment >= end else to_datetime(moment)

        reviewer = REVIEWER_IDS[int(u[15] * 2)]
        other = REVIEWER_IDS[1 - REVIEWER_IDS.index(reviewer)]
        in_hands = status in ("in_review", "awaiting_second_approval", "approved", "rejected")
        shown_response = response if seen(responded_us) is not None else "none"

        decisions: list[dict[str, Any]] = []
        if status in ("approved", "rejected", "awaiting_second_approval") or later is not None:
            first_kind = "proposal" if four_eyes else "sole"
            steps = [(1, first_kind, reviewer, first_us, note)]
            if four_eyes and status in ("approved", "rejected"):
                steps.append((2, "confirmation", other, second_us, SECOND_NOTE))
            for seq, decision_kind, who, at, text_note in steps:
                decisions.append(
                    {
                        "seq": seq,
                        "kind": decision_kind,
                        "reviewer_id": who,
                        "verdict": "approve" if approve else "reject",
                        "amount_cents": decided_amount,
                        "cap_cents": rec.cap_cents,
                        "note": text_note,
                        "decided_at": to_datetime(at),
                    }
                )
        claim = {
            "order_id": o + 1,
            "kind": KINDS[k],
            "filed_at": filed_at,
            "claimed_amount_cents": filing.claimed,
            "description": filing.text,
            "inspection_report": filing.report,
            "defect_rate_bp": filing.defect,
            "conforming": filing.conforming,
            "inspection_fee_cents": filing.fee,
            "supplier_response": shown_response,
            "supplier_responded_at": seen(responded_us) if shown_response != "none" else None,
            "status": status,
            "escalated_at": seen(escalated_us) if status != "open" else None,
            "picked_up_at": seen(picked_us) if in_hands else None,
            "decided_at": to_datetime(second_us) if status in ("approved", "rejected") else None,
            "withdrawn_at": seen(withdrawn_us, cut),
            "assignee_id": reviewer if in_hands else None,
        }
        recommendations = [_recommendation_row(rec, rec_us)]
        if later is not None:
            recommendations.append(_recommendation_row(later, cut))
        records.append(ClaimRecord(filed_us, status, claim, recommendations, decisions))
    return records


def _recommend(
    orders: Orders,
    policy: Policy,
    zone: tzinfo,
    o: int,
    claim: _Evidence,
    moment: int,
    day: date,
) -> Recommendation:
    """The rules module's answer for a claim on order ``o``, with what was known before
    ``moment`` (microseconds) on the calendar ``day`` of ``zone``."""
    shipped_us = int(orders.shipped_at[o])
    delivered_us = int(orders.delivered_at[o])
    cancelled_us = int(orders.cancelled_at[o])

    def seen(value: int) -> datetime | None:
        return None if value == NAT or value > moment else to_datetime(value)

    order = OrderFacts(
        covered_amount_cents=int(orders.covered[o]),
        paid_amount_cents=int(orders.paid[o]),
        already_refunded_cents=0,  # at most one claim per order
        ship_by=date(1970, 1, 1) + timedelta(days=int(orders.ship_by[o])),
        shipped_at=seen(shipped_us),
        delivered_at=seen(delivered_us),
        cancelled_at=seen(cancelled_us),
    )
    responded = claim.responded_us
    facts = ClaimFacts(
        kind=claim.kind,
        filed_at=claim.filed_at,
        claimed_amount_cents=claim.claimed_cents,
        supplier_response=SupplierResponse(
            claim.response if responded is not None and responded < moment else "none"
        ),
        inspection_report=claim.report,
        defect_rate_bp=claim.defect_bp,
        conforming=claim.conforming,
        inspection_fee_cents=claim.fee_cents,
    )
    return recommend(facts, order, policy, day, zone)


def _recommendation_row(rec: Recommendation, created_us: int) -> dict[str, Any]:
    return {
        "policy_version": rec.policy_version,
        "action": str(rec.action),
        "amount_cents": rec.amount_cents,
        "cap_cents": rec.cap_cents,
        "reasons": [{"code": str(x.code), "message": x.message} for x in rec.reasons],
        "four_eyes_required": rec.four_eyes_required,
        "created_at": to_datetime(created_us),
    }


def _aim(
    target: str,
    cut: int,
    may_from: int,
    escalated: int | None,
    picked: int,
    first: int,
    u: Sequence[float],
) -> tuple[int | None, int, int]:
    """Bend a top-up claim's clock so that on ``cut`` it stands in ``target``."""
    never = cut + 365 * US_PER_DAY
    if target == "open":
        return None, never, never
    # Escalated before cut: between 'may escalate' and an hour before cut.
    lo = min(may_from, cut - US_PER_HOUR)
    esc = (
        escalated
        if escalated is not None and escalated < cut - US_PER_HOUR
        else lo + int(u[8] * (cut - US_PER_HOUR - lo))
    )
    if target == "escalated":
        return esc, never, never
    pick = picked if picked < cut else esc + int(u[9] * (cut - esc))
    pick = max(pick, esc + 60 * US_PER_SECOND)
    if target == "in_review":
        return esc, min(pick, cut - 2 * 60 * US_PER_SECOND), never
    first_at = first if first < cut else pick + int(u[11] * (cut - pick))
    return (
        esc,
        min(pick, cut - 2 * 60 * US_PER_SECOND),
        min(max(first_at, pick + 30 * US_PER_SECOND), cut - 60 * US_PER_SECOND),
    )


def _verdict(rec: Recommendation, follows: bool, note_draw: float) -> tuple[bool, int, str]:
    """A reviewer's verdict: the recommendation's unless ``follows`` is False."""
    cap = rec.cap_cents
    if rec.action in ("approve_full", "approve_partial"):
        if follows:
            notes = APPROVE_NOTES
            return True, rec.amount_cents, notes[int(note_draw * len(notes)) % len(notes)]
        return False, 0, DEPART_REJECT_NOTE
    if follows or cap <= 0:
        if rec.action == "request_evidence":
            return False, 0, EVIDENCE_REJECT_NOTE
        notes = REJECT_NOTES
        return False, 0, notes[int(note_draw * len(notes)) % len(notes)]
    return True, max(1, cap // 2) if cap > 1 else cap, DEPART_APPROVE_NOTE
