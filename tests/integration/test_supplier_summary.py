"""The per-supplier rows of a span read as whole years, whole months plus ragged days add up,
supplier by supplier, to the daily rows of the span, on SQLite and PostgreSQL, for any span
(open at either end), any day the months must end before, and one supplier or all."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import Session, sessionmaker

from data_access import summaries
from data_access.models import SummarySupplierDay, Supplier
from data_access.queries.supplier_summary import (
    LIVE_SUMS,
    RATE_SUMS,
    SUMS,
    supplier_rows_after,
    supplier_summary,
)
from data_access.sql import period_start
from tests.factories import utc
from tests.figures_world import TODAY, build_world, insert_world

#: The world's orders run from late 2024 to mid 2025 (their ends and ship-by days later, the
#: open-ended ones to 9999): spans from early 2024 on read years less months at both ends.
SPAN_DAYS = st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2025, 12, 31)))


@pytest.fixture
def world_summarised(engine: Engine, session_factory: sessionmaker[Session]) -> Engine:
    with session_factory() as s:
        insert_world(s, build_world())
    with engine.begin() as conn:
        summaries.rebuild(conn, {"UTC": 30}, utc(2025, 6, 4, 10))
    return engine


def _per_supplier(
    engine: Engine, rows: Any, before: date | None = None, sums: tuple[str, ...] = SUMS
) -> dict[int, tuple[int, ...]]:
    query = select(rows.c.supplier_id, *[func.sum(rows.c[s]) for s in sums]).group_by(
        rows.c.supplier_id
    )
    if before is not None:
        query = query.where(rows.c.day < before)
    with engine.connect() as conn:
        found = {int(r[0]): tuple(int(v) for v in r[1:]) for r in conn.execute(query)}
    return {k: v for k, v in found.items() if any(v)}  # a supplier summing to nothing: none


def _counted_as_figures_do(engine: Engine, rows: Any, before: date | None) -> dict[Any, Any]:
    """The two other ways figures test ``day < before``: inside the sums (due and late only
    before it, the rest whatever the day), and grouped by supplier and month."""
    due_day = rows.c.day < before if before is not None else None

    def summed(name: str) -> Any:
        column = rows.c[name]
        if due_day is not None and name in ("due", "late"):
            column = case((due_day, column), else_=0)
        return func.sum(column)

    per_supplier = select(rows.c.supplier_id, *[summed(s) for s in SUMS]).group_by(
        rows.c.supplier_id
    )
    month = period_start(rows.c.day, "month")
    per_month = select(rows.c.supplier_id, month, *[func.sum(rows.c[s]) for s in SUMS]).group_by(
        rows.c.supplier_id, month
    )
    if due_day is not None:
        per_month = per_month.where(due_day)
    with engine.connect() as conn:
        found: dict[str, dict[Any, tuple[int, ...]]] = {
            "case": {int(r[0]): tuple(int(v) for v in r[1:]) for r in conn.execute(per_supplier)},
            "month": {
                (int(r[0]), str(r[1])): tuple(int(v) for v in r[2:])
                for r in conn.execute(per_month)
            },
        }
    return {kind: {k: v for k, v in rows.items() if any(v)} for kind, rows in found.items()}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=SPAN_DAYS, last=SPAN_DAYS, before=SPAN_DAYS, one=st.booleans(), years=st.booleans())
# Spans whose last month is counted only to a late day in it (the span ends there, or
# ``before`` comes first): that month is read as its row less its last days (then those of
# them in the span again, on their own days).
@example(
    first=date(2024, 11, 1),
    last=date(2025, 5, 31),
    before=date(2025, 5, 30),
    one=False,
    years=False,
)
@example(first=None, last=None, before=date(2025, 3, 20), one=False, years=False)
@example(
    first=date(2025, 2, 3), last=date(2025, 6, 30), before=date(2025, 4, 29), one=True, years=False
)
@example(
    first=date(2025, 1, 1), last=date(2025, 5, 29), before=date(2025, 5, 30), one=False, years=False
)
@example(
    first=date(2025, 1, 1), last=date(2025, 5, 28), before=date(2025, 5, 27), one=False, years=False
)
@example(first=date(2024, 12, 9), last=date(2025, 4, 27), before=None, one=True, years=False)
# Years: one less its last months (the dashboards' default: January to a day of December,
# read up to today), less its first months, less both, and whole ones up to 9999.
@example(
    first=date(2025, 1, 1), last=date(2025, 12, 3), before=date(2025, 12, 3), years=True, one=False
)
@example(first=date(2024, 3, 17), last=date(2024, 12, 31), before=None, years=True, one=False)
@example(
    first=date(2024, 2, 1),
    last=date(2024, 11, 30),
    before=date(2024, 11, 20),
    years=True,
    one=False,
)
@example(first=date(2024, 1, 1), last=None, before=date(2025, 5, 2), years=True, one=False)
@example(first=None, last=date(2025, 9, 30), before=None, years=True, one=True)
def test_months_and_days_add_up_to_the_days(
    world_summarised: Engine,
    first: date | None,
    last: date | None,
    before: date | None,
    one: bool,
    years: bool,
) -> None:
    engine = world_summarised
    supplier = select(Supplier.id).order_by(Supplier.id).limit(1).scalar_subquery() if one else None
    chosen = None if supplier is None else select(Supplier.id).where(Supplier.id == supplier)
    kwargs: dict[str, Any] = {"months_before": before, "supplier": chosen}
    read = _per_supplier(
        engine, supplier_summary("UTC", first, last, years=years, **kwargs), before
    )
    days = _per_supplier(
        engine, supplier_summary("UTC", first, last, months=False, **kwargs), before
    )
    assert read == days
    counted = _counted_as_figures_do(
        engine, supplier_summary("UTC", first, last, years=years, **kwargs), before
    )
    expected = _counted_as_figures_do(
        engine, supplier_summary("UTC", first, last, months=False, **kwargs), before
    )
    assert counted["case"] == expected["case"]
    if not years:  # years are never grouped by calendar month
        assert counted["month"] == expected["month"]
    # and the days-only read is the stored days themselves
    d = SummarySupplierDay
    stored = select(d).where(d.zone == "UTC")
    if first is not None:
        stored = stored.where(d.day >= first)
    if last is not None:
        stored = stored.where(d.day <= last)
    if chosen is not None:
        stored = stored.where(d.supplier_id.in_(chosen))
    assert days == _per_supplier(engine, stored.subquery(), before)


def test_a_year_to_date_reads_most_of_its_rows_from_the_months(world_summarised: Engine) -> None:
    """The point of the months: a span of whole months is a row per supplier and month."""
    first, last = date(2024, 11, 1), TODAY
    rows = supplier_summary("UTC", first, last, months_before=TODAY)
    with world_summarised.connect() as conn:
        read = conn.execute(select(func.count()).select_from(rows)).scalar_one()
        days = conn.execute(
            select(func.count()).select_from(supplier_summary("UTC", first, last, months=False))
        ).scalar_one()
    assert read < days
    assert _per_supplier(world_summarised, rows, TODAY) == _per_supplier(
        world_summarised, supplier_summary("UTC", first, last, months=False), TODAY
    )


def test_most_of_a_year_reads_its_year_row_less_the_months_outside(
    world_summarised: Engine,
) -> None:
    """The point of the years: the dashboards' default span (January to a day of December)
    reads a row per supplier for the year and one for December, where its months are eleven;
    a short span reads its months as before."""

    def rows_read(first: date, last: date, *, years: bool) -> int:
        rows = supplier_summary("UTC", first, last, months_before=last, years=years)
        with world_summarised.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(rows)).scalar_one())

    default_span = (date(2025, 1, 1), date(2025, 12, 3))
    assert rows_read(*default_span, years=True) < rows_read(*default_span, years=False)
    short = (date(2024, 10, 1), date(2024, 12, 31))
    assert rows_read(*short, years=True) == rows_read(*short, years=False)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=st.dates(date(2024, 6, 1), date(2025, 12, 31)), one=st.booleans())
def test_the_rows_after_a_day_add_up_to_the_days_after_it(
    world_summarised: Engine, day: date, one: bool
) -> None:
    """Early in a month the month's row less its first days, late in it its last days; early
    in a year the year's row less its first months, late in it its last months; the years
    after as theirs: the exposure's read gives the same sums whichever it reads. Days of every
    month of two years, December's included (the next month in the next year)."""
    engine = world_summarised
    chosen = select(Supplier.id).order_by(Supplier.id).limit(1) if one else None
    d = SummarySupplierDay
    stored = select(d).where(d.zone == "UTC", d.day > day)
    if chosen is not None:
        stored = stored.where(d.supplier_id.in_(chosen))
    expected = _per_supplier(engine, stored.subquery())
    assert expected  # live orders end after every day drawn: not a comparison of nothing
    assert _per_supplier(engine, supplier_rows_after("UTC", day, supplier=chosen)) == expected


