"""The executives' exposure view (issue 13): what the programme could have to pay, where it sits.

* **Exposure** as of a day: covered amounts of the orders live at the end of that day
  (``data_access.queries.exposure.live_order``). **Utilisation** = exposure ÷ limit,
  **headroom** = limit − exposure, per supplier.
* **Concentration**: the top 10 suppliers' share of exposure, shares by supplier country and by
  category, and the Herfindahl–Hirschman index over suppliers' shares (Σ (share in %)²: 10,000
  when one supplier holds everything, near 0 when exposure is spread thin).
* **Loss ratio** per monthly order cohort: refunds approved (by the as-of day) ÷ covered amount
  of the orders placed that month and not cancelled.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

import pandas as pd
from sqlalchemy import Connection, Engine

from data_access import summaries
from data_access.claim_facts import Executor
from data_access.queries import exposure as q
from data_access.queries import exposure_summarised as summarised
from data_access.queries.claims import OpenAt, open_at
from data_access.sql import day_start
from rules import Policy
from services.collector import collector_paused
from services.figures import refunds
from services.figures.claims import Money
from services.figures.periods import ONE_DAY, Period, month_start, shift_months
from services.figures.rates import ratio
from services.figures.suppliers import utilisation

__all__ = ["BANDS", "AsOf", "ExposureView", "as_of", "exposure_view", "hhi", "top_share"]

#: Utilisation bands of the distribution: (label, lower bound included, upper bound excluded).
BANDS: tuple[tuple[str, float, float], ...] = (
    ("Under 50%", 0.0, 0.5),
    ("50–75%", 0.5, 0.75),
    ("75–90%", 0.75, 0.9),
    ("90–100%", 0.9, 1.0),
    ("100% and over", 1.0, float("inf")),
)
TREND_MONTHS = 12


@dataclass(frozen=True, slots=True)
class AsOf:
    """The end of the as-of day, and the first instant a delivery still leaves an order live."""

    day: date
    end: datetime
    delivered_since: datetime


def as_of(day: date, zone: str, policy: Policy) -> AsOf:
    return AsOf(
        day=day,
        end=day_start(day + ONE_DAY, zone),
        delivered_since=day_start(day - timedelta(days=policy.claim_window_days), zone),
    )


def hhi(amounts: list[int]) -> float:
    """Herfindahl–Hirschman index of the amounts' shares in percent (0 to 10,000), exactly."""
    total = sum(amounts)
    if total <= 0:
        return 0.0
    # Σ (100·a / total)² as one fraction of integers: exact, and one division for fifty
    # thousand suppliers instead of a Fraction each.
    return float(Fraction(10_000 * sum(a * a for a in amounts), total * total))


def top_share(amounts: list[int], n: int = 10) -> tuple[int, int]:
    """``(sum of the n largest, sum of all)``."""
    ordered = sorted(amounts, reverse=True)
    return sum(ordered[:n]), sum(ordered)


@dataclass(frozen=True, slots=True)
class ExposureView:
    as_of: date
    live_orders: int
    exposure_cents: int
    limits_cents: int
    pending_liability: Money
    #: Refunds approved in the twelve months up to the as-of day.
    refunds_approved: Money
    refunds_since: date
    #: Per supplier: ``supplier, supplier_name, supplier_country, limit_cents, live_orders,
    #: exposure_cents, headroom_cents, utilisation, share``, largest exposure first.
    suppliers: pd.DataFrame
    #: ``band, suppliers, exposure_cents`` over the suppliers with a limit or an exposure.
    bands: pd.DataFrame
    top10_cents: int
    hhi: float
    by_country: pd.DataFrame  # key, live_orders, exposure_cents, share
    by_category: pd.DataFrame
    #: Month ends: ``month, label, partial, exposure_cents, pending_cents, refunds_cents``.
    trend: pd.DataFrame
    #: ``cohort, label, partial, orders, covered_cents, refunds, refunded_cents, loss_ratio``.
    loss_ratio: pd.DataFrame
    #: The rows of ``suppliers`` above 90% of their limit (or with exposure on a zero limit),
    #: highest utilisation first: found once, not at every run of the page that shows them.
    above: pd.DataFrame

    @property
    def top10_share(self) -> float | None:
        return self.top10_cents / self.exposure_cents if self.exposure_cents else None


def _above_90(suppliers: pd.DataFrame) -> pd.DataFrame:
    """The suppliers above 90% of their limit, highest utilisation (then exposure) first."""
    return suppliers[suppliers["utilisation"] > 0.9].sort_values(
        ["utilisation", "exposure_cents"], ascending=False, ignore_index=True
    )


