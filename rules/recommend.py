"""The refund recommendation: one pure function shared by the app, the CLI and the simulator.

Precedence (the first rule that decides wins; every result also carries the CAP_* reasons):

1. Cap. ``base cap = max(0, min(covered, paid) - already refunded)``; the cap that applies is
   ``min(base cap, claimed amount)``. No amount ever exceeds it.
2. The order was cancelled before its ship-by day -> REJECT ``ORDER_CANCELLED``: it was never
   due (the late-shipment rate leaves it out too, see :func:`cancelled_before_due`), and the
   buyer's money returns through the cancellation, not through a claim.
3. Filed more than ``claim_window_days`` after delivery -> REJECT ``OUT_OF_WINDOW``: filed on day
   30 after the delivery day is in the window, day 31 is out.
4. Base cap 0 -> REJECT ``NOTHING_REFUNDABLE``; claimed amount 0 -> REJECT ``NOTHING_CLAIMED``.
5. Supplier accepted -> approve the claimed amount within the cap (``SUPPLIER_ACCEPTED``).
6. The rule of the claim kind (``rules.claim_kinds``):

   * late_shipment: not shipped and today > ship-by + grace -> full (``NOT_SHIPPED``); not
     shipped and not yet past -> REJECT ``NOT_YET_LATE``; shipped d days after the ship-by day
     with d > grace -> base cap x min(rate per day x d, max rate), within the cap
     (``SHIPPED_LATE``); shipped on time -> REJECT ``SHIPPED_ON_TIME``; delivered without a ship
     date -> REQUEST_EVIDENCE ``SHIP_DATE_MISSING`` (the lateness cannot be measured).
   * quality: no report -> REQUEST_EVIDENCE ``NO_INSPECTION_REPORT``; a report that does not say
     whether the goods conform, or a non-conforming one without a defect rate -> REQUEST_EVIDENCE
     ``INSPECTION_INCOMPLETE``; conforming -> REJECT ``CONFORMING``; defect rate at or above the
     full-refund rate -> full (``DEFECT_RATE_FULL``); else base cap x defect rate
     (``DEFECT_RATE_PARTIAL``) plus the policy's share of the inspection fee
     (``inspection_fee_refund``, v1: 100%), since the supplier is at fault
     (``INSPECTION_FEE_REFUNDED``; ``INSPECTION_FEE_NOT_REFUNDED`` at 0%), all within the
     cap. The buyer's claimed amount is expected to include the fee, because the claimed amount
     bounds the total.
   * non_delivery: delivered -> REJECT ``DELIVERED``; shipped and today > shipped day +
     ``non_delivery_days`` -> full (``NOT_DELIVERED``); shipped more recently -> REJECT
     ``NOT_YET_OVERDUE``; never shipped -> ``NEVER_SHIPPED`` and the late-shipment rule.

7. A computed approval of 0 (e.g. 1% of a few cents) becomes REJECT ``ZERO_AMOUNT``.

Days: every calendar-day judgement (late or not, how many days late, within the window) uses days
of the programme's time zone, ``zone`` (UTC by default): a shipment at 07:00 +08:00 the day after
the ship-by date is on time for a programme run in China time and late in UTC.

Action: APPROVE_FULL when amount == cap (> 0), APPROVE_PARTIAL when 0 < amount < cap, REJECT and
REQUEST_EVIDENCE always carry 0. ``four_eyes_required`` is ``amount > four_eyes_threshold``.

Rounding: percentages are applied in exact integer arithmetic (``cents x bp / 10000``) and rounded
half to even to the cent, so 0.5 cent rounds to the even cent and no float is ever involved.

Speed matters (batch recomputation and the simulator run this over every claim), so the hot path
avoids Decimal, uses only int and date arithmetic and formats each message once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from rules.claim_kinds import Day, apply_rate, days_text, late_shipment, non_delivery, quality
from rules.facts import (
    Action,
    ClaimFacts,
    ClaimKind,
    OrderFacts,
    Reason,
    ReasonCode,
    Recommendation,
    SupplierResponse,
    format_day,
    format_money,
)
from rules.policy import Policy

__all__ = [
    "apply_rate",
    "calendar_day",
    "cancelled_before_due",
    "departs_from",
    "needs_second_approval",
    "recommend",
]


def _utc_day(moment: datetime) -> date:
    # Facts hold instants in UTC already (rules.facts), so the UTC day is a plain .date().
    return moment.date()


def calendar_day(zone: tzinfo = UTC) -> Day:
    """The function turning an instant into its calendar day in ``zone``."""
    if zone is UTC:
        return _utc_day

    def local_day(moment: datetime) -> date:
        return moment.astimezone(zone).date()

    return local_day


def cancelled_before_due(order: OrderFacts, zone: tzinfo = UTC) -> bool:
    """Cancelled before its ship-by day (in ``zone``): such an order was never due.

    The same predicate as the late-shipment rate's "not cancelled before the ship-by day" in
    ``data_access``; a test keeps the two in step.
    """
    cancelled = order.cancelled_at
    return cancelled is not None and calendar_day(zone)(cancelled) < order.ship_by


_APPROVE_FULL = Action.APPROVE_FULL
_APPROVE_PARTIAL = Action.APPROVE_PARTIAL
_REJECT = Action.REJECT
_APPROVALS = frozenset((_APPROVE_FULL, _APPROVE_PARTIAL))
_C = ReasonCode


def _cap_reasons(
    covered: int, paid: int, refunded: int, base_cap: int, claimed: int, cur: str
) -> list[Reason]:
    if claimed < base_cap:
        return [
            Reason(
                _C.CAP_CLAIMED_AMOUNT,
                f"The cap is the claimed amount {format_money(claimed, cur)}, below the "
                f"refundable {format_money(base_cap, cur)}.",
            )
        ]
    if covered <= paid:
        first = Reason(
            _C.CAP_COVERED_AMOUNT,
            f"The refund is limited by the covered amount {format_money(covered, cur)} "
            f"(paid {format_money(paid, cur)}).",
        )
    else:
        first = Reason(
            _C.CAP_PAID_AMOUNT,
            f"The refund is limited by the paid amount {format_money(paid, cur)} "
            f"(covered {format_money(covered, cur)}).",
        )
    if not refunded:
        return [first]
    return [
        first,
        Reason(
            _C.CAP_ALREADY_REFUNDED,
            f"{format_money(refunded, cur)} was already refunded on this order, leaving "
            f"{format_money(base_cap, cur)} of {format_money(min(covered, paid), cur)}.",
        ),
    ]


def recommend(
    claim: ClaimFacts,
    order: OrderFacts,
    policy: Policy,
    today: date,
    zone: tzinfo = UTC,
    *,
    explain: bool = True,
) -> Recommendation:
    """Recommend what to do with ``claim``; see the module docstring for the rules' precedence.

    ``today`` is the programme's calendar day (in ``zone``) the recommendation is made on.
    ``explain=False`` leaves ``reasons`` empty and changes nothing else: the what-if simulator
    compares only actions and amounts over every claim of a period, and writing the sentences
    is most of the cost of a call.
    """
    day = _utc_day if zone is UTC else calendar_day(zone)
    cur = policy.currency
    covered = order.covered_amount_cents
    paid = order.paid_amount_cents
    refunded = order.already_refunded_cents
    base_cap = (covered if covered <= paid else paid) - refunded
    if base_cap < 0:
        base_cap = 0
    claimed = claim.claimed_amount_cents
    cap = claimed if claimed < base_cap else base_cap
    reasons: list[Reason] | None = [] if explain else None

    delivered_at = order.delivered_at
    filed_day = day(claim.filed_at)
    window = policy.claim_window_days
    cancelled_at = order.cancelled_at
    if cancelled_at is not None and day(cancelled_at) < order.ship_by:
        if reasons is not None:
            reasons.append(
                Reason(
                    _C.ORDER_CANCELLED,
                    f"The order was cancelled on {format_day(day(cancelled_at))}, before its "
                    f"ship-by date {format_day(order.ship_by)}, so it was never due; the buyer's "
                    "payment "
                    "returns through the cancellation, not through a claim.",
                )
            )
        action, amount = _REJECT, 0
    elif delivered_at is not None and (filed_day - day(delivered_at)).days > window:
        delivered_day = day(delivered_at)
        if reasons is not None:
            reasons.append(
                Reason(
                    _C.OUT_OF_WINDOW,
                    f"Filed on {format_day(filed_day)}, "
                    f"{days_text((filed_day - delivered_day).days)} "
                    f"after delivery on {format_day(delivered_day)}; claims must be filed within "
                    f"{days_text(window)} of delivery.",
                )
            )
        action, amount = _REJECT, 0
    elif base_cap == 0:
        if reasons is not None:
            reasons.append(
                Reason(
                    _C.NOTHING_REFUNDABLE,
                    f"Nothing is refundable: the lower of covered {format_money(covered, cur)} and "
                    f"paid {format_money(paid, cur)}, less {format_money(refunded, cur)} already "
                    f"refunded, leaves {format_money(0, cur)}.",
                )
            )
        action, amount = _REJECT, 0
    elif claimed == 0:
        if reasons is not None:
            reasons.append(
                Reason(
                    _C.NOTHING_CLAIMED,
                    f"The claimed amount is {format_money(0, cur)}, so there is nothing to refund.",
                )
            )
        action, amount = _REJECT, 0
    elif claim.supplier_response is SupplierResponse.ACCEPTED:
        if reasons is not None:
            reasons.append(
                Reason(
                    _C.SUPPLIER_ACCEPTED,
                    f"The supplier accepted the claim of {format_money(claimed, cur)}; "
                    f"{format_money(cap, cur)} is approved within the cap.",
                )
            )
        action, amount = _APPROVE_FULL, cap
    else:
        kind = claim.kind
        if kind is ClaimKind.LATE_SHIPMENT:
            action, amount = late_shipment(order, base_cap, cap, policy, today, day, cur, reasons)
        elif kind is ClaimKind.QUALITY:
            action, amount = quality(claim, base_cap, cap, policy, cur, reasons)
        else:
            action, amount = non_delivery(order, base_cap, cap, policy, today, day, cur, reasons)
        if action is _APPROVE_PARTIAL or action is _APPROVE_FULL:
            if amount <= 0:
                if reasons is not None:
                    reasons.append(
                        Reason(
                            _C.ZERO_AMOUNT,
                            f"The computed refund rounds to {format_money(0, cur)}, so there is "
                            "nothing to approve.",
                        )
                    )
                action, amount = _REJECT, 0
            else:
                # A computed partial share can still reach the whole cap (e.g. a small claim).
                action = _APPROVE_FULL if amount >= cap else _APPROVE_PARTIAL

    if reasons is not None:
        reasons += _cap_reasons(covered, paid, refunded, base_cap, claimed, cur)
    threshold = policy.four_eyes_threshold_cents
    four_eyes = amount > threshold
    if four_eyes and reasons is not None:
        reasons.append(
            Reason(
                _C.FOUR_EYES_REQUIRED,
                f"{format_money(amount, cur)} is above the four-eyes threshold "
                f"{format_money(threshold, cur)}; a second, different reviewer must approve.",
            )
        )
    return Recommendation(action, amount, cap, tuple(reasons or ()), policy.version, four_eyes)


def departs_from(rec: Recommendation, verdict_approve: bool, amount_cents: int) -> bool:
    """Whether a reviewer's verdict differs from the recommendation.

    Approving departs from a REJECT or REQUEST_EVIDENCE; rejecting departs from an approval; an
    approval of a different amount departs from an approval. Raises ``ValueError`` for verdicts
    no reviewer may record: an approval of 0 or more than the cap, or a rejection with an amount.
    """
    if type(amount_cents) is not int:
        raise TypeError(f"amount_cents must be an int, got {type(amount_cents).__name__}")
    if verdict_approve:
        if amount_cents <= 0:
            raise ValueError("an approval needs a positive amount")
        if amount_cents > rec.cap_cents:
            raise ValueError(
                f"{format_money(amount_cents)} is above the cap {format_money(rec.cap_cents)}"
            )
        return rec.action not in _APPROVALS or amount_cents != rec.amount_cents
    if amount_cents != 0:
        raise ValueError("a rejection carries no amount")
    # Rejecting a claim the rules want more evidence for is a departure too: it ends the claim
    # the rules would have kept open.
    return rec.action is not Action.REJECT


def needs_second_approval(
    rec: Recommendation, verdict_approve: bool, amount_cents: int, policy: Policy
) -> bool:
    """Four-eyes: an approved amount above the threshold, or any verdict departing from ``rec``."""
    over = verdict_approve and amount_cents > policy.four_eyes_threshold_cents
    return departs_from(rec, verdict_approve, amount_cents) or over
