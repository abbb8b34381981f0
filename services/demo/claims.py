"""Which orders get a claim, and the claims, recommendations and decisions tables.

Claims follow what happened to the order: ``late_shipment`` only on orders shipped late or not
shipped by their ship-by date, ``non_delivery`` only on shipped orders that never arrived,
``quality`` on delivered orders (mostly within the 30-day window, a few outside it). Every
(order, kind) that could draw a claim is a candidate with a filing window and a chance; at most
one claim per order is kept; 5% of the older ones are withdrawn. Then the reviewers' queue is
topped up so every undecided status shows (``MIN_QUEUE``), even in a small data set. Walking
each claim through its dispute clock is :mod:`~services.demo.disputes`' job; this module chooses
the claims and lays the walked ones out as tables, ids following filing time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

import numpy as np

from rules import Policy
from services.demo.catalogue import CATEGORIES
from services.demo.columns import BoolArray, Columns, FloatArray, IntArray, external_ids, ids
from services.demo.disputes import ClaimRecord, walk_claims
from services.demo.orders import Orders
from services.demo.parties import Suppliers
from services.demo.timeline import NAT, US_PER_DAY, US_PER_HOUR

__all__ = ["MIN_QUEUE", "ClaimTables", "draw_claims"]

#: The reviewers' queue shows at least this many claims in each undecided status: small data
#: sets (and rare statuses at any size) get claims aimed at them, so the queue is never empty.
MIN_QUEUE: tuple[tuple[str, int], ...] = (
    ("open", 6),
    ("escalated", 4),
    ("in_review", 4),
    ("awaiting_second_approval", 3),
)
# How old (days before today) a claim aimed at a status is.
_TARGET_AGE_DAYS = {
    "open": (0.1, 6.5),
    "escalated": (5.0, 9.0),
    "in_review": (6.0, 12.0),
    "awaiting_second_approval": (7.0, 13.5),
}

_CLAIM_FIELDS = (
    "order_id", "kind", "filed_at", "claimed_amount_cents", "description", "inspection_report",
    "defect_rate_bp", "conforming", "inspection_fee_cents", "supplier_response",
    "supplier_responded_at", "status", "escalated_at", "picked_up_at", "decided_at",
    "withdrawn_at", "assignee_id",
)  # fmt: skip
_RECOMMENDATION_FIELDS = (
    "policy_version", "action", "amount_cents", "cap_cents", "reasons", "four_eyes_required",
    "created_at",
)  # fmt: skip
_DECISION_FIELDS = (
    "seq", "kind", "reviewer_id", "verdict", "amount_cents", "cap_cents", "note", "decided_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ClaimTables:
    claims: Columns
    recommendations: Columns
    decisions: Columns


def draw_claims(
    rng: np.random.Generator,
    cut: int,
    today: date,
    policy: Policy,
    zone: tzinfo,
    suppliers: Suppliers,
    orders: Orders,
) -> ClaimTables:
    """The claims filed before ``cut`` on ``orders``, walked to where they stand at ``cut``
    on the calendar of the programme's time zone ``zone``."""
    order_idx, kind, lo, hi, chance = _claim_candidates(rng, cut, suppliers, orders)
    m = len(order_idx)
    filed = lo + (rng.random(m) * np.maximum(hi - lo, 0)).astype(np.int64)
    # A filing drawn after today has simply not happened yet.
    files = (rng.random(m) < chance) & (hi > lo) & (filed < cut)
    # One claim per order at most: among an order's filed candidates keep a random one.
    priority = np.where(files, rng.random(m), -1.0)
    chosen = _one_per_order(order_idx, priority)
    chosen = chosen[np.argsort(filed[chosen], kind="stable")]
    # Withdrawn: 5% of the claims older than ten days (at least one), drawn as a quota so
    # that small data sets show the status too.
    old = np.flatnonzero(filed[chosen] < cut - 10 * US_PER_DAY)
    withdraw = np.zeros(len(chosen), dtype=np.bool_)
    if len(old):
        withdraw[rng.choice(old, max(1, round(0.05 * len(old))), replace=False)] = True

    def walk(
        picks: IntArray, at: IntArray, forced: list[str | None], withdrawn: BoolArray
    ) -> list[ClaimRecord]:
        on = order_idx[picks]
        poor = suppliers.poor[orders.supplier[on]]
        return walk_claims(
            rng, cut, today, policy, orders, poor, on, kind[picks], at, forced, withdrawn, zone
        )

    records = walk(chosen, filed[chosen], [None] * len(chosen), withdraw)

    # Top the reviewers' queue up so every undecided status shows (see MIN_QUEUE).
    have: dict[str, int] = {}
    for record in records:
        have[record.status] = have.get(record.status, 0) + 1
    deficits = {status: max(0, want - have.get(status, 0)) for status, want in MIN_QUEUE}
    targets: list[str] = []
    while any(deficits.values()):
        for status, _want in MIN_QUEUE:
            if deficits[status]:
                targets.append(status)
                deficits[status] -= 1
    if targets:
        taken = np.zeros(len(orders.placed), dtype=np.bool_)
        taken[order_idx[chosen]] = True
        extra = _queue_top_up(
            rng, cut, suppliers, orders, order_idx, lo, np.minimum(hi, cut - 1), taken, targets
        )
        picks = np.array([i for i, _, _ in extra], dtype=np.int64)
        records += walk(
            picks,
            np.array([at for _, at, _ in extra], dtype=np.int64),
            [target for _, _, target in extra],
            np.zeros(len(extra), dtype=np.bool_),
        )
    records.sort(key=lambda r: r.filed_us)  # stable: ids follow filing time
    return _claim_tables(records, orders)


