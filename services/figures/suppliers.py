"""Supplier figures: the ranked suppliers table, one supplier's standing (also the claim page's
supplier record), its rates over time against the programme's, its claims and limit ledger.

Rates and the monitoring tier are over the policy's trailing monitoring window (the
``monitoring_window_days`` whole days before today); open claims and exposure are as of today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine

from data_access.claim_facts import Executor
from data_access.queries import supplier_record as record
from data_access.queries import suppliers as q
from data_access.queries.rates import Scope
from data_access.settings import get_settings, zone_named
from data_access.sql import day_start
from rules import MonitoringTier, Policy
from services.figures.periods import Grain, Period, trailing
from services.figures.rates import RowsPage, dispute_trend, late_shipment_trend, ratio
from services.figures.tiers import TIER_LABELS, tier_of_rank

__all__ = [
    "SORT_LABELS",
    "SupplierDetail",
    "SupplierStanding",
    "SuppliersPage",
    "standing_at",
    "supplier_claims",
    "supplier_detail",
    "supplier_standing",
    "supplier_trend",
    "supplier_window",
    "suppliers_page",
    "utilisation",
]

SORT_LABELS: dict[q.Sort, str] = {
    "tier": "Monitoring tier",
    "late_rate": "Late-shipment rate",
    "dispute_rate": "Dispute rate",
    "utilisation": "Utilisation",
    "exposure": "Exposure",
    "headroom": "Headroom",
    "open_claims": "Open claims",
    "name": "Name",
}


def utilisation(exposure_cents: int, limit_cents: int) -> float | None:
    """Exposure ÷ limit; infinite for exposure on a zero limit, None (NaN) for neither."""
    if limit_cents > 0:
        return exposure_cents / limit_cents
    return float("inf") if exposure_cents > 0 else None


def supplier_window(today: date, zone: str, policy: Policy) -> q.SupplierWindow:
    """Trailing monitoring window for the rates; today's end for open claims and exposure."""
    window = trailing(today, policy.monitoring_window_days)
    return q.SupplierWindow(
        window=window.window,
        today=today,
        zone=zone,
        as_of_end=day_start(today + timedelta(days=1), zone),
        delivered_since=day_start(today - timedelta(days=policy.claim_window_days), zone),
        late_levels=policy.late_shipment_tiers,
        dispute_levels=policy.dispute_tiers,
        claim_window_days=policy.claim_window_days,
    )


def _prepared(frame: pd.DataFrame) -> pd.DataFrame:
    """Rates, utilisation and tier names beside the counts they come from."""
    frame = frame.copy()
    frame["late_rate"] = ratio(frame["late"], frame["due"])
    frame["dispute_rate"] = ratio(frame["claims"], frame["orders"])
    frame["utilisation"] = pd.Series(
        [
            utilisation(int(e), int(limit))
            for e, limit in zip(frame["exposure_cents"], frame["limit_cents"], strict=True)
        ],
        index=frame.index,
        dtype="float64",
    )
    frame["monitoring_tier"] = [TIER_LABELS[tier_of_rank(r)] for r in frame["tier_rank"]]
    frame["over_limit"] = frame["headroom_cents"] < 0
    return frame


@dataclass(frozen=True, slots=True)
class SuppliersPage:
    frame: pd.DataFrame
    total: int
    #: Suppliers per monitoring tier name (and "none"), and over their limit ("over_limit").
    counts: dict[str, int]
    window: Period


def suppliers_page(
    engine: Engine,
    today: date,
    zone: str,
    policy: Policy,
    *,
    search: str = "",
    show: q.Show = "all",
    sort: q.Sort = "tier",
    descending: bool = True,
    page: int = 1,
    page_size: int = 50,
) -> SuppliersPage:
    """One page of the ranked suppliers; ``page_size=0`` returns every match (CSV)."""
    w = supplier_window(today, zone, policy)
    with engine.connect() as conn:
        limit = page_size if page_size > 0 else 1_000_000_000
        frame, total, counts = q.supplier_table(
            conn,
            w,
            search=search,
            show=show,
            sort=sort,
            descending=descending,
            limit=limit,
            offset=(max(page, 1) - 1) * page_size,
            reads_only=True,  # a connection of its own, for this read
        )
    named = {
        TIER_LABELS[tier_of_rank(int(rank))]: n
        for rank, n in counts.items()
        if rank != "over_limit"
    }
    named["over_limit"] = counts["over_limit"]
    return SuppliersPage(
        _prepared(frame), total, named, trailing(today, policy.monitoring_window_days)
    )


