"""The naive baseline: read the base tables whole, compute the headline in pandas.

Written from DESIGN.md §5 alone, not from the app's SQL (so a shared mistake is unlikely):
calendar days are those of the programme's zone; an order cancelled before its ship-by day was
never due; an open claim is filed before the instant and neither decided nor withdrawn before
it; a refund is the final decision of an approved claim; pending liability takes each open
claim's latest recommendation made before the instant; an order is live when placed, not
cancelled, and not delivered before the claim window or with a claim open.
"""

from __future__ import annotations

import time

import pandas as pd
from sqlalchemy import Engine

from data_access.models import FINAL_DECISION_KINDS, UNDECIDED_CLAIM_STATUSES
from services.scale_bench.headline import Headline, HeadlineAsk
from services.scale_bench.tables import COLUMNS, read_table

__all__ = ["Tables", "pandas_headline", "timed_pandas_headline"]

Tables = dict[str, pd.DataFrame]


def _local_day(moments: pd.Series, zone: str) -> pd.Series:
    """Midnight of each instant's calendar day in ``zone`` (naive, like the ship-by days)."""
    days: pd.Series = moments.dt.tz_convert(zone).dt.tz_localize(None).dt.normalize()
    return days


def _within(days: pd.Series, ask: HeadlineAsk) -> pd.Series:
    return (days >= pd.Timestamp(ask.first)) & (days <= pd.Timestamp(ask.last))


def _open_at(claims: pd.DataFrame, moment: pd.Timestamp) -> pd.Series:
    return (claims["filed_at"] < moment) & (
        claims["status"].isin(UNDECIDED_CLAIM_STATUSES)
        | (claims["decided_at"] >= moment)
        | (claims["withdrawn_at"] >= moment)
    )


def pandas_headline(tables: Tables, ask: HeadlineAsk) -> Headline:
    orders, claims = tables["orders"], tables["claims"]
    recs, decisions = tables["recommendations"], tables["decisions"]
    zone = ask.zone

    ship_by = orders["ship_by"]
    cancelled = orders["cancelled_at"]
    due = (
        _within(ship_by, ask)
        & (ship_by < pd.Timestamp(ask.today))
        & (cancelled.isna() | (_local_day(cancelled, zone) >= ship_by))
    )
    shipped = orders["shipped_at"]
    late = due & (shipped.isna() | (_local_day(shipped, zone) > ship_by))

    placed = _within(_local_day(orders["placed_at"], zone), ask)
    filed = _within(_local_day(claims["filed_at"], zone), ask)

    at = pd.Timestamp(ask.at)
    open_now = claims[_open_at(claims, at)]

    approved = claims.loc[claims["status"] == "approved", ["id"]]
    final = decisions[decisions["kind"].isin(FINAL_DECISION_KINDS)]
    refunds = approved.merge(final, left_on="id", right_on="claim_id")
    decided = refunds["decided_at"]
    refunds = refunds[(decided >= pd.Timestamp(ask.start)) & (decided < at)]

    known = recs[recs["created_at"] < at]
    latest = known.loc[known.groupby("claim_id")["id"].idxmax(), ["claim_id", "amount_cents"]]
    pending = latest[latest["claim_id"].isin(open_now["id"])]

    end = pd.Timestamp(ask.exposure_end)
    open_at_end = claims.loc[_open_at(claims, end), "order_id"]
    delivered = orders["delivered_at"]
    live = (
        (orders["placed_at"] < end)
        & (cancelled.isna() | (cancelled >= end))
        & (
            delivered.isna()
            | (delivered >= pd.Timestamp(ask.delivered_since))
            | orders["id"].isin(open_at_end)
        )
    )
    return Headline(
        late_shipments=int(late.sum()),
        orders_due=int(due.sum()),
        claims_filed=int(filed.sum()),
        orders_placed=int(placed.sum()),
        open_claims=len(open_now),
        refunds_approved=len(refunds),
        refunds_approved_cents=int(refunds["amount_cents"].sum()),
        pending_claims=len(pending),
        pending_liability_cents=int(pending["amount_cents"].sum()),
        live_orders=int(live.sum()),
        exposure_cents=int(orders.loc[live, "covered_amount_cents"].sum()),
        limits_cents=int(tables["suppliers"]["limit_cents"].sum()),
    )


def read_tables(engine: Engine) -> Tables:
    return {name: read_table(engine, name) for name in COLUMNS}


def timed_pandas_headline(database_url: str, ask: HeadlineAsk) -> tuple[Headline, float]:
    """Read every table and compute, timed from the first read to the last figure."""
    from data_access.engine import make_engine

    engine = make_engine(database_url)
    try:
        started = time.perf_counter()
        headline = pandas_headline(read_tables(engine), ask)
        return headline, time.perf_counter() - started
    finally:
        engine.dispose()
