"""The SQL pieces every summary's rows are built from (``data_access.summary_rows`` and
``data_access.summary_refund_rows``): which orders or claims a count covers, constants every
database types alike, facts found once, whether an order is due and late, and its end day."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, literal, literal_column, or_
from sqlalchemy.sql import Select

from data_access.models import Order
from data_access.sql import add_days, local_day
from data_access.summary_tables import OPEN_ENDED

__all__ = [
    "ONE",
    "ZERO",
    "Ids",
    "among",
    "constant",
    "due_and_late",
    "end_day",
    "facts",
    "nonzero",
    "supplier_of",
]

#: External ids, or a query selecting them (a delta's temporary table).
Ids = Sequence[str] | Select[Any]


def constant(value: str) -> Any:
    """A constant inlined as SQL text: PostgreSQL must see one type in every UNION branch."""
    if "'" in value:
        raise ValueError(f"not a constant for SQL: {value!r}")
    return literal_column(f"'{value}'")


ZERO: Any = literal_column("0")
ONE: Any = literal_column("1")


def among(column: Any, ids: Ids) -> ColumnElement[bool]:
    """``column`` is one of ``ids``: a list of external ids, or a query selecting them."""
    return column.in_(ids if isinstance(ids, Select) else list(ids))  # type: ignore[no-any-return]


def facts(query: Select[Any], name: str, *chosen: Ids | None) -> Any:
    """The facts the events read, once per event kind. Of some rows (a delta), a CTE: found
    once, however each database finds them (PostgreSQL hashes a 100,000-id delta against a
    scan of the orders, which four scans would repeat). Of every row (a rebuild), a subquery
    each event kind streams: materialising a million orders' facts costs more than reading
    them again."""
    if any(ids is not None for ids in chosen):
        return query.cte(name)
    return query.subquery(name)


def supplier_of(supplier_id: Any, suppliers: Ids | None) -> Any:
    """The orders' supplier id as a join key. Only a count of some suppliers' orders should
    reach the orders through their supplier index; counting all orders (or some by their ids),
    SQLite otherwise walks the suppliers and fetches the orders one at a time through that
    index (three times slower than reading the orders in order and looking each supplier up):
    ``+ 0`` hides the index there. PostgreSQL hashes the join either way."""
    return supplier_id if suppliers is not None else supplier_id + literal_column("0")


def due_and_late(zone: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Whether an order is due by its ship-by day (not cancelled before it) and late (due, and
    shipped on a later day of ``zone`` or not at all): ``queries.rates``' definitions."""
    ship_by = Order.ship_by
    due = or_(Order.cancelled_at.is_(None), local_day(Order.cancelled_at, zone) >= ship_by)
    late = and_(due, or_(Order.shipped_at.is_(None), local_day(Order.shipped_at, zone) > ship_by))
    return due, late


def end_day(zone: str, claim_window_days: int) -> Any:
    """The first day an order is no longer live (``queries.exposure.live_order``): its
    cancellation, or the day after its claim window, whichever comes first."""
    cancelled = local_day(Order.cancelled_at, zone)
    window_ends = add_days(local_day(Order.delivered_at, zone), claim_window_days + 1)
    return case(
        (and_(Order.cancelled_at.is_(None), Order.delivered_at.is_(None)), literal(OPEN_ENDED)),
        (Order.cancelled_at.is_(None), window_ends),
        (Order.delivered_at.is_(None), cancelled),
        (cancelled < window_ends, cancelled),
        else_=window_ends,
    )


def nonzero(columns: Iterable[Any]) -> ColumnElement[bool]:
    return or_(*[column != 0 for column in columns])
