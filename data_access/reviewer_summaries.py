"""The daily reviewer summaries (``models.SummaryDecidedDay``, ``SummaryReviewerDay``,
``SummaryReasonDay``): stored, added to, read by day range.

What a verdict counts (answered, departing from the recommendation) and whether a claim was
decided late are judgements of the rules module, so the rows are counted by the service that
knows them (``services.figures.reviewer_days``); here they are only kept. Verdicts are
append-only and a claim is decided once, so a decision only ever adds to its day's rows: an
upsert adding its counts, which two writers at once can both do without losing either's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from data_access.claim_facts import Executor
from data_access.models import (
    SummaryDecidedDay,
    SummaryReasonDay,
    SummaryReviewerDay,
    SummaryReviewerState,
)
from data_access.sql import Grain, period_start
from data_access.upsert import table_of

__all__ = [
    "TABLES",
    "DayCounts",
    "add",
    "forget",
    "kept",
    "read",
    "refunds_by_period",
    "relabel",
    "replace",
    "stored_rows",
]

#: Each table: (key columns after zone and day, summed columns).
TABLES: dict[str, tuple[Table, tuple[str, ...], tuple[str, ...]]] = {
    "summary_decided_days": (
        table_of(SummaryDecidedDay),
        (),
        ("decided", "decided_late", "refunds", "refunded_cents"),
    ),
    "summary_reviewer_days": (
        table_of(SummaryReviewerDay),
        ("reviewer_id",),
        ("verdicts", "answered", "overridden", "approved", "rejected"),
    ),
    "summary_reason_days": (
        table_of(SummaryReasonDay),
        ("reason_code",),
        ("answered", "overridden"),
    ),
}


@dataclass
class DayCounts:
    """Counts keyed by day (or by nothing, for a sum over days) and the table's key: for each
    table, ``(day, *key) -> [sums]`` in the table's column order."""

    rows: dict[str, dict[tuple[Any, ...], list[int]]] = field(
        default_factory=lambda: {name: {} for name in TABLES}
    )

    def add(self, name: str, key: tuple[Any, ...], counts: Iterable[int]) -> None:
        sums = self.rows[name].get(key)
        if sums is None:
            self.rows[name][key] = list(counts)
        else:
            for i, count in enumerate(counts):
                sums[i] += count

    def merge(self, other: DayCounts) -> None:
        for name, rows in other.rows.items():
            for key, counts in rows.items():
                self.add(name, key, counts)


def kept(executor: Executor) -> dict[str, str]:
    """The zones the reviewer summaries are kept for, each with the policy version that judged
    lateness."""
    rows = executor.execute(
        select(SummaryReviewerState.zone, SummaryReviewerState.policy_version)
    ).all()
    return {zone: version for zone, version in rows}


def replace(
    executor: Executor, zone: str, policy_version: str, counts: DayCounts, now: datetime
) -> None:
    """Empty the reviewer summaries and store ``counts`` (keyed by day) as ``zone``'s."""
    for table, _, _ in TABLES.values():
        executor.execute(delete(table))
    executor.execute(delete(SummaryReviewerState))
    for name, (table, key, summed) in TABLES.items():
        rows = _mappings(zone, key, summed, counts.rows[name])
        if rows:
            executor.execute(insert(table), rows)
    executor.execute(
        insert(SummaryReviewerState).values(zone=zone, policy_version=policy_version, built_at=now)
    )


def add(executor: Executor, zone: str, counts: DayCounts) -> None:
    """Add ``counts`` (keyed by day) to ``zone``'s stored rows."""
    bind = executor.get_bind() if isinstance(executor, Session) else executor
    dialect = bind.dialect.name
    for name, (table, key, summed) in TABLES.items():
        rows = _mappings(zone, key, summed, counts.rows[name])
        if not rows:
            continue
        upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        executor.execute(
            upsert.on_conflict_do_update(
                index_elements=["zone", "day", *key],
                set_={s: table.c[s] + upsert.excluded[s] for s in summed},
            ),
            rows,
        )


def relabel(executor: Executor, zone: str, policy_version: str) -> None:
    """Keep ``zone``'s rows as judged by ``policy_version`` (one whose deadlines are the same)."""
    executor.execute(
        update(SummaryReviewerState)
        .where(SummaryReviewerState.zone == zone)
        .values(policy_version=policy_version)
    )


def forget(executor: Executor, zone: str) -> None:
    """Stop reading ``zone``'s rows (figures count from the base tables until rebuilt)."""
    executor.execute(delete(SummaryReviewerState).where(SummaryReviewerState.zone == zone))


def read(executor: Executor, zone: str, first: date, last: date) -> DayCounts:
    """``zone``'s rows from day ``first`` up to (not including) ``last``, summed over the
    days: keyed by the table's key alone."""
    counts = DayCounts()
    for name, (table, key, summed) in TABLES.items():
        keys = [table.c[k] for k in key]
        query = (
            select(*keys, *[func.sum(table.c[s]) for s in summed])
            .where(table.c.zone == zone, table.c.day >= first, table.c.day < last)
            .group_by(*keys)
        )
        for row in executor.execute(query):
            sums = [int(v or 0) for v in row[len(key) :]]
            if any(sums):
                counts.add(name, tuple(row[: len(key)]), sums)
    return counts


def refunds_by_period(
    executor: Executor, zone: str, first: date, after_last: date, grain: Grain | None
) -> list[tuple[date | None, int, int]]:
    """The refunds approved from day ``first`` up to (not including) ``after_last``: ``period,
    refunds, cents`` per week or month of approval (``grain``), or one row for all of them
    (period None; zeros when none)."""
    days = table_of(SummaryDecidedDay)
    sums = [
        func.coalesce(func.sum(days.c.refunds), 0),
        func.coalesce(func.sum(days.c.refunded_cents), 0),
    ]
    span = (days.c.zone == zone, days.c.day >= first, days.c.day < after_last)
    if grain is None:
        refunds, cents = executor.execute(select(*sums).where(*span)).one()
        return [(None, int(refunds), int(cents))]
    period = period_start(days.c.day, grain)
    query = select(period, *sums).where(*span, days.c.refunds != 0).group_by(period)
    return [(_date(p), int(refunds), int(cents)) for p, refunds, cents in executor.execute(query)]


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def stored_rows(executor: Executor, zone: str) -> DayCounts:
    """Every stored row of ``zone``, keyed by day and key (tests compare them with a count)."""
    counts = DayCounts()
    for name, (table, key, summed) in TABLES.items():
        columns = [table.c.day, *[table.c[k] for k in key], *[table.c[s] for s in summed]]
        for row in executor.execute(select(*columns).where(table.c.zone == zone)):
            counts.add(name, tuple(row[: 1 + len(key)]), [int(v) for v in row[1 + len(key) :]])
    return counts


def _mappings(
    zone: str,
    key: tuple[str, ...],
    summed: tuple[str, ...],
    rows: Mapping[tuple[Any, ...], list[int]],
) -> list[dict[str, Any]]:
    return [
        {"zone": zone, "day": k[0], **dict(zip(key, k[1:], strict=True)),
         **dict(zip(summed, sums, strict=True))}
        for k, sums in rows.items()
        if any(sums)
    ]  # fmt: skip
