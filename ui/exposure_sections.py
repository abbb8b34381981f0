"""The exposure page's sections (read-only): headline, trend, utilisation, concentration, loss
ratio and the two stress tests with their assumptions. Layout only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rules import Policy, format_day, format_rate
from services.figures.exposure import ExposureView
from services.figures.stress import LateDoubling, largest_exposures_fail
from services.figures.suppliers import SORT_LABELS
from ui import definitions as defs
from ui import exposure_charts as charts
from ui import exposure_tables as tables
from ui import figure_widgets as w
from ui import format
from ui.chart_cache import built
from ui.supplier_tables import SUPPLIERS_PAGE, utilisation_text


def headline(view: ExposureView, zone: str, policy: Policy) -> None:
    row = w.tile_row()
    tiles = [
        (
            "Exposure",
            format.money(view.exposure_cents),
            format.count(view.live_orders, "live order"),
            "exposure",
        ),
        (
            "Pending liability",
            format.money(view.pending_liability.cents),
            format.count(view.pending_liability.claims, "undecided claim"),
            "pending_liability",
        ),
        (
            "Refunds approved, 12 months",
            format.money(view.refunds_approved.cents),
            f"{format.count(view.refunds_approved.claims, 'claim')} "
            f"since {format_day(view.refunds_since)}",
            "refunds_approved",
        ),
        (
            "Limits in force",
            format.money(view.limits_cents),
            "programme utilisation "
            + utilisation_text(_ratio(view.exposure_cents, view.limits_cents)),
            "utilisation",
        ),
        (
            "Top-10 share",
            "–" if view.top10_share is None else f"{view.top10_share:.1%}",
            f"{format.money(view.top10_cents)} with the 10 largest",
            "concentration",
        ),
        (
            "Concentration (HHI)",
            f"{view.hhi:,.0f}",
            "0 spread thin · 10,000 one supplier",
            "concentration",
        ),
    ]
    for label, value, detail, key in tiles:
        box = w.tile(row)
        box.metric(label, value, help=defs.text(key, zone, policy))
        box.caption(detail)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def trend(view: ExposureView) -> None:
    st.plotly_chart(
        built(charts.exposure_trend_chart, view.trend, view.as_of), key="exposure_trend"
    )
    st.plotly_chart(
        built(charts.liability_trend_chart, view.trend, view.as_of), key="liability_trend"
    )
    frame = view.trend
    with st.expander("Monthly figures"):
        w.table(
            pd.DataFrame(
                {
                    "Month": frame["label"]
                    + frame["partial"].map({True: " (to the as-of day)", False: ""}),
                    "Exposure at month end": w.money_column(frame, "exposure_cents"),
                    "Pending liability at month end": w.money_column(frame, "pending_cents"),
                    "Refunds approved in month": w.money_column(frame, "refunds_cents"),
                }
            )
        )
        w.download(
            "Monthly exposure (CSV)",
            frame,
            {
                "month": "month",
                "exposure_cents": "exposure_usd",
                "pending_cents": "pending_liability_usd",
                "refunds_cents": "refunds_approved_usd",
            },
            f"exposure-trend-{view.as_of}.csv",
        )


SUPPLIER_CSV = {
    "supplier": "supplier_id",
    "supplier_name": "supplier",
    "supplier_country": "country",
    "limit_cents": "limit_usd",
    "live_orders": "live_orders",
    "exposure_cents": "exposure_usd",
    "headroom_cents": "headroom_usd",
    "utilisation": "utilisation",
    "share": "share_of_exposure",
}


#: Wide enough for a money value and its change on one line each, even at 900 px.
STRESS_WIDTH = 330

_RIGHT = {
    c: st.column_config.TextColumn(alignment="right")
    for c in ("Limit", "Exposure", "Headroom", "Utilisation", "Share of exposure", "Payout")
}


#: The ledger shows this many of the suppliers above 90%, the highest utilisation first: at ten
#: million demo orders fifteen thousand are, a list nobody reads on a screen (and 0.17 s of
#: formatting on a cold page). All of them are in its CSV and ranked on the Suppliers page.
#: Few enough for a static table (``figure_widgets.STATIC_ROWS``), which wraps in a 900 px
#: window: the grid a longer one needs cut the utilisation off there, behind a sideways scroll.
LEDGER_ROWS = 20


def utilisation(view: ExposureView) -> None:
    st.plotly_chart(built(charts.utilisation_chart, view.bands, view.as_of), key="utilisation")
    above = view.above
    over = int((above["utilisation"] >= 1).sum())
    st.markdown(
        f"**{len(above):,} suppliers above 90% of their limit**, {over:,} of them at or over "
        "100% (negative headroom)."
    )
    if above.empty:
        return
    w.table(tables.limits(above.head(LEDGER_ROWS)), column_config=_RIGHT)
    if len(above) > LEDGER_ROWS:
        st.caption(
            f"The {LEDGER_ROWS:,} highest utilisations are shown; all {len(above):,} are in the "
            "CSV, and every supplier is ranked by utilisation on the Suppliers page."
        )
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        w.download(
            "Suppliers above 90% (CSV)", above, SUPPLIER_CSV, f"suppliers-above-90-{view.as_of}.csv"
        )
        st.page_link(
            SUPPLIERS_PAGE,
            label="Suppliers ranked by utilisation",
            icon=":material/factory:",
            # The Suppliers page binds its "Rank by" box to the URL by the label it shows.
            query_params={"sort": SORT_LABELS["utilisation"]},
        )


def concentration(view: ExposureView, zone: str, policy: Policy) -> None:
    if view.exposure_cents == 0:
        # Shares of nothing are no shares: no table of 0.00% rows, no empty charts.
        st.info(
            f"No exposure at the end of {format_day(view.as_of)}: nothing is concentrated.",
            icon=":material/info:",
        )
        return
    top = view.suppliers.head(10)
    share = "–" if view.top10_share is None else f"{view.top10_share:.1%}"
    st.markdown(
        f"The 10 largest exposures hold **{share}** of the programme's "
        f"{format.money(view.exposure_cents)}; HHI **{view.hhi:,.0f}**."
    )
    w.table(tables.largest(top), column_config=_RIGHT)
    w.download(
        "All suppliers' exposure (CSV)",
        view.suppliers,
        SUPPLIER_CSV,
        f"exposure-by-supplier-{view.as_of}.csv",
    )
    for frame, title, key, name in (
        (view.by_country, "Share of exposure by supplier country", "by_country", "country"),
        (view.by_category, "Share of exposure by category", "by_category", "category"),
    ):
        st.plotly_chart(built(charts.share_chart, frame, title, view.as_of), key=key)
        w.download(
            f"Exposure by {name} (CSV)",
            frame,
            {
                "key": name,
                "live_orders": "live_orders",
                "exposure_cents": "exposure_usd",
                "share": "share_of_exposure",
            },
            f"exposure-by-{name}-{view.as_of}.csv",
        )
    st.caption(defs.markdown("concentration", zone, policy))


def loss_ratio(view: ExposureView, zone: str, policy: Policy) -> None:
    frame = view.loss_ratio
    st.plotly_chart(built(charts.loss_ratio_chart, frame, view.as_of), key="loss_ratio")
    with st.expander("Cohort figures"):
        w.table(
            pd.DataFrame(
                {
                    "Cohort": frame["label"],
                    "Orders": w.counts_text(frame["orders"]),
                    "Covered": w.money_column(frame, "covered_cents"),
                    # The Overview's words: a count of claims, an amount of refunds.
                    "Refunded claims": w.counts_text(frame["refunds"]),
                    "Refunds approved": w.money_column(frame, "refunded_cents"),
                    "Loss ratio": w.percent_text(frame["loss_ratio"]),
                }
            )
        )
        w.download(
            "Loss ratio by cohort (CSV)",
            frame,
            {
                "cohort": "cohort_month",
                "orders": "orders",
                "covered_cents": "covered_usd",
                "refunds": "refunds",
                "refunded_cents": "refunded_usd",
                "loss_ratio": "loss_ratio",
            },
            f"loss-ratio-{view.as_of}.csv",
        )
    st.caption(defs.markdown("loss_ratio", zone, policy))


def largest_fail(refundable: pd.DataFrame, view: ExposureView, zone: str, policy: Policy) -> None:
    if refundable.empty:
        st.caption("No supplier has a live order on this day: there is nothing that could fail.")
        return
    most = min(50, len(refundable))
    if most > 1:
        n = st.slider("Number of suppliers that fail", 1, most, min(5, most), key="stress_n")
    else:
        n = 1
    result = largest_exposures_fail(refundable, n)
    with w.tile_row().container(border=True, width=STRESS_WIDTH):
        st.metric(f"Payout if the {n} largest fail", format.money(result.payout_cents))
        share = _ratio(result.exposure_cents, result.programme_exposure_cents)
        st.caption(
            f"Their exposure {format.money(result.exposure_cents)} "
            f"({utilisation_text(share)} of the programme's)."
        )
    st.caption(defs.markdown("stress_largest", zone, policy))
    shown = pd.DataFrame(
        {
            "Supplier": tables.who(result.suppliers),
            "Live orders": w.counts_text(result.suppliers["live_orders"]),
            "Exposure": w.money_column(result.suppliers, "exposure_cents"),
            "Payout": w.money_column(result.suppliers, "refundable_cents"),
        }
    )
    w.table(shown, column_config=_RIGHT)
    w.download(
        "Failing suppliers (CSV)",
        result.suppliers,
        {
            "supplier": "supplier_id",
            "supplier_name": "supplier",
            "live_orders": "live_orders",
            "exposure_cents": "exposure_usd",
            "refundable_cents": "payout_usd",
        },
        f"stress-largest-{n}-{view.as_of}.csv",
    )


def late_doubling(result: LateDoubling, zone: str, policy: Policy) -> None:
    with w.tile_row().container(border=True, width=STRESS_WIDTH):
        st.metric(
            "Refunds if late shipments double",
            format.money(result.stressed_refunds_cents),
            **w.delta_args(f"+{format.money(result.extra_cents)}"),
        )
        # The baseline's rate (its period ends at the page's "as of"), not necessarily today's.
        st.caption(f"At the baseline's rate: {format.money(result.baseline_refunds_cents)}")
    rate = float(result.rate)
    st.markdown(
        "\n".join(
            [
                "**Assumptions**",
                f"- Baseline: {result.baseline.label()}, late-shipment rate "
                f"{format.rate_with_counts(result.late, result.due, 'orders due')}.",
                f"- Doubled: {min(1.0, 2 * rate):.2%} of live orders ship late.",
                f"- What live orders could still pay out: "
                f"{format.money(result.refundable_cents)} (lower of covered and paid, less "
                "refunds approved).",
                f"- Refund per late order on policy {policy.version}'s terms: "
                f"{format_rate(policy.late_rate_per_day_bp)} of the cap per day late, at most "
                f"{format_rate(policy.late_rate_max_bp)}; in full when never shipped. Late orders "
                f"as late as in the baseline: on average {float(result.mean_refund_bp) / 100:.2f}% "
                "of the cap.",
            ]
        )
    )
    frame = result.late_days
    if not frame.empty:
        with st.expander("Late orders of the baseline by days late"):
            w.table(
                pd.DataFrame(
                    {
                        "Days late": [
                            "never shipped" if pd.isna(d) else f"{int(d):,}"
                            for d in frame["days_late"]
                        ],
                        "Orders": w.counts_text(frame["orders"]),
                        "Refund, share of cap": [format_rate(int(b)) for b in frame["refund_bp"]],
                    }
                )
            )
            w.download(
                "Days late (CSV)",
                frame,
                {
                    "days_late": "days_late",
                    "orders": "orders",
                    "refund_bp": "refund_basis_points",
                },
                "stress-late-days.csv",
            )
    st.caption(defs.markdown("stress_late", zone, policy))
