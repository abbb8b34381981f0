"""Stress figures (issue 13): what a bad month would cost, with the assumptions spelled out.

**If the N largest exposures fail**: the N suppliers with the largest exposure as of the day
fail together; every live order of theirs is refunded in full, as the policy caps a refund —
``min(covered, paid) − refunds already approved on the order``, never below zero.

**If late-shipment rates double**: the late-shipment rate of the baseline window (the policy's
monitoring window: the whole days before the as-of day) doubles, capped at 100%; that share of
what the live orders could still pay out is refunded on the rules module's late-shipment terms
(partial refund per day late up to the policy's maximum; full refund when never shipped), with
late orders as late as they were in the baseline window. Rounded half to even to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

import pandas as pd
from sqlalchemy import Engine

from data_access import summaries
from data_access.queries import stress as q
from data_access.queries.rates import late_shipment_counts
from rules import ClaimFacts, ClaimKind, OrderFacts, Policy, SupplierResponse, recommend
from services.figures.periods import Period, trailing

__all__ = [
    "LargestFail",
    "LateDoubling",
    "largest_exposures_fail",
    "late_refund_bp",
    "late_shipments_double",
    "refundable_of",
]

#: A reference amount the refund terms are applied to: 100 x any basis-point rate is exact.
_REFERENCE_CENTS = 1_000_000
_SHIP_BY = date(2000, 1, 3)


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def late_refund_bp(days_late: int | None, policy: Policy) -> int:
    """The share of the cap (basis points) the rules module refunds a late-shipment claim on an
    order shipped ``days_late`` days after its ship-by day (None: never shipped)."""
    shipped = None if days_late is None else _SHIP_BY + timedelta(days=days_late)
    late_by = policy.late_grace_days + 1 if days_late is None else days_late
    today = _SHIP_BY + timedelta(days=late_by + 1)
    claim = ClaimFacts(
        kind=ClaimKind.LATE_SHIPMENT,
        filed_at=_noon(today),
        claimed_amount_cents=_REFERENCE_CENTS,
        supplier_response=SupplierResponse.NONE,
        inspection_report=False,
        defect_rate_bp=None,
        conforming=None,
        inspection_fee_cents=0,
    )
    order = OrderFacts(
        covered_amount_cents=_REFERENCE_CENTS,
        paid_amount_cents=_REFERENCE_CENTS,
        already_refunded_cents=0,
        ship_by=_SHIP_BY,
        shipped_at=None if shipped is None else _noon(shipped),
        delivered_at=None,
    )
    amount = recommend(claim, order, policy, today).amount_cents
    return amount * 10_000 // _REFERENCE_CENTS


#: The columns of ``refundable_of``.
REFUNDABLE = ["supplier", "supplier_name", "live_orders", "exposure_cents", "refundable_cents"]


def refundable_of(suppliers: pd.DataFrame) -> pd.DataFrame:
    """What each supplier's live orders could still pay out, from the exposure view's
    ``suppliers`` (which carries it, largest exposure first and then by supplier):
    ``supplier, supplier_name, live_orders, exposure_cents, refundable_cents`` of the suppliers
    with live orders, in that order. (Sorting them again by both keys took 60–80 ms of a cold
    exposure page at ten million orders: fifty thousand suppliers, compared by their ids.)"""
    live = suppliers["live_orders"].to_numpy() > 0
    return suppliers.loc[live, REFUNDABLE].reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class LargestFail:
    n: int
    #: The failing suppliers: ``supplier, supplier_name, live_orders, exposure_cents,
    #: refundable_cents``.
    suppliers: pd.DataFrame
    payout_cents: int
    exposure_cents: int
    programme_exposure_cents: int


def largest_exposures_fail(refundable: pd.DataFrame, n: int) -> LargestFail:
    """The payout if the ``n`` largest exposures of ``refundable_of`` fail."""
    if n < 0:
        raise ValueError("n must not be negative")
    # The n largest and every supplier tied with the smallest of them, then only those ranked
    # (exposure down, id up): fifty thousand suppliers are not sorted to name fifty.
    candidates = refundable.nlargest(n, "exposure_cents", keep="all")
    failing = candidates.sort_values(
        ["exposure_cents", "supplier"], ascending=[False, True], ignore_index=True
    ).head(n)
    return LargestFail(
        n=n,
        suppliers=failing,
        payout_cents=int(failing["refundable_cents"].sum()),
        exposure_cents=int(failing["exposure_cents"].sum()),
        programme_exposure_cents=int(refundable["exposure_cents"].sum()),
    )


@dataclass(frozen=True, slots=True)
class LateDoubling:
    baseline: Period
    due: int
    late: int
    #: Late orders of the baseline by days late: ``days_late`` (<NA> never shipped), ``orders``,
    #: ``refund_bp`` (the rules module's share of the cap).
    late_days: pd.DataFrame
    #: Mean share of the cap refunded per late order, in basis points (exact fraction).
    mean_refund_bp: Fraction
    refundable_cents: int
    baseline_refunds_cents: int
    stressed_refunds_cents: int

    @property
    def rate(self) -> Fraction:
        return Fraction(self.late, self.due) if self.due else Fraction(0)

    @property
    def doubled_rate(self) -> Fraction:
        return min(Fraction(1), 2 * self.rate)

    @property
    def extra_cents(self) -> int:
        return self.stressed_refunds_cents - self.baseline_refunds_cents


def late_shipments_double(
    engine: Engine, day: date, zone: str, policy: Policy, refundable_cents: int
) -> LateDoubling:
    """Refunds if late shipments doubled, against refunds at today's rate (see module doc).

    ``refundable_cents`` is the programme's total of ``refundable_of``.
    """
    baseline = trailing(day, policy.monitoring_window_days)
    with engine.connect() as conn:
        spread = (
            q.late_days_summarised if summaries.is_ready(conn, zone) else q.late_days_distribution
        )
        frame = spread(conn, baseline.window, day, zone)
        counts = late_shipment_counts(conn, baseline.window, day, zone)
    due, late = int(counts["due"].sum()), int(counts["late"].sum())
    frame["refund_bp"] = [
        late_refund_bp(None if pd.isna(d) else int(d), policy) for d in frame["days_late"]
    ]
    weighted = sum(
        int(orders) * int(bp)
        for orders, bp in zip(frame["orders"], frame["refund_bp"], strict=True)
    )
    mean_bp = Fraction(weighted, late) if late else Fraction(0)
    rate = Fraction(late, due) if due else Fraction(0)
    doubled = min(Fraction(1), 2 * rate)
    base = round(refundable_cents * rate * mean_bp / 10_000)
    stressed = round(refundable_cents * doubled * mean_bp / 10_000)
    return LateDoubling(
        baseline=baseline,
        due=due,
        late=late,
        late_days=frame,
        mean_refund_bp=mean_bp,
        refundable_cents=refundable_cents,
        baseline_refunds_cents=int(base),
        stressed_refunds_cents=int(stressed),
    )
