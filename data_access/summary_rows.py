"""What the daily summary tables (``models.Summary*``) hold, counted from the base tables.

:func:`aggregate` is the one definition of the rows: a build (``data_access.summaries``) inserts
its result, a write's delta is two of its results, and the property tests compare the stored
rows with it. What each order adds is data (``summary_tables.ORDER_EVENTS``), which the SQL is
built from and ``data_access.summary_memory`` sums in memory on SQLite. Every column is a sum over
orders or claims: the orders' events per day (due and late by ship-by day, placed, live from
placing to the end of the claim window, and what refunds take from live orders' caps), the
claims filed, the late orders by days late, and the refunds approved and the orders cancelled
per order cohort.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import Select

from data_access.models import (
    Claim,
    Order,
    Supplier,
)
from data_access.queries.exposure import order_cap, smaller
from data_access.queries.refunds import approved_refunds
from data_access.sql import add_days, days_between, local_day, period_start
from data_access.summary_tables import (
    ALL_DIMENSION,
    LIVE_SUMS,
    OPEN_ENDED,
    ORDER_EVENTS,
    ORDER_SUMS,
    ROLLUPS,
    TABLES,
    UNSHIPPED,
    Term,
)

__all__ = [
    "Ids",
    "aggregate",
    "nonzero",
    "order_facts",
    "rolled_up",
]

#: External ids, or a query selecting them (a delta's temporary table).
Ids = Sequence[str] | Select[Any]


def _text(value: str) -> Any:
    """A constant inlined as SQL text: PostgreSQL must see one type in every UNION branch."""
    if "'" in value:
        raise ValueError(f"not a constant for SQL: {value!r}")
    return literal_column(f"'{value}'")


_ZERO: Any = literal_column("0")
_ONE: Any = literal_column("1")


def _among(column: Any, ids: Ids) -> ColumnElement[bool]:
    """``column`` is one of ``ids``: a list of external ids, or a query selecting them."""
    return column.in_(ids if isinstance(ids, Select) else list(ids))  # type: ignore[no-any-return]


def _facts(query: Select[Any], name: str, *chosen: Ids | None) -> Any:
    """The facts the events read, once per event kind. Of some rows (a delta), a CTE: found
    once, however each database finds them (PostgreSQL hashes a 100,000-id delta against a
    scan of the orders, which four scans would repeat). Of every row (a rebuild), a subquery
    each event kind streams: materialising a million orders' facts costs more than reading
    them again."""
    if any(ids is not None for ids in chosen):
        return query.cte(name)
    return query.subquery(name)


def _supplier_of(supplier_id: Any, suppliers: Ids | None) -> Any:
    """The orders' supplier id as a join key. Only a count of some suppliers' orders should
    reach the orders through their supplier index; counting all orders (or some by their ids),
    SQLite otherwise walks the suppliers and fetches the orders one at a time through that
    index (three times slower than reading the orders in order and looking each supplier up):
    ``+ 0`` hides the index there. PostgreSQL hashes the join either way."""
    return supplier_id if suppliers is not None else supplier_id + literal_column("0")


def _due_and_late(zone: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Whether an order is due by its ship-by day (not cancelled before it) and late (due, and
    shipped on a later day of ``zone`` or not at all): ``queries.rates``' definitions."""
    ship_by = Order.ship_by
    due = or_(Order.cancelled_at.is_(None), local_day(Order.cancelled_at, zone) >= ship_by)
    late = and_(due, or_(Order.shipped_at.is_(None), local_day(Order.shipped_at, zone) > ship_by))
    return due, late


def _late_days(zone: str, orders: Ids | None) -> Select[Any]:
    """The late orders (with these external ids) per ship-by day and days late."""
    _, late = _due_and_late(zone)
    days = case(
        (Order.shipped_at.is_(None), literal_column(str(UNSHIPPED))),
        else_=days_between(local_day(Order.shipped_at, zone), Order.ship_by),
    ).label("days_late")
    query = select(
        _text(zone).label("zone"), Order.ship_by.label("day"), days, func.count().label("orders")
    ).where(late)
    if orders is not None:
        query = query.where(_among(Order.external_id, orders))
    return query.group_by(Order.ship_by, days)


def _end_day(zone: str, claim_window_days: int) -> Any:
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


