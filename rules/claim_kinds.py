"""The rule of each claim kind: step 6 of ``rules.recommend``'s precedence (its docstring says
what each decides). Each takes the order or claim facts, the base cap and the cap that applies,
and returns the action and amount, appending its reason when ``reasons`` is a list (the batch
paths that need no words pass None, so no sentence is formatted for them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from rules.facts import (
    Action,
    ClaimFacts,
    OrderFacts,
    Reason,
    ReasonCode,
    format_day,
    format_money,
    format_rate,
)
from rules.policy import Policy

__all__ = ["Day", "apply_rate", "days_text", "late_shipment", "non_delivery", "quality"]

#: An instant's calendar day in the programme's time zone (``rules.recommend.calendar_day``).
Day = Callable[[datetime], date]

_APPROVE_FULL = Action.APPROVE_FULL
_APPROVE_PARTIAL = Action.APPROVE_PARTIAL
_REJECT = Action.REJECT
_REQUEST_EVIDENCE = Action.REQUEST_EVIDENCE
_C = ReasonCode


def apply_rate(cents: int, bp: int) -> int:
    """``cents x bp / 10000`` rounded half to even to the cent, in exact integer arithmetic."""
    quotient, remainder = divmod(cents * bp, 10_000)
    twice = remainder * 2
    if twice > 10_000 or (twice == 10_000 and quotient & 1):
        quotient += 1
    return quotient


def days_text(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def late_shipment(
    order: OrderFacts,
    base_cap: int,
    cap: int,
    policy: Policy,
    today: date,
    day: Day,
    cur: str,
    reasons: list[Reason] | None,
) -> tuple[Action, int]:
    grace = policy.late_grace_days
    ship_by = order.ship_by
    grace_text = f" + {days_text(grace)} grace" if grace else ""
    shipped_at = order.shipped_at
    if shipped_at is None:
        if order.delivered_at is not None:
            if reasons is not None:
                reasons.append(
                    Reason(
                        _C.SHIP_DATE_MISSING,
                        f"Delivered on {format_day(day(order.delivered_at))} but no ship date "
                        "is recorded, so the lateness cannot be measured; ask for the shipping "
                        "record.",
                    )
                )
            return _REQUEST_EVIDENCE, 0
        late_by = (today - ship_by).days
        if late_by > grace:
            if reasons is not None:
                reasons.append(
                    Reason(
                        _C.NOT_SHIPPED,
                        f"Not shipped by the ship-by date {format_day(ship_by)}{grace_text}; on "
                        f"{format_day(today)} it is {days_text(late_by)} late, so the buyer may "
                        "cancel for a full refund.",
                    )
                )
            return _APPROVE_FULL, cap
        if reasons is not None:
            reasons.append(
                Reason(
                    _C.NOT_YET_LATE,
                    f"Not shipped yet, but on {format_day(today)} the ship-by date "
                    f"{format_day(ship_by)}{grace_text} has not passed.",
                )
            )
        return _REJECT, 0
    shipped_day = day(shipped_at)
    late_by = (shipped_day - ship_by).days
    if late_by <= grace:
        if reasons is not None:
            reasons.append(
                Reason(
                    _C.SHIPPED_ON_TIME,
                    f"Shipped on {format_day(shipped_day)}, on or before the ship-by date "
                    f"{format_day(ship_by)}{grace_text}.",
                )
            )
        return _REJECT, 0
    per_day = policy.late_rate_per_day_bp
    rate = per_day * late_by
    rate_max = policy.late_rate_max_bp
    rate_text = f"{late_by} x {format_rate(per_day)}"
    if rate > rate_max:
        rate = rate_max
        rate_text += f", capped at {format_rate(rate_max)}"
    amount = apply_rate(base_cap, rate)
    if amount > cap:
        amount = cap
    if reasons is not None:
        reasons.append(
            Reason(
                _C.SHIPPED_LATE,
                f"Shipped on {format_day(shipped_day)}, {days_text(late_by)} after the ship-by "
                f"date {format_day(ship_by)}: {format_rate(rate)} ({rate_text}) of "
                f"{format_money(base_cap, cur)} = {format_money(amount, cur)}.",
            )
        )
    return _APPROVE_PARTIAL, amount


def _incomplete(missing: str, reasons: list[Reason] | None) -> tuple[Action, int]:
    if reasons is not None:
        reasons.append(
            Reason(
                _C.INSPECTION_INCOMPLETE,
                f"The inspection report does not state {missing}; ask for a complete report.",
            )
        )
    return _REQUEST_EVIDENCE, 0


def quality(
    claim: ClaimFacts,
    base_cap: int,
    cap: int,
    policy: Policy,
    cur: str,
    reasons: list[Reason] | None,
) -> tuple[Action, int]:
    if not claim.inspection_report:
        if reasons is not None:
            reasons.append(
                Reason(
                    _C.NO_INSPECTION_REPORT,
                    "No third-party inspection report (e.g. SGS, TÜV, Bureau Veritas) is on file; "
                    "quality claims are decided on one.",
                )
            )
        return _REQUEST_EVIDENCE, 0
    conforming = claim.conforming
    defect = claim.defect_rate_bp
    if conforming is None:
        return _incomplete("whether the goods conform", reasons)
    if conforming:
        shown = f" (defect rate {format_rate(defect)})" if defect is not None else ""
        if reasons is not None:
            reasons.append(
                Reason(
                    _C.CONFORMING,
                    f"The inspection report says the goods conform to the contract{shown}.",
                )
            )
        return _REJECT, 0
    if defect is None:
        return _incomplete("the defect rate", reasons)
    full_at = policy.quality_full_refund_defect_bp
    if defect >= full_at:
        if reasons is not None:
            reasons.append(
                Reason(
                    _C.DEFECT_RATE_FULL,
                    f"Defect rate {format_rate(defect)} is at or above {format_rate(full_at)}, "
                    f"so the full {format_money(cap, cur)} is refunded.",
                )
            )
        return _APPROVE_FULL, cap
    share = apply_rate(base_cap, defect)
    if reasons is not None:
        reasons.append(
            Reason(
                _C.DEFECT_RATE_PARTIAL,
                f"Defect rate {format_rate(defect)} is below {format_rate(full_at)}: "
                f"{format_rate(defect)} of {format_money(base_cap, cur)} = "
                f"{format_money(share, cur)}.",
            )
        )
    amount = share
    fee = claim.inspection_fee_cents
    if fee:
        # The buyer paid the inspection; the policy says how much of it a supplier at fault
        # bears (v1: all of it).
        refund_bp = policy.inspection_fee_refund_bp
        fee_refunded = fee if refund_bp == 10_000 else apply_rate(fee, refund_bp)
        amount += fee_refunded
        limited = ""
        if amount > cap:
            amount = cap
            limited = f"; the total is limited to the cap {format_money(cap, cur)}"
        if reasons is not None:
            if refund_bp == 10_000:
                reasons.append(
                    Reason(
                        _C.INSPECTION_FEE_REFUNDED,
                        "The goods do not conform, so the supplier is at fault and the "
                        f"inspection fee {format_money(fee, cur)} is refunded too{limited}.",
                    )
                )
            elif fee_refunded:
                reasons.append(
                    Reason(
                        _C.INSPECTION_FEE_REFUNDED,
                        "The goods do not conform, so the supplier is at fault and "
                        f"{format_rate(refund_bp)} of the inspection fee "
                        f"{format_money(fee, cur)}, {format_money(fee_refunded, cur)}, is "
                        f"refunded too{limited}.",
                    )
                )
            else:
                reasons.append(
                    Reason(
                        _C.INSPECTION_FEE_NOT_REFUNDED,
                        f"The policy refunds none of the inspection fee {format_money(fee, cur)}"
                        f", so the buyer bears it{limited}.",
                    )
                )
    elif amount > cap:
        amount = cap
    return _APPROVE_PARTIAL, amount


def non_delivery(
    order: OrderFacts,
    base_cap: int,
    cap: int,
    policy: Policy,
    today: date,
    day: Day,
    cur: str,
    reasons: list[Reason] | None,
) -> tuple[Action, int]:
    delivered_at = order.delivered_at
    if delivered_at is not None:
        if reasons is not None:
            reasons.append(
                Reason(
                    _C.DELIVERED,
                    f"Delivered on {format_day(day(delivered_at))}, so a non-delivery claim "
                    "does not apply.",
                )
            )
        return _REJECT, 0
    shipped_at = order.shipped_at
    if shipped_at is None:
        if reasons is not None:
            reasons.append(
                Reason(
                    _C.NEVER_SHIPPED,
                    "Never shipped, so the late-shipment rule decides this non-delivery claim.",
                )
            )
        return late_shipment(order, base_cap, cap, policy, today, day, cur, reasons)
    shipped_day = day(shipped_at)
    elapsed = (today - shipped_day).days
    limit = policy.non_delivery_days
    if elapsed >= limit:  # "not delivered 60 days after shipping" (DESIGN.md §4)
        if reasons is not None:
            reasons.append(
                Reason(
                    _C.NOT_DELIVERED,
                    f"Shipped on {format_day(shipped_day)} and still not delivered on "
                    f"{format_day(today)}, {days_text(elapsed)} later (limit {days_text(limit)}): "
                    "full refund.",
                )
            )
        return _APPROVE_FULL, cap
    if reasons is not None:
        reasons.append(
            Reason(
                _C.NOT_YET_OVERDUE,
                f"Shipped on {format_day(shipped_day)}; on {format_day(today)} only "
                f"{days_text(elapsed)} have passed, and non-delivery is established after "
                f"{days_text(limit)}.",
            )
        )
    return _REJECT, 0
