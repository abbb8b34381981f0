"""Cached figure reads for the dashboards; cleared by the writes that change them.

Every function takes the database URL first, so two databases never share figures, and the
policy by version (a string), so the cache key stays small. ``now`` is passed to the minute, so
a page refreshed within a minute reads its snapshot figures from the cache.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import streamlit as st

from rules import Policy
from services.claims.recommendations import active_policy
from services.figures import claims, exposure, headline, rates, reviewers, stress, suppliers
from services.figures.periods import Grain, Period
from ui import wiring

TTL_SECONDS = 300
_SPINNER = "Counting orders and claims…"


def _policy(version: str) -> Policy:
    """The policy ``version`` (stored or bundled) the page named in the cache key."""
    return active_policy(wiring.engine(), version)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def extent(database_url: str, zone: str) -> tuple[date, date] | None:
    del database_url
    return rates.activity_extent(wiring.engine(), zone)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=_SPINNER)
def tiles(
    database_url: str, period: Period, today: date, now: datetime, zone: str, policy: str
) -> headline.Headline:
    del database_url
    return headline.headline(
        wiring.engine(), period, today=today, now=now, zone=zone, policy=_policy(policy)
    )


def trends(
    database_url: str, period: Period, grain: Grain, today: date, zone: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Late-shipment, dispute and refunds trends of the period (cached apart: a decision
    changes refunds, never the order-based rates)."""
    late, disputes = rate_trends(database_url, period, grain, today, zone)
    return late, disputes, refunds_trend(database_url, period, grain, today, zone)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=_SPINNER)
def rate_trends(
    database_url: str, period: Period, grain: Grain, today: date, zone: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    del database_url
    engine = wiring.engine()
    return (
        rates.late_shipment_trend(engine, period, grain, today, zone),
        rates.dispute_trend(engine, period, grain, today, zone),
    )


@st.cache_data(ttl=TTL_SECONDS, show_spinner=_SPINNER)
def refunds_trend(
    database_url: str, period: Period, grain: Grain, today: date, zone: str
) -> pd.DataFrame:
    del database_url
    return claims.refunds_trend(wiring.engine(), period, grain, today, zone)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=_SPINNER)
def breakdown(
    database_url: str,
    period: Period,
    today: date,
    zone: str,
    dimension: rates.Dimension,
) -> pd.DataFrame:
    del database_url
    return rates.breakdown(wiring.engine(), period, today, zone, dimension)


# No spinner: the overview reads it ahead in a thread (ui.prefetch), where none may be drawn.
@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def suppliers_behind(
    database_url: str, period: Period, today: date, zone: str, scope: rates.Scope
) -> pd.DataFrame:
    del database_url
    return rates.suppliers_behind(wiring.engine(), period, today, zone, scope)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def orders_behind(
    database_url: str, period: Period, today: date, zone: str, scope: rates.Scope, page: int
) -> rates.RowsPage:
    del database_url
    return rates.orders_behind(wiring.engine(), period, today, zone, scope, page=page)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def claims_behind(
    database_url: str, period: Period, zone: str, scope: rates.Scope, page: int
) -> rates.RowsPage:
    del database_url
    return rates.claims_behind(wiring.engine(), period, zone, scope, page=page)


# No spinner: the overview reads it ahead in a thread (ui.prefetch), where none may be drawn.
@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def reviewer_figures(
    database_url: str, start: datetime, end: datetime, policy: str, zone: str
) -> reviewers.ReviewerFigures:
    del database_url
    return reviewers.reviewer_figures(wiring.engine(), start, end, _policy(policy), zone)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=_SPINNER)
