"""The claim's life cycle: statuses, who may decide, confirm or propose what, and when it ends.

Pure like the rest of ``rules``: frozen facts in, a frozen answer out. The services, the claim
page, the queue and the bulk action all ask this module, so the four-eyes rule is written once.

Statuses (DESIGN.md §3)::

    open → (escalated) → in_review → awaiting_second_approval? → approved | rejected
    (any undecided status) → withdrawn

Decisions are append-only and numbered per claim (``seq`` 1, 2, …). Each has a kind:

* ``sole``: a verdict that needs nobody else (it follows the recommendation and stays within
  the four-eyes threshold); the claim is final at once.
* ``proposal``: a verdict that needs a second, different reviewer (DESIGN.md §4: above the
  four-eyes threshold, or departing from the recommendation). The claim waits in
  ``awaiting_second_approval``.
* ``confirmation``: a different reviewer agrees with the pending proposal on the same verdict
  *and* amount; the claim is final. So a payout under four-eyes always has two people behind it.

A reviewer who disagrees with the pending proposal does not override it: their verdict is a new
proposal (a note saying why is required) that waits for another reviewer — the first one may
confirm it. Nobody confirms their own proposal.

A pending proposal answers one recommendation. When the rules module's recommendation changes
in substance under it (:func:`same_substance`), the proposal *lapses*: the claim returns to the
queue in the status its dispute clock gives (:func:`status_after_lapse`), the lapsed proposal
stays in the history, and the next verdict starts afresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from rules.facts import Action, Recommendation, format_money
from rules.policy import Policy
from rules.recommend import departs_from, needs_second_approval

__all__ = [
    "CLOSED",
    "FINAL",
    "UNDECIDED",
    "ClaimStatus",
    "DecisionKind",
    "PastDecision",
    "Refusal",
    "Ruling",
    "Standing",
    "Turn",
    "bulk_refusal",
    "may_take",
    "rule",
    "same_substance",
    "standing",
    "status_after_lapse",
    "status_after_pickup",
]


class ClaimStatus(StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    IN_REVIEW = "in_review"
    AWAITING_SECOND_APPROVAL = "awaiting_second_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


#: In the reviewers' queue, in life-cycle order.
UNDECIDED: tuple[ClaimStatus, ...] = (
    ClaimStatus.OPEN,
    ClaimStatus.ESCALATED,
    ClaimStatus.IN_REVIEW,
    ClaimStatus.AWAITING_SECOND_APPROVAL,
)
#: Decided: never decided again.
FINAL = frozenset({ClaimStatus.APPROVED, ClaimStatus.REJECTED})
#: Nothing more happens to these.
CLOSED = FINAL | {ClaimStatus.WITHDRAWN}


class DecisionKind(StrEnum):
    SOLE = "sole"
    PROPOSAL = "proposal"
    CONFIRMATION = "confirmation"


class Turn(StrEnum):
    """What a reviewer may do on an undecided claim now."""

    #: Record the first verdict (a sole decision or a proposal).
    DECIDE = "decide"
    #: Confirm the pending proposal, or propose another verdict.
    CONFIRM_OR_PROPOSE = "confirm_or_propose"


@dataclass(frozen=True, slots=True)
class PastDecision:
    seq: int
    reviewer_id: int
    approve: bool
    amount_cents: int
    kind: DecisionKind
    recommendation_id: int | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", DecisionKind(self.kind))

    def agrees(self, approve: bool, amount_cents: int) -> bool:
        """Same verdict and, for an approval, the same amount to the cent."""
        return self.approve == approve and (not approve or self.amount_cents == amount_cents)


def _pending(status: ClaimStatus, decisions: Sequence[PastDecision]) -> PastDecision | None:
    if status is not ClaimStatus.AWAITING_SECOND_APPROVAL or not decisions:
        return None
    last = max(decisions, key=lambda d: d.seq)
    return last if last.kind is DecisionKind.PROPOSAL else None


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a claim stands for one viewer: what they may do, or why not."""

    status: ClaimStatus
    turn: Turn | None
    #: Why ``turn`` is None, in a sentence for the viewer.
    blocked: str
    #: The proposal waiting for a second reviewer, if any.
    pending: PastDecision | None
    #: A proposal that lapsed when the recommendation changed; the claim is back in the queue.
    lapsed: PastDecision | None


def standing(status: str, decisions: Sequence[PastDecision], viewer_id: int | None) -> Standing:
    """What ``viewer_id`` may do on a claim in ``status`` with these ``decisions``."""
    state = ClaimStatus(status)
    pending = _pending(state, decisions)
    last = max(decisions, key=lambda d: d.seq) if decisions else None
    lapsed = (
        last
        if state in UNDECIDED and pending is None and last is not None
        and last.kind is DecisionKind.PROPOSAL
        else None
    )  # fmt: skip
    if state in FINAL:
        return Standing(
            state, None, f"This claim is {state.value}; a decided claim is not decided again.",
            None, None,
        )  # fmt: skip
    if state is ClaimStatus.WITHDRAWN:
        return Standing(
            state, None, "The buyer withdrew this claim; there is nothing to decide.", None, None
        )
    if pending is not None:
        if pending.reviewer_id == viewer_id:
            return Standing(
                state, None,
                "You proposed this verdict; a second, different reviewer must confirm it or "
                "propose another.",
                pending, None,
            )  # fmt: skip
        return Standing(state, Turn.CONFIRM_OR_PROPOSE, "", pending, None)
    return Standing(state, Turn.DECIDE, "", None, lapsed)


