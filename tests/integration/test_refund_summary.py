"""The loss ratio's refunds read from ``summary_refund_days`` equal those counted from the
claims, as of every day, on SQLite and PostgreSQL.

The summary dates each refund twice at most (counted from the later of its decided and placed
days, taken back on its order's cancellation day if later); these worlds put those days on either
side of month ends and of each other in several zones, so a wrong day or cohort shows.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
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
ZONES = ("UTC", "Asia/Shanghai", "America/Los_Angeles")
#: A claim's ending: approved by a final decision (a refund), approved as imported history
#: without one, rejected, or approved only by a pending proposal (none of those is a refund).
ENDINGS = ("refund", "history", "rejected", "proposal")


@st.composite
def orders(draw: st.DrawFn) -> dict[str, Any]:
    placed = START + timedelta(hours=draw(st.integers(0, 24 * 35)))
    cancelled = draw(st.none() | st.integers(1, 24 * 30).map(lambda h: placed + timedelta(hours=h)))
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
    return {"placed": placed, "cancelled": cancelled, "claims": claims}


def _insert(factory: sessionmaker[Session], drawn: list[dict[str, Any]]) -> None:
    with factory.begin() as s:
        reviewer = f.user(s)
        supplier = f.supplier(s)
        buyer = f.buyer(s)
        for o in drawn:
            order = f.order(
                s, supplier, buyer, placed_at=o["placed"], ship_by=o["placed"].date(),
                cancelled_at=o["cancelled"], status="cancelled" if o["cancelled"] else "placed",
            )  # fmt: skip
            for ending, hours, amount in o["claims"]:
                decided = o["placed"] + timedelta(hours=hours)
                status = {"refund": "approved", "history": "approved", "rejected": "rejected"}
                claim = f.claim(s, order, status=status.get(ending, "awaiting_second_approval"))
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
            frame = summarised.loss_ratio_by_cohort(conn, zone, first, day, start, end)
        else:
            frame = counted.loss_ratio_by_cohort(conn, start, end, end, zone)
    return frame.to_dict("list")


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    drawn=st.lists(orders(), min_size=1, max_size=6),
    zone=st.sampled_from(ZONES),
    days=st.lists(st.integers(-2, 70), min_size=1, max_size=4),
)
def test_the_loss_ratio_from_the_refund_summary_equals_the_count_from_the_claims(
    engine: Engine,
    session_factory: sessionmaker[Session],
    drawn: list[dict[str, Any]],
    zone: str,
    days: list[int],
) -> None:
    f.empty_database(engine)
    _insert(session_factory, drawn)
    with engine.begin() as conn:
        summaries.rebuild(conn, {zone: 30}, START)
    for offset in days:
        day = START.date() + timedelta(days=offset)
        assert _loss_ratios(engine, zone, day, from_summary=True) == _loss_ratios(
            engine, zone, day, from_summary=False
        ), (zone, day)


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