def _bands(suppliers: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for label, low, high in BANDS:
        inside = suppliers[(suppliers["utilisation"] >= low) & (suppliers["utilisation"] < high)]
        rows.append((label, len(inside), int(inside["exposure_cents"].sum())))
    return pd.DataFrame(rows, columns=["band", "suppliers", "exposure_cents"])


def _shares(frame: pd.DataFrame, key: str, total: int) -> pd.DataFrame:
    """``frame`` with each row's share of ``total``, largest exposure first, then by key."""
    frame = frame.rename(columns={key: "key"})
    frame["share"] = frame["exposure_cents"] / total if total else float("nan")
    if not frame["key"].is_monotonic_increasing:
        frame = frame.sort_values("key", kind="stable")
    # Ordered by key already (the queries' ORDER BY), a stable sort on the exposure alone keeps
    # that order among equal exposures: 7–8 ms for fifty thousand suppliers, against 25–50 ms
    # for pandas sorting on the number and the text together (two runs, 4 Dec).
    return frame.sort_values("exposure_cents", ascending=False, kind="stable", ignore_index=True)


def summarised_for(executor: Executor, zone: str, policy: Policy) -> bool:
    """Whether exposure may be read from the daily summaries (kept for this zone and window)."""
    return summaries.is_ready(executor, zone, policy.claim_window_days)


def exposure_total(executor: Executor, point: AsOf, zone: str, policy: Policy) -> tuple[int, int]:
    """``(live orders, exposure cents)`` of the programme at the end of ``point.day``."""
    if not summarised_for(executor, zone, policy):
        return q.exposure_total(executor, point.end, point.delivered_since)
    return summarised.exposure_total(executor, zone, point.day, point.end, point.delivered_since)


def _month_ends(point: AsOf, zone: str, policy: Policy) -> list[AsOf]:
    """The trend's instants: the end of each of the twelve months up to ``point`` (its own
    month's: ``point`` itself)."""
    first = shift_months(point.day, -(TREND_MONTHS - 1))
    starts = [shift_months(first, index) for index in range(TREND_MONTHS)]
    return [
        as_of(min(shift_months(start, 1) - ONE_DAY, point.day), zone, policy) for start in starts
    ]


@dataclass(frozen=True, slots=True)
class _MonthEnd:
    """What the page reads at one of its instants: the claims open then, the orders only they
    keep live (``kept_order_ids``; None when exposure is counted from the orders, without the
    summaries), the exposure."""

    moment: AsOf
    open: OpenAt
    kept: list[int] | None
    exposure_cents: int


def _month_end(conn: Connection, zone: str, moment: AsOf, from_summaries: bool) -> _MonthEnd:
    still_open = open_at(conn, moment.end)
    if not from_summaries:
        _, exposure = q.exposure_total(conn, moment.end, moment.delivered_since)
        return _MonthEnd(moment, still_open, None, exposure)
    m = moment
    kept = summarised.kept_order_ids(conn, m.end, m.delivered_since, still_open.order_ids)
    _, exposure = summarised.exposure_total(conn, zone, m.day, m.end, m.delivered_since, kept)
    return _MonthEnd(moment, still_open, kept, exposure)


def _month_ends_read(
    engine: Engine, zone: str, moments: list[AsOf], from_summaries: bool
) -> list[_MonthEnd]:
    with engine.connect() as conn:
        return [_month_end(conn, zone, moment, from_summaries) for moment in moments]


def _now_by(conn: Connection, zone: str, now: _MonthEnd, key: q.ExposureKey) -> pd.DataFrame:
    """``exposure_by`` at the page's own instant, from what ``_month_end`` read of it."""
    p = now.moment
    if now.kept is None:
        return q.exposure_by(conn, p.end, p.delivered_since, key)
    return summarised.exposure_by(
        conn, zone, p.day, p.end, p.delivered_since, key, open_orders=now.kept
    )


def _now_by_read(engine: Engine, zone: str, now: _MonthEnd, key: q.ExposureKey) -> pd.DataFrame:
    with engine.connect() as conn:
        return _now_by(conn, zone, now, key)


def _trend(conn: Connection, zone: str, points: list[_MonthEnd]) -> pd.DataFrame:
    """The trend's rows, one per month end (``_month_ends``) as ``_month_end`` read it."""
    first, end = month_start(points[0].moment.day), points[-1].moment.end
    # Each month's refunds are those approved from its first day to its end (the as-of day's
    # end for the last): one query by month of approval gives all twelve.
    by_month = refunds.refunds_by_period(conn, day_start(first, zone), end, zone, "month")
    refunded = dict(zip(by_month["period"], by_month["refunded_cents"], strict=True))
    rows = []
    for point in points:
        moment, exposure, still_open = point.moment, point.exposure_cents, point.open
        start = month_start(moment.day)
        partial = moment.day < shift_months(start, 1) - ONE_DAY
        row = (start, f"{start:%b %Y}", partial, exposure, still_open.pending[1])
        rows.append((*row, int(refunded.get(start, 0))))
    columns = ["month", "label", "partial", "exposure_cents", "pending_cents", "refunds_cents"]
    return pd.DataFrame(rows, columns=columns)


def _loss_ratio(engine: Engine, point: AsOf, zone: str) -> pd.DataFrame:
    first = shift_months(point.day, -(TREND_MONTHS - 1))
    cohorts = Period(first, point.day)
    with engine.connect() as conn:
        if summaries.is_ready(conn, zone):
            frame = summarised.loss_ratio_by_cohort(conn, zone, first, point.day)
        else:
            frame = q.loss_ratio_by_cohort(conn, cohorts.start(zone), point.end, point.end, zone)
    spine = pd.DataFrame({"cohort": [shift_months(first, i) for i in range(TREND_MONTHS)]})
    frame = spine.merge(frame, on="cohort", how="left").fillna(0)
    frame = frame.astype(
        {"orders": "int64", "covered_cents": "int64", "refunds": "int64", "refunded_cents": "int64"}
    )
    frame["label"] = [f"{c:%b %Y}" for c in frame["cohort"]]
    frame["partial"] = frame["cohort"] == month_start(point.day)
    frame["loss_ratio"] = ratio(frame["refunded_cents"], frame["covered_cents"])
    columns = ["cohort", "label", "partial", "orders", "covered_cents", "refunds"]
    return frame[[*columns, "refunded_cents", "loss_ratio"]]


def exposure_view(engine: Engine, day: date, zone: str, policy: Policy) -> ExposureView:
    """Everything the exposure page shows, as of the end of ``day`` (programme time zone)."""
    point = as_of(day, zone, policy)
    moments = _month_ends(point, zone, policy)
    refunds_since = shift_months(day, -11)
    # The trend's eleven earlier month ends (two threads, six and five instants) and the sums
    # per supplier are read on connections of their own while this one reads the rest: each
    # is a read the database runs beside the others instead of after them (at ten million
    # orders an instant's open claims and exposure take 35 ms on SQLite, 100 ms on
    # PostgreSQL; the sums per supplier 0.5 s). What the page shows of now (the headline, the
    # breakdowns, the trend's last point, and the orders that open claims keep live, which
    # the sums per supplier are handed) comes from this connection. (The cohorts' loss ratio
    # on a connection of its own too: no gain beyond the spread, alternating three times.)
    earlier = moments[:-1]
    halves = (earlier[: len(earlier) // 2 + 1], earlier[len(earlier) // 2 + 1 :])
    # The page builds frames of fifty thousand suppliers and reads thousands of claims at each
    # instant: collections of the older generations walked all of it for nothing (none of it
    # is cyclic garbage), 0.2–0.3 s of a cold page at ten million orders.
    with collector_paused(), engine.connect() as conn:
        from_summaries = summarised_for(conn, zone, policy)
        with ThreadPoolExecutor(len(halves) + 1, thread_name_prefix="exposure") as pool:
            reads = [
                pool.submit(_month_ends_read, engine, zone, half, from_summaries) for half in halves
            ]
            now = _month_end(conn, zone, point, from_summaries)
            by_supplier = pool.submit(_now_by_read, engine, zone, now, "supplier")
            countries = _now_by(conn, zone, now, "supplier_country")
            categories = _now_by(conn, zone, now, "category")
            approved = refunds.refunds_approved(
                conn, day_start(refunds_since, zone), point.end, zone
            )
            trend = _trend(conn, zone, [*reads[0].result(), *reads[1].result(), now])
            suppliers = by_supplier.result()
    total = int(suppliers["exposure_cents"].sum())
    suppliers["headroom_cents"] = suppliers["limit_cents"] - suppliers["exposure_cents"]
    suppliers["utilisation"] = pd.Series(
        [
            utilisation(int(e), int(limit))
            for e, limit in zip(suppliers["exposure_cents"], suppliers["limit_cents"], strict=True)
        ],
        index=suppliers.index,
        dtype="float64",
    )
    suppliers = _shares(suppliers.rename(columns={"supplier": "key"}), "key", total).rename(
        columns={"key": "supplier"}
    )
    amounts = [int(a) for a in suppliers["exposure_cents"]]
    top10, _ = top_share(amounts)
    return ExposureView(
        as_of=day,
        live_orders=int(suppliers["live_orders"].sum()),
        exposure_cents=total,
        limits_cents=int(suppliers["limit_cents"].sum()),
        pending_liability=Money(*now.open.pending),
        refunds_approved=Money(*approved),
        refunds_since=refunds_since,
        suppliers=suppliers,
        bands=_bands(suppliers),
        top10_cents=top10,
        hhi=hhi(amounts),
        by_country=_shares(countries, "supplier_country", total),
        by_category=_shares(categories, "category", total),
        trend=trend,
        loss_ratio=_loss_ratio(engine, point, zone),
        above=_above_90(suppliers),
    )
