"""The new orders' facts a large load computes from its columns (``summary_facts.facts_of``)
are the facts the SQL reads back (``summary_rows.order_facts``): for orders shipped, delivered
and cancelled around midnight from 1900 to 2999, and claim windows of 0 to 60 days. On SQLite
in zones either side of UTC (one with a 45-minute offset, one moving its clocks by half an hour,
two that changed their rules lately), whose days SQLite takes from Python's own zone data; on
PostgreSQL, whose server has zone data of its own, in UTC, the one zone a load holds facts for
there (``summary_facts.can_hold``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from data_access.models import Order
from data_access.summary_facts import FACT_COLUMNS, can_hold, facts_of
from data_access.summary_rows import order_facts
from tests import factories as f

ZONES = [
    "UTC",
    "Asia/Shanghai",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Asia/Almaty",
    "America/Mexico_City",
]
_START = datetime(1900, 3, 1, tzinfo=UTC)


@st.composite
def orders(draw: st.DrawFn) -> dict[str, Any]:
    """An order's times within a few days of each other, often on the hour (days end there)."""

    def moment(after: datetime) -> datetime:
        hours = draw(st.integers(min_value=0, max_value=24 * 12))
        minutes = draw(st.sampled_from([0, 0, 1, 29, 59]))
        return after + timedelta(hours=hours, minutes=minutes)

    year = draw(st.sampled_from([0, 70, 124, 125, 126, 1098]))  # 1900 … 2025, 2026 … 2998
    placed = moment(_START + timedelta(days=365 * year + draw(st.integers(0, 300))))
    shipped = draw(st.none() | st.just(moment(placed)))
    delivered = None if shipped is None else draw(st.none() | st.just(moment(shipped)))
    cancelled = draw(st.none() | st.just(moment(placed)))
    covered = draw(st.integers(min_value=0, max_value=10_000_00))
    return {
        "category": draw(st.sampled_from(["Machinery", "Textiles", "Électronique"])),
        "placed_at": placed,
        "ship_by": placed.date() + timedelta(days=draw(st.integers(0, 6))),
        "shipped_at": shipped,
        "delivered_at": delivered,
        "cancelled_at": cancelled,
        "order_amount_cents": 10_000_00,
        "covered_amount_cents": covered,
        "paid_amount_cents": draw(st.integers(min_value=0, max_value=10_000_00)),
    }


def _columns(rows: list[dict[str, Any]], supplier_ids: list[int]) -> dict[str, Any]:
    """The orders as ``data_access.bulk`` takes them (what an import writes)."""

    def times(name: str) -> Any:
        return np.array(
            [None if r[name] is None else r[name].replace(tzinfo=None) for r in rows],
            dtype="datetime64[us]",
        )

    return {
        "supplier_id": np.array(supplier_ids, dtype=object),
        "category": np.array([r["category"] for r in rows], dtype=object),
        "ship_by": np.array([r["ship_by"] for r in rows], dtype="datetime64[D]"),
        **{name: times(name) for name in ("placed_at", "shipped_at", "delivered_at")},
        "cancelled_at": times("cancelled_at"),
        "covered_amount_cents": np.array([r["covered_amount_cents"] for r in rows]),
        "paid_amount_cents": np.array([r["paid_amount_cents"] for r in rows]),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[D]").astype(date)
    return value.item() if isinstance(value, np.generic) else value


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(orders(), min_size=1, max_size=12),
    data=st.data(),
    window=st.sampled_from([0, 1, 30, 60]),
)
def test_facts_from_columns_are_the_facts_read_back(
    session_factory: sessionmaker[Session],
    rows: list[dict[str, Any]],
    data: st.DataObject,
    window: int,
) -> None:
    with session_factory() as s:
        dialect = s.get_bind().dialect.name
        zone = data.draw(st.sampled_from([z for z in ZONES if can_hold(dialect, {z: window})]))
        suppliers = [f.supplier(s), f.supplier(s)]
        buyer = f.buyer(s)
        owners = [suppliers[i % 2].id for i in range(len(rows))]
        ids = [f.order(s, suppliers[i % 2], buyer, **r).id for i, r in enumerate(rows)]
        facts = order_facts(zone, window, None).add_columns(Order.id.label("order_id"))
        read = {
            row.order_id: row._mapping for row in s.execute(facts.where(Order.id.in_(ids))).all()
        }
        s.rollback()
    computed = facts_of(_columns(rows, owners), zone, window)
    assert set(FACT_COLUMNS) <= set(_columns(rows, owners))
    names = ["supplier_id", "category", "ship_by", "placed_day", "end_day"]
    names += ["due", "late", "covered", "cap"]
    for position, order_id in enumerate(ids):
        expected = {name: read[order_id][name] for name in names}
        got = {name: _plain(computed[name].to_numpy()[position]) for name in names}
        assert got == expected, (rows[position], zone, window)


def test_only_sqlite_holds_facts_in_zones_other_than_utc() -> None:
    assert can_hold("sqlite", {"UTC": 30, "Asia/Shanghai": 30})
    assert can_hold("postgresql", {"UTC": 30})
    assert not can_hold("postgresql", {"UTC": 30, "Asia/Shanghai": 30})
    assert not can_hold("postgresql", {"Asia/Kathmandu": 0})
