"""The order book: 24 months of orders in one vectorised pass, and the suppliers' limits.

Orders follow seasonality — an autumn peak, the Lunar New Year lull — and grow over time; amounts
are log-normal per category, so a few orders exceed USD 10,000 (four-eyes cases). Each order's
fate is drawn with it: shipped on or before its ship-by date, or late (poor suppliers and the
Lunar New Year make that likelier and longer), never shipped, cancelled, lost in transit,
delivered. Everything before ``cut`` (00:00 of the demo's today, programme time) has happened; later
instants are NaT. Limits come last because they follow the suppliers' recent covered volume.

All of it is NumPy over a million rows at once: no per-order Python, so draw order is by
column, and every ``rng`` call here is part of the seed's stream.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import numpy.typing as npt

from services.demo.catalogue import (
    CATEGORIES,
    DEPOSIT_BP,
    PAYMENT_METHODS,
    PAYMENT_SHARE,
    TIER_LIMIT_MULTIPLE,
    TIER_ORDER_SIZE,
)
from services.demo.columns import BoolArray, Columns, IntArray, datetimes, external_ids, ids
from services.demo.parties import Buyers, Suppliers, category_shares
from services.demo.timeline import (
    NAT,
    US_PER_DAY,
    US_PER_HOUR,
    US_PER_SECOND,
    days_from_lunar_new_year,
    epoch_day,
    months_before,
)

__all__ = ["Orders", "draw_orders", "limit_change_columns", "supplier_limits"]

_LNY_LATE_WINDOW = (-10, 20)  # ship-by days around the holiday that run late
# In the window a late shipment is (base x factor + extra) likely: closed factories hit every
# supplier there, and components and freight from China delay the others too.
_LNY_LATE = {True: (2.5, 0.08), False: (1.5, 0.02)}  # by "supplier in CN/VN"
_LNY_ORDER_DIP = (-3, 10)  # placed days around the holiday with fewer orders
# Orders placed per calendar month (Jan..Dec): a pre-holiday rush in January, an autumn peak
# stocking for the western holiday season.
_MONTH_FACTOR = (1.05, 0.8, 1.05, 1.0, 1.0, 0.95, 1.05, 1.15, 1.25, 1.2, 1.05, 0.9)
_PEAK_SHIP_MONTHS = (10, 11)  # ship-by months where capacity is tight
_ANNUAL_GROWTH = 0.2

_STATUSES = ("placed", "shipped", "delivered", "cancelled")
_CANCELLED = _STATUSES.index("cancelled")


@dataclass(frozen=True, slots=True)
class Orders:
    """Orders as columns, index ``o`` being order id ``o + 1``, in order of placement.

    Instants are int64 microseconds, NAT where it has not happened (before ``cut``); ``ship_by``
    is an epoch day; amounts are cents; ``supplier`` and ``category`` are indexes.
    """

    placed: IntArray
    supplier: IntArray
    category: IntArray
    amount: IntArray
    covered: IntArray
    paid: IntArray
    ship_by: IntArray
    shipped_at: IntArray
    delivered_at: IntArray
    cancelled_at: IntArray
    lost: BoolArray  # shipped and lost in transit
    status: IntArray  # index into placed/shipped/delivered/cancelled
    columns: Columns  # the orders table


def _placement_days(rng: np.random.Generator, n: int, start_day: int, cut: int) -> IntArray:
    days = np.arange(start_day, cut // US_PER_DAY, dtype=np.int64)
    as_dates = days.astype("datetime64[D]")
    months = as_dates.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    weight = np.array(_MONTH_FACTOR)[months]
    weight *= 1.0 + _ANNUAL_GROWTH * (days - days[0]) / 365.0
    weight *= np.where(weekday == 5, 0.6, np.where(weekday == 6, 0.5, 1.0))
    to_lny = days_from_lunar_new_year(days)
    weight *= np.where((to_lny >= _LNY_ORDER_DIP[0]) & (to_lny <= _LNY_ORDER_DIP[1]), 0.55, 1)
    picked = rng.choice(days, n, p=weight / weight.sum())
    return np.sort(picked).astype(np.int64)


def draw_orders(
    rng: np.random.Generator,
    n: int,
    start_day: int,
    cut: int,
    suppliers: Suppliers,
    buyers: Buyers,
) -> tuple[Orders, Suppliers]:
    """``n`` orders placed from ``start_day`` to before ``cut``, as they stand at ``cut``.

    Returns the suppliers too: one that joined after an order drawn for it is moved back to 30
    days before its first order (the programme admits suppliers before they sell through it).
    """
    placed_day = _placement_days(rng, n, start_day, cut)
    placed = placed_day * US_PER_DAY + rng.integers(0, US_PER_DAY // US_PER_SECOND, n) * (
        US_PER_SECOND
    )
    placed.sort()  # ids follow time, as in a real order book
    placed_day = placed // US_PER_DAY

    # Who: suppliers by popularity, but never before they joined the programme.
    weights = suppliers.popularity / suppliers.popularity.sum()
    supplier = rng.choice(suppliers.count, n, p=weights)
    too_early = placed < suppliers.created[supplier]
    if too_early.any():
        established = np.flatnonzero(suppliers.created < start_day * US_PER_DAY)
        if len(established) == 0:
            established = np.array([int(np.argmin(suppliers.created))])
        w = suppliers.popularity[established]
        supplier[too_early] = rng.choice(established, int(too_early.sum()), p=w / w.sum())
        # The earliest supplier may still be too new for the oldest orders: pull it back.
        first_order = np.full(suppliers.count, np.iinfo(np.int64).max)
        np.minimum.at(first_order, supplier, placed)
        created = np.minimum(suppliers.created, first_order - 30 * US_PER_DAY)
        suppliers = replace(suppliers, created=created)
    buyer = rng.choice(buyers.count, n, p=buyers.popularity / buyers.popularity.sum())
    category = np.where(
        rng.random(n) < 0.85,
        suppliers.category[supplier],
        rng.choice(len(CATEGORIES), n, p=category_shares()),
    )

    # Money: log-normal per category, bigger at gold suppliers; 60% in whole dollars.
    median = np.array([c.median_usd for c in CATEGORIES])[category]
    size = np.array(TIER_ORDER_SIZE)[suppliers.tier[supplier]]
    usd = np.clip(median * size * rng.lognormal(0.0, 0.95, n), 60.0, 1_500_000.0)
    cents = np.where(rng.random(n) < 0.6, np.round(usd) * 100, np.round(usd * 100))
    amount = cents.astype(np.int64)
    partial_cover = rng.random(n) < 0.12  # e.g. freight and samples not covered
    covered = np.where(partial_cover, np.floor(amount * rng.uniform(0.5, 0.95, n)), amount).astype(
        np.int64
    )
    method = rng.choice(len(PAYMENT_METHODS), n, p=np.array(PAYMENT_SHARE))
    method = np.where((method == 1) & (amount > 2_000_000), 0, method)  # no big card orders

    # When: production lead time per category, then shipping on or before ship-by...
    lo = np.array([c.lead_days[0] for c in CATEGORIES])[category]
    hi = np.array([c.lead_days[1] for c in CATEGORIES])[category]
    lead = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)
    ship_by = placed_day + lead
    to_lny = days_from_lunar_new_year(ship_by)
    in_lny = (to_lny >= _LNY_LATE_WINDOW[0]) & (to_lny <= _LNY_LATE_WINDOW[1])
    lny_country = suppliers.lunar_new_year[supplier]
    factor = np.where(lny_country, _LNY_LATE[True][0], _LNY_LATE[False][0])
    extra = np.where(lny_country, _LNY_LATE[True][1], _LNY_LATE[False][1])
    season = np.where(in_lny, factor, 1.0)
    ship_month = ship_by.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    season = season * np.where(np.isin(ship_month + 1, _PEAK_SHIP_MONTHS), 1.25, 1.0)
    poor = suppliers.poor[supplier]
    late_p = suppliers.late_p[supplier] * season + np.where(in_lny, extra, 0.0)
    late = rng.random(n) < np.minimum(late_p, 0.95)
    # ...or late by a geometric number of days; poor suppliers and the holiday make it worse.
    delay = rng.geometric(np.where(poor, 0.07, 0.15), n).astype(np.int64)
    delay += np.where(in_lny & lny_country, rng.integers(0, 15, n), 0)
    early = np.floor(rng.random(n) * np.minimum(lead, 7)).astype(np.int64)
    ship_day = np.where(late, ship_by + delay, ship_by - early)
    ship_at = ship_day * US_PER_DAY + rng.integers(US_PER_HOUR, 12 * US_PER_HOUR, n)
    never_ships = late & (rng.random(n) < np.where(poor, 0.12, 0.05))

    # Cancellations: some early (buyer changes plans), and most orders that never ship.
    cancel_early = rng.random(n) < 0.025
    early_cancel_at = placed + (
        (0.5 + rng.random(n) * np.maximum(lead * 0.6 - 0.5, 0.1)) * US_PER_DAY
    ).astype(np.int64)
    late_cancel_at = (ship_by + rng.integers(3, 40, n)) * US_PER_DAY + rng.integers(
        0, US_PER_DAY, n
    )
    cancelled_at = np.where(
        cancel_early,
        early_cancel_at,
        np.where(never_ships & (rng.random(n) < 0.7), late_cancel_at, NAT),
    )
    cancelled_at = np.where(cancelled_at >= cut, NAT, cancelled_at)
    cancelled = cancelled_at != NAT
    shipped = ~cancel_early & ~never_ships & (ship_at < cut)
    shipped_at = np.where(shipped, ship_at, NAT)

    # Delivery: sea freight (3-6 weeks) or air/express (4-10 days); a few shipments are lost.
    sea = rng.random(n) < 0.6
    transit = np.where(sea, rng.uniform(18, 40, n), rng.uniform(4, 10, n)) * US_PER_DAY
    lost = rng.random(n) < suppliers.lost_p[supplier]
    deliver_at = ship_at + transit.astype(np.int64)
    delivered = shipped & ~lost & (deliver_at < cut)
    delivered_at = np.where(delivered, deliver_at, NAT)

    status = np.where(
        cancelled, 3, np.where(delivered, 2, np.where(shipped, 1, 0))
    )  # placed/shipped/delivered/cancelled
    # Paid: T/T orders carry a 30% deposit until the balance is due before shipment; letters
    # of credit pay out on the shipping documents.
    deposit = np.round(amount * (DEPOSIT_BP / 10_000)).astype(np.int64)
    not_shipped_yet = ~shipped
    tt = method == 0
    deposit_only = tt & np.where(not_shipped_yet, rng.random(n) < 0.8, rng.random(n) < 0.05)
    paid = np.where(deposit_only, deposit, amount)
    paid = np.where((method == 2) & not_shipped_yet, 0, paid)

    columns: Columns = {
        "id": ids(n),
        "external_id": external_ids("ORD", n, 8),
        "supplier_id": supplier.astype(np.int64) + 1,
        "buyer_id": buyer.astype(np.int64) + 1,
        "category": np.array([c.name for c in CATEGORIES], dtype=object)[category],
        "payment_method": np.array(PAYMENT_METHODS, dtype=object)[method],
        "currency": _same_text(n, "USD"),
        "order_amount_cents": amount,
        "covered_amount_cents": covered,
        "paid_amount_cents": paid.astype(np.int64),
        "placed_at": datetimes(placed),
        "ship_by": ship_by.astype("datetime64[D]"),
        "shipped_at": datetimes(shipped_at),
        "delivered_at": datetimes(delivered_at),
        "cancelled_at": datetimes(cancelled_at),
        "status": np.array(_STATUSES, dtype=object)[status],
    }
    orders = Orders(
        placed=placed,
        supplier=supplier,
        category=category,
        amount=amount,
        covered=covered,
        paid=paid,
        ship_by=ship_by,
        shipped_at=shipped_at,
        delivered_at=delivered_at,
        cancelled_at=cancelled_at,
        lost=shipped & lost,
        status=status,
        columns=columns,
    )
    return orders, suppliers


def _same_text(n: int, text: str) -> npt.NDArray[np.object_]:
    # One str shared by every row: np.full(n, text, dtype=object) casts from a unicode array
    # and makes a new str per row, 20x slower and a million objects more.
    column = np.empty(n, dtype=object)
    column.fill(text)
    return column


def supplier_limits(today: date, cut: int, suppliers: Suppliers, orders: Orders) -> IntArray:
    """Limit = tier multiple x average monthly covered amount of the last 6 months."""
    window_start = epoch_day(months_before(today, 6)) * US_PER_DAY
    recent = (orders.placed >= window_start) & (orders.status != _CANCELLED)
    volume = np.bincount(
        orders.supplier[recent], weights=orders.covered[recent], minlength=suppliers.count
    )
    active_from = np.maximum(suppliers.created, window_start)
    months = np.clip((cut - active_from) / (30.4 * US_PER_DAY), 1.0, 6.0)
    monthly = volume / months
    multiple = np.array(TIER_LIMIT_MULTIPLE)[suppliers.tier]
    usd = np.ceil(monthly * multiple / 100 / 1_000) * 1_000
    limit: IntArray = (np.maximum(usd, 5_000) * 100).astype(np.int64)
    return limit


def limit_change_columns(suppliers: Suppliers, limit: IntArray) -> Columns:
    """The supplier_limit_changes table: each supplier's initial limit, an hour after joining."""
    s = suppliers.count
    return {
        "id": ids(s),
        "supplier_id": ids(s),
        "old_limit_cents": np.zeros(s, dtype=np.int64),
        "new_limit_cents": limit,
        "reason": ["Initial limit from qualification and 6-month volume"] * s,
        "changed_by_id": [None] * s,
        "changed_at": datetimes(suppliers.created + US_PER_HOUR),
    }
