"""Monthly late-shipment and dispute rates against hand-counted data (DESIGN.md §5)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from data_access.queries.overview import monthly_dispute_rate, monthly_late_shipment
from services.overview import ops_overview, window_start
from tests import factories as f
from tests.factories import utc

TODAY = date(2025, 3, 15)


@pytest.fixture
def late_shipment_data(session_factory: sessionmaker[Session]) -> None:
    """January: 5 due, 3 late. February: 2 due, 1 late. March: 1 due, 1 late; 1 not yet due."""
    with session_factory() as s:
        sup, buy = f.supplier(s), f.buyer(s)

        def order(ship_by: date, **fields: object) -> None:
            f.order(s, sup, buy, ship_by=ship_by, placed_at=utc(2024, 12, 20), **fields)

        jan = date(2025, 1, 20)
        order(jan, shipped_at=utc(2025, 1, 20, 23, 59, 59))  # on the day (UTC): on time
        order(jan, shipped_at=utc(2025, 1, 21, 0, 0, 0))  # a second later, next day: late
        order(jan, shipped_at=utc(2025, 1, 10, 8))  # early: on time
        order(jan)  # never shipped: late
        order(jan, cancelled_at=utc(2025, 1, 19, 12), status="cancelled")  # cancelled before: out
        order(jan, cancelled_at=utc(2025, 1, 25, 12), status="cancelled")  # after, unshipped: late
        feb = date(2025, 2, 28)
        order(feb, shipped_at=utc(2025, 3, 2, 6))  # late
        order(feb, shipped_at=utc(2025, 2, 28, 1))  # on time
        order(date(2025, 3, 14))  # due yesterday, unshipped: late
        order(TODAY)  # due today: not yet past, not counted
        order(date(2025, 3, 30), shipped_at=utc(2025, 3, 1))  # future ship-by: not counted
        order(date(2024, 11, 30))  # before the window: not counted
        s.commit()


@pytest.mark.usefixtures("late_shipment_data")
def test_monthly_late_shipment(session_factory: sessionmaker[Session]) -> None:
    engine = session_factory.kw["bind"]
    frame = monthly_late_shipment(engine, date(2025, 1, 1), TODAY)
    assert frame["month"].tolist() == ["2025-01", "2025-02", "2025-03"]
    assert frame["due"].tolist() == [5, 2, 1]
    assert frame["late"].tolist() == [3, 1, 1]
    assert frame["late_rate"].tolist() == pytest.approx([0.6, 0.5, 1.0])


def test_monthly_dispute_rate(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        sup, buy = f.supplier(s), f.buyer(s)
        jan = [f.order(s, sup, buy, placed_at=utc(2025, 1, d, 10)) for d in (2, 15, 31)]
        # 23:30 UTC on 28 Feb is still February, whatever the server's time zone.
        feb = [f.order(s, sup, buy, placed_at=utc(2025, 2, 28, 23, 30)) for _ in range(4)]
        f.order(s, sup, buy, placed_at=utc(2024, 12, 31, 23, 59))  # before the window
        f.claim(s, jan[0], filed_at=utc(2025, 1, 31, 23, 59))
        f.claim(s, jan[1], filed_at=utc(2025, 2, 1, 0, 0))
        f.claim(s, feb[0], filed_at=utc(2025, 3, 3))
        f.claim(s, feb[1], filed_at=utc(2025, 3, 4), kind="quality")
        s.commit()
    engine = session_factory.kw["bind"]
    frame = monthly_dispute_rate(engine, date(2025, 1, 1), TODAY)
    assert frame["month"].tolist() == ["2025-01", "2025-02", "2025-03"]
    assert frame["orders"].tolist() == [3, 4, 0]
    assert frame["claims"].tolist() == [1, 1, 2]
    rates = frame["dispute_rate"].tolist()
    assert rates[:2] == pytest.approx([1 / 3, 1 / 4])
    assert rates[2] != rates[2]  # NaN: a rate over no orders is unknown, not zero or infinite


@pytest.mark.usefixtures("late_shipment_data")
def test_ops_overview_totals(session_factory: sessionmaker[Session]) -> None:
    overview = ops_overview(session_factory.kw["bind"], TODAY, months=3)
    assert overview.start == date(2025, 1, 1)
    assert (overview.late_total.numerator, overview.late_total.denominator) == (5, 8)
    assert overview.late_total.rate == pytest.approx(5 / 8)


def test_empty_database_gives_empty_frames(session_factory: sessionmaker[Session]) -> None:
    overview = ops_overview(session_factory.kw["bind"], TODAY)
    assert overview.late_shipment.empty
    assert overview.disputes.empty
    assert overview.late_total.rate is None


@pytest.mark.parametrize(
    ("today", "months", "start"),
    [
        (date(2025, 3, 15), 1, date(2025, 3, 1)),
        (date(2025, 3, 15), 3, date(2025, 1, 1)),
        (date(2025, 3, 15), 24, date(2023, 4, 1)),
        (date(2025, 1, 31), 2, date(2024, 12, 1)),
    ],
)
def test_window_start(today: date, months: int, start: date) -> None:
    assert window_start(today, months) == start
