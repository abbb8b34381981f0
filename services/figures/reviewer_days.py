"""The reviewer service figures' counts, per day: judged here, kept by
``data_access.reviewer_summaries``.

Each verdict and each decided claim is judged once, by :func:`count` (the rules module's
``departs_from`` and ``decision_due``): the figures count a period's rows with it, a rebuild
counts every row per day with it, and a decision adds what it counts of the decision just
recorded (read back as a rebuild reads it), so the stored days and a count from the base
tables cannot disagree. Lateness depends on the policy's deadlines: the days are kept for one
policy version (``summary_reviewer_state``), and activating another rebuilds them
(``services.summaries.ensure_built``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from data_access import reviewer_summaries as stored
from data_access.claim_facts import Executor
from data_access.models import FINAL_DECISION_KINDS
from data_access.queries import reviewers as q
from data_access.reviewer_summaries import DayCounts
from data_access.sql import day_start
from rules import Action, Policy, Recommendation, decision_due, departs_from

__all__ = [
    "count",
    "kept_days",
    "overridden",
    "rebuild",
    "record_decision",
    "whole_days",
]

#: The key a row is counted under before the table's own key: its day, or nothing.
DayOf = Callable[[datetime], tuple[Any, ...]]


def _no_day(_: datetime) -> tuple[()]:
    """Count every row of a period together."""
    return ()


def _day_in(zone: str) -> DayOf:
    """Count each row under its day in ``zone``."""
    tz = ZoneInfo(zone)

    def day_of(moment: datetime) -> tuple[date]:
        return (moment.astimezone(tz).date(),)

    return day_of


def whole_days(
    start: datetime, end: datetime, zone: str
) -> tuple[date, date, list[tuple[datetime, datetime]]] | None:
    """The days of ``zone`` lying wholly within ``[start, end)`` as ``(first, after_last)``,
    with the instants before and after them (the ragged ends, none when the bounds are
    midnights); None if no whole day lies within."""
    first = start.astimezone(ZoneInfo(zone)).date()
    if day_start(first, zone) < start:
        first += timedelta(days=1)
    after_last = end.astimezone(ZoneInfo(zone)).date()
    if first >= after_last:
        return None
    begins, ends = day_start(first, zone), day_start(after_last, zone)
    ragged = [(a, b) for a, b in ((start, begins), (ends, end)) if a < b]
    return first, after_last, ragged


def kept_days(
    executor: Executor, start: datetime, end: datetime, zone: str | None, version: str | None
) -> tuple[tuple[str, date, date] | None, list[tuple[datetime, datetime]]]:
    """How to read ``[start, end)``: ``(zone, first, after_last)``, the whole days of ``zone`` to
    read from the kept summaries (None: none), and the spans to count row by row. The days are
    read only when kept for ``zone`` (and, given a ``version``, judged by that policy)."""
    kept = stored.kept(executor)
    if zone is not None and zone in kept and version in (None, kept[zone]):
        span = whole_days(start, end, zone)
        if span is not None:
            first, after_last, ragged = span
            return (zone, first, after_last), ragged
    return None, [(start, end)]


def overridden(
    action: str | None, recommended: int | None, cap: int | None, verdict: str, amount: int
) -> bool | None:
    """Whether a verdict departs from the recommendation it answered, None if it answered none
    (the recommendation's action, amount and cap; the verdict and its amount)."""
    if action is None or recommended is None or cap is None:
        return None
    rec = Recommendation(Action(action), recommended, cap, (), "", False)
    approve = verdict == "approve"
    try:
        return departs_from(rec, approve, amount if approve else 0)
    except ValueError:
        return True  # e.g. an approval above the cap shown: certainly a departure


def count(
    decided: Iterable[q.DecidedClaim],
    decisions: Iterable[q.DecisionRow],
    policy: Policy,
    zone: str,
    *,
    by_day: bool = True,
) -> DayCounts:
    """The figures' counts of these decided claims and verdicts, keyed by their decision's day
    in ``zone`` (or, not ``by_day``, all together): claims decided and decided late, refunds
    approved and their amount; per reviewer the verdicts, those that answered a recommendation,
    those departing from it, approvals and rejections; per reason code of the recommendation
    answered, the verdicts answering it and those departing. Late is after the decision due by
    the dispute clock of ``zone`` (its days and working days), the deadline the queue showed."""
    day_of = _day_in(zone) if by_day else _no_day
    tz = ZoneInfo(zone)
    counts = DayCounts()
    for filed_at, decided_at, escalated, picked in decided:
        late = decided_at > decision_due(filed_at, escalated, picked, policy, tz)
        counts.add("summary_decided_days", day_of(decided_at), (1, int(late), 0, 0))
    for reviewer, decided_at, kind, verdict, amount, action, recommended, cap, codes in decisions:
        day = day_of(decided_at)
        if kind in FINAL_DECISION_KINDS and verdict == "approve":
            # A final approval is a refund approved (``queries.refunds.approved_refunds``).
            counts.add("summary_decided_days", day, (0, 0, 1, amount))
        departs = overridden(action, recommended, cap, verdict, amount)
        answered = departs is not None
        counts.add(
            "summary_reviewer_days",
            (*day, reviewer),
            (1, int(answered), int(bool(departs)), int(verdict == "approve"),
             int(verdict == "reject")),
        )  # fmt: skip
        if answered:
            for code in sorted({c for c in codes or () if c}):
                counts.add("summary_reason_days", (*day, code), (1, int(bool(departs))))
    return counts


def rebuild(executor: Executor, zone: str, policy: Policy, now: datetime) -> None:
    """Count every decided claim and verdict per day of ``zone`` and store them as the
    reviewer summaries, lateness judged by ``policy``."""
    counts = count(
        q.decided_claims(executor, None, None), q.decision_rows(executor, None, None), policy, zone
    )
    stored.replace(executor, zone, policy.version, counts, now)


def record_decision(
    executor: Executor, policy: Policy, decision_id: int, decided_claim_id: int | None
) -> None:
    """Add a verdict just recorded (and the claim it decided, if final) to the kept days.

    Read back from the database exactly as a rebuild reads it. Days kept under another
    policy version than the one the decision was made under would judge lateness by other
    deadlines: they are given up (the figures count from the base tables until the next
    build) rather than mixed."""
    kept = stored.kept(executor)
    for zone in [z for z, version in kept.items() if version != policy.version]:
        stored.forget(executor, zone)
    zones = [z for z, version in kept.items() if version == policy.version]
    if not zones:
        return
    claims = (
        [] if decided_claim_id is None
        else q.decided_claims(executor, None, None, claim_ids=[decided_claim_id])
    )  # fmt: skip
    verdicts = q.decision_rows(executor, None, None, decision_ids=[decision_id])
    for zone in zones:
        stored.add(executor, zone, count(claims, verdicts, policy, zone))
