"""The dispute clock of a claim, counted in the programme's calendar days.

Day counting (calendar days of the programme's time zone ``zone``, UTC by default; the examples
below are in UTC): the filing day is **day 0**; "after N days" means from 00:00 on day N + 1,
i.e. once day N has ended. Results are instants in UTC. With the v1 policy, for a claim filed at
any time on Monday 2025-03-03 (day 0):

* the supplier may respond during days 1-3; ``supplier_response_due`` = 2025-03-07 00:00 (the end
  of day 3), so a supplier always gets at least three full days whatever the filing hour;
* "the buyer may escalate from day 4": ``buyer_may_escalate_from`` = 2025-03-07 00:00;
* "escalation is automatic on day 8": ``auto_escalation_at`` = 2025-03-11 00:00.

Working days are Monday to Friday minus the policy's holidays. ``add_working_days`` counts working
time: the clock only runs on working days, so an escalation on Friday 10:00 plus 2 working days is
Tuesday 10:00, and one on Saturday (the clock stopped) is due Wednesday 00:00 — the end of Tuesday.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from rules.policy import Policy

__all__ = [
    "ClaimDeadlines",
    "add_working_days",
    "claim_deadlines",
    "decision_due",
    "is_working_day",
    "same_dispute_clock",
]

_ONE_DAY = timedelta(days=1)


def _as_utc(name: str, value: datetime) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _midnight(day: date, zone: tzinfo = UTC) -> datetime:
    """00:00 of ``day`` in ``zone``, as a UTC instant."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(
    start: datetime, n: int, holidays: frozenset[date], zone: tzinfo = UTC
) -> datetime:
    """``start`` plus ``n`` working days of working time, as a UTC instant.

    Working days are days of ``zone``. If ``start`` falls on a weekend or holiday the clock has
    not started yet, so counting begins at 00:00 of the next working day; then each step moves
    to the same wall-clock time on the next working day. ``n == 0`` returns ``start`` (in UTC).
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    current = _as_utc("start", start)
    if n == 0:
        return current
    local = current.astimezone(zone)
    day, started = _working_days_after(local.date(), n, holidays)
    wall = local.timetz().replace(tzinfo=None) if started else time(0)
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


@functools.lru_cache(maxsize=65_536)
def _working_days_after(day: date, n: int, holidays: frozenset[date]) -> tuple[date, bool]:
    """The day ``n`` working days after ``day`` (counting from the next working day when
    ``day`` is not one), and whether ``day`` is a working day. Cached: a period's claims share
    their days, and the reviewer figures ask for thousands of them at once."""
    started = is_working_day(day, holidays)
    if not started:
        day += _ONE_DAY
        while not is_working_day(day, holidays):
            day += _ONE_DAY
    for _ in range(n):
        day += _ONE_DAY
        while not is_working_day(day, holidays):
            day += _ONE_DAY
    return day, started


@dataclass(frozen=True, slots=True)
class ClaimDeadlines:
    """All moments of one claim's dispute clock; ``escalated_at``/``picked_up_at`` are the facts
    they were computed from, kept so ``next_deadline`` knows which stage the claim is in."""

    supplier_response_due: datetime
    buyer_may_escalate_from: datetime
    auto_escalation_at: datetime
    pickup_due: datetime
    decision_due: datetime
    escalated_at: datetime | None = None
    picked_up_at: datetime | None = None

    def next_deadline(
        self, now: datetime, *, supplier_responded: bool = False
    ) -> tuple[str, datetime]:
        """The deadline that governs the claim's current stage, as ``(label, when)``.

        Picked up -> ``decision_due``; escalated (by hand, or automatically because ``now`` has
        reached ``auto_escalation_at``) -> ``pickup_due``; otherwise ``supplier_response_due``
        until it passes or the supplier has responded, then ``auto_escalation_at``. The result is
        in the past when the claim is overdue, so sorting a queue by ``when`` ascending shows the
        most overdue first and then the nearest. Labels are the attribute names. Only call this
        for undecided claims: a decided claim has no deadline.
        """
        now = _as_utc("now", now)
        if self.picked_up_at is not None:
            return "decision_due", self.decision_due
        if self.escalated_at is not None or now >= self.auto_escalation_at:
            return "pickup_due", self.pickup_due
        if not supplier_responded and now < self.supplier_response_due:
            return "supplier_response_due", self.supplier_response_due
        return "auto_escalation_at", self.auto_escalation_at


def claim_deadlines(
    filed_at: datetime,
    escalated_at: datetime | None,
    picked_up_at: datetime | None,
    policy: Policy,
    zone: tzinfo = UTC,
) -> ClaimDeadlines:
    """The dispute clock for a claim filed at ``filed_at``; see the module docstring."""
    filed_day = _as_utc("filed_at", filed_at).astimezone(zone).date()
    escalated = None if escalated_at is None else _as_utc("escalated_at", escalated_at)
    picked_up = None if picked_up_at is None else _as_utc("picked_up_at", picked_up_at)
    holidays = frozenset(policy.holidays)
    day = _day_clock(
        filed_day,
        (
            policy.supplier_response_days,
            policy.buyer_may_escalate_after_days,
            policy.auto_escalate_after_days,
            policy.pickup_working_days,
            policy.decision_working_days,
        ),
        holidays,
        zone,
    )
    pickup_due = day.pickup_due
    if escalated is not None:
        pickup_due = add_working_days(escalated, policy.pickup_working_days, holidays, zone)
    decision_due = day.decision_due
    if escalated is not None or picked_up is not None:
        decision_due = _decision_due(picked_up or pickup_due, policy, holidays, zone)
    return ClaimDeadlines(
        supplier_response_due=day.supplier_response_due,
        buyer_may_escalate_from=day.buyer_may_escalate_from,
        auto_escalation_at=day.auto_escalation_at,
        pickup_due=pickup_due,
        decision_due=decision_due,
        escalated_at=escalated,
        picked_up_at=picked_up,
    )


@functools.lru_cache(maxsize=16_384)
def _day_clock(
    filed_day: date, days: tuple[int, int, int, int, int], holidays: frozenset[date], zone: tzinfo
) -> ClaimDeadlines:
    """The clock of a claim filed on ``filed_day`` that nobody escalated or picked up: it
    depends on that day alone (``days``: the policy's supplier-response, may-escalate,
    auto-escalate, pick-up and decision days). Cached: the open claims of a period share a few
    hundred filing days, and the overview asks for thousands of clocks at once."""
    response, may_escalate, auto_escalate, pickup, decision = days

    def after(count: int) -> datetime:
        return _midnight(filed_day + timedelta(days=count + 1), zone)

    auto = after(auto_escalate)
    pickup_due = add_working_days(auto, pickup, holidays, zone)
    return ClaimDeadlines(
        supplier_response_due=after(response),
        buyer_may_escalate_from=after(may_escalate),
        auto_escalation_at=auto,
        pickup_due=pickup_due,
        decision_due=add_working_days(pickup_due, decision, holidays, zone),
    )


def _decision_due(
    picked_up_or_due: datetime, policy: Policy, holidays: frozenset[date], zone: tzinfo
) -> datetime:
    return add_working_days(picked_up_or_due, policy.decision_working_days, holidays, zone)


def decision_due(
    filed_at: datetime,
    escalated_at: datetime | None,
    picked_up_at: datetime | None,
    policy: Policy,
    zone: tzinfo = UTC,
) -> datetime:
    """``claim_deadlines(…).decision_due`` alone: for a claim already picked up, without
    working out the clock's earlier moments (the reviewer figures ask it of every claim
    decided in a period)."""
    if picked_up_at is None:
        return claim_deadlines(filed_at, escalated_at, None, policy, zone).decision_due
    _as_utc("filed_at", filed_at)
    if escalated_at is not None:
        _as_utc("escalated_at", escalated_at)
    picked_up = _as_utc("picked_up_at", picked_up_at)
    return _decision_due(picked_up, policy, frozenset(policy.holidays), zone)


#: What :func:`claim_deadlines` reads of a policy: two policies alike in these set every claim
#: the same deadlines.
_CLOCK = (
    "supplier_response_days",
    "buyer_may_escalate_after_days",
    "auto_escalate_after_days",
    "pickup_working_days",
    "decision_working_days",
    "holidays",
)


def same_dispute_clock(a: Policy, b: Policy) -> bool:
    """Whether ``a`` and ``b`` give every claim the same deadlines (their other parameters,
    refund rates or tiers, may differ)."""
    return all(getattr(a, name) == getattr(b, name) for name in _CLOCK)
