"""What a buyer files with a demo claim: the amount claimed, the description and the evidence.

What the buyer writes follows what happened to the order: a late-shipment claim quotes the
ship-by day and how late the goods left (or that they still have not), a non-delivery claim the
day they shipped; a late shipment is claimed at the refund it would earn (or the whole covered
amount while nothing has shipped). For quality claims most buyers commission an inspection, and
poor suppliers' goods fail it more often; the buyer adds the inspection fee to the claim. A few
buyers claim the whole order, beyond what the programme covers — the rules cap it.

The random numbers are drawn up front for all claims (``draw_inspections`` plus the claim's
row ``u`` of uniform draws), so filing one claim draws nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from services.demo.catalogue import (
    NON_DELIVERY_DESCRIPTIONS,
    NOT_SHIPPED_DESCRIPTIONS,
    QUALITY_DESCRIPTIONS,
    SHIPPED_LATE_DESCRIPTIONS,
)
from services.demo.columns import BoolArray, FloatArray, IntArray
from services.demo.orders import Orders
from services.demo.timeline import NAT, US_PER_DAY, day_text, days_text

__all__ = ["Filing", "Inspections", "draw_inspections", "file_claim"]

_INSPECTION_FEES = (25_000, 30_000, 30_000, 35_000, 42_000)  # cents, drawn uniformly


@dataclass(frozen=True, slots=True)
class Filing:
    """What the buyer filed: the amount claimed, the description and the inspection evidence."""

    claimed: int
    text: str
    report: bool
    defect: int | None
    conforming: bool | None
    fee: int


@dataclass(frozen=True, slots=True)
class Inspections:
    """Per claim, the defect rate (bp) an inspection would find either way, and its fee."""

    defect_conforming: FloatArray
    defect_failing: FloatArray
    fees: IntArray


def draw_inspections(rng: np.random.Generator, poor: BoolArray) -> Inspections:
    """Inspection outcomes for claims whose suppliers are ``poor`` or not (one per claim)."""
    c = len(poor)
    defect_conforming = rng.beta(1.2, 6, c) * 250
    defect_failing = np.where(poor, rng.beta(2, 4, c), rng.beta(1.5, 8, c)) * 9_000 + 300
    fees = np.array(_INSPECTION_FEES)[rng.integers(0, 5, c)]
    return Inspections(defect_conforming, defect_failing, fees)


def file_claim(
    orders: Orders,
    o: int,
    k: int,
    filed_us: int,
    u: npt.NDArray[np.float64],
    poor: bool,
    inspections: Inspections,
    i: int,
) -> Filing:
    """Claim ``i``, of kind ``k`` (0 late, 1 quality, 2 non-delivery) on order ``o``, filed at
    ``filed_us``; ``u`` is the claim's row of uniform draws (items 0-4 are used here)."""
    covered = int(orders.covered[o])
    amount = int(orders.amount[o])
    shipped_us = int(orders.shipped_at[o])
    ship_by = date(1970, 1, 1) + timedelta(days=int(orders.ship_by[o]))
    report = False
    defect: int | None = None
    conforming: bool | None = None
    fee = 0
    if k == 0:
        if shipped_us == NAT or shipped_us > filed_us:
            days_late = (filed_us // US_PER_DAY) - int(orders.ship_by[o])
            templates: tuple[str, ...] = NOT_SHIPPED_DESCRIPTIONS
            claimed = covered
        else:
            days_late = shipped_us // US_PER_DAY - int(orders.ship_by[o])
            templates = SHIPPED_LATE_DESCRIPTIONS
            share = min(0.01 * days_late, 0.2) * (0.8 + 0.8 * u[0])
            claimed = min(covered, max(1_000, round(covered * share)))
        text = templates[int(u[1] * len(templates))].format(
            ship_by=ship_by.isoformat(),
            days=days_text(days_late),
            shipped=day_text(shipped_us),
        )
    elif k == 1:
        report = u[2] < 0.8
        if report:
            conforming = bool(u[3] < (0.15 if poor else 0.35))
            found = inspections.defect_conforming if conforming else inspections.defect_failing
            defect = int(min(10_000, round(found[i])))
            fee = int(inspections.fees[i])
            defect_text = f"inspection found {defect / 100:.1f}% defective"
        else:
            defect_text = "inspection booked, report to follow"
        claimed = min(covered, max(1_000, round(covered * (0.15 + 0.85 * u[0])))) + fee
        text = QUALITY_DESCRIPTIONS[int(u[1] * len(QUALITY_DESCRIPTIONS))].format(
            defect=defect_text
        )
    else:
        claimed = covered
        text = NON_DELIVERY_DESCRIPTIONS[int(u[1] * len(NON_DELIVERY_DESCRIPTIONS))].format(
            shipped=day_text(shipped_us),
            days=days_text((filed_us - shipped_us) // US_PER_DAY),
        )
    if u[4] < 0.03:
        claimed = max(claimed, amount)  # buyer claims the whole order, beyond coverage
    return Filing(claimed, text, report, defect, conforming, fee)
