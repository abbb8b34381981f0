"""Per-supplier figures: the suppliers table (ranked, searched and paged in SQL) and one
supplier's figures. The supplier's record, limit history and claims are in
``data_access.queries.supplier_record``.

Every count comes from the one predicate of its figure: ``rates.due_order``/``late_order``,
``rates.placed_in``/``filed_in``, ``claims.claim_open_at`` (found by parts:
``claims.open_claims_and_orders``), ``exposure.live_order`` and ``tiers.tier_rank``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import pandas as pd
from sqlalchemy import (
    BigInteger,
    Float,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.sql import Select

from data_access import summaries
from data_access.claim_facts import Executor
from data_access.models import (
    Claim,
    Order,
    Supplier,
)
from data_access.queries.claims import claim_open_at, open_claims_and_orders
from data_access.queries.exposure import live_order
from data_access.queries.exposure_summarised import open_claim_orders, supplier_live
from data_access.queries.rates import DayWindow, due_order, filed_in, late_order, placed_in
from data_access.queries.supplier_beside import read_beside
from data_access.queries.supplier_record import matching
from data_access.queries.supplier_summary import RATE_SUMS, rate_counts, supplier_summary
from data_access.queries.tiers import Thresholds, tier_rank, worse_rank
from data_access.sql import grouping_key

__all__ = [
    "FIGURE_COLUMNS",
    "SORTS",
    "Show",
    "Sort",
    "SupplierWindow",
    "supplier_figures",
    "supplier_table",
    "tier_counts",
]

Sort = Literal[
    "tier",
    "late_rate",
    "dispute_rate",
    "utilisation",
    "exposure",
    "headroom",
    "open_claims",
    "name",
]
SORTS: tuple[Sort, ...] = (
    "tier",
    "late_rate",
    "dispute_rate",
    "utilisation",
    "exposure",
    "headroom",
    "open_claims",
    "name",
)
Show = Literal["all", "tiered", "over_limit"]

FIGURE_COLUMNS = [
    "supplier",
    "supplier_name",
    "supplier_country",
    "main_category",
    "supplier_tier",
    "limit_cents",
    "due",
    "late",
    "orders",
    "claims",
    "open_claims",
    "live_orders",
    "exposure_cents",
    "headroom_cents",
    "late_rank",
    "dispute_rank",
    "tier_rank",
]
_INT_COLUMNS = [
    c
    for c in FIGURE_COLUMNS
    if c.endswith(("_cents", "_rank"))
    or c in ("due", "late", "orders", "claims", "open_claims", "live_orders")
]


@dataclass(frozen=True, slots=True)
class SupplierWindow:
    """What a supplier's figures are counted over: rates over ``window`` (the trailing
    monitoring window, days before ``today``), open claims and exposure at ``as_of_end``."""

    window: DayWindow
    today: date
    zone: str
    as_of_end: datetime
    delivered_since: datetime
    late_levels: Thresholds
    dispute_levels: Thresholds
    #: The claim window ``delivered_since`` was set back by: the summaries must be built on it.
    claim_window_days: int = 0


def _per_supplier(query: Select[Any], name: str, only: int | None) -> Any:
    if only is not None:  # one supplier: its own orders only, through the supplier indexes
        query = query.where(Order.supplier_id == only)
    return query.group_by(grouping_key(Order.supplier_id, "supplier_id")).subquery(name)


def _live_parts(w: SupplierWindow, only: int | None) -> tuple[Any, Any, Any, Any]:
    """The same parts counted from the orders and claims."""
    late = _per_supplier(
        select(
            grouping_key(Order.supplier_id, "supplier_id"),
            func.count().label("due"),
            func.sum(case((late_order(w.zone), 1), else_=0)).label("late"),
        ).where(due_order(w.window, w.today, w.zone)),
        "supplier_late",
        only,
    )
    placed = _per_supplier(
        select(grouping_key(Order.supplier_id, "supplier_id"), func.count().label("orders")).where(
            placed_in(w.window, w.zone)
        ),
        "supplier_placed",
        only,
    )
    filed = _per_supplier(
        select(grouping_key(Order.supplier_id, "supplier_id"), func.count().label("claims"))
        .select_from(Claim)
        .join(Order, Order.id == Claim.order_id)
        .where(filed_in(w.window, w.zone)),
        "supplier_filed",
        only,
    )
    live = _per_supplier(
        select(
            grouping_key(Order.supplier_id, "supplier_id"),
            func.count().label("live_orders"),
            cast(func.sum(Order.covered_amount_cents), BigInteger).label("exposure_cents"),
        ).where(live_order(w.as_of_end, w.delivered_since)),
        "supplier_live",
        only,
    )
    return late, placed, filed, live


def _summarised(
    w: SupplierWindow, only: int | None, open_orders: Sequence[int] | None = None
) -> tuple[Any, Any, Any, Any]:
    """The rate counts over the window and the live orders at ``today``'s end, per supplier,
    from the daily summaries (``data_access.summaries``; same numbers as the base tables)."""
    s = supplier_summary(
        w.zone,
        w.window.first,
        w.window.last,
        months_before=w.today,
        years=True,
        supplier=only,
        sums=RATE_SUMS,
    ).c
    counts = select(s.supplier_id.label("supplier_id"), *rate_counts(s, w.today))
    rates = counts.group_by(s.supplier_id).subquery("supplier_rates")
    live = supplier_live(w.zone, w.today, w.as_of_end, w.delivered_since, only, open_orders)
    return rates, rates, rates, live


def _figures(
    w: SupplierWindow,
    only: int | None = None,
    summarised: bool = False,
    open_orders: Sequence[int] | None = None,
    read: tuple[Any, Any] | None = None,
) -> Select[Any]:
    """The table's rows; ``read``: the rate counts and the live orders per supplier already
    read (``supplier_beside.read_beside``), else counted in this query."""
    if read is not None:
        late, live = read
        placed = filed = late  # one table holds every rate count, as in _summarised
    elif summarised:
        late, placed, filed, live = _summarised(w, only, open_orders)
    else:
        late, placed, filed, live = _live_parts(w, only)
    # Grouped by the plain column, not ``grouping_key``: a few thousand open claims reach their
    # orders by id either way, and SQLite indexes a join key it can see as a column. Behind an
    # expression it scanned the whole subquery once per supplier (50,000 × 3,000 rows at ten
    # million orders: 11 of the suppliers page's 13 seconds). Every supplier's open claims are
    # found by parts, not by testing every claim filed before the instant (all of them, for
    # now): at ten million orders on SQLite 110–160 ms → 20 ms. One supplier's are few, and
    # reached through its orders (by parts, every open claim's order was looked up for them:
    # its page 0.36–0.38 s → 0.43–0.46 s). The parts carry each claim's order, so PostgreSQL
    # does not read every claim to find their ids again (90 of 125 ms at ten million orders).
    counted = (Order.supplier_id.label("supplier_id"), func.count().label("open_claims"))
    if only is None:
        every = open_claims_and_orders(w.as_of_end).subquery("open_claim")
        open_claims = select(*counted).select_from(every).join(Order, Order.id == every.c.order_id)
    else:
        open_claims = (
            select(*counted)
            .select_from(Claim)
            .join(Order, Order.id == Claim.order_id)
            .where(claim_open_at(w.as_of_end), Order.supplier_id == only)
        )
    still_open = open_claims.group_by(Order.supplier_id).subquery("supplier_open")

    due = func.coalesce(late.c.due, 0)
    late_n = func.coalesce(late.c.late, 0)
    orders = func.coalesce(placed.c.orders, 0)
    claims = func.coalesce(filed.c.claims, 0)
    exposure = cast(func.coalesce(live.c.exposure_cents, 0), BigInteger)
    late_rank = tier_rank(late_n, due, w.late_levels)
    dispute_rank = tier_rank(claims, orders, w.dispute_levels)
    query = select(
        Supplier.id.label("supplier_id"),
        Supplier.external_id.label("supplier"),
        Supplier.name.label("supplier_name"),
        Supplier.country.label("supplier_country"),
        Supplier.main_category.label("main_category"),
        Supplier.tier.label("supplier_tier"),
        Supplier.limit_cents.label("limit_cents"),
        due.label("due"),
        late_n.label("late"),
        orders.label("orders"),
        claims.label("claims"),
        func.coalesce(still_open.c.open_claims, 0).label("open_claims"),
        func.coalesce(live.c.live_orders, 0).label("live_orders"),
        exposure.label("exposure_cents"),
        (Supplier.limit_cents - exposure).label("headroom_cents"),
        late_rank.label("late_rank"),
        dispute_rank.label("dispute_rank"),
        worse_rank(late_rank, dispute_rank).label("tier_rank"),
    )
    joined: list[Any] = []
    for part in (late, placed, filed, still_open, live):
        if not any(part is seen for seen in joined):  # the summaries give three in one
            query = query.outerjoin(part, part.c.supplier_id == Supplier.id)
            joined.append(part)
    return query


def _frame(rows: Any) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    return frame.astype({c: "int64" for c in _INT_COLUMNS})


def supplier_figures(executor: Executor, w: SupplierWindow, supplier_id: int) -> pd.DataFrame:
    """One supplier's row of the table (empty if the supplier does not exist)."""
    figures = (
        _figures(w, supplier_id, *_summarised_with(executor, w))
        .where(Supplier.id == supplier_id)
        .subquery("figures")
    )
    rows = executor.execute(select(*[figures.c[c] for c in FIGURE_COLUMNS])).all()
    return _frame(rows)


