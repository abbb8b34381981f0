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
from ui.labels import REASON_LABELS, label


def reviewers(url: str, period: Period, zone: str, policy: Policy, now: datetime) -> None:
    st.subheader("Reviewer service")
    arguments = _arguments(url, period, zone, policy, now)
    if arguments is None:
        st.caption("The period has not started yet.")
        return
    figures = fd.reviewer_figures(*arguments)
    # The overview's tile row: tiles wrap onto more rows in a narrow window, and a rate is the
    # value with its counts beneath (at ten million orders "24.89% (38,692 of 155,457)" as the
    # value broke mid-number in a quarter of a 900 px window).
    row = w.tile_row()
    w.plain_tile(row, "Claims decided", f"{figures.claims_decided:,}", "In the period")
    median = figures.median_time_to_decision
    w.plain_tile(
        row,
        "Median time to decision",
        "–" if median is None else f"{median.total_seconds() / 86_400:.1f} days",
        "From filing to decision",
    )
    w.plain_tile(
        row,
        "Decided after deadline",
        format.rate(figures.decided_after_deadline, figures.claims_decided),
        f"{figures.decided_after_deadline:,} of "
        f"{format.count(figures.claims_decided, 'claim decided', 'claims decided')}",
        help="Decided after the dispute clock's decision deadline, its working days counted "
        "in the programme's time zone: the deadline the queue showed.",
    )
    w.plain_tile(
        row,
        "Override rate",
        format.rate(figures.overridden, figures.answered),
        f"{figures.overridden:,} of {format.count(figures.answered, 'verdict')} that answered a "
        "recommendation",
        help="Verdicts departing from the recommendation ÷ verdicts that answered one.",
    )
    by_reviewer, by_reason = st.tabs(["By reviewer", "By reason"])
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
                    "Reason": [label(REASON_LABELS, code) for code in by["reason_code"]],
                    "Override rate": w.rate_text(by["overridden"], by["answered"]),
                }
            )
        )
        w.download(
            "By reason (CSV)",
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
