"""The figures the summaries hold refunds for equal those counted from the claims, as of any
day, on SQLite and PostgreSQL: the loss ratio's cohorts, their refunds and the cancelled orders
they leave out (``summary_refund_days``), and what live orders could still pay out (their caps
less ``live_taken_cents``).

The summaries date each refund twice at most (from the later of its decided and placed days,
until its order is cancelled or leaves the claim window); these worlds put those days on either
side of month ends and of each other in several zones, give orders refunds beyond their caps and
claims still open that keep long-delivered orders live, so a wrong day, cohort or amount shows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from data_access import summaries
from data_access.queries import exposure as counted
from data_access.queries import exposure_summarised as summarised
from data_access.sql import day_start
from services.figures.periods import shift_months
from tests import factories as f
from tests.factories import utc

START = utc(2025, 1, 30)
WINDOW = 30  # days of the claim window after delivery
ZONES = ("UTC", "Asia/Shanghai", "America/Los_Angeles")
#: A claim's ending: approved by a final decision (a refund), approved as imported history
#: without one, rejected, approved only by a pending proposal (none of those is a refund), or
#: still open (keeping its order live after the claim window).
ENDINGS = ("refund", "history", "rejected", "proposal", "open")
CLAIM_STATUS = {
    "refund": "approved",
    "history": "approved",
    "rejected": "rejected",
    "proposal": "awaiting_second_approval",
}


@st.composite
def orders(draw: st.DrawFn) -> dict[str, Any]:
    placed = START + timedelta(hours=draw(st.integers(0, 24 * 35)))
    later = st.integers(1, 24 * 30).map(lambda h: placed + timedelta(hours=h))
    # Now and then cancelled before it was placed (odd data): it leaves its cohort when placed.
    cancelled = draw(
        st.none() | st.integers(-30, 24 * 30).map(lambda h: placed + timedelta(hours=h))
    )
    delivered = None if cancelled else draw(st.none() | later)
    claims = draw(
        st.lists(
            st.tuples(
                st.sampled_from(ENDINGS),
                st.integers(-30, 24 * 30),  # decided, hours after placing (a few before: odd data)
                st.integers(0, 5_000_00),
            ),
            max_size=2,
        )
    )
    paid = draw(st.sampled_from([500_00, 3_000_00, 10_000_00]))
    return {
        "placed": placed, "cancelled": cancelled, "delivered": delivered, "paid": paid,
        "covered": draw(st.sampled_from([2_000_00, 5_000_00])), "claims": claims,
        "supplier": draw(st.integers(0, 1)),
    }  # fmt: skip


def _order(
    paid: int, claims: list[tuple[str, int, int]], delivered: datetime | None = None
) -> dict[str, Any]:
    return {
        "placed": START, "cancelled": None, "delivered": delivered, "paid": paid,
        "covered": 5_000_00, "claims": claims, "supplier": 0,
    }  # fmt: skip


def _insert(factory: sessionmaker[Session], drawn: list[dict[str, Any]]) -> None:
    with factory.begin() as s:
        reviewer = f.user(s)
        suppliers = [f.supplier(s, external_id=f"SUP-{n}") for n in range(2)]
        buyer = f.buyer(s)
        for o in drawn:
            status = "cancelled" if o["cancelled"] else "delivered" if o["delivered"] else "placed"
            order = f.order(
                s, suppliers[o["supplier"]], buyer, placed_at=o["placed"],
                ship_by=o["placed"].date(), cancelled_at=o["cancelled"],
                shipped_at=o["delivered"], delivered_at=o["delivered"], status=status,
                order_amount_cents=10_000_00, covered_amount_cents=o["covered"],
                paid_amount_cents=o["paid"],
            )  # fmt: skip
            for ending, hours, amount in o["claims"]:
                decided = o["placed"] + timedelta(hours=hours)
                if ending == "open":
                    f.claim(s, order, filed_at=max(decided, o["placed"]))
                    continue
                claim = f.claim(s, order, status=CLAIM_STATUS[ending])
                if ending == "history":
                    continue
                f.decision(
                    s, claim, reviewer, amount_cents=amount, cap_cents=5_000_00, decided_at=decided,
                    kind="proposal" if ending == "proposal" else "sole",
                    verdict="reject" if ending == "rejected" else "approve",
                )  # fmt: skip


def _loss_ratios(engine: Engine, zone: str, day: date, *, from_summary: bool) -> Any:
    first = shift_months(day, -11)
    start, end = day_start(first, zone), day_start(day + timedelta(days=1), zone)
    with engine.connect() as conn:
        if from_summary:
            frame = summarised.loss_ratio_by_cohort(conn, zone, first, day)
        else:
            frame = counted.loss_ratio_by_cohort(conn, start, end, end, zone)
    return frame.to_dict("list")


def _refundable(engine: Engine, zone: str, day: date, *, from_summary: bool) -> Any:
    end = day_start(day + timedelta(days=1), zone)
    since = day_start(day - timedelta(days=WINDOW), zone)
    with engine.connect() as conn:
        if from_summary:
            frame = summarised.exposure_by(conn, zone, day, end, since, "supplier")
        else:
            frame = counted.exposure_by(conn, end, since, "supplier")
    return frame.to_dict("list")  # refundable_cents among the exposure per supplier


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Refunds beyond the cap on an order still to ship; and on one delivered long before, live only
# through a claim still open, whose second refund passes the cap on a later day.
@example(drawn=[_order(500_00, [("refund", 1, 3_000_00)])], zone="UTC", days=[0, 5])
@example(
    drawn=[
        _order(
            3_000_00,
            [("refund", 30, 2_000_00), ("open", 40, 0), ("refund", 24 * 29, 2_500_00)],
            delivered=START + timedelta(days=2),
        )
    ],
    zone="Asia/Shanghai",
    days=[10, 45, 60],
)
@given(
    drawn=st.lists(orders(), min_size=1, max_size=6),
    zone=st.sampled_from(ZONES),
    days=st.lists(st.integers(-2, 100), min_size=1, max_size=4),
)
def test_refund_figures_from_the_summaries_equal_the_count_from_the_claims(
    engine: Engine,
    session_factory: sessionmaker[Session],
    drawn: list[dict[str, Any]],
    zone: str,
    days: list[int],
) -> None:
    f.empty_database(engine)
    _insert(session_factory, drawn)
    with engine.begin() as conn:
        summaries.rebuild(conn, {zone: WINDOW}, START)
    for offset in days:
        day = START.date() + timedelta(days=offset)
        for figure in (_loss_ratios, _refundable):
            read = figure(engine, zone, day, from_summary=True)
            assert read == figure(engine, zone, day, from_summary=False), (figure, zone, day)


def test_a_refund_counts_from_its_day_until_its_order_is_cancelled(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    """One refund decided on 3 February on an order placed on 31 January (Shanghai: 1 February)
    and cancelled on 10 February: the January cohort counts it from the 3rd to the 9th only."""
    placed, decided, cancelled = utc(2025, 1, 31, 20), utc(2025, 2, 3, 9), utc(2025, 2, 10, 9)
    with session_factory.begin() as s:
        order = f.order(
            s, f.supplier(s), f.buyer(s), placed_at=placed, ship_by=date(2025, 2, 5),
            cancelled_at=cancelled, status="cancelled",
        )  # fmt: skip
        claim = f.claim(s, order, status="approved")
        f.decision(s, claim, f.user(s), amount_cents=700_00, decided_at=decided)
    with engine.begin() as conn:
        summaries.rebuild(conn, {"UTC": 30, "Asia/Shanghai": 30}, START)

    def refunded(zone: str, day: date) -> dict[date, int]:
        frame = _loss_ratios(engine, zone, day, from_summary=True)
        return dict(zip(frame["cohort"], frame["refunded_cents"], strict=True))

    january, february = date(2025, 1, 1), date(2025, 2, 1)
    assert refunded("UTC", date(2025, 2, 2)) == {january: 0}
    assert refunded("UTC", date(2025, 2, 3)) == {january: 700_00}
    assert refunded("UTC", date(2025, 2, 9)) == {january: 700_00}
    assert refunded("UTC", date(2025, 2, 10)) == {}  # the cohort's only order left it
    assert refunded("Asia/Shanghai", date(2025, 2, 3)) == {february: 700_00}


def test_a_cancelled_order_leaves_its_cohort_on_its_cancelled_day(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    """Three January orders (UTC): one kept, one cancelled on 10 February, one whose
    cancellation is recorded on the 18th, two days before it was placed (odd data): that one
    leaves the cohort on its placed day (before, it was not in it), the other on the 10th."""
    with session_factory.begin() as s:
        supplier, buyer = f.supplier(s), f.buyer(s)
        for placed, cancelled, covered in (
            (utc(2025, 1, 5), None, 100_00),
            (utc(2025, 1, 6), utc(2025, 2, 10, 9), 200_00),
            (utc(2025, 1, 20, 12), utc(2025, 1, 18, 11), 400_00),
        ):
            f.order(
                s, supplier, buyer, placed_at=placed, ship_by=placed.date(),
                cancelled_at=cancelled, status="cancelled" if cancelled else "placed",
                covered_amount_cents=covered, paid_amount_cents=covered,
            )  # fmt: skip
    with engine.begin() as conn:
        summaries.rebuild(conn, {"UTC": 30}, START)

    def cohort(day: date) -> tuple[int, int]:
        frame = _loss_ratios(engine, "UTC", day, from_summary=True)
        assert frame == _loss_ratios(engine, "UTC", day, from_summary=False)
        return frame["orders"][0], frame["covered_cents"][0]

    assert cohort(date(2025, 1, 18)) == (2, 300_00)
    assert cohort(date(2025, 1, 19)) == (2, 300_00)
    assert cohort(date(2025, 1, 20)) == (2, 300_00)  # the third placed and cancelled at once
    assert cohort(date(2025, 2, 9)) == (2, 300_00)
    assert cohort(date(2025, 2, 10)) == (1, 100_00)
