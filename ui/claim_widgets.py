"""Reviewer screens' helpers: labels, local times, deadline urgency and the queue table.

Times are stored and computed in UTC; they are converted to the reader's time zone (the
browser's, from ``st.context.timezone``; UTC when unknown) for display only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from rules import MoneyError, cents_from_float, format_day, parse_money
from services import clock
from services.claims.queue import QueueItem
from ui import format
from ui.labels import (
    ACTION_LABELS,
    DEADLINE_LABELS,
    DECISION_LABELS,
    KIND_LABELS,
    RESPONSE_LABELS,
    SHORT_STATUS_LABELS,
    STATUS_LABELS,
)
from ui.text import plain

__all__ = [
    "ACTION_LABELS",
    "CLAIM_PAGE",
    "DEADLINE_LABELS",
    "DECISION_LABELS",
    "KIND_LABELS",
    "LOOKUP_PAGE",
    "QUEUE_PAGE",
    "RESPONSE_LABELS",
    "STATUS_LABELS",
    "Level",
    "Urgency",
    "back_to_queue",
    "calendar_day",
    "cents_from_major",
    "claim_link",
    "deadline_text",
    "decision_label",
    "local_time",
    "money_or_dash",
    "open_claim",
    "parse_amount",
    "reader_zone",
    "recommendation_text",
    "remember_queue_url",
    "status_text",
    "urgency",
    "zone_name",
]

QUEUE_PAGE = "pages/claim_queue.py"
CLAIM_PAGE = "pages/claim.py"
LOOKUP_PAGE = "pages/find_claim.py"
_QUEUE_URL_KEY = "claim_queue_url_params"

Level = Literal["overdue", "today", "soon", "later", "none"]


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
    return "–" if moment is None else clock.written(moment, zone)


def calendar_day(moment: datetime, programme_zone: tzinfo) -> str:
    """A contract day (the ship-by date) is a day of the programme's calendar: shown in the
    programme's zone, never shifted into the reader's."""
    return format_day(moment.astimezone(programme_zone).date())


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


def recommendation_text(item: QueueItem) -> tuple[str, str]:
    """What the rules recommend, as a short line and a quieter second one:
    ``("USD 50.00", "recommended in part · four-eyes")``, ``("Reject", "recommended")``."""
    action = item.recommended_action
    if action is None:
        return "–", "no recommendation yet"
    four_eyes = " · four-eyes" if item.four_eyes_required else ""
    if action in ("approve_full", "approve_partial"):
        how = "in full" if action == "approve_full" else "in part"
        return format.money(item.recommended_amount_cents or 0), f"recommended {how}{four_eyes}"
    return ACTION_LABELS.get(action, action), f"recommended{four_eyes}"


def status_text(item: QueueItem) -> tuple[str, str]:
    """The claim's status in a queue row, and who or what stands behind it."""
    status = SHORT_STATUS_LABELS.get(item.status, item.status)
    if item.lapsed_proposer_name is not None:
        # Back in the queue because the recommendation a proposal answered changed.
        return status, "proposal lapsed"
    if item.proposer_name is not None:
        return status, f"proposed by {item.proposer_name}"
    if item.assignee_name is not None:
        return status, f"assigned to {item.assignee_name}"
    return status, ""


def deadline_text(item: QueueItem, now: datetime, zone: tzinfo) -> tuple[str, str, Level]:
    """How soon the governing deadline is, what it is for, and how urgent:
    ``("Overdue 2 d", "pick-up", "overdue")``."""
    due = urgency(item.deadline_at, now, zone)
    if item.deadline_at is None:
        return due.text, "", due.level
    return due.text, DEADLINE_LABELS.get(item.deadline_label or "", "deadline"), due.level


def remember_queue_url() -> None:
    """Keep the queue's URL parameters (its filters and page) for the way back from a claim."""
    st.session_state[_QUEUE_URL_KEY] = {
        key: st.query_params.get_all(key) for key in st.query_params
    }


def back_to_queue() -> None:
    """Go to the queue as the reviewer left it."""
    st.switch_page(QUEUE_PAGE, query_params=st.session_state.get(_QUEUE_URL_KEY) or None)


#: A reference longer than this is shortened on its link; the whole of it is a hover away.
_LINK_CHARS = 40


def claim_link(claim_external_id: str) -> None:
    """A link opening the claim (in this tab; a new one with the browser's own gestures).

    As wide as its reference, so a reference is never cut: references of one format line up
    row under row, and an unusually long one is shortened with its whole text on hover.
    """
    ref = claim_external_id
    short = ref if len(ref) <= _LINK_CHARS else ref[: _LINK_CHARS - 1] + "…"
    st.page_link(
        CLAIM_PAGE,
        # In the links' blue, as the supplier page's claim ids: grey text did not look clickable.
        label=f":blue[{plain(short)}]",
        query_params={"claim": ref},
        help=None if short == ref else plain(ref),
        width="content",
    )


def open_claim(claim_external_id: str) -> None:
    st.switch_page(CLAIM_PAGE, query_params={"claim": claim_external_id})