def _claim_candidates(
    rng: np.random.Generator, cut: int, suppliers: Suppliers, orders: Orders
) -> tuple[IntArray, IntArray, IntArray, IntArray, FloatArray]:
    """Every (order, kind) a claim could be filed for, with the window it could be filed in.

    Returns order index, kind (0 late, 1 quality, 2 non-delivery), earliest and latest filing
    instant, and the chance a buyer actually files one.
    """
    n = len(orders.placed)
    shipped = orders.shipped_at != NAT
    delivered = orders.delivered_at != NAT
    cancelled = orders.cancelled_at != NAT
    ship_by_end = (orders.ship_by + 1) * US_PER_DAY  # the ship-by day is over
    supplier = orders.supplier
    cap_end = np.where(cancelled, orders.cancelled_at, cut)

    # Late: shipped on a later day than ship-by, or still not shipped (and not cancelled
    # before) after it. The buyer files after ship-by, before or soon after shipment.
    shipped_late = shipped & (orders.shipped_at >= ship_by_end)
    unshipped_late = ~shipped & (cap_end > ship_by_end + US_PER_HOUR)
    late = shipped_late | unshipped_late
    late_days = np.where(shipped, (orders.shipped_at - ship_by_end) // US_PER_DAY + 1, 25)
    late_lo = ship_by_end
    late_hi = np.where(
        shipped,
        np.minimum(orders.shipped_at + 10 * US_PER_DAY, ship_by_end + 25 * US_PER_DAY),
        np.where(
            cancelled,
            np.minimum(orders.cancelled_at, ship_by_end + 25 * US_PER_DAY),
            ship_by_end + 25 * US_PER_DAY,
        ),
    )
    late_p = np.where(shipped, np.minimum(0.05 + 0.02 * late_days, 0.35), 0.45)

    # Quality: delivered goods; filed within the 30-day window (a few late filers).
    kind_factor = np.array([c.quality_factor for c in CATEGORIES])
    quality_p = np.minimum(suppliers.quality_p[supplier] * kind_factor[orders.category], 0.5)
    out_of_window = rng.random(n) < 0.05
    quality_lo = np.where(
        out_of_window,
        (orders.delivered_at // US_PER_DAY + 31) * US_PER_DAY,
        orders.delivered_at + 2 * US_PER_HOUR,
    )
    quality_hi = np.where(
        out_of_window,
        quality_lo + 20 * US_PER_DAY,
        (orders.delivered_at // US_PER_DAY + 31) * US_PER_DAY - US_PER_HOUR,
    )

    # Non-delivery: shipped, lost in transit; buyers give up 6-11 weeks after shipment.
    lost = orders.lost
    lost_lo = orders.shipped_at + 40 * US_PER_DAY
    lost_hi = orders.shipped_at + 80 * US_PER_DAY

    order_idx = np.concatenate(
        [np.flatnonzero(late), np.flatnonzero(delivered), np.flatnonzero(lost)]
    )
    kind = np.concatenate(
        [
            np.zeros(int(late.sum()), np.int64),
            np.ones(int(delivered.sum()), np.int64),
            np.full(int(lost.sum()), 2, np.int64),
        ]
    )
    lo = np.concatenate([late_lo[late], quality_lo[delivered], lost_lo[lost]])
    hi = np.concatenate([late_hi[late], quality_hi[delivered], lost_hi[lost]])
    chance = np.concatenate([late_p[late], quality_p[delivered], np.full(int(lost.sum()), 0.8)])
    return (
        order_idx.astype(np.int64),
        kind,
        lo.astype(np.int64),
        hi.astype(np.int64),
        chance.astype(np.float64),
    )


def _one_per_order(order_idx: IntArray, priority: FloatArray) -> IntArray:
    candidates = np.flatnonzero(priority >= 0)
    if not len(candidates):
        return candidates.astype(np.int64)
    # Sort by (order, -priority) and keep the first row of each order.
    keys = np.lexsort((-priority[candidates], order_idx[candidates]))
    ordered = candidates[keys]
    first = np.ones(len(ordered), dtype=np.bool_)
    first[1:] = order_idx[ordered][1:] != order_idx[ordered][:-1]
    return ordered[first].astype(np.int64)


def _queue_top_up(
    rng: np.random.Generator,
    cut: int,
    suppliers: Suppliers,
    orders: Orders,
    order_idx: IntArray,
    lo: IntArray,
    hi: IntArray,
    taken: BoolArray,
    targets: list[str],
) -> list[tuple[int, int, str]]:
    """Extra recent claims, each aimed at one undecided status: (candidate, filed, target).

    Each target needs a claim of a certain age (an escalated one is at least four days old,
    an open one less than seven); the filing instant must lie in the candidate's window.
    """
    # Poor suppliers are the likeliest to be in the queue.
    badness = (suppliers.late_p + suppliers.quality_p)[orders.supplier[order_idx]]
    result: list[tuple[int, int, str]] = []
    for target in targets:
        age_lo, age_hi = _TARGET_AGE_DAYS[target]
        age = age_lo + rng.random() * (age_hi - age_lo)
        moment = cut - int(age * US_PER_DAY)
        fits = np.flatnonzero((lo <= moment) & (hi >= moment) & ~taken[order_idx])
        if not len(fits):
            continue
        w = badness[fits]
        pick = int(fits[rng.choice(len(fits), p=w / w.sum())])
        taken[order_idx[pick]] = True
        result.append((pick, moment, target))
    return result


def _claim_tables(records: list[ClaimRecord], orders: Orders) -> ClaimTables:
    c = len(records)
    claim_columns: Columns = {"id": ids(c), "external_id": external_ids("CLM", c, 7)}
    for name in _CLAIM_FIELDS:
        claim_columns[name] = [r.claim[name] for r in records]
    # The claim's copies of its order's reference and buyer (data_access.claim_copies).
    on = np.asarray(claim_columns["order_id"], dtype=np.int64) - 1
    references = orders.columns["external_id"]
    claim_columns["order_external_id"] = [references[o] for o in on.tolist()]
    claim_columns["buyer_id"] = np.asarray(orders.columns["buyer_id"], dtype=np.int64)[on]
    recs = [
        (claim_id, rec) for claim_id, r in enumerate(records, start=1) for rec in r.recommendations
    ]
    # Decisions answer a claim's first recommendation (a later one lapsed the proposal).
    first_rec_id: dict[int, int] = {}
    for rec_id, (claim_id, _) in enumerate(recs, start=1):
        first_rec_id.setdefault(claim_id, rec_id)
    rec_columns: Columns = {"id": ids(len(recs)), "claim_id": [claim_id for claim_id, _ in recs]}
    for name in _RECOMMENDATION_FIELDS:
        rec_columns[name] = [rec[name] for _, rec in recs]
    rows = [
        (claim_id, decision)
        for claim_id, r in enumerate(records, start=1)
        for decision in r.decisions
    ]
    dec_columns: Columns = {
        "id": ids(len(rows)),
        "claim_id": [claim_id for claim_id, _ in rows],
        "recommendation_id": [first_rec_id[claim_id] for claim_id, _ in rows],
    }
    for name in _DECISION_FIELDS:
        dec_columns[name] = [decision[name] for _, decision in rows]
    return ClaimTables(claim_columns, rec_columns, dec_columns)
