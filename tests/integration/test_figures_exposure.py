"""Exposure, utilisation, headroom, pending liability, loss ratio, concentration and both stress
figures: a hand-counted case with every edge the issue names, and the generated world against
the oracle, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from data_access import summaries
from data_access.models import Decision, Order, Recommendation, Supplier, SupplierLimitChange
from rules import bundled_policy
from services.figures import exposure, stress
from services.figures.periods import shift_months
from tests import factories as f
from tests import figures_oracle as oracle
from tests.factories import utc
from tests.figures_world import OrderRow, World, build_world, insert_world, rows

POLICY = bundled_policy("v1")
AS_OF = date(2025, 3, 15)


def _rec(s: Session, claim_id: int, amount: int, created: datetime, action: str) -> None:
    s.add(
        Recommendation(
            claim_id=claim_id,
            policy_version="v1",
            action=action,
            amount_cents=amount,
            cap_cents=300_00,
            reasons=[{"code": "X", "message": "x"}],
            four_eyes_required=False,
            created_at=created,
        )
    )
    s.flush()


@pytest.fixture
def hand_made(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        reviewer, other = f.user(s), f.user(s)
        over = f.supplier(
            s, external_id="SUP-OVER", name="Over Limit Co", country="CN", limit_cents=1_000_00
        )
        fine = f.supplier(
            s, external_id="SUP-FINE", name="Fine GmbH", country="DE", limit_cents=10_000_00
        )
        buy = f.buyer(s)

        def order(supplier: Supplier, covered: int, **fields: object) -> Order:
            values = {
                "placed_at": utc(2024, 11, 20),
                "ship_by": date(2024, 12, 1),
                "covered_amount_cents": covered,
                "paid_amount_cents": covered,
                "order_amount_cents": covered,
            } | fields
            return f.order(s, supplier, buy, **values)

        order(over, 800_00, shipped_at=utc(2025, 3, 5), status="shipped")  # live: undelivered
        order(
            over,
            500_00,
            shipped_at=utc(2025, 2, 27),
            delivered_at=utc(2025, 3, 1, 12),
            status="delivered",
        )  # live: delivered inside the 30-day window
        order(
            over,
            700_00,
            shipped_at=utc(2025, 1, 8),
            delivered_at=utc(2025, 1, 10),
            status="delivered",
        )  # not live: delivered before the window
        with_claim = order(
            over,
            300_00,
            shipped_at=utc(2025, 1, 3),
            delivered_at=utc(2025, 1, 5),
            status="delivered",
        )  # live: an open claim
        order(over, 900_00, cancelled_at=utc(2025, 3, 10), status="cancelled")  # not live
        order(
            over,
            100_00,
            shipped_at=utc(2025, 2, 10),
            delivered_at=utc(2025, 2, 13),
            status="delivered",
        )  # live: delivered on the window's first day
        order(
            over,
            50_00,
            shipped_at=utc(2025, 2, 10),
            delivered_at=utc(2025, 2, 12, 23, 59, 59),
            status="delivered",
        )  # not live: the second before
        refunded = order(
            fine, 2_000_00, paid_amount_cents=1_500_00, shipped_at=utc(2025, 2, 1), status="shipped"
        )
        # Baseline of the late-shipment stress: 10 orders due in the 90 days, 2 late.
        for _ in range(8):
            order(
                fine,
                100_00,
                placed_at=utc(2024, 12, 20),
                ship_by=date(2025, 1, 10),
                shipped_at=utc(2025, 1, 9),
                delivered_at=utc(2025, 1, 11),
                status="delivered",
            )
        order(
            fine,
            100_00,
            placed_at=utc(2024, 12, 20),
            ship_by=date(2025, 1, 10),
            shipped_at=utc(2025, 1, 13),
            delivered_at=utc(2025, 1, 15),
            status="delivered",
        )
        order(fine, 100_00, placed_at=utc(2024, 12, 20), ship_by=date(2025, 1, 10))  # never shipped
        open_claim = f.claim(s, with_claim, filed_at=utc(2025, 2, 1, 11))
        _rec(s, open_claim.id, 100_00, utc(2025, 2, 1, 13), "approve_partial")
        _rec(s, open_claim.id, 250_00, utc(2025, 2, 1, 12), "approve_full")  # greatest id: counts
        approved = f.claim(
            s,
            refunded,
            filed_at=utc(2025, 2, 5),
            status="approved",
            decided_at=utc(2025, 2, 20),
        )
        # Four-eyes: a proposal of 600.00, a counter-proposal of 400.00 that the first reviewer
        # confirmed; only the confirmed 400.00 is the refund.
        for seq, (kind, who, amount, at) in enumerate(
            (
                ("proposal", reviewer, 600_00, utc(2025, 2, 19)),
                ("proposal", other, 400_00, utc(2025, 2, 19, 12)),
                ("confirmation", reviewer, 400_00, utc(2025, 2, 20)),
            ),
            start=1,
        ):
            s.add(
                Decision(
                    claim_id=approved.id,
                    seq=seq,
                    kind=kind,
                    reviewer_id=who.id,
                    verdict="approve",
                    amount_cents=amount,
                    cap_cents=1_500_00,
                    decided_at=at,
                )
            )
        s.commit()


@pytest.mark.usefixtures("hand_made")
def test_exposure_counted_by_hand(engine: Engine) -> None:
    view = exposure.exposure_view(engine, AS_OF, "UTC", POLICY)
    by = {r.supplier: r for r in rows(view.suppliers)}
    assert by["SUP-OVER"].exposure_cents == 800_00 + 500_00 + 300_00 + 100_00
    assert by["SUP-OVER"].live_orders == 4
    assert by["SUP-OVER"].headroom_cents == -700_00  # over its limit
    assert by["SUP-OVER"].utilisation == pytest.approx(1.7)
    assert by["SUP-FINE"].exposure_cents == 2_000_00 + 100_00  # the never-shipped one is live
    assert by["SUP-FINE"].utilisation == pytest.approx(0.21)
    assert view.exposure_cents == 3_800_00 and view.live_orders == 6
    assert view.limits_cents == 11_000_00
    assert (view.pending_liability.claims, view.pending_liability.cents) == (1, 250_00)
    assert (view.refunds_approved.claims, view.refunds_approved.cents) == (1, 400_00)
    assert list(view.above["supplier"]) == ["SUP-OVER"]
    bands = dict(zip(view.bands["band"], view.bands["suppliers"], strict=True))
    assert bands == {"Under 50%": 1, "50–75%": 0, "75–90%": 0, "90–100%": 0, "100% and over": 1}
    assert view.top10_cents == 3_800_00 and view.top10_share == 1
    assert view.hhi == pytest.approx(
        float(Fraction(100 * 21, 38) ** 2 + Fraction(100 * 17, 38) ** 2)
    )
    shares = dict(zip(view.by_country["key"], view.by_country["share"], strict=True))
    assert shares == pytest.approx({"DE": 21 / 38, "CN": 17 / 38})
    cohorts = view.loss_ratio.set_index("cohort")
    november = cohorts.loc[date(2024, 11, 1)]
    assert (
        november["covered_cents"] == 800_00 + 500_00 + 700_00 + 300_00 + 100_00 + 50_00 + 2_000_00
    )
    assert november["refunded_cents"] == 400_00  # the final (second) decision, not the first
    assert november["loss_ratio"] == pytest.approx(400 / 4450)
    assert cohorts.loc[date(2024, 12, 1)]["covered_cents"] == 10 * 100_00
    assert view.trend["exposure_cents"].iloc[-1] == view.exposure_cents
    assert bool(view.trend["partial"].iloc[-1]) is True  # March runs to the as-of day only


@pytest.mark.usefixtures("hand_made")
def test_stress_counted_by_hand(engine: Engine) -> None:
    refundable = stress.refundable_of(
        exposure.exposure_view(engine, AS_OF, "UTC", POLICY).suppliers
    )
    by = dict(zip(refundable["supplier"], refundable["refundable_cents"], strict=True))
    # Capped per order: the lower of covered and paid, less refunds approved (400 of 1,500).
    assert by == {"SUP-FINE": 1_100_00 + 100_00, "SUP-OVER": 1_700_00}
    assert stress.largest_exposures_fail(refundable, 1).payout_cents == 1_200_00  # FINE first
    assert stress.largest_exposures_fail(refundable, 2).payout_cents == 2_900_00
    assert stress.largest_exposures_fail(refundable, 9).payout_cents == 2_900_00
    assert stress.largest_exposures_fail(refundable, 0).payout_cents == 0
    doubled = stress.late_shipments_double(engine, AS_OF, "UTC", POLICY, 2_900_00)
    assert (doubled.late, doubled.due) == (2, 10)
    assert doubled.baseline.first == AS_OF - timedelta(days=90)
    # One order 3 days late (3% of the cap), one never shipped (100%): on average 51.5%.
    assert doubled.mean_refund_bp == 5150
    assert doubled.baseline_refunds_cents == 2_900_00 * 2 // 10 * 5150 // 10_000  # 298.70
    assert doubled.stressed_refunds_cents == 597_40  # 2,900.00 x 40% x 51.5%
    assert doubled.extra_cents == 298_70


@pytest.mark.parametrize(
    ("days", "bp"), [(1, 100), (3, 300), (20, 2000), (45, 2000), (None, 10_000)]
)
def test_late_refund_terms_come_from_the_rules_module(days: int | None, bp: int) -> None:
    assert stress.late_refund_bp(days, POLICY) == bp


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    built = build_world(seed=3, orders=200, claims=100)
    with session_factory() as session:
        insert_world(session, built)
    return built


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai"])
@pytest.mark.parametrize("day", [AS_OF, date(2025, 1, 31)])
def test_exposure_view_equals_the_oracle(
    engine: Engine, world: World, zone: str, day: date
) -> None:
    window = POLICY.claim_window_days
    view = exposure.exposure_view(engine, day, zone, POLICY)
    expected = oracle.exposure(world, day, zone, window)
    assert (
        dict(zip(view.suppliers["supplier"], view.suppliers["exposure_cents"], strict=True))
        == expected
    )
    total = sum(expected.values())
    assert view.exposure_cents == total > 0
    assert view.hhi == pytest.approx(float(oracle.hhi(list(expected.values()))))
    assert view.top10_cents == total  # fewer than ten suppliers
    end = oracle.day_start(day + timedelta(days=1), zone)
    assert (view.pending_liability.claims, view.pending_liability.cents) == oracle.pending_at(
        world, end
    )
    since = oracle.day_start(shift_months(day, -11), zone)
    assert (view.refunds_approved.claims, view.refunds_approved.cents) == oracle.refunds_between(
        world, since, end
    )
    for row in rows(view.trend):
        last = min(shift_months(row.month, 1) - timedelta(days=1), day)
        month_end = oracle.day_start(last + timedelta(days=1), zone)
        assert row.exposure_cents == sum(oracle.exposure(world, last, zone, window).values())
        assert row.pending_cents == oracle.pending_at(world, month_end)[1]
        start = oracle.day_start(row.month, zone)
        assert row.refunds_cents == oracle.refunds_between(world, start, month_end)[1]
    for row in rows(view.loss_ratio):
        cohort = [
            o
            for o in world.orders.values()
            if oracle.local_day(o.placed_at, zone).replace(day=1) == row.cohort
            and (o.cancelled_at is None or o.cancelled_at >= end)
        ]
        assert row.orders == len(cohort)
        assert row.covered_cents == sum(o.covered_cents for o in cohort)
        keys = {o.key for o in cohort}
        refunds = [
            r for c in world.claims if c.order in keys and (r := oracle.refund_of(c)) and r[1] < end
        ]
        assert (row.refunds, row.refunded_cents) == (len(refunds), sum(a for a, _ in refunds))
    refundable = stress.refundable_of(view.suppliers)
    got = dict(zip(refundable["supplier"], refundable["refundable_cents"], strict=True))
    assert got == oracle.refundable(world, day, zone, window)
    ranked = sorted(expected, key=lambda k: (-expected[k], k))
    want = oracle.refundable(world, day, zone, window)
    for n in (1, 2, 3):
        assert stress.largest_exposures_fail(refundable, n).payout_cents == sum(
            want.get(k, 0) for k in ranked[:n]
        )


def test_late_doubling_equals_the_oracle(engine: Engine, world: World) -> None:
    zone = "America/New_York"
    refundable = sum(oracle.refundable(world, AS_OF, zone, POLICY.claim_window_days).values())
    got = stress.late_shipments_double(engine, AS_OF, zone, POLICY, refundable)
    first, last = AS_OF - timedelta(days=90), AS_OF - timedelta(days=1)
    due = [o for o in world.orders.values() if oracle.is_due(o, first, last, AS_OF, zone)]
    late = [o for o in due if oracle.is_late(o, zone)]
    assert (got.late, got.due) == (len(late), len(due)) and late

    def terms(o: OrderRow) -> int:  # the policy's late-shipment terms, written out
        if o.shipped_at is None:
            return 10_000
        days = (oracle.local_day(o.shipped_at, zone) - o.ship_by).days
        return min(100 * days, 2_000)

    mean = Fraction(sum(terms(o) for o in late), len(late))
    rate = Fraction(len(late), len(due))
    assert got.mean_refund_bp == mean
    assert got.baseline_refunds_cents == round(refundable * rate * mean / 10_000)
    assert got.stressed_refunds_cents == round(
        refundable * min(Fraction(1), 2 * rate) * mean / 10_000
    )
    assert got.stressed_refunds_cents > got.baseline_refunds_cents > 0


@pytest.mark.parametrize("from_summaries", [False, True])
def test_an_exposure_as_of_a_past_day_uses_that_days_limits(
    session_factory: sessionmaker[Session], engine: Engine, from_summaries: bool
) -> None:
    """A limit changed on 1 March and again on 1 April (twice that day): as of February the
    exposure is measured against the limit before both, as of March against March's, and as
    of April against the last. Utilisation, headroom and the limits in force follow."""
    with session_factory.begin() as s:
        ops = f.user(s, "ops_manager")
        supplier = f.supplier(s, external_id="SUP-MOVED", limit_cents=4_000_00)
        f.order(s, supplier, f.buyer(s), covered_amount_cents=1_000_00, paid_amount_cents=1_000_00,
                placed_at=utc(2025, 1, 10), ship_by=date(2025, 6, 1))  # fmt: skip
        for at, old, new in [
            (utc(2025, 3, 1, 9), 1_000_00, 2_000_00),
            (utc(2025, 4, 1, 9), 2_000_00, 3_000_00),
            (utc(2025, 4, 1, 9), 3_000_00, 4_000_00),  # the same instant: the later id counts
        ]:
            s.add(
                SupplierLimitChange(
                    supplier_id=supplier.id, old_limit_cents=old, new_limit_cents=new,
                    reason="review", changed_by_id=ops.id, changed_at=at,
                )
            )  # fmt: skip
    if from_summaries:
        with engine.begin() as conn:
            summaries.rebuild(conn, {"UTC": POLICY.claim_window_days}, utc(2025, 5, 1))
    with engine.connect() as conn:
        assert exposure.summarised_for(conn, "UTC", POLICY) is from_summaries

    def seen(day: date) -> tuple[int, int, float]:
        view = exposure.exposure_view(engine, day, "UTC", POLICY)
        (row,) = rows(view.suppliers)
        assert view.limits_cents == row.limit_cents
        return row.limit_cents, row.headroom_cents, row.utilisation

    assert seen(date(2025, 2, 28)) == (1_000_00, 0, 1.0)
    assert seen(date(2025, 3, 1)) == (
        2_000_00,
        1_000_00,
        0.5,
    )  # changed at 09:00, in force by its end
    assert seen(date(2025, 3, 31)) == (2_000_00, 1_000_00, 0.5)
    assert seen(date(2025, 4, 1)) == (4_000_00, 3_000_00, 0.25)
    assert seen(date(2025, 4, 30)) == (4_000_00, 3_000_00, 0.25)
