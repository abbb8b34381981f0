"""The reviewers' service figures on the overview: how fast and how often against the rules."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from rules import Policy
from services.figures.periods import Period
from ui import definitions as defs
from ui import figure_data as fd
from ui import figure_widgets as w
from ui import format, prefetch


def reviewers(url: str, period: Period, zone: str, policy: Policy, now: datetime) -> None:
    st.subheader("Reviewer service")
    arguments = _arguments(url, period, zone, policy, now)
    if arguments is None:
        st.caption("The period has not started yet.")
        return
    figures = fd.reviewer_figures(*arguments)
    cols = st.columns(4)
    cols[0].metric("Claims decided", f"{figures.claims_decided:,}", border=True)
    median = figures.median_time_to_decision
    cols[1].metric(
        "Median time to decision",
        "–" if median is None else f"{median.total_seconds() / 86_400:.1f} days",
        border=True,
    )
    cols[2].metric(
        "Decided after deadline",
        format.rate_with_counts(figures.decided_after_deadline, figures.claims_decided),
        border=True,
    )
    cols[3].metric(
        "Override rate",
        format.rate_with_counts(figures.overridden, figures.answered),
        border=True,
        help="Verdicts departing from the recommendation ÷ verdicts that answered one.",
    )
    by_reviewer, by_reason = st.tabs(["By reviewer", "By reason code"])
    with by_reviewer:
        by = figures.by_reviewer
        w.table(
            pd.DataFrame(
                {
                    "Reviewer": by["reviewer"],
                    "Verdicts": w.counts_text(by["verdicts"]),
                    "Override rate": w.rate_text(by["overridden"], by["answered"]),
                    "Approved": w.counts_text(by["approved"]),
                    "Rejected": w.counts_text(by["rejected"]),
                }
            )
        )
        w.download(
            "By reviewer (CSV)",
            by,
            {c: c for c in by.columns},
            f"reviewers-{period.first}-{period.last}.csv",
        )
    with by_reason:
        by = figures.by_reason
        w.table(
            pd.DataFrame(
                {
                    "Reason code": by["reason_code"],
                    "Override rate": w.rate_text(by["overridden"], by["answered"]),
                }
            )
        )
        w.download(
            "By reason code (CSV)",
            by,
            {c: c for c in by.columns},
            f"reason-codes-{period.first}-{period.last}.csv",
        )
    st.caption(defs.markdown("reviewers", zone, policy))


def read_ahead(url: str, period: Period, zone: str, policy: Policy, now: datetime) -> None:
    """Start reading the figures :func:`reviewers` shows while the page draws what comes
    first (``ui.prefetch``)."""
    arguments = _arguments(url, period, zone, policy, now)
    if arguments is not None:
        prefetch.ahead(fd.reviewer_figures, *arguments)


def _arguments(
    url: str, period: Period, zone: str, policy: Policy, now: datetime
) -> tuple[str, datetime, datetime, str, str] | None:
    """``fd.reviewer_figures``' arguments: the period up to now; None before it starts."""
    end = min(period.end(zone), now)
    if end <= period.start(zone):
        return None
    return url, period.start(zone), end, policy.version, zone