@dataclass(frozen=True, slots=True)
class Ruling:
    """What recording a verdict does: the decision's kind and the claim's next status."""

    kind: DecisionKind
    status_after: ClaimStatus
    #: A note is required (the verdict departs from the recommendation, or from the proposal).
    note_required: bool
    #: Why, for the reviewer: shown next to the note box and in a refusal.
    note_reason: str

    @property
    def final(self) -> bool:
        return self.status_after in FINAL


@dataclass(frozen=True, slots=True)
class Refusal:
    """A verdict the life cycle does not allow; ``message`` is safe to show."""

    message: str


def _verdict_words(approve: bool, amount_cents: int, currency: str) -> str:
    return f"approve {format_money(amount_cents, currency)}" if approve else "reject"


def _action_words(rec: Recommendation) -> str:
    words = rec.action.words
    if rec.action in (Action.APPROVE_FULL, Action.APPROVE_PARTIAL):
        return f"{words}, {format_money(rec.amount_cents, 'USD')}"
    return words


def rule(
    status: str,
    decisions: Sequence[PastDecision],
    reviewer_id: int,
    approve: bool,
    amount_cents: int,
    recommendation: Recommendation,
    policy: Policy,
) -> Ruling | Refusal:
    """What a verdict by ``reviewer_id`` (approve ``amount_cents``, or reject with 0) does.

    ``recommendation`` is the one standing now; a pending proposal answered the same one (the
    service lapses it first otherwise). A note requirement is reported, not enforced: the
    caller refuses a missing note with ``note_reason``.
    """
    cur = policy.currency
    here = standing(status, decisions, reviewer_id)
    if here.turn is None:
        return Refusal(here.blocked)
    try:
        departs = departs_from(recommendation, approve, amount_cents)
    except ValueError as error:
        text = str(error)
        return Refusal(text[:1].upper() + text[1:] + ".")
    decided = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
    pending = here.pending
    if pending is None:
        if needs_second_approval(recommendation, approve, amount_cents, policy):
            return Ruling(
                DecisionKind.PROPOSAL,
                ClaimStatus.AWAITING_SECOND_APPROVAL,
                departs,
                f"this verdict departs from the recommendation ({_action_words(recommendation)})"
                if departs
                else "",
            )
        return Ruling(DecisionKind.SOLE, decided, False, "")
    if pending.agrees(approve, amount_cents):
        return Ruling(DecisionKind.CONFIRMATION, decided, False, "")
    return Ruling(
        DecisionKind.PROPOSAL,
        ClaimStatus.AWAITING_SECOND_APPROVAL,
        True,
        f"your verdict ({_verdict_words(approve, amount_cents, cur)}) differs from the pending "
        f"proposal ({_verdict_words(pending.approve, pending.amount_cents, cur)}), so it becomes "
        "a new proposal for another reviewer",
    )


def same_substance(a: Recommendation, b: Recommendation) -> bool:
    """Whether two recommendations say the same thing to a reviewer: action, amount, cap,
    four-eyes and reason codes — not the wording (the clock-driven sentences name today's date
    and change daily without changing anything a reviewer acts on), nor the policy version: a
    new version that answers a claim as the old one did leaves its recommendation standing,
    and a proposal on it pending (a rate change for late shipments must not send every quality
    claim's proposal back to the queue)."""
    return (
        a.action == b.action
        and a.amount_cents == b.amount_cents
        and a.cap_cents == b.cap_cents
        and a.four_eyes_required == b.four_eyes_required
        and a.reason_codes == b.reason_codes
    )


def status_after_lapse(*, escalated: bool, picked_up: bool) -> ClaimStatus:
    """Where a claim whose proposal lapsed returns to: the stage its dispute clock had reached."""
    if picked_up:
        return ClaimStatus.IN_REVIEW
    return ClaimStatus.ESCALATED if escalated else ClaimStatus.OPEN


def may_take(status: str) -> bool:
    """An undecided claim can be assigned to a reviewer; a closed one cannot."""
    return ClaimStatus(status) in UNDECIDED


def status_after_pickup(status: str, *, escalated_now: bool) -> ClaimStatus:
    """Taking a claim that the dispute team must pick up (escalated, by the buyer or the clock)
    moves it into review; otherwise its status stays."""
    state = ClaimStatus(status)
    if escalated_now and state in (ClaimStatus.OPEN, ClaimStatus.ESCALATED):
        return ClaimStatus.IN_REVIEW
    return state


def bulk_refusal(status: str, action: str | None, four_eyes_required: bool) -> str | None:
    """Why a claim cannot be decided in bulk as recommended, or None when it can.

    Bulk decisions are sole decisions only: they follow the recommendation, stay within the
    four-eyes threshold and start no second-reviewer wait; anything else deserves its own look.
    """
    state = ClaimStatus(status)
    if state in CLOSED:
        return f"already {state.value}"
    if state is ClaimStatus.AWAITING_SECOND_APPROVAL:
        return "waits for a second reviewer"
    if action is None:
        return "has no recommendation yet"
    if action == Action.REQUEST_EVIDENCE:
        return "the recommendation is to request evidence"
    if four_eyes_required:
        return "above the four-eyes threshold"
    return None