def _taken_events(
    zone: str,
    claim_window_days: int,
    orders: Ids | None,
    claims: Ids | None,
    suppliers: Ids | None,
) -> Any:
    """What the refunds approved on orders (these, those of these claims, or these suppliers')
    take from their caps while the orders are live: ``supplier_id, day, live_taken_cents``.

    An order's refunds of a day take ``min(cap, through) − min(cap, through − that day's)``,
    ``through`` being all its refunds up to that day: so its refunds never take more than its
    cap. They take from the later of that day and its placed day until its end day (the
    ``-`` and ``+`` rows, as its live covered amount), and nothing if that is not before its
    end. A change to one claim changes what the order's later refunds take: so a claim's
    count is its whole order's."""
    refunds = approved_refunds()
    of_orders: Any = None
    if orders is not None:
        of_orders = select(Order.id).where(_among(Order.external_id, orders))
    elif claims is not None:
        of_orders = select(Claim.order_id).where(_among(Claim.external_id, claims))
    elif suppliers is not None:
        of_orders = (
            select(Order.id)
            .join(Supplier, Supplier.id == Order.supplier_id)
            .where(_among(Supplier.external_id, suppliers))
        )
    decided = local_day(refunds.c.decided_at, zone)
    per_day = select(
        refunds.c.order_id.label("order_id"),
        decided.label("day"),
        func.sum(refunds.c.amount_cents).label("amount"),
    ).group_by(refunds.c.order_id, decided)
    if of_orders is not None:
        per_day = per_day.where(refunds.c.order_id.in_(of_orders))
    d = per_day.subquery("refund_per_day").c
    through = func.sum(d.amount).over(partition_by=d.order_id, order_by=d.day)
    running = select(d.order_id, d.day, d.amount, through.label("through")).subquery("refund_run")
    r = running.c
    placed = local_day(Order.placed_at, zone)
    fact = (
        select(
            Order.supplier_id.label("supplier_id"),
            case((r.day >= placed, r.day), else_=placed).label("from_day"),
            _end_day(zone, claim_window_days).label("end_day"),
            (smaller(order_cap(), r.through) - smaller(order_cap(), r.through - r.amount)).label(
                "taken"
            ),
        )
        .select_from(running)
        .join(Order, Order.id == r.order_id)
    )
    t = _facts(fact, "taken_fact", orders, claims, suppliers).c
    spans = and_(t.from_day < t.end_day, t.taken != 0)
    return union_all(
        select(t.supplier_id, t.from_day.label("day"), (-t.taken).label("taken")).where(spans),
        select(t.supplier_id, t.end_day, t.taken).where(spans),
    ).subquery("taken_event")


def _refund_days(zone: str, orders: Ids | None, claims: Ids | None) -> Select[Any]:
    """What the order cohorts lose (through these orders, or these claims) per cohort and per
    day it changes, as ``queries.exposure``'s loss ratio counts it as of a day's end: the
    refunds decided and placed by then, on an order not cancelled by then; the orders placed
    and cancelled by then, which the cohort leaves out. So a refund is added on the later of
    its decided day and its order's placed day, and taken away again on the day its order was
    cancelled, if later (an order cancelled by then never counts it at all); a cancelled order
    is added on the later of its cancelled and placed days."""
    refunds = approved_refunds()
    placed = local_day(Order.placed_at, zone)
    decided = local_day(refunds.c.decided_at, zone)
    cohort = period_start(placed, "month").label("cohort")
    fact = (
        select(
            case((decided >= placed, decided), else_=placed).label("counts_from"),
            cohort,
            local_day(Order.cancelled_at, zone).label("cancelled"),
            refunds.c.amount_cents.label("amount"),
        )
        .select_from(refunds)
        .join(Order, Order.id == refunds.c.order_id)
    )
    if orders is not None:
        fact = fact.where(_among(Order.external_id, orders))
    if claims is not None:
        fact = fact.join(Claim, Claim.id == refunds.c.claim_id).where(
            _among(Claim.external_id, claims)
        )
    r = _facts(fact, "refund_fact", orders, claims).c
    cancelled_later = r.cancelled > r.counts_from
    none = (_ZERO, _ZERO)
    counted = select(
        r.counts_from.label("day"),
        r.cohort,
        _ONE.label("refunds"),
        r.amount.label("refunded_cents"),
        _ZERO.label("cancelled_orders"),
        _ZERO.label("cancelled_covered_cents"),
    ).where(or_(r.cancelled.is_(None), cancelled_later))
    taken_back = select(r.cancelled, r.cohort, literal_column("-1"), -r.amount, *none).where(
        cancelled_later
    )
    branches = [counted, taken_back]
    if claims is None:  # a claim cancels no order
        cancelled = local_day(Order.cancelled_at, zone)
        counts_from = case((cancelled >= placed, cancelled), else_=placed)
        left_out = select(counts_from, cohort, *none, _ONE, Order.covered_amount_cents)
        if orders is None:
            left_out = left_out.where(Order.cancelled_at.is_not(None))
        else:
            # Some orders (a delta): found by their ids, and cancelled if their day of it is
            # known. Asked ``cancelled_at IS NOT NULL`` itself, PostgreSQL walked the partial
            # index of every cancelled order instead, at ten million orders 284,000 of them
            # for 100,000 imported (0.7–1.6 s of heap pages; their ids' index took 0.14 s).
            left_out = left_out.where(_among(Order.external_id, orders), cancelled.is_not(None))
        branches.append(left_out)
    e = union_all(*branches).subquery("refund_event").c
    sums = [func.sum(e[name]).label(name) for name in TABLES["summary_refund_days"][2]]
    return (
        select(_text(zone).label("zone"), e.day, e.cohort, *sums)
        .group_by(e.day, e.cohort)
        .having(nonzero(sums))
    )


