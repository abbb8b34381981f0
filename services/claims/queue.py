"""The reviewers' queue: one page of undecided claims, most urgent first, with live deadlines.

The database sorts and pages by the stored deadline (``services.claims.deadlines``); the rows
shown get their deadline recomputed from the rules at ``now``, so what the reviewer reads is exact
even if a stored value is stale (a stale one is always earlier, so the order errs towards urgency).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from data_access.claim_facts import latest_recommendations
from data_access.models import CLAIM_KINDS
from data_access.queries.claim_queue import (
    QueueFilters,
    SupplierOption,
    queue_countries,
    queue_rows,
    queue_status_counts,
    queue_suppliers,
    queue_total,
)
from rules import UNDECIDED, ClaimStatus, Policy, bulk_refusal
from services import clock
from services.claims.deadlines import next_due

__all__ = [
    "CLAIM_KINDS",
    "DEFAULT_PAGE_SIZE",
    "QUEUE_STATUSES",
    "QueueFilters",
    "QueueItem",
    "QueueOptions",
    "QueuePage",
    "count_by_status",
    "load_queue",
    "queue_options",
]

DEFAULT_PAGE_SIZE = 50
#: The statuses the queue shows (undecided ones), in life-cycle order.
QUEUE_STATUSES: tuple[str, ...] = tuple(s.value for s in UNDECIDED)


@dataclass(frozen=True, slots=True)
class QueueItem:
    claim_id: int
    claim_external_id: str
    order_external_id: str
    supplier_name: str
    supplier_country: str
    kind: str
    status: str
    claimed_amount_cents: int
    recommended_action: str | None
    recommended_amount_cents: int | None
    four_eyes_required: bool
    #: The live next deadline (rules at ``now``): label as in ``rules.ClaimDeadlines``.
    deadline_label: str | None
    deadline_at: datetime | None
    assignee_name: str | None
    #: Who proposed the verdict waiting for a second reviewer (awaiting second approval).
    proposer_name: str | None
    #: The claim is back in review because the proposal on it lapsed (its recommendation
    #: changed); who had proposed it.
    lapsed_proposer_name: str | None
    #: Why the claim cannot be decided in bulk as recommended; None when it can.
    bulk_refusal: str | None


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: tuple[QueueItem, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def first_position(self) -> int:
        """1-based position of the first row shown (0 when the page is empty)."""
        return (self.page - 1) * self.page_size + 1 if self.items else 0


@dataclass(frozen=True, slots=True)
class QueueOptions:
    suppliers: tuple[SupplierOption, ...]
    countries: tuple[str, ...]


def load_queue(
    engine: Engine,
    filters: QueueFilters,
    viewer_id: int | None,
    *,
    page: int,
    page_size: int = DEFAULT_PAGE_SIZE,
    policy: Policy,
    now: datetime,
    total: int | None = None,
) -> QueuePage:
    """Page ``page`` (1-based; clamped to the last one) of the queue under ``filters``.

    ``total`` may pass the number of matching claims when the caller already counted them
    (e.g. from :func:`count_by_status`), saving a count.
    """
    if page_size <= 0:
        raise ValueError("page_size must be positive")
    zone = clock.zone()
    with engine.connect() as conn:
        if total is None:
            total = queue_total(conn, filters, viewer_id)
        pages = max(1, math.ceil(total / page_size))
        page = min(max(1, page), pages)
        rows = queue_rows(conn, filters, viewer_id, limit=page_size, offset=(page - 1) * page_size)
        recs = latest_recommendations(conn, [r.claim_id for r in rows])
    items = []
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
        rec = recs.get(row.claim_id)
        awaiting = row.status == ClaimStatus.AWAITING_SECOND_APPROVAL
        proposal = row.last_decision_kind == "proposal"
        items.append(
            QueueItem(
                claim_id=row.claim_id,
                claim_external_id=row.claim_external_id,
                order_external_id=row.order_external_id,
                supplier_name=row.supplier_name,
                supplier_country=row.supplier_country,
                kind=row.kind,
                status=row.status,
                claimed_amount_cents=row.claimed_amount_cents,
                recommended_action=None if rec is None else rec.action,
                recommended_amount_cents=None if rec is None else rec.amount_cents,
                four_eyes_required=bool(rec is not None and rec.four_eyes_required),
                deadline_label=label,
                deadline_at=when,
                assignee_name=row.assignee_name,
                proposer_name=row.last_reviewer_name if awaiting and proposal else None,
                lapsed_proposer_name=row.last_reviewer_name if proposal and not awaiting else None,
                bulk_refusal=bulk_refusal(
                    row.status,
                    None if rec is None else rec.action,
                    bool(rec is not None and rec.four_eyes_required),
                ),
            )
        )
    return QueuePage(tuple(items), total, page, page_size)


def count_by_status(engine: Engine, filters: QueueFilters, viewer_id: int | None) -> dict[str, int]:
    """Undecided claims per status under every filter but the status one (one GROUP BY).

    The total of a status selection is the sum of its counts (all statuses when none chosen).
    """
    with engine.connect() as conn:
        return queue_status_counts(conn, filters, viewer_id)


def queue_options(engine: Engine) -> QueueOptions:
    """The choices of the supplier and country filters: suppliers with undecided claims."""
    with engine.connect() as conn:
        suppliers = queue_suppliers(conn)
    return QueueOptions(tuple(suppliers), tuple(queue_countries(suppliers)))