def _ready(executor: Executor, w: SupplierWindow) -> bool:
    return summaries.is_ready(executor, w.zone, w.claim_window_days)


def _summarised_with(executor: Executor, w: SupplierWindow) -> tuple[bool, list[int] | None]:
    """Whether the summaries answer, and if so the orders with a claim open at the window's
    end (``exposure_summarised.open_claim_orders``), read once for the query."""
    if not _ready(executor, w):
        return False, None
    return True, open_claim_orders(executor, w.as_of_end)


def _filtered(
    w: SupplierWindow,
    search: str,
    show: Show,
    summarised: bool,
    open_orders: Sequence[int] | None = None,
    read: tuple[Any, Any] | None = None,
) -> Any:
    figures = _figures(w, summarised=summarised, open_orders=open_orders, read=read).subquery(
        "figures"
    )
    conditions = []
    term = search.strip().lower()
    if term:
        c = figures.c
        conditions.append(matching(term, c.supplier_name, c.supplier, c.supplier_country))
    if show == "tiered":
        conditions.append(figures.c.tier_rank > 0)
    elif show == "over_limit":
        conditions.append(figures.c.headroom_cents < 0)
    return figures, conditions


def supplier_table(
    executor: Executor,
    w: SupplierWindow,
    *,
    search: str = "",
    show: Show = "all",
    sort: Sort = "tier",
    descending: bool = True,
    limit: int = 50,
    offset: int = 0,
    reads_only: bool = False,
) -> tuple[pd.DataFrame, int, dict[str, int]]:
    """One page of the ranked suppliers, the number of suppliers matching in all, and every
    supplier's count per tier (as ``tier_counts``).

    The figures are counted once: the page, the matches and the tier counts are read from the
    same rows (window sums over all suppliers, or a count of their own when read beside; the
    matching ones sort first, so a page never reaches past them into the others, which are
    dropped here).
    ``reads_only``: the caller's connection holds no writes of its own, so part of the counts
    may be read on another connection (``supplier_beside.read_beside``), which would not see
    them.
    """
    summarised, open_orders = _summarised_with(executor, w)
    beside = reads_only and summarised

    def parts() -> tuple[Any, Any]:
        rates, _, _, live = _summarised(w, None, open_orders)
        return rates, live

    with read_beside(executor, parts) if beside else nullcontext() as read:
        figures, conditions = _filtered(w, search, show, summarised, open_orders, read)
        return _ranked_page(
            executor, w, figures, conditions, sort, descending, limit, offset, read is not None
        )