def suppliers_page(
    database_url: str,
    today: date,
    zone: str,
    policy: str,
    search: str,
    show: str,
    sort: str,
    descending: bool,
    page: int,
    page_size: int,
) -> suppliers.SuppliersPage:
    del database_url
    return suppliers.suppliers_page(
        wiring.engine(),
        today,
        zone,
        _policy(policy),
        search=search,
        show=show,  # type: ignore[arg-type]  # the page offers only valid values
        sort=sort,  # type: ignore[arg-type]
        descending=descending,
        page=page,
        page_size=page_size,
    )


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=1_000)
def supplier_matches(database_url: str, search: str, limit: int) -> list[tuple[str, str]]:
    """``(id, label)`` of the suppliers a search in the picker finds, label ``Name (CC) ·
    SUP-…``: what was typed for, not all fifty thousand suppliers at every run of the page."""
    del database_url
    found = suppliers.matches(wiring.engine(), search, limit)
    return [
        (ref, f"{name} ({country}) · {ref}")
        for ref, name, country in found.itertuples(index=False, name=None)
    ]


@st.cache_data(ttl=TTL_SECONDS, show_spinner=_SPINNER)
def supplier_detail(
    database_url: str, external_id: str, today: date, zone: str, policy: str
) -> suppliers.SupplierDetail | None:
    del database_url
    return suppliers.supplier_detail(wiring.engine(), external_id, today, zone, _policy(policy))


@st.cache_data(ttl=TTL_SECONDS, show_spinner=_SPINNER)
def supplier_trend(
    database_url: str, external_id: str, period: Period, grain: Grain, today: date, zone: str
) -> pd.DataFrame:
    del database_url
    return suppliers.supplier_trend(wiring.engine(), external_id, period, grain, today, zone)


#: A supplier's claims a page shows.
SUPPLIER_CLAIMS_PAGE = 25


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def supplier_claims(database_url: str, external_id: str, page: int) -> rates.RowsPage:
    del database_url
    return suppliers.supplier_claims(
        wiring.engine(), external_id, page=page, page_size=SUPPLIER_CLAIMS_PAGE
    )


@st.cache_data(ttl=TTL_SECONDS, show_spinner="Adding up exposure…")
def exposure_view(database_url: str, day: date, zone: str, policy: str) -> exposure.ExposureView:
    del database_url
    return exposure.exposure_view(wiring.engine(), day, zone, _policy(policy))


def refundable(view: exposure.ExposureView) -> pd.DataFrame:
    """What each supplier could still pay out (``stress.refundable_of``), from the view the
    page holds: asking the cache for the view again would unpickle all fifty thousand
    suppliers a second time (at ten million orders 40–50 ms of a cold page)."""
    return stress.refundable_of(view.suppliers)


@st.cache_data(ttl=TTL_SECONDS, show_spinner="Running the stress tests…")
def late_shipments_double(
    database_url: str, day: date, zone: str, policy: str, refundable_cents: int
) -> stress.LateDoubling:
    """``refundable_cents``: the total of ``refundable`` (so part of the key: the figure
    changes with it)."""
    del database_url
    return stress.late_shipments_double(
        wiring.engine(), day, zone, _policy(policy), refundable_cents
    )


def clear_after_limit_change() -> None:
    """A limit changes the suppliers table, the supplier page and the exposure view only."""
    for cached in (suppliers_page, supplier_detail, exposure_view):
        cached.clear()


#: What a claim's decision, assignment or recommendation can change: its status (open claims,
#: overdue, the drill-down's claim rows), refunds and pending liability, and exposure through
#: "live while a claim is open". Order-based figures (rates, their trends and breakdowns, the
#: orders behind them, the activity extent) are left alone: no claim write changes them.
_CLAIM_DEPENDENT = (
    tiles,
    refunds_trend,
    claims_behind,
    reviewer_figures,
    suppliers_page,
    supplier_detail,
    supplier_claims,
    exposure_view,
)
#: Read only orders, suppliers and the filing of claims: an import or a seed changes them.
#: (The late-shipment stress test reads the orders' lateness; the refundable total it scales,
#: which claims change, is part of its key.)
_ORDER_DEPENDENT = (
    extent,
    late_shipments_double,
    rate_trends,
    breakdown,
    suppliers_behind,
    orders_behind,
    supplier_matches,
    supplier_trend,
)


def clear_after_claim_change() -> None:
    for cached in _CLAIM_DEPENDENT:
        cached.clear()


def clear_all() -> None:
    for cached in (*_CLAIM_DEPENDENT, *_ORDER_DEPENDENT):
        cached.clear()