def order_facts(
    zone: str, claim_window_days: int, orders: Ids | None, suppliers: Ids | None = None
) -> Select[Any]:
    """One row per order (with these external ids, or of these suppliers): what its events
    count (``summary_tables.ORDER_EVENTS``) and where (its supplier and the supplier's country
    and tier, its category; its ship-by, placed and end days in ``zone``)."""
    ship_by = Order.ship_by
    due, late = _due_and_late(zone)
    fact = select(
        Order.supplier_id.label("supplier_id"),
        Supplier.country.label("supplier_country"),
        Supplier.tier.label("supplier_tier"),
        Order.category.label("category"),
        ship_by.label("ship_by"),
        local_day(Order.placed_at, zone).label("placed_day"),
        _end_day(zone, claim_window_days).label("end_day"),
        case((due, 1), else_=0).label("due"),
        case((late, 1), else_=0).label("late"),
        Order.covered_amount_cents.label("covered"),
        order_cap().label("cap"),
    ).join(Supplier, Supplier.id == _supplier_of(Order.supplier_id, suppliers))
    if orders is not None:
        fact = fact.where(_among(Order.external_id, orders))
    if suppliers is not None:
        fact = fact.where(_among(Supplier.external_id, suppliers))
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
    o = _facts(fact, "order_fact", orders, suppliers)
    # Live on no day at all (ends on or before its placed day): no exposure events.
    spans = o.c.end_day > o.c.placed_day
    keys = (
        (o.c.supplier_id,)
        if by_supplier
        else (o.c.supplier_country, o.c.supplier_tier, o.c.category)
    )

    def value(term: Term | None) -> Any:
        if term is None:
            return _ZERO
        counted = _ONE if term.fact is None else o.c[term.fact]
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
        query = query.where(_among(Order.external_id, orders))
    if claims is not None:
        query = query.where(_among(Claim.external_id, claims))
    if suppliers is not None:
        query = query.where(_among(Supplier.external_id, suppliers))
    return _facts(query, "claim_fact", orders, claims, suppliers)


def _values(row: Any) -> list[tuple[str, Any]]:
    return [
        (ALL_DIMENSION, _text("")),
        ("supplier_country", row.supplier_country),
        ("supplier_tier", row.supplier_tier),
        ("category", row.category),
    ]


def nonzero(columns: Iterable[Any]) -> ColumnElement[bool]:
    return or_(*[column != 0 for column in columns])


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
    zone_column = _text(zone).label("zone")
    if name == "summary_late_days":
        # Only the orders' own columns count: a claim or a supplier's details change nothing.
        return None if claims is not None or suppliers is not None else _late_days(zone, orders)
    if name == "summary_refund_days":
        # A supplier's details change no refund nor the cohort of its order.
        return None if suppliers is not None else _refund_days(zone, orders, claims)
    if name == "summary_claim_days":
        c = _claim_events(orders, claims, zone, suppliers)
        branches = [
            select(c.c.day, _text(d).label("dimension"), v.label("value"), c.c.kind)
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
                g.c.day, _text(d).label("dimension"), v.label("value"), *[g.c[s] for s in summed]
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
                _ZERO.label("claims"),
                *[g.c[s] for s in order_sums[3:]],
                _ZERO.label("live_taken_cents"),
            )
        )
    c = _claim_events(orders, claims, zone, suppliers)
    parts.append(
        select(
            c.c.supplier_id,
            c.c.day,
            _ZERO.label("due"),
            _ZERO.label("late"),
            _ZERO.label("placed"),
            _ONE.label("claims"),
            _ZERO.label("live_orders"),
            _ZERO.label("live_covered_cents"),
            _ZERO.label("live_cap_cents"),
            _ZERO.label("live_taken_cents"),
        )
    )
    t = _taken_events(zone, claim_window_days, orders, claims, suppliers).c
    parts.append(
        select(
            t.supplier_id,
            t.day,
            *[_ZERO.label(name) for name in ("due", "late", "placed", "claims", *LIVE_SUMS)],
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
