"""Reviewer screens' helpers: labels, local times, deadline urgency and the queue table.

Times are stored and computed in UTC; they are converted to the reader's time zone (the
browser's, from ``st.context.timezone``; UTC when unknown) for display only.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from rules import MoneyError, cents_from_float, parse_money
from services.claims.queue import QueueItem
from ui import format

QUEUE_PAGE = "pages/claim_queue.py"
CLAIM_PAGE = "pages/claim.py"
_QUEUE_URL_KEY = "claim_queue_url_params"

STATUS_LABELS = {
    "open": "Open",
    "escalated": "Escalated",
    "in_review": "In review",
    "awaiting_second_approval": "Awaiting second approval",
    "approved": "Approved",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}
KIND_LABELS = {
    "late_shipment": "Late shipment",
    "quality": "Quality",
    "non_delivery": "Non-delivery",
}
ACTION_LABELS = {
    "approve_full": "Approve in full",
    "approve_partial": "Approve in part",
    "reject": "Reject",
    "request_evidence": "Request evidence",
}
#: What the governing deadline is for, in the queue's words.
DEADLINE_LABELS = {
    "supplier_response_due": "supplier reply",
    "auto_escalation_at": "escalation",
    "pickup_due": "pick-up",
    "decision_due": "decision",
}
RESPONSE_LABELS = {"accepted": "Accepted", "disputed": "Disputed", "none": "No response"}

Level = Literal["overdue", "today", "soon", "later", "none"]

#: Calm highlights: a tinted cell and darker text, never a shouting colour.
_LEVEL_STYLE = {
    "overdue": "background-color: #fef2f2; color: #991b1b; font-weight: 600",
    "today": "background-color: #fffbeb; color: #92400e; font-weight: 600",
}


def reader_zone() -> tzinfo:
    """The reader's time zone from the browser, or UTC when it is unknown or unrecognised."""
    name = st.context.timezone
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def zone_name(zone: tzinfo) -> str:
    return "UTC" if zone is UTC else str(zone)


def local_time(moment: datetime | None, zone: tzinfo) -> str:
    """``3 Mar 2025, 14:05`` in ``zone``; a dash for no time."""
    if moment is None:
        return "–"
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %Y, %H:%M}"


def calendar_day(moment: datetime, programme_zone: tzinfo) -> str:
    """A contract day (the ship-by date) is a day of the programme's calendar: shown in the
    programme's zone, never shifted into the reader's."""
    day = moment.astimezone(programme_zone).date()
    return f"{day.day} {day:%b %Y}"


#: How each kind of decision reads in a claim's history (rules.lifecycle.DecisionKind).
DECISION_LABELS = {
    "sole": "Decided",
    "proposal": "Proposed (four-eyes)",
    "confirmation": "Confirmed",
}


def decision_label(kind: str, lapsed: bool) -> str:
    return "Proposed, lapsed" if lapsed else DECISION_LABELS.get(kind, kind)


@dataclass(frozen=True, slots=True)
class Urgency:
    text: str
    level: Level


def urgency(when: datetime | None, now: datetime, zone: tzinfo) -> Urgency:
    """How soon a deadline is, in the reader's calendar: "Overdue 2 d", "Due today 17:00"."""
    if when is None:
        return Urgency("No deadline", "none")
    if when <= now:
        late = now - when
        if late < timedelta(hours=1):
            return Urgency("Overdue", "overdue")
        if late < timedelta(days=1):
            return Urgency(f"Overdue {late // timedelta(hours=1)} h", "overdue")
        return Urgency(f"Overdue {late.days} d", "overdue")
    due, today = when.astimezone(zone), now.astimezone(zone)
    days = (due.date() - today.date()).days
    if days == 0:
        return Urgency(f"Due today {due:%H:%M}", "today")
    if days == 1:
        return Urgency("Due tomorrow", "soon")
    return Urgency(f"Due in {days} d", "later")


def cents_from_major(value: float | str) -> int:
    """``12.5`` -> ``1250``: a number widget's float rounded half to even to the cent; typed
    text goes through the one money parser (``rules.parse_money``) and is refused unless exact."""
    if isinstance(value, str):
        return parse_money(value, grouping=True, currency="USD")
    return cents_from_float(value)


