"""A claim's timeline: what happened to its order and to it, and the dispute clock's deadlines
still ahead of an undecided claim, in the order they fall."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo

from data_access.claim_facts import StoredRecommendation
from data_access.queries import claim_detail as q
from rules import UNDECIDED, Policy, claim_deadlines, format_money

__all__ = ["TimelineEntry", "claim_timeline"]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    event: str
    detail: str = ""
    #: A calendar day rather than an instant (the ship-by date): show the date only.
    day_only: bool = False
    #: A deadline of the dispute clock rather than something that happened.
    deadline: bool = False
    #: The deadline governing the claim's current stage.
    is_next: bool = False
    #: The claim's kind (stored word) on the "Claim filed" entry, for the page to label.
    kind: str | None = None
    #: The supplier's response (stored word) on the "Supplier response" entry.
    response: str | None = None


_DECISION_EVENTS = {
    "sole": "Decided",
    "proposal": "Verdict proposed (four-eyes)",
    "confirmation": "Confirmed by a second reviewer",
}
_DEADLINE_EVENTS = {
    "supplier_response_due": "Supplier response due",
    "auto_escalation_at": "Automatic escalation",
    "pickup_due": "Pick-up due",
    "decision_due": "Decision due",
}


def claim_timeline(
    row: q.ClaimDetailRow,
    decisions: list[q.DecisionRow],
    lapsed_seq: int | None,
    policy: Policy,
    now: datetime,
    zone: tzinfo,
    recommendations: Sequence[StoredRecommendation] = (),
) -> tuple[TimelineEntry, ...]:
    """The entries in the order they fall. A lapsed proposal (``lapsed_seq``) shows twice: when
    it was made, and when it lapsed — when the recommendation after the one it answered was
    stored (from ``recommendations``)."""
    cur = row.currency
    entries = [
        TimelineEntry(
            row.placed_at, "Order placed", f"{format_money(row.order_amount_cents, cur)}"
        ),
        TimelineEntry(
            # The end of the ship-by day in the programme's calendar, so it sorts after
            # anything that happened on that day.
            datetime.combine(row.ship_by, time(23, 59, 59), tzinfo=zone).astimezone(UTC),
            "Ship-by date",
            "",
            day_only=True,
        ),
    ]
    if row.shipped_at is not None:
        late = (row.shipped_at.astimezone(zone).date() - row.ship_by).days
        detail = f"{late} day{'s' if late != 1 else ''} after the ship-by date" if late > 0 else ""
        entries.append(TimelineEntry(row.shipped_at, "Shipped", detail))
    if row.delivered_at is not None:
        entries.append(TimelineEntry(row.delivered_at, "Delivered"))
    if row.cancelled_at is not None:
        entries.append(TimelineEntry(row.cancelled_at, "Order cancelled"))
    entries.append(
        TimelineEntry(
            row.filed_at,
            "Claim filed",
            f"{format_money(row.claimed_amount_cents, cur)} claimed",
            kind=row.kind,
        )
    )
    if row.supplier_responded_at is not None:
        entries.append(
            TimelineEntry(
                row.supplier_responded_at, "Supplier response", response=row.supplier_response
            )
        )
    if row.escalated_at is not None:
        entries.append(TimelineEntry(row.escalated_at, "Escalated to the dispute team"))
    if row.picked_up_at is not None:
        entries.append(TimelineEntry(row.picked_up_at, "Picked up for review"))
    for d in decisions:
        verdict = (
            f"Approve {format_money(d.amount_cents, cur)}" if d.verdict == "approve" else "Reject"
        )
        said = f"{verdict} — {d.reviewer_name}"
        entries.append(TimelineEntry(d.decided_at, _DECISION_EVENTS[d.kind], said))
        if d.seq == lapsed_seq:
            at = _replaced_at(d.recommendation_id, recommendations) or d.decided_at
            entries.append(TimelineEntry(at, "Proposal lapsed (its recommendation changed)", said))
    if row.withdrawn_at is not None:
        entries.append(TimelineEntry(row.withdrawn_at, "Withdrawn by the buyer"))
    if row.status in UNDECIDED:
        deadlines = claim_deadlines(row.filed_at, row.escalated_at, row.picked_up_at, policy, zone)
        responded = row.supplier_response != "none"
        next_label, _ = deadlines.next_deadline(now, supplier_responded=responded)
        shown = ["decision_due"]
        if row.picked_up_at is None:
            shown.insert(0, "pickup_due")
        if row.escalated_at is None and row.picked_up_at is None:
            shown.insert(0, "auto_escalation_at")
            if not responded:
                shown.insert(0, "supplier_response_due")
        for label in shown:
            entries.append(
                TimelineEntry(
                    getattr(deadlines, label),
                    _DEADLINE_EVENTS[label],
                    deadline=True,
                    is_next=label == next_label,
                )
            )
    entries.sort(key=lambda e: (e.at, e.deadline))
    return tuple(entries)


def _replaced_at(
    answered_id: int | None, recommendations: Sequence[StoredRecommendation]
) -> datetime | None:
    """When the recommendation after ``answered_id`` was stored (None: not known)."""
    later = [r for r in recommendations if answered_id is not None and r.id > answered_id]
    return min(later, key=lambda r: r.id).created_at if later else None
