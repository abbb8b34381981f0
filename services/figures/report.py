"""What ``assurance figures --json`` prints: the overview's headline tiles and the exposure
page's figures, from the same services the pages use, as plain JSON values (counts, rates as
fractions, money in integer cents, days and instants in ISO 8601)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from rules import Policy
from services.figures.exposure import ExposureView, exposure_view
from services.figures.headline import headline
from services.figures.periods import Period
from services.figures.reviewers import reviewer_figures
from services.figures.stress import (
    largest_exposures_fail,
    late_shipments_double,
    refundable_of,
)

__all__ = ["STRESS_SUPPLIERS", "figures_report"]

#: How many of the largest exposures fail in the report's stress figure.
STRESS_SUPPLIERS = 10


def _instant(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _fraction(value: float | None) -> float | None:
    if value is None or pd.isna(value):
        return None
    return None if value == float("inf") else round(float(value), 6)


def _records(frame: pd.DataFrame, columns: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for record in frame[list(columns)].to_dict("records"):
        row: dict[str, Any] = {}
        for source, name in columns.items():
            value = record[source]
            if isinstance(value, date):
                row[name] = value.isoformat()
            elif name.endswith(("_cents", "orders", "refunds")):
                row[name] = int(value)
            elif isinstance(value, float):
                row[name] = _fraction(value)
            else:
                row[name] = value
        rows.append(row)
    return rows


def _exposure_json(view: ExposureView) -> dict[str, Any]:
    above = view.above
    return {
        "as_of": view.as_of.isoformat(),
        "live_orders": view.live_orders,
        "exposure_cents": view.exposure_cents,
        "limits_cents": view.limits_cents,
        "pending_liability": {
            "claims": view.pending_liability.claims,
            "cents": view.pending_liability.cents,
        },
        "refunds_approved_12_months": {
            "since": view.refunds_since.isoformat(),
            "claims": view.refunds_approved.claims,
            "cents": view.refunds_approved.cents,
        },
        "suppliers_above_90_percent": len(above),
        "suppliers_over_limit": int((view.suppliers["headroom_cents"] < 0).sum()),
        "top_10_cents": view.top10_cents,
        "top_10_share": _fraction(view.top10_share),
        "hhi": round(view.hhi, 2),
        "by_supplier_country": _records(
            view.by_country, {"key": "country", "exposure_cents": "exposure_cents",
                              "share": "share"}
        ),
        "by_category": _records(
            view.by_category, {"key": "category", "exposure_cents": "exposure_cents",
                               "share": "share"}
        ),
        "trend": _records(
            view.trend, {"month": "month", "exposure_cents": "exposure_cents",
                         "pending_cents": "pending_liability_cents",
                         "refunds_cents": "refunds_approved_cents"}
        ),
        "loss_ratio": _records(
            view.loss_ratio, {"cohort": "cohort", "orders": "orders",
                              "covered_cents": "covered_cents", "refunds": "refunds",
                              "refunded_cents": "refunded_cents", "loss_ratio": "loss_ratio"}
        ),
    }  # fmt: skip


def figures_report(
    engine: Engine,
    period: Period,
    *,
    today: date,
    now: datetime,
    zone: str,
    policy: Policy,
    as_of: date,
) -> dict[str, Any]:
    """The headline figures of ``period`` (against the previous period) and the exposure
    figures as of ``as_of``."""
    tiles = headline(engine, period, today=today, now=now, zone=zone, policy=policy)
    end = min(period.end(zone), now)
    service = reviewer_figures(engine, period.start(zone), end, policy, zone)
    median = service.median_time_to_decision
    view = exposure_view(engine, as_of, zone, policy)
    refundable = refundable_of(view.suppliers)
    failing = largest_exposures_fail(refundable, STRESS_SUPPLIERS)
    doubled = late_shipments_double(
        engine, as_of, zone, policy, int(refundable["refundable_cents"].sum())
    )
    return {
        "generated_at": _instant(now),
        "programme_timezone": zone,
        "policy": policy.version,
        **tiles.as_json(),
        "reviewers": {
            "claims_decided": service.claims_decided,
            "median_hours_to_decision": None
            if median is None
            else round(median.total_seconds() / 3600, 2),
            "decided_after_deadline": service.decided_after_deadline,
            "verdicts_answering_a_recommendation": service.answered,
            "overrides": service.overridden,
            "override_rate": _fraction(service.override_rate),
        },
        "exposure": _exposure_json(view),
        "stress": {
            "largest_exposures_fail": {
                "suppliers": failing.n,
                "exposure_cents": failing.exposure_cents,
                "payout_cents": failing.payout_cents,
            },
            "late_shipments_double": {
                "baseline_from": doubled.baseline.first.isoformat(),
                "baseline_to": doubled.baseline.last.isoformat(),
                "orders_due": doubled.due,
                "late": doubled.late,
                "refundable_cents": doubled.refundable_cents,
                "refunds_at_current_rate_cents": doubled.baseline_refunds_cents,
                "refunds_if_doubled_cents": doubled.stressed_refunds_cents,
            },
        },
    }
