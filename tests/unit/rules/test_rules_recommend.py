"""recommend(): a hand-computed table for every reason code and cap, boundaries and properties.

Expected amounts are worked out by hand from policy v1 (1%/day late up to 20%, full refund at a
50% defect rate, 30-day claim window, 60 days for non-delivery, four-eyes above USD 10,000.00).
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules import (
    Action,
    ClaimFacts,
    ClaimKind,
    OrderFacts,
    Policy,
    ReasonCode,
    Recommendation,
    SupplierResponse,
    apply_rate,
    bundled_policy,
    cancelled_before_due,
    departs_from,
    needs_second_approval,
    recommend,
)

V1 = bundled_policy("v1")
#: Policies far from v1 in every rule parameter, for properties that must hold under any policy.
OTHER_POLICIES = [
    dataclasses.replace(
        V1, version="v9", claim_window_days=10, late_grace_days=2, late_rate_per_day_bp=350,
        late_rate_max_bp=900, quality_full_refund_defect_bp=2_000, inspection_fee_refund_bp=0,
        non_delivery_days=20, four_eyes_threshold_cents=50_000,
    ),
    dataclasses.replace(V1, version="v10", inspection_fee_refund_bp=4_321, late_grace_days=30),
]  # fmt: skip
SHIP_BY = date(2025, 3, 10)
TODAY = date(2025, 6, 1)

LATE = ClaimKind.LATE_SHIPMENT
QUALITY = ClaimKind.QUALITY
NON_DELIVERY = ClaimKind.NON_DELIVERY
FULL = Action.APPROVE_FULL
PARTIAL = Action.APPROVE_PARTIAL
REJECT = Action.REJECT
EVIDENCE = Action.REQUEST_EVIDENCE


def utc(y: int, m: int, d: int, hh: int = 12, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=UTC)


def order(
    covered: int = 100_000,
    paid: int = 100_000,
    refunded: int = 0,
    ship_by: date = SHIP_BY,
    shipped: datetime | None = None,
    delivered: datetime | None = None,
    cancelled: datetime | None = None,
) -> OrderFacts:
    return OrderFacts(covered, paid, refunded, ship_by, shipped, delivered, cancelled)


def claim(
    kind: ClaimKind = LATE,
    filed: datetime | None = None,
    claimed: int = 100_000,
    response: SupplierResponse = SupplierResponse.NONE,
    report: bool = False,
    defect: int | None = None,
    conforming: bool | None = None,
    fee: int = 0,
) -> ClaimFacts:
    filed = filed or utc(2025, 5, 1)
    return ClaimFacts(kind, filed, claimed, response, report, defect, conforming, fee)


COVERED = ReasonCode.CAP_COVERED_AMOUNT
PAID = ReasonCode.CAP_PAID_AMOUNT
REFUNDED = ReasonCode.CAP_ALREADY_REFUNDED
CLAIMED = ReasonCode.CAP_CLAIMED_AMOUNT
C = ReasonCode

# (id, claim, order, today, action, amount, cap, codes)
CASES = [
    # Precedence rules common to every kind.
    ("out_of_window", claim(filed=utc(2025, 5, 2)), order(shipped=utc(2025, 3, 20),
     delivered=utc(2025, 4, 1)), TODAY, REJECT, 0, 100_000, (C.OUT_OF_WINDOW, COVERED)),
    # Cancelled the day before its ship-by date: never due, whatever the kind or the response.
    ("cancelled_before_ship_by", claim(response=SupplierResponse.ACCEPTED),
     order(cancelled=utc(2025, 3, 9, 23, 59)), TODAY, REJECT, 0, 100_000,
     (C.ORDER_CANCELLED, COVERED)),
    # Cancelled on the ship-by day itself: it was due, unshipped, so late: the buyer is refunded.
    ("cancelled_on_ship_by_day", claim(), order(cancelled=utc(2025, 3, 10, 0, 1)),
     date(2025, 3, 11), FULL, 100_000, 100_000, (C.NOT_SHIPPED, COVERED)),
    ("fully_refunded_already", claim(), order(refunded=100_000), TODAY, REJECT, 0, 0,
     (C.NOTHING_REFUNDABLE, COVERED, REFUNDED)),
    ("nothing_paid", claim(), order(paid=0), TODAY, REJECT, 0, 0,
     (C.NOTHING_REFUNDABLE, PAID)),
    ("nothing_covered", claim(), order(covered=0), TODAY, REJECT, 0, 0,
     (C.NOTHING_REFUNDABLE, COVERED)),
    ("refunded_more_than_cap", claim(), order(paid=50_000, refunded=60_000), TODAY, REJECT, 0,
     0, (C.NOTHING_REFUNDABLE, PAID, REFUNDED)),
    ("nothing_claimed", claim(claimed=0), order(), TODAY, REJECT, 0, 0,
     (C.NOTHING_CLAIMED, CLAIMED)),
    ("supplier_accepted_overrides_on_time", claim(claimed=40_000,
     response=SupplierResponse.ACCEPTED), order(shipped=utc(2025, 3, 1)), TODAY, FULL, 40_000,
     40_000, (C.SUPPLIER_ACCEPTED, CLAIMED)),
    ("supplier_accepted_within_paid", claim(response=SupplierResponse.ACCEPTED),
     order(paid=70_000), TODAY, FULL, 70_000, 70_000, (C.SUPPLIER_ACCEPTED, PAID)),
    # late_shipment
    ("not_shipped_past_ship_by", claim(), order(), date(2025, 3, 11), FULL, 100_000, 100_000,
     (C.NOT_SHIPPED, COVERED)),
    ("not_shipped_on_ship_by_day", claim(), order(), date(2025, 3, 10), REJECT, 0, 100_000,
     (C.NOT_YET_LATE, COVERED)),
    ("shipped_3_days_late", claim(), order(shipped=utc(2025, 3, 13)), TODAY, PARTIAL, 3_000,
     100_000, (C.SHIPPED_LATE, COVERED)),
    ("shipped_25_days_late_max_20pct", claim(), order(shipped=utc(2025, 4, 4)), TODAY,
     PARTIAL, 20_000, 100_000, (C.SHIPPED_LATE, COVERED)),
    ("shipped_on_time", claim(), order(shipped=utc(2025, 3, 10, 23, 59)), TODAY, REJECT, 0,
     100_000, (C.SHIPPED_ON_TIME, COVERED)),
    ("shipped_early", claim(), order(shipped=utc(2025, 3, 1)), TODAY, REJECT, 0, 100_000,
     (C.SHIPPED_ON_TIME, COVERED)),
    ("delivered_without_ship_date", claim(), order(delivered=utc(2025, 4, 20)), TODAY,
     EVIDENCE, 0, 100_000, (C.SHIP_DATE_MISSING, COVERED)),
    # 1% of USD 0.10 is 0.1 cent -> 0 -> nothing to approve.
    ("late_share_rounds_to_zero", claim(claimed=10), order(covered=10, paid=10,
     shipped=utc(2025, 3, 11)), TODAY, REJECT, 0, 10, (C.SHIPPED_LATE, C.ZERO_AMOUNT, COVERED)),
    # 1% of 150 cents = 1.5 -> 2 (half to even); of 250 cents = 2.5 -> 2.
    ("half_even_up", claim(), order(covered=150, paid=150, shipped=utc(2025, 3, 11)), TODAY,
     PARTIAL, 2, 150, (C.SHIPPED_LATE, COVERED)),
    ("half_even_down", claim(), order(covered=250, paid=250, shipped=utc(2025, 3, 11)), TODAY,
     PARTIAL, 2, 250, (C.SHIPPED_LATE, COVERED)),
    # quality
    ("no_inspection_report", claim(QUALITY), order(), TODAY, EVIDENCE, 0, 100_000,
     (C.NO_INSPECTION_REPORT, COVERED)),
    ("report_silent_on_conformity", claim(QUALITY, report=True, defect=3000), order(), TODAY,
     EVIDENCE, 0, 100_000, (C.INSPECTION_INCOMPLETE, COVERED)),
    ("nonconforming_without_rate", claim(QUALITY, report=True, conforming=False), order(),
     TODAY, EVIDENCE, 0, 100_000, (C.INSPECTION_INCOMPLETE, COVERED)),
    ("conforming", claim(QUALITY, report=True, defect=200, conforming=True, fee=25_000),
     order(), TODAY, REJECT, 0, 100_000, (C.CONFORMING, COVERED)),
    ("defect_exactly_50pct", claim(QUALITY, report=True, defect=5000, conforming=False),
     order(), TODAY, FULL, 100_000, 100_000, (C.DEFECT_RATE_FULL, COVERED)),
    ("defect_49_99pct", claim(QUALITY, report=True, defect=4999, conforming=False), order(),
     TODAY, PARTIAL, 49_990, 100_000, (C.DEFECT_RATE_PARTIAL, COVERED)),
    ("defect_12_34pct", claim(QUALITY, report=True, defect=1234, conforming=False), order(),
     TODAY, PARTIAL, 12_340, 100_000, (C.DEFECT_RATE_PARTIAL, COVERED)),
    # 10% of USD 1,000.00 = 100.00, plus the USD 250.00 fee.
    ("defect_plus_fee", claim(QUALITY, report=True, defect=1000, conforming=False,
     fee=25_000), order(), TODAY, PARTIAL, 35_000, 100_000,
     (C.DEFECT_RATE_PARTIAL, C.INSPECTION_FEE_REFUNDED, COVERED)),
    # 40% = 400.00 + 700.00 fee = 1,100.00 > cap 1,000.00.
    ("fee_limited_by_cap", claim(QUALITY, report=True, defect=4000, conforming=False,
     fee=70_000), order(), TODAY, FULL, 100_000, 100_000,
     (C.DEFECT_RATE_PARTIAL, C.INSPECTION_FEE_REFUNDED, COVERED)),
    ("zero_defect_no_fee", claim(QUALITY, report=True, defect=0, conforming=False), order(),
     TODAY, REJECT, 0, 100_000, (C.DEFECT_RATE_PARTIAL, C.ZERO_AMOUNT, COVERED)),
    # non_delivery
    ("delivered", claim(NON_DELIVERY), order(shipped=utc(2025, 3, 1), delivered=utc(2025, 4,
     20)), TODAY, REJECT, 0, 100_000, (C.DELIVERED, COVERED)),
    # 2025-03-01 + 60 days = 2025-04-30.
    ("not_delivered_60_days", claim(NON_DELIVERY), order(shipped=utc(2025, 3, 1, 23, 59)),
     date(2025, 4, 30), FULL, 100_000, 100_000, (C.NOT_DELIVERED, COVERED)),
    ("not_delivered_59_days", claim(NON_DELIVERY), order(shipped=utc(2025, 3, 1)),
     date(2025, 4, 29), REJECT, 0, 100_000, (C.NOT_YET_OVERDUE, COVERED)),
    ("never_shipped_past_ship_by", claim(NON_DELIVERY), order(), date(2025, 3, 11), FULL,
     100_000, 100_000, (C.NEVER_SHIPPED, C.NOT_SHIPPED, COVERED)),
    ("never_shipped_not_yet_late", claim(NON_DELIVERY), order(), date(2025, 3, 9), REJECT, 0,
     100_000, (C.NEVER_SHIPPED, C.NOT_YET_LATE, COVERED)),
    # Caps: which bound limited the amount.
    ("cap_paid", claim(), order(paid=80_000), date(2025, 3, 11), FULL, 80_000, 80_000,
     (C.NOT_SHIPPED, PAID)),
    ("cap_covered_below_paid", claim(), order(covered=60_000, paid=80_000), date(2025, 3, 11),
     FULL, 60_000, 60_000, (C.NOT_SHIPPED, COVERED)),
    # base cap 1,000.00 - 300.00 = 700.00; 3% of 700.00 = 21.00.
    ("cap_already_refunded", claim(), order(refunded=30_000, shipped=utc(2025, 3, 13)), TODAY,
     PARTIAL, 2_100, 70_000, (C.SHIPPED_LATE, COVERED, REFUNDED)),
    ("cap_paid_and_refunded", claim(), order(paid=90_000, refunded=10_000),
     date(2025, 3, 11), FULL, 80_000, 80_000, (C.NOT_SHIPPED, PAID, REFUNDED)),
    # 3% of 1,000.00 = 30.00, above the 10.00 claimed: the claim is paid in full.
    ("cap_claimed_under_late_share", claim(claimed=1_000), order(shipped=utc(2025, 3, 13)),
     TODAY, FULL, 1_000, 1_000, (C.SHIPPED_LATE, CLAIMED)),
    ("cap_claimed_full", claim(claimed=55_555), order(), date(2025, 3, 11), FULL, 55_555,
     55_555, (C.NOT_SHIPPED, CLAIMED)),
    # 50% of base cap 1,000.00 (not of the claimed 600.00) = 500.00 -> partial of cap 600.00.
    ("cap_claimed_partial", claim(QUALITY, claimed=60_000, report=True, defect=5000 - 1,
     conforming=False), order(), TODAY, PARTIAL, 49_990, 60_000,
     (C.DEFECT_RATE_PARTIAL, CLAIMED)),
    # Four-eyes above USD 10,000.00 (1,000,000 cents), not at it.
    ("four_eyes_above_threshold", claim(claimed=2_000_000), order(covered=2_000_000,
     paid=2_000_000), date(2025, 3, 11), FULL, 2_000_000, 2_000_000,
     (C.NOT_SHIPPED, COVERED, C.FOUR_EYES_REQUIRED)),
    ("four_eyes_not_at_threshold", claim(claimed=1_000_000), order(covered=1_000_000,
     paid=1_000_000), date(2025, 3, 11), FULL, 1_000_000, 1_000_000, (C.NOT_SHIPPED, COVERED)),
    ("four_eyes_one_cent_over", claim(claimed=1_000_001), order(covered=1_000_001,
     paid=1_000_001), date(2025, 3, 11), FULL, 1_000_001, 1_000_001,
     (C.NOT_SHIPPED, COVERED, C.FOUR_EYES_REQUIRED)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("claim_", "order_", "today", "action", "amount", "cap", "codes"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_table(
    claim_: ClaimFacts,
    order_: OrderFacts,
    today: date,
    action: Action,
    amount: int,
    cap: int,
    codes: tuple[str, ...],
) -> None:
    rec = recommend(claim_, order_, V1, today)
    assert (rec.action, rec.amount_cents, rec.cap_cents, rec.reason_codes) == (
        action,
        amount,
        cap,
        codes,
    )
    assert rec.policy_version == "v1"
    assert rec.four_eyes_required == (amount > 1_000_000)


# The inspection fee under policies refunding part or none of it (v1 refunds all of it):
# 10% of USD 1,000.00 = 100.00 plus the share of the USD 250.00 fee.
FEE_CASES = [
    (5_000, PARTIAL, 22_500, (C.DEFECT_RATE_PARTIAL, C.INSPECTION_FEE_REFUNDED, COVERED)),
    (3_333, PARTIAL, 18_332, (C.DEFECT_RATE_PARTIAL, C.INSPECTION_FEE_REFUNDED, COVERED)),
    (0, PARTIAL, 10_000, (C.DEFECT_RATE_PARTIAL, C.INSPECTION_FEE_NOT_REFUNDED, COVERED)),
]


@pytest.mark.parametrize(("refund_bp", "action", "amount", "codes"), FEE_CASES)
def test_the_policy_sets_the_share_of_the_inspection_fee_refunded(
    refund_bp: int, action: Action, amount: int, codes: tuple[str, ...]
) -> None:
    policy = dataclasses.replace(V1, inspection_fee_refund_bp=refund_bp)
    facts = claim(QUALITY, report=True, defect=1000, conforming=False, fee=25_000)
    rec = recommend(facts, order(), policy, TODAY)
    assert (rec.action, rec.amount_cents, rec.reason_codes) == (action, amount, codes)
    assert "USD 250.00" in rec.reasons[1].message


def test_table_covers_every_reason_code() -> None:
    seen = {code for case in CASES for code in case[-1]}
    seen |= {code for case in FEE_CASES for code in case[-1]}
    assert seen == set(ReasonCode)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([case[1:4] for case in CASES]), st.sampled_from([V1, *OTHER_POLICIES]))
def test_explain_false_changes_nothing_but_the_reasons(
    case: tuple[ClaimFacts, OrderFacts, date], policy: Policy
) -> None:
    facts, order_, today = case
    full = recommend(facts, order_, policy, today)
    quiet = recommend(facts, order_, policy, today, explain=False)
    assert quiet.reasons == ()
    assert dataclasses.replace(full, reasons=()) == quiet


def test_messages_carry_the_numbers() -> None:
    rec = recommend(claim(), order(refunded=30_000, shipped=utc(2025, 3, 13)), V1, TODAY)
    late, covered, refunded = (r.message for r in rec.reasons)
    # Days as every screen writes them, never ISO ("Shipped on 2025-03-13").
    assert "13 Mar 2025" in late and "10 Mar 2025" in late and "3 days" in late
    assert "3%" in late and "USD 700.00" in late and "USD 21.00" in late
    assert "USD 1,000.00" in covered
    assert "USD 300.00" in refunded and "USD 700.00" in refunded
    rec = recommend(claim(filed=utc(2025, 5, 2)), order(delivered=utc(2025, 4, 1)), V1, TODAY)
    assert rec.reasons[0].message == (
        "Filed on 2 May 2025, 31 days after delivery on 1 Apr 2025; claims must be filed "
        "within 30 days of delivery."
    )
    big = recommend(claim(claimed=2_000_000), order(2_000_000, 2_000_000), V1, date(2025, 3, 11))
    assert "USD 20,000.00" in big.reasons[-1].message
    assert "USD 10,000.00" in big.reasons[-1].message


# --- boundaries --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delivered", "filed", "in_window"),
    [
        (utc(2025, 4, 1, 23, 59), utc(2025, 5, 1, 0, 0), True),  # day 30
        (utc(2025, 4, 1, 0, 0), utc(2025, 5, 1, 23, 59, 59), True),  # day 30, end of day
        (utc(2025, 4, 1, 23, 59), utc(2025, 5, 2, 0, 0), False),  # day 31, one minute later
        (utc(2025, 4, 1), utc(2025, 3, 30), True),  # filed before delivery
        # 20:00 at UTC-5 is 01:00 UTC the next day: the UTC calendar day counts.
        (
            datetime(2025, 4, 1, 20, 0, tzinfo=timezone(timedelta(hours=-5))),
            utc(2025, 5, 2, 0, 0),
            True,
        ),
    ],
)
def test_claim_window_boundary(delivered: datetime, filed: datetime, in_window: bool) -> None:
    shipped = utc(2025, 3, 13)
    rec = recommend(claim(filed=filed), order(shipped=shipped, delivered=delivered), V1, TODAY)
    assert (ReasonCode.OUT_OF_WINDOW not in rec.reason_codes) is in_window
    assert rec.action == (Action.APPROVE_PARTIAL if in_window else Action.REJECT)


@pytest.mark.parametrize(
    ("shipped", "action", "amount"),
    [
        (utc(2025, 3, 10, 0, 0), REJECT, 0),
        (utc(2025, 3, 10, 23, 59, 59), REJECT, 0),
        (utc(2025, 3, 11, 0, 0), PARTIAL, 1_000),  # one UTC day late: 1%
        (datetime(2025, 3, 10, 23, 30, tzinfo=timezone(timedelta(hours=-1))), PARTIAL, 1_000),
        (datetime(2025, 3, 11, 0, 30, tzinfo=timezone(timedelta(hours=1))), REJECT, 0),
    ],
)
def test_ship_by_day_boundary(shipped: datetime, action: Action, amount: int) -> None:
    rec = recommend(claim(), order(shipped=shipped), V1, TODAY)
    assert (rec.action, rec.amount_cents) == (action, amount)


@pytest.mark.parametrize(
    ("shipped_day", "today", "action", "amount"),
    [
        (date(2025, 3, 12), TODAY, REJECT, 0),  # 2 days late, within 2 grace days
        (date(2025, 3, 13), TODAY, PARTIAL, 3_000),  # the rate counts from the ship-by day
        (None, date(2025, 3, 12), REJECT, 0),
        (None, date(2025, 3, 13), FULL, 100_000),
    ],
)
def test_grace_days(shipped_day: date | None, today: date, action: Action, amount: int) -> None:
    policy = dataclasses.replace(V1, late_grace_days=2)
    shipped = None if shipped_day is None else utc(*shipped_day.timetuple()[:3])
    rec = recommend(claim(), order(shipped=shipped), policy, today)
    assert (rec.action, rec.amount_cents) == (action, amount)


def test_apply_rate_rounds_half_to_even() -> None:
    assert [apply_rate(c, 100) for c in (50, 150, 250, 350, 149, 151)] == [0, 2, 2, 4, 1, 2]
    # 123,456,789,012,345 x 12.34% = 15,234,567,764,123.373 cents: exact beyond float's 2**53.
    assert apply_rate(123_456_789_012_345, 1234) == 15_234_567_764_123


def test_policy_parameters_drive_the_rules() -> None:
    policy = dataclasses.replace(
        V1, late_rate_per_day_bp=250, late_rate_max_bp=1000, four_eyes_threshold_cents=5_000
    )
    # 3 days x 2.5% = 7.5% of 1,000.00 = 75.00 (over the 50.00 four-eyes threshold).
    rec = recommend(claim(), order(shipped=utc(2025, 3, 13)), policy, TODAY)
    assert (rec.amount_cents, rec.four_eyes_required) == (7_500, True)
    rec = recommend(claim(), order(shipped=utc(2025, 3, 20)), policy, TODAY)
    assert rec.amount_cents == 10_000  # 10 days x 2.5% capped at 10%


# --- departures and four-eyes ------------------------------------------------------------------


def _rec(action: Action, amount: int, cap: int = 100_000) -> Recommendation:
    return Recommendation(action, amount, cap, (), "v1", False)


@pytest.mark.parametrize(
    ("rec", "approve", "amount", "departs"),
    [
        (_rec(PARTIAL, 3_000), True, 3_000, False),
        (_rec(PARTIAL, 3_000), True, 2_999, True),
        (_rec(PARTIAL, 3_000), False, 0, True),
        (_rec(FULL, 100_000), True, 100_000, False),
        (_rec(REJECT, 0), False, 0, False),
        (_rec(REJECT, 0), True, 1, True),
        (_rec(EVIDENCE, 0), False, 0, True),
        (_rec(EVIDENCE, 0), True, 100_000, True),
    ],
)
def test_departs_from(rec: Recommendation, approve: bool, amount: int, departs: bool) -> None:
    assert departs_from(rec, approve, amount) is departs


@pytest.mark.parametrize(
    ("approve", "amount"), [(True, 0), (True, -1), (True, 100_001), (False, 5)]
)
def test_departs_from_refuses_impossible_verdicts(approve: bool, amount: int) -> None:
    with pytest.raises(ValueError):
        departs_from(_rec(PARTIAL, 3_000), approve, amount)


@pytest.mark.parametrize(
    ("rec", "approve", "amount", "needed"),
    [
        (_rec(FULL, 2_000_000, 2_000_000), True, 2_000_000, True),  # over the threshold
        (_rec(FULL, 1_000_000, 1_000_000), True, 1_000_000, False),  # at it
        (_rec(PARTIAL, 3_000), True, 3_000, False),
        (_rec(PARTIAL, 3_000), True, 5_000, True),  # departs
        (_rec(PARTIAL, 3_000), False, 0, True),  # departs
        (_rec(REJECT, 0), False, 0, False),
    ],
)
def test_needs_second_approval(
    rec: Recommendation, approve: bool, amount: int, needed: bool
) -> None:
    assert needs_second_approval(rec, approve, amount, V1) is needed


# --- properties --------------------------------------------------------------------------------

_DAY0 = date(2025, 1, 1)
_days = st.integers(0, 400)
_instants = st.builds(
    lambda d, s: datetime.combine(_DAY0, datetime.min.time(), UTC) + timedelta(days=d, seconds=s),
    _days,
    st.integers(0, 86_399),
)
_money = st.integers(0, 5_000_000)
_orders = st.builds(
    OrderFacts,
    _money,
    _money,
    st.integers(0, 3_000_000),
    _days.map(lambda d: _DAY0 + timedelta(days=d)),
    st.none() | _instants,
    st.none() | _instants,
)
_claims = st.builds(
    ClaimFacts,
    st.sampled_from(ClaimKind),
    _instants,
    _money,
    st.sampled_from(SupplierResponse),
    st.booleans(),
    st.none() | st.integers(0, 10_000),
    st.none() | st.booleans(),
    st.integers(0, 100_000),
)
_todays = _days.map(lambda d: _DAY0 + timedelta(days=d))
_policies = st.builds(
    lambda grace, per_day, top, full_at, threshold: dataclasses.replace(
        V1,
        late_grace_days=grace,
        late_rate_per_day_bp=per_day,
        late_rate_max_bp=top,
        quality_full_refund_defect_bp=full_at,
        four_eyes_threshold_cents=threshold,
    ),
    st.integers(0, 5),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.integers(0, 5_000_000),
)


@settings(max_examples=400, deadline=None)
@given(_claims, _orders, _todays, st.just(V1) | _policies)
def test_amount_is_bounded_and_consistent(
    c: ClaimFacts, o: OrderFacts, today: date, policy: Policy
) -> None:
    rec = recommend(c, o, policy, today)
    base_cap = max(0, min(o.covered_amount_cents, o.paid_amount_cents) - o.already_refunded_cents)
    assert rec.cap_cents == min(base_cap, c.claimed_amount_cents)
    assert rec.cap_cents <= min(o.covered_amount_cents, o.paid_amount_cents, c.claimed_amount_cents)
    assert 0 <= rec.amount_cents <= rec.cap_cents
    assert rec.four_eyes_required is (rec.amount_cents > policy.four_eyes_threshold_cents)
    if rec.action is Action.APPROVE_FULL:
        assert rec.amount_cents == rec.cap_cents > 0
    elif rec.action is Action.APPROVE_PARTIAL:
        assert 0 < rec.amount_cents < rec.cap_cents
    else:
        assert rec.amount_cents == 0
    codes = rec.reason_codes
    assert any(code.startswith("CAP_") for code in codes)
    assert all(r.message for r in rec.reasons)
    assert recommend(c, o, policy, today) == rec  # deterministic


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(_claims, _orders, _todays), min_size=2, max_size=20), st.randoms())
def test_independent_of_evaluation_order(
    cases: list[tuple[ClaimFacts, OrderFacts, date]], rnd: random.Random
) -> None:
    forward = {i: recommend(c, o, V1, t) for i, (c, o, t) in enumerate(cases)}
    order_ = list(range(len(cases)))
    rnd.shuffle(order_)
    shuffled = {i: recommend(*cases[i][:2], V1, cases[i][2]) for i in order_}
    assert shuffled == forward


# --- the programme's calendar (issue 10): days are days of one time zone, UTC by default ------

SHANGHAI = ZoneInfo("Asia/Shanghai")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@pytest.mark.parametrize(
    ("shipped", "zone", "code", "amount"),
    [
        # 07:00 in China the day after the ship-by date is 23:00 UTC on the ship-by date.
        (datetime(2025, 3, 11, 7, 0, tzinfo=SHANGHAI), UTC, C.SHIPPED_ON_TIME, 0),
        (datetime(2025, 3, 11, 7, 0, tzinfo=SHANGHAI), SHANGHAI, C.SHIPPED_LATE, 1_000),
        # 22:00 in Sao Paulo on the ship-by date is 01:00 UTC the next day.
        (datetime(2025, 3, 10, 22, 0, tzinfo=SAO_PAULO), UTC, C.SHIPPED_LATE, 1_000),
        (datetime(2025, 3, 10, 22, 0, tzinfo=SAO_PAULO), SAO_PAULO, C.SHIPPED_ON_TIME, 0),
    ],
)
def test_lateness_is_judged_in_the_programmes_calendar(
    shipped: datetime, zone: ZoneInfo, code: ReasonCode, amount: int
) -> None:
    rec = recommend(claim(), order(shipped=shipped), V1, TODAY, zone)
    assert (rec.reasons[0].code, rec.amount_cents) == (code, amount)


def test_the_claim_window_counts_programme_days() -> None:
    """Delivered 2025-04-01 at 20:00 UTC, which is 04:00 on 04-02 in China; filed 2025-05-02 at
    15:30 UTC (23:30 in China): day 31 after delivery in UTC, day 30 in China."""
    delivered = datetime(2025, 4, 1, 20, 0, tzinfo=UTC)
    shipped = datetime(2025, 3, 9, tzinfo=UTC)
    late_filing = claim(filed=datetime(2025, 5, 2, 15, 30, tzinfo=UTC))  # 23:30 in China
    in_utc = recommend(late_filing, order(shipped=shipped, delivered=delivered), V1, TODAY)
    in_china = recommend(
        late_filing, order(shipped=shipped, delivered=delivered), V1, TODAY, SHANGHAI
    )
    assert in_utc.reasons[0].code == C.OUT_OF_WINDOW  # 05-02 is day 31 after 04-01
    assert in_china.reasons[0].code != C.OUT_OF_WINDOW  # 05-02 is day 30 after 04-02


@pytest.mark.parametrize(
    ("cancelled", "zone", "rejected"),
    [
        (datetime(2025, 3, 9, 23, 0, tzinfo=UTC), UTC, True),  # the day before ship-by
        (datetime(2025, 3, 9, 23, 0, tzinfo=UTC), SHANGHAI, False),  # 07:00 on 03-10 in China
        (datetime(2025, 3, 10, 0, 0, tzinfo=UTC), UTC, False),  # on the ship-by day: was due
    ],
)
def test_a_cancellation_before_the_ship_by_day_is_judged_in_the_programmes_calendar(
    cancelled: datetime, zone: ZoneInfo, rejected: bool
) -> None:
    facts = order(cancelled=cancelled)
    rec = recommend(claim(), facts, V1, date(2025, 3, 20), zone)
    assert (rec.reasons[0].code == C.ORDER_CANCELLED) is rejected
    assert cancelled_before_due(facts, zone) is rejected


@pytest.mark.parametrize(
    ("day", "written"),
    [(date(2025, 3, 3), "3 Mar 2025"), (date(2024, 12, 31), "31 Dec 2024"),
     (date(2025, 1, 1), "1 Jan 2025"), (date(2024, 2, 29), "29 Feb 2024")],
)  # fmt: skip
def test_a_day_is_written_with_the_months_name(day: date, written: str) -> None:
    from rules import format_day

    assert format_day(day) == written
