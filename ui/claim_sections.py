"""The read-only sections of the claim page: header, description, timeline, evidence, order,
supplier record and history.

Every section holds at any width from a 900-pixel screen up: tables are ``st.table`` (HTML that
wraps its text) with few columns, amounts and dates kept whole on one line, and metrics in
wrapping rows at widths their figures fit. Text from data is shown as text: ``st.text`` for the
buyer's words, ``plain`` for anything in markdown.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

import pandas as pd
import streamlit as st

from rules import Policy
from services.claims.view import AuditItem, ClaimView
from ui import claim_widgets as w
from ui import definitions, format, wiring
from ui import supplier_record as sr
from ui.labels import (
    AUDIT_ACTION_LABELS,
    DECISION_LABELS,
    KIND_LABELS,
    PAYMENT_LABELS,
    RESPONSE_LABELS,
    STATUS_LABELS,
    VERDICT_LABELS,
    label,
)
from ui.text import plain

#: Wide enough for "-USD 10,000,000.00" in a metric's large figures; three fit side by side.
MONEY_WIDTH = 295
RATE_WIDTH = 230


def _yes_no(value: bool | None, unknown: str = "not stated") -> str:
    return unknown if value is None else ("yes" if value else "no")


def table(rows: list[dict[str, str]], *, header: bool = True) -> None:
    """A static table that wraps its text to the page's width, never clipping a cell.

    Its cells are markdown: every value from data goes through ``plain`` first.
    """
    st.table(pd.DataFrame(rows), hide_index=True, hide_header=not header, border="horizontal")


def nowrap(text: str) -> str:
    """An amount or a date kept on one line in a narrow table column ("USD 1,850.90")."""
    return text.replace(" ", "\u00a0")


def when(moment: datetime, zone: tzinfo) -> str:
    """``3 Mar 2025, 14:05`` for a table: it may break after the comma, nowhere else."""
    day, _, time = w.local_time(moment, zone).partition(", ")
    return f"{nowrap(day)}, {time}" if time else nowrap(day)


def facts(pairs: list[tuple[str, str]]) -> None:
    """Label–value pairs; every value is shown as plain text."""
    table([{"Fact": f"**{name}**", "Value": plain(value)} for name, value in pairs], header=False)


def header(view: ClaimView, zone: tzinfo) -> None:
    st.title(f"Claim {plain(view.claim_external_id)}")
    st.caption(
        " · ".join(
            plain(part)
            for part in (
                label(KIND_LABELS, view.kind),
                label(STATUS_LABELS, view.status),
                f"filed {w.local_time(view.filed_at, zone)}",
                f"order {view.order_external_id}",
                f"supplier {view.supplier_name} ({view.supplier_country})",
                f"buyer {view.buyer_name} ({view.buyer_country})",
            )
        )
    )


def description(view: ClaimView) -> None:
    st.subheader("Buyer's description")
    with st.container(border=True):
        if view.description.strip():
            # st.text: no markdown, no HTML, no links — the buyer's words exactly, line breaks kept.
            st.text(view.description)
        else:
            st.caption("No description given.")


def evidence(view: ClaimView) -> None:
    st.subheader("Evidence")
    defect = "–" if view.defect_rate_bp is None else f"{view.defect_rate_bp / 100:g}%"
    facts(
        [
            ("Claimed amount", format.money(view.claimed_amount_cents)),
            ("Inspection report", _yes_no(view.inspection_report)),
            ("Goods conform", _yes_no(view.conforming) if view.inspection_report else "–"),
            ("Defect rate", defect),
            ("Inspection fee", format.money(view.inspection_fee_cents)),
            ("Supplier response", label(RESPONSE_LABELS, view.supplier_response)),
        ]
    )


def timeline(view: ClaimView, now: datetime, zone: tzinfo) -> None:
    st.subheader("Timeline")
    rows = []
    for entry in view.timeline:
        at = (
            nowrap(w.calendar_day(entry.at, view.programme_zone))
            if entry.day_only
            else when(entry.at, zone)
        )
        if entry.deadline:
            due = w.urgency(entry.at, now, zone)
            detail = (
                f"**next deadline: {due.text}**"
                if entry.is_next
                else ("deadline" if entry.at > now else "deadline (passed)")
            )
        elif entry.kind is not None:
            detail = plain(f"{label(KIND_LABELS, entry.kind)}, {entry.detail}")
        elif entry.response is not None:
            detail = plain(label(RESPONSE_LABELS, entry.response))
        else:
            detail = plain(entry.detail)
        rows.append({"When": plain(at), "Event": plain(entry.event), "Detail": detail})
    table(rows)
    st.caption(
        f"Times in {plain(w.zone_name(zone))}; the ship-by date is a calendar day of the "
        f"programme ({plain(w.zone_name(view.programme_zone))})."
    )


def order(view: ClaimView) -> None:
    st.subheader("Order")
    facts(
        [
            ("Order", view.order_external_id),
            ("Category", view.category),
            ("Payment", label(PAYMENT_LABELS, view.payment_method)),
            ("Order amount", format.money(view.order_amount_cents)),
            ("Covered (Trade Assurance)", format.money(view.covered_amount_cents)),
            ("Paid", format.money(view.paid_amount_cents)),
        ]
    )


def _metric(title: str, value: str, caption: str, width: int, help: str | None = None) -> None:
    with st.container(width=width, gap="xxsmall"):
        st.metric(title, value, help=help)
        if caption:
            st.caption(caption)


def supplier_record(view: ClaimView, policy: Policy) -> None:
    record = view.supplier_record
    days = record.window_days
    st.subheader(f"Supplier record — {plain(view.supplier_name)}")
    late, disputes = sr.late_shipment_rate(record, policy), sr.dispute_rate(record, policy)
    explanation = sr.tier_explanation(record, policy)
    with st.container(horizontal=True):
        _metric(f"Late-shipment rate, {days} d", late.value, plain(late.counts), RATE_WIDTH)
        _metric(f"Dispute rate, {days} d", disputes.value, plain(disputes.counts), RATE_WIDTH)
        _metric(
            "Monitoring tier",
            sr.tier_label(record.tier),
            plain(f"supplier tier {label({}, view.supplier_tier)} · {view.supplier_external_id}"),
            RATE_WIDTH,
            help=explanation[0],
        )
    with st.container(horizontal=True):
        _metric("Trade Assurance limit", format.money(record.limit_cents), "", MONEY_WIDTH)
        _metric("Exposure", format.money(record.exposure_cents), "", MONEY_WIDTH)
        _metric("Headroom", format.money(record.headroom_cents), "", MONEY_WIDTH)
    st.markdown(explanation[1])
    with st.expander("What the monitoring tier and these figures mean"):
        st.markdown("\n\n".join(explanation[:1] + explanation[2:]))
        # The same definitions as every figure screen (ui.definitions), in the programme's zone.
        st.markdown(
            definitions.block(
                ["late_shipment", "dispute", "exposure", "headroom", "monitoring_tier"],
                wiring.settings().programme_timezone,
                policy,
            )
        )
    st.page_link(
        "pages/supplier.py",
        label="The supplier's page: rates over time, claims, limit history",
        icon=":material/storefront:",
        query_params={"supplier": view.supplier_external_id},
    )


def _audit_change(item: AuditItem) -> str:
    parts = []
    if item.status_after is not None:
        before = label(STATUS_LABELS, item.status_before)
        parts.append(f"{before} → {label(STATUS_LABELS, item.status_after)}")
    if item.verdict is not None:
        verdict = label(VERDICT_LABELS, item.verdict)
        if item.verdict == "approve" and item.amount_cents is not None:
            verdict += f" {nowrap(format.money(item.amount_cents))}"
        parts.append(verdict)
    if item.assigned:
        parts.append("Assigned")
    return ", ".join(parts)


def _audit_what(item: AuditItem) -> str:
    """ "Proposed (four-eyes) by Rita", not "Decided by Rita" for what was only a proposal."""
    if item.action == "claim_decided" and item.decision_kind is not None:
        return f"{label(DECISION_LABELS, item.decision_kind)} by {item.who}"
    return f"{label(AUDIT_ACTION_LABELS, item.action)} by {item.who}"


def _verdict_words(verdict: str, amount_cents: int, cap_cents: int) -> str:
    if verdict == "approve":
        amount, cap = nowrap(format.money(amount_cents)), nowrap(format.money(cap_cents))
        return f"approve {amount} (cap {cap})"
    return label(VERDICT_LABELS, verdict).lower()


def history(view: ClaimView, zone: tzinfo) -> None:
    st.subheader("History")
    decisions, audit = st.tabs([f"Decisions ({len(view.decisions)})", f"Audit ({len(view.audit)})"])
    with decisions:
        if not view.decisions:
            st.caption("No decision yet.")
        else:
            table(
                [
                    {
                        "When": plain(when(d.decided_at, zone)),
                        "Decision": plain(
                            f"{w.decision_label(d.kind, d.lapsed)} by {d.reviewer_name}: "
                            + _verdict_words(d.verdict, d.amount_cents, d.cap_cents)
                        ),
                        "Note": plain(d.note) or "–",
                    }
                    for d in view.decisions
                ]
            )
    with audit:
        if not view.audit:
            st.caption("No audit events about this claim yet.")
        else:
            table(
                [
                    {
                        "When": plain(when(a.at, zone)),
                        "What": plain(_audit_what(a)),
                        "Change": plain(_audit_change(a)) or "–",
                    }
                    for a in view.audit
                ]
            )