@pytest.mark.parametrize("sums", [RATE_SUMS, LIVE_SUMS])
@pytest.mark.parametrize(
    ("first", "last", "years"),
    [
        (date(2025, 1, 1), date(2025, 5, 30), True),  # a year less its months after the span
        (date(2024, 11, 17), date(2025, 2, 9), False),  # ragged months at both ends
    ],
)
def test_a_read_of_some_sums_carries_only_them_with_the_same_totals(
    world_summarised: Engine, sums: tuple[str, ...], first: date, last: date, years: bool
) -> None:
    """A figure reads only the sums it adds up (SQLite carries every column of the parts into
    its grouping): the same totals per supplier as the read of all of them, no other column."""
    engine, before = world_summarised, date(2025, 5, 20)
    chosen = supplier_summary("UTC", first, last, months_before=before, years=years, sums=sums)
    every = supplier_summary("UTC", first, last, months_before=before, years=years)
    assert [c.name for c in chosen.c] == ["supplier_id", "day", *sums]
    totals = _per_supplier(engine, chosen, before, sums)
    assert totals  # the world has orders and claims in the span: not a comparison of nothing
    assert totals == _per_supplier(engine, every, before, sums)
    after = supplier_rows_after("UTC", first, sums=sums)
    assert [c.name for c in after.c] == ["supplier_id", *sums]
    assert _per_supplier(engine, after, sums=sums) == _per_supplier(
        engine, supplier_rows_after("UTC", first), sums=sums
    )