def parse_amount(text: str) -> int | None:
    """Cents typed in major units (``1234.50``, ``1,234.5``, ``USD 1,234.50``); None unless
    exactly that: ASCII digits, thousands separators in the right places only, at most 2
    decimals (the one money parser, ``rules.parse_money``)."""
    try:
        return parse_money(text, grouping=True, currency="USD")
    except MoneyError:
        return None


def money_or_dash(cents: int | None) -> str:
    return "–" if cents is None else format.money(cents)


def recommendation_text(item: QueueItem) -> str:
    if item.recommended_action is None:
        return "–"
    label = ACTION_LABELS.get(item.recommended_action, item.recommended_action)
    if item.recommended_action in ("approve_full", "approve_partial"):
        label = f"{format.money(item.recommended_amount_cents or 0)}"
        if item.four_eyes_required:
            label += " · four-eyes"
    return label


#: Short status names for the queue's narrow column (the filter and claim page use the long).
_SHORT_STATUS = {**STATUS_LABELS, "awaiting_second_approval": "2nd approval"}


def deadline_text(item: QueueItem, now: datetime, zone: tzinfo) -> tuple[str, Level]:
    """``Overdue 2 d · pick-up``: how soon, and for what, in one short cell."""
    due = urgency(item.deadline_at, now, zone)
    if item.deadline_at is None:
        return due.text, due.level
    return f"{due.text} · {DEADLINE_LABELS.get(item.deadline_label or '', 'deadline')}", due.level


QUEUE_COLUMNS = ("Deadline", "Claim", "Kind", "Status", "Supplier", "Claimed", "Recommended")
BULK_COLUMNS = ("Deadline", "Claim", "Status", "Recommended", "Bulk decision")


def queue_table(
    items: Sequence[QueueItem], now: datetime, zone: tzinfo, *, bulk: bool
) -> tuple[pd.DataFrame, Styler]:
    """The queue as a display frame (text only) and its styled view for st.dataframe.

    Few, short columns, so the table fits a laptop screen beside the sidebar without scrolling
    sideways; everything else is on the claim page.
    """
    rows: list[dict[str, Any]] = []
    levels: list[Level] = []
    for item in items:
        deadline, level = deadline_text(item, now, zone)
        levels.append(level)
        status = _SHORT_STATUS.get(item.status, item.status)
        if item.lapsed_proposer_name is not None:
            # Back in the queue because the recommendation a proposal answered changed.
            status += " · proposal lapsed"
        rows.append(
            {
                "Deadline": deadline,
                "Claim": item.claim_external_id,
                "Kind": KIND_LABELS.get(item.kind, item.kind),
                "Status": status,
                "Supplier": f"{item.supplier_name} ({item.supplier_country})",
                "Claimed": format.money(item.claimed_amount_cents),
                "Recommended": recommendation_text(item),
                "Bulk decision": "✓ as recommended"
                if item.bulk_refusal is None
                else f"no: {item.bulk_refusal}",
            }
        )
    columns = BULK_COLUMNS if bulk else QUEUE_COLUMNS
    frame = pd.DataFrame(rows, columns=list(columns))

    def highlight(column: pd.Series) -> list[str]:
        return [_LEVEL_STYLE.get(level, "") for level in levels]

    styler = frame.style.apply(highlight, subset=["Deadline"])
    return frame, styler


def rows_key(items: Sequence[QueueItem]) -> str:
    """A short fingerprint of the rows shown, for keying a selection to exactly those rows."""
    return f"{zlib.crc32(','.join(i.claim_external_id for i in items).encode()):08x}"


def remember_queue_url() -> None:
    """Keep the queue's URL parameters (its filters and page) for the way back from a claim."""
    st.session_state[_QUEUE_URL_KEY] = {
        key: st.query_params.get_all(key) for key in st.query_params
    }


def back_to_queue() -> None:
    """Go to the queue as the reviewer left it."""
    st.switch_page(QUEUE_PAGE, query_params=st.session_state.get(_QUEUE_URL_KEY) or None)


def open_claim(claim_external_id: str) -> None:
    st.switch_page(CLAIM_PAGE, query_params={"claim": claim_external_id})