def _ranked_page(
    executor: Executor,
    w: SupplierWindow,
    figures: Any,
    conditions: list[Any],
    sort: Sort,
    descending: bool,
    limit: int,
    offset: int,
    counted_apart: bool,
) -> tuple[pd.DataFrame, int, dict[str, int]]:
    c = figures.c
    late_rate = cast(c.late, Float) / func.nullif(c.due, 0)
    dispute_rate = cast(c.claims, Float) / func.nullif(c.orders, 0)
    utilisation = case(
        (c.limit_cents > 0, cast(c.exposure_cents, Float) / c.limit_cents),
        (c.exposure_cents > 0, literal(1e18)),  # exposure on a zero limit: infinitely over
        else_=None,
    )
    keys: dict[str, list[Any]] = {
        "tier": [c.tier_rank, late_rate, dispute_rate, c.exposure_cents],
        "late_rate": [late_rate, c.late],
        "dispute_rate": [dispute_rate, c.claims],
        "utilisation": [utilisation, c.exposure_cents],
        "exposure": [c.exposure_cents],
        "headroom": [c.headroom_cents],
        "open_claims": [c.open_claims],
        "name": [func.lower(c.supplier_name)],
    }
    order = [k.desc().nulls_last() if descending else k.asc().nulls_last() for k in keys[sort]]
    if conditions:
        matches: Any = case((and_(*conditions), 1), else_=0)
        matching: Any = func.sum(matches)
        order.insert(0, matches.desc())
    else:
        matches, matching = literal_column("1"), func.count()
    # The matches in all, every supplier's count per tier rank, and those over their limit.
    totals = [
        matching,
        *[func.sum(case((c.tier_rank == rank, 1), else_=0)) for rank in range(4)],
        func.sum(case((c.headroom_cents < 0, 1), else_=0)),
    ]
    columns = [*[c[name] for name in FIGURE_COLUMNS], matches.label("matches")]
    width = len(FIGURE_COLUMNS)
    counted: Sequence[Any]
    if counted_apart:
        # Rows ready in temporary tables (``supplier_beside.read_beside``) are cheap to read
        # twice; as window sums over the page's query, SQLite spent 0.22 s of 0.30 on fifty
        # thousand suppliers.
        counted = executor.execute(select(*totals).select_from(figures)).one()
        rows = executor.execute(
            select(*columns).order_by(*order, c.supplier).limit(limit).offset(offset)
        ).all()
    else:
        query = (
            select(*columns, *[total.over() for total in totals])
            .order_by(*order, c.supplier)
            .limit(limit)
            .offset(offset)
        )
        rows = executor.execute(query).all()
        if not rows:  # a page past every supplier: count apart
            count = select(func.count()).select_from(figures).where(*conditions)
            return _frame([]), int(executor.execute(count).scalar_one()), tier_counts(executor, w)
        counted = rows[0][width + 1 :]
    matched, *per_tier, over_limit = (int(value or 0) for value in counted)
    counts = {str(rank): n for rank, n in enumerate(per_tier)}
    counts["over_limit"] = over_limit
    page = [row[:width] for row in rows if int(row[width])]
    return _frame(page), matched, counts


def tier_counts(executor: Executor, w: SupplierWindow) -> dict[str, int]:
    """Suppliers per tier rank (``"0"`` … ``"3"``) and over their limit (``"over_limit"``)."""
    summarised, open_orders = _summarised_with(executor, w)
    figures = _figures(w, summarised=summarised, open_orders=open_orders).subquery("figures")
    counts: dict[str, int] = {str(rank): 0 for rank in range(4)}
    over = func.sum(case((figures.c.headroom_cents < 0, 1), else_=0))
    query = select(figures.c.tier_rank, func.count(), over).group_by(figures.c.tier_rank)
    counts["over_limit"] = 0
    for rank, n, over_limit in executor.execute(query).all():
        counts[str(int(rank))] = int(n)
        counts["over_limit"] += int(over_limit or 0)
    return counts