@dataclass(frozen=True, slots=True)
class SupplierStanding:
    """A supplier's rates over the monitoring window, and its limit ledger today."""

    window_days: int
    orders_due: int
    orders_late: int
    orders_placed: int
    claims_filed: int
    open_claims: int
    live_orders: int
    limit_cents: int
    exposure_cents: int
    tier: MonitoringTier | None

    @property
    def headroom_cents(self) -> int:
        return self.limit_cents - self.exposure_cents

    @property
    def utilisation(self) -> float | None:
        return utilisation(self.exposure_cents, self.limit_cents)


def supplier_standing(
    executor: Executor, supplier_id: int, today: date, zone: str, policy: Policy
) -> SupplierStanding | None:
    """The supplier's standing on ``today`` (programme-zone day); None if it does not exist."""
    frame = q.supplier_figures(executor, supplier_window(today, zone, policy), supplier_id)
    if frame.empty:
        return None
    row = frame.iloc[0]
    return SupplierStanding(
        window_days=policy.monitoring_window_days,
        orders_due=int(row["due"]),
        orders_late=int(row["late"]),
        orders_placed=int(row["orders"]),
        claims_filed=int(row["claims"]),
        open_claims=int(row["open_claims"]),
        live_orders=int(row["live_orders"]),
        limit_cents=int(row["limit_cents"]),
        exposure_cents=int(row["exposure_cents"]),
        tier=tier_of_rank(int(row["tier_rank"])),
    )


def standing_at(
    executor: Executor,
    supplier_id: int,
    now: datetime,
    policy: Policy,
    zone: str | None = None,
) -> SupplierStanding | None:
    """The standing on the programme-zone day of ``now``; ``zone`` defaults to the programme's
    time zone setting (the claim page's supplier record reads it this way)."""
    zone = zone or get_settings().programme_timezone
    today = now.astimezone(zone_named(zone)).date()
    return supplier_standing(executor, supplier_id, today, zone, policy)


@dataclass(frozen=True, slots=True)
class SupplierDetail:
    external_id: str
    name: str
    country: str
    main_category: str
    tier: str
    standing: SupplierStanding
    #: ``changed_at, old_limit_cents, new_limit_cents, reason, changed_by``, newest first.
    limit_history: pd.DataFrame


def supplier_detail(
    engine: Engine, external_id: str, today: date, zone: str, policy: Policy
) -> SupplierDetail | None:
    """The supplier people call ``external_id`` (any case), or None."""
    with engine.connect() as conn:
        row = record.supplier_by_external_id(conn, external_id)
        if row is None:
            return None
        standing = supplier_standing(conn, row.id, today, zone, policy)
        history = record.limit_history(conn, row.id)
    if standing is None:  # deleted between the two reads
        return None
    return SupplierDetail(
        row.external_id, row.name, row.country, row.main_category, row.tier, standing, history
    )


def supplier_claims(engine: Engine, external_id: str, *, page: int, page_size: int) -> RowsPage:
    """A page of the supplier's claims, newest first: ``claim, order, kind, status, filed_at,
    claimed_cents, refunded_cents``."""
    with engine.connect() as conn:
        row = record.supplier_by_external_id(conn, external_id)
        if row is None:
            return RowsPage(pd.DataFrame(), 0)
        frame, total = record.supplier_claims(
            conn, row.id, limit=page_size, offset=(max(page, 1) - 1) * page_size
        )
    return RowsPage(frame, total)


def supplier_trend(
    engine: Engine,
    external_id: str,
    period: Period,
    grain: Grain,
    today: date,
    zone: str,
) -> pd.DataFrame:
    """The supplier's rates per week or month beside the programme's: ``period, label,
    partial, due, late, late_rate, orders, claims, dispute_rate`` and the same with a
    ``programme_`` prefix."""
    scope = Scope(supplier_external_id=external_id)
    own = late_shipment_trend(engine, period, grain, today, zone, scope).merge(
        dispute_trend(engine, period, grain, today, zone, scope).drop(columns=["label", "partial"]),
        on="period",
    )
    programme = late_shipment_trend(engine, period, grain, today, zone).merge(
        dispute_trend(engine, period, grain, today, zone).drop(columns=["label", "partial"]),
        on="period",
    )
    programme = programme.drop(columns=["label", "partial"]).add_prefix("programme_")
    return own.merge(programme, left_on="period", right_on="programme_period").drop(
        columns=["programme_period"]
    )


def matches(engine: Engine, search: str, limit: int) -> pd.DataFrame:
    """Up to ``limit`` suppliers whose name, id or country contains ``search``, an exact id
    first: ``supplier, supplier_name, supplier_country`` (the supplier page's picker)."""
    with engine.connect() as conn:
        return record.supplier_matches(conn, search, limit)
