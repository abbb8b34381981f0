"""The daily summary tables (``models.SummaryOrderDay``, ``SummaryClaimDay``): built, kept in
step and checked here.

A write that changes orders or claims asks :func:`footprint` which days its rows count on,
before and after the write, and :func:`refresh_days` deletes those days' summary rows and
aggregates them again from the base tables, in the write's own transaction — exact, whatever
the write changed. A write touching many days (a seed, a large import, a supplier moving to
another country or tier) calls :func:`refresh_all`. Nothing else changes what the summaries
hold: decisions, recommendations, deadlines and limits touch neither an order nor the filing of
a claim.

:func:`aggregate_order_days` and :func:`aggregate_claim_days` are the one definition of the
rows: the build inserts their result and the property tests compare the stored rows with it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import Select

from data_access.claim_facts import Executor
from data_access.models import (
    Claim,
    Order,
    SummaryClaimDay,
    SummaryOrderDay,
    SummaryState,
    Supplier,
)
from data_access.settings import zone_named
from data_access.sql import day_start, local_day

__all__ = [
    "ALL_DIMENSION",
    "DIMENSIONS",
    "aggregate_claim_days",
    "aggregate_order_days",
    "aggregated_rows",
    "built_zones",
    "footprint",
    "is_ready",
    "rebuild",
    "refresh_all",
    "refresh_days",
    "stored_rows",
]

ALL_DIMENSION = "all"
#: The breakdown dimensions a day is counted by (plus "all", the programme as a whole).
DIMENSIONS = ("supplier_country", "supplier_tier", "category")
#: Rows per IN list: small enough for any driver's parameter limit.
_CHUNK = 500
#: More days than this in one write: aggregate everything again (one pass beats many).
MAX_DAYS_TO_REFRESH = 120

Days = Mapping[str, Collection[date]]


def _text(value: str) -> Any:
    """A constant inlined as SQL text: PostgreSQL must see one type in every UNION branch."""
    if "'" in value:
        raise ValueError(f"not a constant for SQL: {value!r}")
    return literal_column(f"'{value}'")


def _values(row: Any) -> list[tuple[str, Any]]:
    return [
        (ALL_DIMENSION, _text("")),
        ("supplier_country", row.supplier_country),
        ("supplier_tier", row.supplier_tier),
        ("category", row.category),
    ]


def _day_ranges(days: Collection[date], zone: str, column: Any) -> ColumnElement[bool]:
    """``column`` (a UTC instant) falls on one of ``days`` in ``zone``: index-friendly ranges."""
    ranges = [
        and_(column >= day_start(d, zone), column < day_start(d + timedelta(days=1), zone))
        for d in sorted(days)
    ]
    return or_(*ranges) if ranges else literal(False)


def aggregate_order_days(zone: str, days: Collection[date] | None = None) -> Select[Any]:
    """``zone, day, dimension, value, due, late, placed`` from the orders (of ``days`` only).

    One pass over the orders groups them by day and all three dimensions at once (a CTE, so
    both databases compute it once); the dimensions are rolled up from those groups."""
    ship_by, placed_day = Order.ship_by, local_day(Order.placed_at, zone)
    due = or_(Order.cancelled_at.is_(None), local_day(Order.cancelled_at, zone) >= ship_by)
    late = and_(due, or_(Order.shipped_at.is_(None), local_day(Order.shipped_at, zone) > ship_by))
    keys = (
        Supplier.country.label("supplier_country"),
        Supplier.tier.label("supplier_tier"),
        Order.category.label("category"),
    )
    zero: Any = literal_column("0")
    shipped = (
        select(
            *keys,
            ship_by.label("day"),
            func.sum(case((due, 1), else_=0)).label("due"),
            func.sum(case((late, 1), else_=0)).label("late"),
            zero.label("placed"),
        )
        .join(Supplier, Supplier.id == Order.supplier_id)
        .group_by(Supplier.country, Supplier.tier, Order.category, ship_by)
    )
    placed_fact = select(*keys, placed_day.label("placed_day")).join(
        Supplier, Supplier.id == Order.supplier_id
    )
    if days is not None:
        shipped = shipped.where(ship_by.in_(sorted(days)))
        placed_fact = placed_fact.where(_day_ranges(days, zone, Order.placed_at))
    p = placed_fact.subquery("placed_fact")
    placed = select(
        p.c.supplier_country,
        p.c.supplier_tier,
        p.c.category,
        p.c.placed_day,
        zero,
        zero,
        func.count(),
    ).group_by(p.c.supplier_country, p.c.supplier_tier, p.c.category, p.c.placed_day)
    if days is not None:
        placed = placed.where(p.c.placed_day.in_(sorted(days)))
    g = union_all(shipped, placed).cte("order_group")
    branches = [
        select(
            g.c.day,
            _text(dimension).label("dimension"),
            value.label("value"),
            g.c.due,
            g.c.late,
            g.c.placed,
        )
        for dimension, value in _values(g.c)
    ]
    e = union_all(*branches).subquery("order_event")
    # A row per day holding any order (even one cancelled before its ship-by day, with all
    # counts 0): the activity extent reads the first and last day.
    return select(
        _text(zone).label("zone"),
        e.c.day,
        e.c.dimension,
        e.c.value,
        func.sum(e.c.due).label("due"),
        func.sum(e.c.late).label("late"),
        func.sum(e.c.placed).label("placed"),
    ).group_by(e.c.day, e.c.dimension, e.c.value)


def aggregate_claim_days(zone: str, days: Collection[date] | None = None) -> Select[Any]:
    """``zone, day, dimension, value, kind, claims`` from the claims (filed on ``days`` only)."""
    claim = (
        select(
            Supplier.country.label("supplier_country"),
            Supplier.tier.label("supplier_tier"),
            Order.category.label("category"),
            Claim.kind.label("kind"),
            local_day(Claim.filed_at, zone).label("filed_day"),
        )
        .select_from(Claim)
        .join(Order, Order.id == Claim.order_id)
        .join(Supplier, Supplier.id == Order.supplier_id)
    )
    if days is not None:
        claim = claim.where(_day_ranges(days, zone, Claim.filed_at))
    c = claim.subquery("claim_fact")
    branches = [
        select(
            c.c.filed_day.label("day"),
            _text(dimension).label("dimension"),
            value.label("value"),
            c.c.kind.label("kind"),
        )
        for dimension, value in _values(c.c)
    ]
    e = union_all(*branches).subquery("claim_event")
    return select(
        _text(zone).label("zone"),
        e.c.day,
        e.c.dimension,
        e.c.value,
        e.c.kind,
        func.count().label("claims"),
    ).group_by(e.c.day, e.c.dimension, e.c.value, e.c.kind)


_TABLES: dict[str, Any] = {
    "summary_order_days": (SummaryOrderDay.__table__, aggregate_order_days),
    "summary_claim_days": (SummaryClaimDay.__table__, aggregate_claim_days),
}


def built_zones(executor: Executor) -> list[str]:
    """The zones the summaries are kept for."""
    return sorted(executor.execute(select(SummaryState.zone)).scalars())


def is_ready(executor: Executor, zone: str) -> bool:
    """Whether figures counted in ``zone`` may read the summaries (else: the base tables)."""
    found = executor.execute(select(SummaryState.zone).where(SummaryState.zone == zone)).first()
    return found is not None


def _fill(executor: Executor, zone: str, days: Collection[date] | None) -> None:
    for table, build in _TABLES.values():
        query = build(zone, days)
        names = [column.name for column in query.selected_columns]
        executor.execute(insert(table).from_select(names, query))


def rebuild(executor: Executor, zones: Iterable[str], now: datetime) -> None:
    """Empty the summaries and build them again for exactly ``zones``."""
    for table, _ in _TABLES.values():
        executor.execute(delete(table))
    executor.execute(delete(SummaryState))
    for zone in sorted(set(zones)):
        zone_named(zone)  # an unknown zone fails here, before anything is written
        _fill(executor, zone, None)
        executor.execute(insert(SummaryState).values(zone=zone, built_at=now))


def refresh_all(executor: Executor, now: datetime) -> None:
    """Build the kept zones again from the base tables (after a write that touched most days)."""
    zones = built_zones(executor)
    if zones:
        rebuild(executor, zones, now)


def _chunks(days: Collection[date]) -> Iterator[list[date]]:
    ordered = sorted(days)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def refresh_days(executor: Executor, days: Days, now: datetime) -> None:
    """Aggregate these days' rows again (per kept zone), in the caller's transaction."""
    zones = set(built_zones(executor))
    if any(len(days.get(zone, ())) > MAX_DAYS_TO_REFRESH for zone in zones):
        refresh_all(executor, now)
        return
    for zone in sorted(zones):
        for chunk in _chunks(days.get(zone, ())):
            for table, _ in _TABLES.values():
                executor.execute(delete(table).where(table.c.zone == zone, table.c.day.in_(chunk)))
            _fill(executor, zone, chunk)


def footprint(
    executor: Executor, *, orders: Iterable[str] = (), claims: Iterable[str] = ()
) -> dict[str, set[date]]:
    """Per kept zone, the days on which the orders and claims with these external ids (and the
    claims on those orders) count, as the database holds them now: a write asks before and
    after, so a row that moves between days refreshes both."""
    zones = built_zones(executor)
    found: dict[str, set[date]] = {zone: set() for zone in zones}
    if not zones:
        return found
    instants: list[datetime] = []
    ship_days: set[date] = set()
    order_ids, claim_ids = sorted(set(orders)), sorted(set(claims))
    for start in range(0, len(order_ids), _CHUNK):
        chunk = order_ids[start : start + _CHUNK]
        for ship_by, placed_at in executor.execute(
            select(Order.ship_by, Order.placed_at).where(Order.external_id.in_(chunk))
        ).all():
            ship_days.add(_date(ship_by))
            instants.append(placed_at)
        instants += executor.execute(
            select(Claim.filed_at)
            .join(Order, Order.id == Claim.order_id)
            .where(Order.external_id.in_(chunk))
        ).scalars()
    for start in range(0, len(claim_ids), _CHUNK):
        chunk = claim_ids[start : start + _CHUNK]
        instants += executor.execute(
            select(Claim.filed_at).where(Claim.external_id.in_(chunk))
        ).scalars()
    for zone in zones:
        tz = zone_named(zone)
        found[zone] = ship_days | {moment.astimezone(tz).date() for moment in instants}
    return found


def merge(first: Days, second: Days) -> dict[str, set[date]]:
    """The days of both footprints, per zone."""
    return {z: set(first.get(z, ())) | set(second.get(z, ())) for z in {*first, *second}}


def stored_rows(executor: Executor, table_name: str, zone: str) -> list[tuple[Any, ...]]:
    """A summary's stored rows of ``zone``, sorted (tests compare them with the aggregate)."""
    table, _ = _TABLES[table_name]
    rows = executor.execute(select(table).where(table.c.zone == zone)).all()
    return sorted(_plain(row) for row in rows)


def aggregated_rows(executor: Executor, table_name: str, zone: str) -> list[tuple[Any, ...]]:
    """The rows ``table_name`` should hold for ``zone``, counted from the base tables now."""
    _, build = _TABLES[table_name]
    return sorted(_plain(row) for row in executor.execute(build(zone, None)).all())


def _plain(row: Any) -> tuple[Any, ...]:
    return tuple(_date(v) if isinstance(v, str | date) and _is_day(v) else _int(v) for v in row)


def _is_day(value: object) -> bool:
    if isinstance(value, date):
        return True
    text = str(value)
    return len(text) == 10 and text[4] == "-" and text[7] == "-"


def _int(value: Any) -> Any:
    return value if isinstance(value, str) else int(value)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value))
