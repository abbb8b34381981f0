"""What the daily summary tables (``models.Summary*``) hold, counted from the base tables.

:func:`aggregate` is the one definition of the rows: a build (``data_access.summaries``) inserts
its result, a write's delta is two of its results, and the property tests compare the stored
rows with it. What each order adds is data (``summary_tables.ORDER_EVENTS``), which the SQL is
built from and ``data_access.summary_memory`` sums in memory on SQLite. Every column is a sum over
orders or claims: the orders' events per day (due and late by ship-by day, placed, live from
placing to the end of the claim window, and what refunds take from live orders' caps), the
claims filed, the late orders by days late, and the refunds approved and the orders cancelled
per order cohort. What refunds change is counted in ``data_access.summary_refund_rows``; the
pieces both build on are in ``data_access.summary_terms``.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import case, func, literal_column, select, union_all
from sqlalchemy.sql import Select

from data_access.models import Claim, Order, Supplier
from data_access.queries.exposure import order_cap
from data_access.sql import days_between, local_day, period_start
from data_access.summary_refund_rows import refund_days, taken_events
from data_access.summary_tables import (
    ALL_DIMENSION,
    LIVE_SUMS,
    ORDER_EVENTS,
    ORDER_SUMS,
    ROLLUPS,
    TABLES,
    UNSHIPPED,
    Term,
)
from data_access.summary_terms import (
    ONE,
    ZERO,
    Ids,
    among,
    constant,
    due_and_late,
    end_day,
    facts,
    nonzero,
    supplier_of,
)

__all__ = ["aggregate", "order_facts", "rolled_up"]


def _late_days(zone: str, orders: Ids | None) -> Select[Any]:
    """The late orders (with these external ids) per ship-by day and days late."""
    _, late = due_and_late(zone)
    days = case(
        (Order.shipped_at.is_(None), literal_column(str(UNSHIPPED))),
        else_=days_between(local_day(Order.shipped_at, zone), Order.ship_by),
    ).label("days_late")
    query = select(
        constant(zone).label("zone"), Order.ship_by.label("day"), days, func.count().label("orders")
    ).where(late)
    if orders is not None:
        query = query.where(among(Order.external_id, orders))
    return query.group_by(Order.ship_by, days)


def order_facts(
    zone: str, claim_window_days: int, orders: Ids | None, suppliers: Ids | None = None
) -> Select[Any]:
    """One row per order (with these external ids, or of these suppliers): what its events
    count (``summary_tables.ORDER_EVENTS``) and where (its supplier and the supplier's country
    and tier, its category; its ship-by, placed and end days in ``zone``)."""
    ship_by = Order.ship_by
    due, late = due_and_late(zone)
    fact = select(
        Order.supplier_id.label("supplier_id"),
        Supplier.country.label("supplier_country"),
        Supplier.tier.label("supplier_tier"),
        Order.category.label("category"),
        ship_by.label("ship_by"),
        local_day(Order.placed_at, zone).label("placed_day"),
        end_day(zone, claim_window_days).label("end_day"),
        case((due, 1), else_=0).label("due"),
        case((late, 1), else_=0).label("late"),
        Order.covered_amount_cents.label("covered"),
        order_cap().label("cap"),
    ).join(Supplier, Supplier.id == supplier_of(Order.supplier_id, suppliers))
    if orders is not None:
        fact = fact.where(among(Order.external_id, orders))
    if suppliers is not None:
        fact = fact.where(among(Supplier.external_id, suppliers))
    return fact


def _order_events(
    zone: str,
    claim_window_days: int,
    orders: Ids | None,
    suppliers: Ids | None = None,
    *,
    by_supplier: bool,
) -> Any:
    """What the orders (with these external ids) add each day: with ``by_supplier``, every
    event with its supplier, not yet summed; otherwise summed per day and dimension values
    (supplier country, tier, category). Grouped only by what the table is keyed on: a million
    orders sum to a few hundred thousand dimension days, where grouping by supplier and
    category first kept nearly one group an order."""
    fact = order_facts(zone, claim_window_days, orders, suppliers)
    o = facts(fact, "order_fact", orders, suppliers)
    # Live on no day at all (ends on or before its placed day): no exposure events.
    spans = o.c.end_day > o.c.placed_day
    keys = (
        (o.c.supplier_id,)
        if by_supplier
        else (o.c.supplier_country, o.c.supplier_tier, o.c.category)
    )

    def value(term: Term | None) -> Any:
        if term is None:
            return ZERO
        counted = ONE if term.fact is None else o.c[term.fact]
        signed = -counted if term.sign < 0 else counted
        return case((spans, signed), else_=0) if term.spanning else signed

    branches = []
    for event in ORDER_EVENTS:
        sums = [value(event.sums.get(name)).label(name) for name in ORDER_SUMS]
        branch = select(*keys, o.c[event.day].label("day"), *sums)
        branches.append(branch.where(spans) if event.spanning else branch)
    events = union_all(*branches).subquery("order_event")
    if by_supplier:
        # Summed once, with the claims, per supplier and day (a million orders make nearly as
        # many supplier days: grouping twice sorted them twice).
        return events
    e = events.c
    group = (e.supplier_country, e.supplier_tier, e.category, e.day)
    sums = [func.sum(e[name]).label(name) for name in ORDER_SUMS]
    return select(*group, *sums).group_by(*group).cte("order_group")


def _claim_events(
    orders: Ids | None,
    claims: Ids | None,
    zone: str,
    suppliers: Ids | None = None,
) -> Any:
    query = (
        select(
            Order.supplier_id.label("supplier_id"),
            Supplier.country.label("supplier_country"),
            Supplier.tier.label("supplier_tier"),
            Order.category.label("category"),
            Claim.kind.label("kind"),
            local_day(Claim.filed_at, zone).label("day"),
        )
        .select_from(Claim)
        .join(Order, Order.id == Claim.order_id)
        .join(Supplier, Supplier.id == Order.supplier_id)
    )
    if orders is not None:
        query = query.where(among(Order.external_id, orders))
    if claims is not None:
        query = query.where(among(Claim.external_id, claims))
    if suppliers is not None:
        query = query.where(among(Supplier.external_id, suppliers))
    return facts(query, "claim_fact", orders, claims, suppliers)


def _values(row: Any) -> list[tuple[str, Any]]:
    return [
        (ALL_DIMENSION, constant("")),
        ("supplier_country", row.supplier_country),
        ("supplier_tier", row.supplier_tier),
        ("category", row.category),
    ]


def aggregate(
    name: str,
    zone: str,
    claim_window_days: int,
    *,
    orders: Ids | None = None,
    claims: Ids | None = None,
    suppliers: Ids | None = None,
    order_events: bool = True,
    by_key: bool = True,
) -> Select[Any] | None:
    """The rows of summary ``name`` for ``zone`` counted from the base tables: of everything, or
    only what the orders (and their claims), the claims, or the suppliers' orders and claims
    with these external ids (a list, or a query selecting them) contribute. None when those
    contribute nothing to the table. ``order_events=False``: the supplier days without what
    the orders' own events add (``data_access.summary_memory`` sums those itself).
    ``by_key=False``: the supplier days' events a row each, keys repeating, for a caller that
    sums them by key itself (a delta's apply)."""
    if name in ROLLUPS:
        days = aggregate(
            ROLLUPS[name],
            zone,
            claim_window_days,
            orders=orders,
            claims=claims,
            suppliers=suppliers,
        )
        return None if days is None else rolled_up(name, days.subquery("source_rows"))
    summed = TABLES[name][2]
    zone_column = constant(zone).label("zone")
    if name == "summary_late_days":
        # Only the orders' own columns count: a claim or a supplier's details change nothing.
        return None if claims is not None or suppliers is not None else _late_days(zone, orders)
    if name == "summary_refund_days":
        # A supplier's details change no refund nor the cohort of its order.
        return None if suppliers is not None else refund_days(zone, orders, claims)
    if name == "summary_claim_days":
        c = _claim_events(orders, claims, zone, suppliers)
        branches = [
            select(c.c.day, constant(d).label("dimension"), v.label("value"), c.c.kind)
            for d, v in _values(c.c)
        ]
        e = union_all(*branches).subquery("claim_event")
        return select(
            zone_column, e.c.day, e.c.dimension, e.c.value, e.c.kind, func.count().label("claims")
        ).group_by(e.c.day, e.c.dimension, e.c.value, e.c.kind)
    if claims is not None and name == "summary_order_days":
        return None  # a claim changes no order count
    if name == "summary_order_days":
        g = _order_events(zone, claim_window_days, orders, suppliers, by_supplier=False)
        branches = [
            select(
                g.c.day, constant(d).label("dimension"), v.label("value"), *[g.c[s] for s in summed]
            )
            for d, v in _values(g.c)
        ]
        e = union_all(*branches).subquery("order_roll_up")
        sums = [func.sum(e.c[s]).label(s) for s in summed]
        return (
            select(zone_column, e.c.day, e.c.dimension, e.c.value, *sums)
            .group_by(e.c.day, e.c.dimension, e.c.value)
            .having(nonzero(sums))
        )
    # summary_supplier_days: the orders' events, the claims filed and what refunds take from
    # live orders, per supplier and day.
    parts = []
    order_sums = ("due", "late", "placed", *LIVE_SUMS)
    if claims is None and order_events:
        g = _order_events(zone, claim_window_days, orders, suppliers, by_supplier=True)
        parts.append(
            select(
                g.c.supplier_id,
                g.c.day,
                *[g.c[s] for s in order_sums[:3]],
                ZERO.label("claims"),
                *[g.c[s] for s in order_sums[3:]],
                ZERO.label("live_taken_cents"),
            )
        )
    c = _claim_events(orders, claims, zone, suppliers)
    parts.append(
        select(
            c.c.supplier_id,
            c.c.day,
            ZERO.label("due"),
            ZERO.label("late"),
            ZERO.label("placed"),
            ONE.label("claims"),
            ZERO.label("live_orders"),
            ZERO.label("live_covered_cents"),
            ZERO.label("live_cap_cents"),
            ZERO.label("live_taken_cents"),
        )
    )
    t = taken_events(zone, claim_window_days, orders, claims, suppliers).c
    parts.append(
        select(
            t.supplier_id,
            t.day,
            *[ZERO.label(name) for name in ("due", "late", "placed", "claims", *LIVE_SUMS)],
            t.taken.label("live_taken_cents"),
        )
    )
    e = union_all(*parts).subquery("supplier_event")
    if not by_key:
        return select(zone_column, e.c.day, e.c.supplier_id, *[e.c[s] for s in summed])
    sums = [func.sum(e.c[s]).label(s) for s in summed]
    return (
        select(zone_column, e.c.day, e.c.supplier_id, *sums)
        .group_by(e.c.day, e.c.supplier_id)
        .having(nonzero(sums))
    )


def rolled_up(name: str, rows: Any) -> Select[Any]:
    """Rows of ``rows`` (the rows of ``ROLLUPS[name]``, its source: zone, its day or month,
    key, sums) summed per month or year, as the rows of the derived table ``name``."""
    _, key, summed = TABLES[name]
    # The derived table's date column is named for its grain, as is the source's ("day").
    grain: Literal["month", "year"] = "year" if key[1] == "year" else "month"
    source_date = rows.c[TABLES[ROLLUPS[name]][1][1]]
    rest = [rows.c[k] for k in key[2:]]
    start = period_start(source_date, grain).label(key[1])
    sums = [func.sum(rows.c[s]).label(s) for s in summed]
    return (
        select(rows.c.zone, start, *rest, *sums)
        .group_by(rows.c.zone, start, *rest)
        .having(nonzero(sums))
    )
