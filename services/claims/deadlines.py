"""The stored next deadline of each claim (``claims.due_at``/``due_label``), for the queue.

Why stored: the reviewers' queue sorts undecided claims by their nearest deadline and pages in
SQL (``ORDER BY due_at LIMIT …``, served by the index on ``(status, due_at)``), which the
database cannot do from the rules module's dispute clock. So each claim keeps a copy of
``rules.claim_deadlines(...).next_deadline(now, supplier_responded=...)``: the label and the time
of the deadline governing its current stage, or None for a decided (or withdrawn) claim.

Freshness: the copy is refreshed by every write that changes a claim's facts or status (the
decision services, the import, the demo seed) and for all undecided claims by ``assurance
recommend``. Between refreshes only time passes, and with the same facts the next deadline only
ever moves *later* as time passes (supplier response -> automatic escalation -> pick-up ->
decision). A stale stored value is therefore always earlier than the true one, so a claim errs
towards urgency: it can appear higher in the queue than it should, never lower. The queue page
recomputes the live deadline (rules) for the rows it shows, so what a reviewer reads is exact.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, cast

from sqlalchemy import CursorResult, and_, select, text, update
from sqlalchemy.orm import Session

from data_access.models import UNDECIDED_CLAIM_STATUSES, Claim
from data_access.sql import ids_in
from rules import UNDECIDED, Policy, claim_deadlines
from services import clock

__all__ = ["CHUNK_SIZE", "next_due", "refresh_due"]

#: Claims read and updated per statement.
CHUNK_SIZE = 5_000

_UNDECIDED = frozenset(UNDECIDED)
_COLUMNS = (
    Claim.id,
    Claim.status,
    Claim.filed_at,
    Claim.escalated_at,
    Claim.picked_up_at,
    Claim.supplier_response,
    Claim.due_at,
    Claim.due_label,
)


def next_due(
    status: str,
    filed_at: datetime,
    escalated_at: datetime | None,
    picked_up_at: datetime | None,
    supplier_response: str,
    policy: Policy,
    now: datetime,
    zone: tzinfo = UTC,
) -> tuple[str | None, datetime | None]:
    """``(label, when)`` of the deadline governing the claim at ``now``; (None, None) if decided.

    ``zone`` is the programme's time zone, whose days the dispute clock counts.
    """
    if status not in _UNDECIDED:
        return None, None
    deadlines = claim_deadlines(filed_at, escalated_at, picked_up_at, policy, zone)
    return deadlines.next_deadline(now, supplier_responded=supplier_response != "none")


def _changes(
    rows: Sequence[Any], policy: Policy, now: datetime, zone: tzinfo
) -> list[dict[str, Any]]:
    changes = []
    for row in rows:
        label, when = next_due(
            row.status,
            row.filed_at,
            row.escalated_at,
            row.picked_up_at,
            row.supplier_response,
            policy,
            now,
            zone,
        )
        if label != row.due_label or when != row.due_at:
            changes.append({"id": row.id, "due_at": when, "due_label": label})
    return changes


_UPDATE_FROM_ARRAYS = text(
    "UPDATE claims SET due_at = v.due_at, due_label = v.due_label "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:dues AS timestamptz[]), "
    "CAST(:labels AS varchar[])) AS v(id, due_at, due_label) WHERE claims.id = v.id"
)


def _write(session: Session, changes: list[dict[str, Any]]) -> int:
    if not changes:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        # One statement per chunk with three array parameters: an executemany would cost a
        # round trip per row, and a VALUES list costs SQLAlchemy seconds to compile.
        session.execute(
            _UPDATE_FROM_ARRAYS,
            {
                "ids": [c["id"] for c in changes],
                "dues": [c["due_at"] for c in changes],
                "labels": [c["due_label"] for c in changes],
            },
        )
    else:
        # ORM bulk UPDATE by primary key: one executemany per chunk (cheap in-process).
        session.execute(update(Claim), changes)
    return len(changes)


def _undecided_chunks(session: Session) -> Iterator[Sequence[Any]]:
    """Undecided claims in id order, by keyset so each chunk is one index range read."""
    last_id = 0
    while True:
        rows = session.execute(
            select(*_COLUMNS)
            .where(Claim.status.in_(UNDECIDED_CLAIM_STATUSES), Claim.id > last_id)
            .order_by(Claim.id)
            .limit(CHUNK_SIZE)
        ).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def refresh_due(
    session: Session, claim_ids: Sequence[int] | None, policy: Policy, now: datetime
) -> int:
    """Recompute the stored next deadline of ``claim_ids`` (None: every claim) at ``now``.

    Runs in the caller's transaction; writes only rows whose value changed and returns how many
    it changed. Unknown ids are skipped.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    zone = clock.zone()
    changed = 0
    if claim_ids is None:
        # Decided claims have no deadline: clear any left over in one statement.
        cleared = session.execute(
            update(Claim)
            .where(
                and_(
                    Claim.status.not_in(UNDECIDED_CLAIM_STATUSES),
                    Claim.due_label.is_not(None) | Claim.due_at.is_not(None),
                )
            )
            .values(due_at=None, due_label=None)
            .execution_options(synchronize_session=False)
        )
        changed += cast(CursorResult[Any], cleared).rowcount or 0
        for rows in _undecided_chunks(session):
            changed += _write(session, _changes(rows, policy, now, zone))
        return changed
    ids = sorted({int(i) for i in claim_ids})
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        rows = session.execute(select(*_COLUMNS).where(ids_in(Claim.id, chunk))).all()
        changed += _write(session, _changes(rows, policy, now, zone))
    return changed
