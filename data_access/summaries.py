"""The daily summary tables (``models.Summary*``): built, kept in step and checked here.

Every column is a sum over orders or claims, so a write keeps the summaries exact by adding a
delta: what the rows it touches contribute after it minus what they contributed before
(:class:`Delta`, in the write's own transaction; both databases add with an upsert, so two
writers at once each add their own difference and neither's is lost). A supplier file counts
its suppliers' orders and claims (they count under the supplier's country and tier). A seed
builds them again (:func:`rebuild`). Nothing else changes what the summaries hold: decisions,
recommendations, deadlines and limits touch neither an order nor the filing of a claim (the
decisions' own daily counts are ``data_access.reviewer_summaries``).

:func:`aggregate` is the one definition of the rows: the build inserts its result, a delta
is two of its results, and the property tests compare the stored rows with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    MetaData,
    String,
    Table,
    TableClause,
    and_,
    case,
    column,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy import table as table_clause
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from data_access.bulk import indexes_built_after, insert_columns
from data_access.claim_facts import Executor
from data_access.models import (
    Claim,
    Order,
    SummaryClaimDay,
    SummaryLateDay,
    SummaryOrderDay,
    SummaryState,
    SummarySupplierDay,
    SummarySupplierMonth,
    Supplier,
)
from data_access.settings import zone_named
from data_access.sql import add_days, days_between, local_day, period_start

__all__ = [
    "ALL_DIMENSION",
    "DIMENSIONS",
    "OPEN_ENDED",
    "ROLLUPS",
    "TABLES",
    "UNSHIPPED",
    "Delta",
    "aggregate",
    "aggregated_rows",
    "built_zones",
    "is_ready",
    "rebuild",
    "refresh_all",
    "stored_rows",
]

ALL_DIMENSION = "all"
#: The breakdown dimensions a day is counted by (plus "all", the programme as a whole).
DIMENSIONS = ("supplier_country", "supplier_tier", "category")
#: The end day of an order neither cancelled nor delivered yet: it is live on every day.
OPEN_ENDED = date(9999, 12, 31)
#: The days late of a late order never shipped (``summary_late_days``).
UNSHIPPED = -1
#: External ids, or a query selecting them (a delta's temporary table).
Ids = Sequence[str] | Select[Any]

_LIVE = ("live_orders", "live_covered_cents", "live_cap_cents")
#: Each table: (key columns, summed columns).
TABLES: dict[str, tuple[Table, tuple[str, ...], tuple[str, ...]]] = {
    "summary_order_days": (
        SummaryOrderDay.__table__,  # type: ignore[dict-item]
        ("zone", "day", "dimension", "value"),
        ("shipping", "due", "late", "placed", *_LIVE, "placed_covered_cents"),
    ),
    "summary_claim_days": (
        SummaryClaimDay.__table__,  # type: ignore[dict-item]
        ("zone", "day", "dimension", "value", "kind"),
        ("claims",),
    ),
    "summary_supplier_days": (
        SummarySupplierDay.__table__,  # type: ignore[dict-item]
        ("zone", "day", "supplier_id"),
        ("due", "late", "placed", "claims", *_LIVE),
    ),
    "summary_supplier_months": (
        SummarySupplierMonth.__table__,  # type: ignore[dict-item]
        ("zone", "month", "supplier_id"),
        ("due", "late", "placed", "claims", *_LIVE),
    ),
    "summary_late_days": (
        SummaryLateDay.__table__,  # type: ignore[dict-item]
        ("zone", "day", "days_late"),
        ("orders",),
    ),
}
#: Tables summed per month from another summary's rows (derived table → its daily source):
#: a rebuild sums the stored days, a write rolls its delta of the days up into theirs. Only
#: :func:`aggregate` (for the property tests) counts them from the base tables.
ROLLUPS: dict[str, str] = {"summary_supplier_months": "summary_supplier_days"}


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
    ship_by = Order.ship_by
    due, late = _due_and_late(zone)
    cancelled = local_day(Order.cancelled_at, zone)
    window_ends = add_days(local_day(Order.delivered_at, zone), claim_window_days + 1)
    end = case(
        (and_(Order.cancelled_at.is_(None), Order.delivered_at.is_(None)), literal(OPEN_ENDED)),
        (Order.cancelled_at.is_(None), window_ends),
        (Order.delivered_at.is_(None), cancelled),
        (cancelled < window_ends, cancelled),
        else_=window_ends,
    )
    cap = case(
        (Order.covered_amount_cents <= Order.paid_amount_cents, Order.covered_amount_cents),
        else_=Order.paid_amount_cents,
    )
    fact = select(
        Order.supplier_id.label("supplier_id"),
        Supplier.country.label("supplier_country"),
        Supplier.tier.label("supplier_tier"),
        Order.category.label("category"),
        ship_by.label("ship_by"),
        local_day(Order.placed_at, zone).label("placed_day"),
        end.label("end_day"),
        case((due, 1), else_=0).label("due"),
        case((late, 1), else_=0).label("late"),
        Order.covered_amount_cents.label("covered"),
        cap.label("cap"),
    ).join(Supplier, Supplier.id == _supplier_of(Order.supplier_id, suppliers))
    if orders is not None:
        fact = fact.where(_among(Order.external_id, orders))
    if suppliers is not None:
        fact = fact.where(_among(Supplier.external_id, suppliers))
    o = _facts(fact, "order_fact", orders, suppliers)
    # Live on no day at all (ends on or before its placed day): no exposure events.
    spans = o.c.end_day > o.c.placed_day
    keys = (
        (o.c.supplier_id,)
        if by_supplier
        else (o.c.supplier_country, o.c.supplier_tier, o.c.category)
    )
    shipped = select(
        *keys,
        o.c.ship_by.label("day"),
        _ONE.label("shipping"),
        o.c.due.label("due"),
        o.c.late.label("late"),
        _ZERO.label("placed"),
        _ZERO.label("live_orders"),
        _ZERO.label("live_covered_cents"),
        _ZERO.label("live_cap_cents"),
        _ZERO.label("placed_covered_cents"),
    )
    placed = select(
        *keys,
        o.c.placed_day,
        _ZERO,
        _ZERO,
        _ZERO,
        _ONE,
        case((spans, -1), else_=0),
        case((spans, -o.c.covered), else_=0),
        case((spans, -o.c.cap), else_=0),
        o.c.covered,
    )
    ended = select(
        *keys, o.c.end_day, _ZERO, _ZERO, _ZERO, _ZERO, _ONE, o.c.covered, o.c.cap, _ZERO
    )
    events = union_all(shipped, placed, ended.where(spans)).subquery("order_event")
    if by_supplier:
        # Summed once, with the claims, per supplier and day (a million orders make nearly as
        # many supplier days: grouping twice sorted them twice).
        return events
    e = events.c
    group = (e.supplier_country, e.supplier_tier, e.category, e.day)
    summed = ("shipping", "due", "late", "placed", *_LIVE, "placed_covered_cents")
    sums = [func.sum(e[name]).label(name) for name in summed]
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


def _nonzero(columns: Iterable[Any]) -> ColumnElement[bool]:
    return or_(*[column != 0 for column in columns])


def aggregate(
    name: str,
    zone: str,
    claim_window_days: int,
    *,
    orders: Ids | None = None,
    claims: Ids | None = None,
    suppliers: Ids | None = None,
) -> Select[Any] | None:
    """The rows of summary ``name`` for ``zone`` counted from the base tables: of everything, or
    only what the orders (and their claims), the claims, or the suppliers' orders and claims
    with these external ids (a list, or a query selecting them) contribute. None when those
    contribute nothing to the table."""
    if name in ROLLUPS:
        days = aggregate(
            ROLLUPS[name],
            zone,
            claim_window_days,
            orders=orders,
            claims=claims,
            suppliers=suppliers,
        )
        return None if days is None else _by_month(name, days.subquery("day_rows"))
    summed = TABLES[name][2]
    zone_column = _text(zone).label("zone")
    if name == "summary_late_days":
        # Only the orders' own columns count: a claim or a supplier's details change nothing.
        return None if claims is not None or suppliers is not None else _late_days(zone, orders)
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
            .having(_nonzero(sums))
        )
    # summary_supplier_days: the orders' events and the claims filed, per supplier and day.
    parts = []
    order_sums = ("due", "late", "placed", *_LIVE)
    if claims is None:
        g = _order_events(zone, claim_window_days, orders, suppliers, by_supplier=True)
        parts.append(
            select(
                g.c.supplier_id,
                g.c.day,
                *[g.c[s] for s in order_sums[:3]],
                _ZERO.label("claims"),
                *[g.c[s] for s in order_sums[3:]],
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
        )
    )
    e = union_all(*parts).subquery("supplier_event")
    sums = [func.sum(e.c[s]).label(s) for s in summed]
    return (
        select(zone_column, e.c.day, e.c.supplier_id, *sums)
        .group_by(e.c.day, e.c.supplier_id)
        .having(_nonzero(sums))
    )


def _by_month(name: str, days: Any) -> Select[Any]:
    """Rows of ``days`` (a summary's daily rows: zone, day, key, sums) summed per month, as
    the rows of the derived table ``name``."""
    _, key, summed = TABLES[name]
    rest = [days.c[k] for k in key if k not in ("zone", "month")]
    month = period_start(days.c.day, "month").label("month")
    sums = [func.sum(days.c[s]).label(s) for s in summed]
    return (
        select(days.c.zone, month, *rest, *sums)
        .group_by(days.c.zone, month, *rest)
        .having(_nonzero(sums))
    )


def _stored(name: str, zone: str) -> Any:
    table = TABLES[name][0]
    return select(table).where(table.c.zone == zone).subquery(f"stored_{name}")


def built_zones(executor: Executor) -> dict[str, int]:
    """The zones the summaries are kept for, each with its claim window."""
    rows = executor.execute(select(SummaryState.zone, SummaryState.claim_window_days)).all()
    return {zone: int(days) for zone, days in rows}


def is_ready(executor: Executor, zone: str, claim_window_days: int | None = None) -> bool:
    """Whether figures counted in ``zone`` (and, for exposure, with that claim window) may read
    the summaries; otherwise they count from the base tables."""
    days = executor.execute(
        select(SummaryState.claim_window_days).where(SummaryState.zone == zone)
    ).scalar_one_or_none()
    return days is not None and (claim_window_days is None or int(days) == claim_window_days)


def rebuild(
    executor: Executor, zones: dict[str, int], now: datetime, *, unread: bool = False
) -> None:
    """Empty the summaries and build them again for exactly ``zones`` (zone → claim window).

    ``unread``: nobody reads the summaries meanwhile (a seed), so PostgreSQL may drop their
    secondary indexes while they fill, which locks readers out until the commit (SQLite's
    readers keep their snapshot whatever the writer does, so it always may)."""
    for zone in zones:
        zone_named(zone)  # an unknown zone fails here, before anything is written
    for table, _, _ in TABLES.values():
        executor.execute(delete(table))
    executor.execute(delete(SummaryState))
    connection = _connection(executor)
    tables = [table for table, _, _ in TABLES.values()]
    # A million orders make a million and a half supplier days: one sort to index them after,
    # not as many insertions into a second index (dropped and built in this transaction).
    drop = unread or connection.dialect.name == "sqlite"
    with indexes_built_after(connection, tables) if drop else nullcontext():
        for zone, window in sorted(zones.items()):
            for name, (table, _, _) in TABLES.items():
                query = (
                    _by_month(name, _stored(ROLLUPS[name], zone))
                    if name in ROLLUPS
                    else aggregate(name, zone, window)
                )
                assert query is not None
                names = [column.name for column in query.selected_columns]
                executor.execute(insert(table).from_select(names, query))
            executor.execute(
                insert(SummaryState).values(zone=zone, claim_window_days=window, built_at=now)
            )


def refresh_all(executor: Executor, now: datetime) -> None:
    """Build the kept zones again from the base tables (after a write that changed most rows)."""
    zones = built_zones(executor)
    if zones:
        rebuild(executor, zones, now)


@dataclass
class Delta:
    """What a write changes in the summaries: call :meth:`subtract` with the rows it is about
    to write (as they are before), :meth:`add` with all of them after, then :meth:`apply`.

    Set-based whatever the write's size: the ids go to a temporary table, each count is one
    ``INSERT … SELECT`` of :func:`aggregate` over them into a temporary table per summary
    (``summary_delta_<table>``), and :meth:`apply` adds the grouped differences with one upsert
    per summary. The work grows with the rows written, never with the tables' size: every
    lookup goes through an index on the ids (EXPLAIN QUERY PLAN in the tests' reach). The
    temporary tables are the connection's own (PostgreSQL drops them at commit).
    """

    zones: dict[str, int]
    _ready: bool = field(default=False, repr=False)

    @classmethod
    def for_database(cls, executor: Executor) -> Delta:
        return cls(built_zones(executor))

    def _prepare(self, executor: Executor) -> None:
        if self._ready:
            return
        postgres = _dialect(executor) == "postgresql"
        drop = " ON COMMIT DROP" if postgres else ""
        # Names and types from the tables' own metadata; nothing from a file.
        executor.execute(
            text(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {_IDS.name} "
                f"(external_id VARCHAR(64) PRIMARY KEY){drop}"
            )
        )
        for name, (_, key, summed) in TABLES.items():
            columns = ", ".join((*key, *summed))
            target = _delta_table(name).name
            empty = f"SELECT {columns} FROM {name} WHERE 1 = 0"  # noqa: S608
            executor.execute(
                text(f"CREATE TEMPORARY TABLE IF NOT EXISTS {target}{drop} AS {empty}")
            )
            executor.execute(delete(_delta_table(name)))
        self._ready = True

    def _count(self, executor: Executor, sign: int, entity: str, ids: Sequence[str]) -> None:
        self._prepare(executor)
        executor.execute(delete(_IDS))
        if not ids:
            return
        connection = _connection(executor)
        insert_columns(connection, _IDS, {"external_id": list(ids)})
        if sign < 0:
            # Only rows that exist contribute before: new rows (most of a file of new orders)
            # are set aside with one index probe each, not looked for by every count.
            written = _ENTITY_TABLES[entity]
            executor.execute(
                delete(_IDS).where(~exists().where(written.c.external_id == _IDS.c.external_id))
            )
        if connection.dialect.name == "postgresql":
            # A temporary table has no statistics until analysed: plan for its real size.
            executor.execute(text(f"ANALYZE {_IDS.name}"))
        chosen = select(_IDS.c.external_id)
        for zone, window in self.zones.items():
            for name, (_, key, summed) in TABLES.items():
                if name in ROLLUPS:
                    continue  # rolled up from its source's delta in apply()
                query = aggregate(name, zone, window, **{entity: chosen})
                if query is None:
                    continue
                counted = query.subquery("counted")
                signed = [(counted.c[s] if sign > 0 else -counted.c[s]).label(s) for s in summed]
                executor.execute(
                    insert(_delta_table(name)).from_select(
                        [*key, *summed], select(*[counted.c[k] for k in key], *signed)
                    )
                )

    def subtract(self, executor: Executor, entity: str, ids: Sequence[str]) -> None:
        """Take away what the ``entity`` ("orders", "claims" or "suppliers") rows with these
        external ids contribute now (call before writing them)."""
        if self.zones:
            self._count(executor, -1, entity, ids)

    def add(self, executor: Executor, entity: str, ids: Sequence[str]) -> None:
        """Add what they contribute now (call after writing them)."""
        if self.zones:
            self._count(executor, +1, entity, ids)

    def apply(self, executor: Executor) -> None:
        """Add the differences to the stored rows; drop rows left at zero everywhere."""
        if not self._ready:
            return
        dialect = _dialect(executor)
        for name, source in ROLLUPS.items():
            rolled = _by_month(name, _delta_table(source))
            key, summed = TABLES[name][1:]
            executor.execute(insert(_delta_table(name)).from_select([*key, *summed], rolled))
        for name, (table, key, summed) in TABLES.items():
            changes = _delta_table(name)
            if dialect == "postgresql":
                executor.execute(text(f"ANALYZE {changes.name}"))
            sums = [func.sum(changes.c[s]).label(s) for s in summed]
            grouped = (
                select(*[changes.c[k] for k in key], *sums)
                .group_by(*[changes.c[k] for k in key])
                .having(_nonzero(sums))
            )
            upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
            statement = upsert.from_select([*key, *summed], grouped)
            executor.execute(
                statement.on_conflict_do_update(
                    index_elements=list(key),
                    set_={s: table.c[s] + statement.excluded[s] for s in summed},
                )
            )
            # The rows this write touched that now count nothing, found by their keys.
            touched = select(*[changes.c[k] for k in key]).distinct()
            executor.execute(
                delete(table).where(
                    tuple_(*[table.c[k] for k in key]).in_(touched),
                    *[table.c[s] == 0 for s in summed],
                )
            )
            executor.execute(delete(changes))


#: The ids a delta counts (a temporary table, created by Delta._prepare).
_IDS = Table("summary_delta_ids", MetaData(), Column("external_id", String(64), primary_key=True))
_ENTITY_TABLES: dict[str, Table] = {
    "orders": Order.__table__,  # type: ignore[dict-item]
    "claims": Claim.__table__,  # type: ignore[dict-item]
    "suppliers": Supplier.__table__,  # type: ignore[dict-item]
}


def _delta_table(name: str) -> TableClause:
    _, key, summed = TABLES[name]
    return table_clause(
        f"summary_delta_{name.removeprefix('summary_')}", *map(column, key + summed)
    )


def _connection(executor: Executor) -> Connection:
    return executor.connection() if isinstance(executor, Session) else executor


def _dialect(executor: Executor) -> str:
    if isinstance(executor, Session):
        return executor.get_bind().dialect.name
    return executor.dialect.name


def stored_rows(executor: Executor, name: str, zone: str) -> list[tuple[Any, ...]]:
    """A summary's stored rows of ``zone``, sorted (tests compare them with the aggregate)."""
    table, key, summed = TABLES[name]
    columns = [table.c[c] for c in (*key, *summed)]
    rows = executor.execute(select(*columns).where(table.c.zone == zone)).all()
    return sorted(tuple(_plain(v) for v in row) for row in rows)


def aggregated_rows(executor: Executor, name: str, zone: str) -> list[tuple[Any, ...]]:
    """The rows ``name`` should hold for ``zone``, counted from the base tables now."""
    window = built_zones(executor).get(zone, 30)
    query = aggregate(name, zone, window)
    assert query is not None
    return sorted(tuple(_plain(v) for v in row) for row in executor.execute(query).all())


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return date.fromisoformat(value)
        return value
    return int(value)
