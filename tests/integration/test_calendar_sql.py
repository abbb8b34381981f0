"""The portable calendar SQL (data_access.sql) agrees with Python's zoneinfo on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, Engine, bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import Order
from data_access.sql import day_number, day_start, days_between, local_day, period_start
from tests import factories as f

ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]
MOMENTS = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moments=st.lists(MOMENTS, min_size=1, max_size=8), zone=st.sampled_from(ZONES))
def test_local_day_of_stored_timestamps(
    session_factory: sessionmaker[Session], moments: list[datetime], zone: str
) -> None:
    with session_factory() as s:
        sup, buy = f.supplier(s), f.buyer(s)
        ids = [f.order(s, sup, buy, placed_at=m.replace(microsecond=0)).id for m in moments]
        rows: dict[int, date] = dict(
            s.execute(select(Order.id, local_day(Order.placed_at, zone)).where(Order.id.in_(ids)))
            .tuples()
            .all()
        )
        s.rollback()
    for order_id, moment in zip(ids, moments, strict=True):
        assert rows[order_id] == moment.replace(microsecond=0).astimezone(ZoneInfo(zone)).date()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)), other=st.dates())
def test_period_start_and_days_between(engine: Engine, day: date, other: date) -> None:
    param = bindparam("day", day, type_=Date())
    with engine.connect() as conn:
        week, month, year, apart, number = conn.execute(
            select(
                period_start(param, "week"),
                period_start(param, "month"),
                period_start(param, "year"),
                days_between(param, bindparam("other", other, type_=Date())),
                day_number(param),
            )
        ).one()
    assert week == day - timedelta(days=day.weekday())
    assert month == day.replace(day=1)
    assert year == date(day.year, 1, 1)
    assert apart == (day - other).days
    assert number == (day - date(1970, 1, 1)).days
    assert np.datetime64(number, "D") == np.datetime64(day)  # how summary_memory reads it


def test_a_timestamp_near_midnight_in_three_zones(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        sup, buy = f.supplier(s), f.buyer(s)
        order = f.order(s, sup, buy, placed_at=datetime(2025, 1, 20, 23, 30, tzinfo=UTC))
        s.commit()
        got = {
            z: s.execute(select(local_day(Order.placed_at, z)).where(Order.id == order.id)).scalar()
            for z in ("UTC", "Asia/Shanghai", "America/New_York")
        }
    assert got == {
        "UTC": date(2025, 1, 20),
        "Asia/Shanghai": date(2025, 1, 21),
        "America/New_York": date(2025, 1, 20),
    }


def test_day_start_is_local_midnight() -> None:
    assert day_start(date(2025, 1, 21), "Asia/Shanghai") == datetime(2025, 1, 20, 16, tzinfo=UTC)
    assert day_start(date(2025, 7, 1), "America/New_York") == datetime(2025, 7, 1, 4, tzinfo=UTC)
    assert day_start(date(2025, 7, 1), "UTC") == datetime(2025, 7, 1, tzinfo=UTC)


def test_zone_names_are_checked_before_they_reach_sql() -> None:
    with pytest.raises(ValueError, match="IANA"):
        local_day(Order.placed_at, "Mars/Olympus'; DROP TABLE orders; --")
    with pytest.raises(ValueError, match="grain"):
        period_start(Order.ship_by, "quarter")  # type: ignore[arg-type]
