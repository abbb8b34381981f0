"""The reviewers' queue: undecided claims by nearest stored deadline, filtered and paged in SQL.

Sorting uses ``claims.due_at`` (see ``services.claims.deadlines``), ties broken by id so paging is
stable. A claim whose deadline was never stored (``due_at`` NULL, e.g. straight after the
migration) sorts first on both databases: an unknown deadline is treated as the most urgent.
Counting and paging run on the database, so only one page of rows ever reaches Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, exists, false, func, nulls_first, select
from sqlalchemy.orm import aliased

from data_access.claim_facts import Executor
from data_access.models import UNDECIDED_CLAIM_STATUSES, Claim, Decision, Order, Supplier, User
from data_access.queries.claim_lookup import claim_search_condition

__all__ = [
    "QueueFilters",
    "QueueRow",
    "SupplierOption",
    "queue_countries",
    "queue_rows",
    "queue_status_counts",
    "queue_suppliers",
    "queue_total",
]


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """What the reviewer narrowed the queue to; empty tuples and None mean "any"."""

    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    supplier_external_id: str | None = None
    country: str | None = None
    min_claimed_cents: int | None = None
    max_claimed_cents: int | None = None
    assigned_to_me: bool = False
    needs_my_second_approval: bool = False
    #: Text to find in the claim's, its order's or its buyer's reference or the buyer's name.
    search: str = ""


class QueueRow(NamedTuple):
    claim_id: int
    claim_external_id: str
    order_external_id: str
    supplier_name: str
    supplier_country: str
    kind: str
    status: str
    filed_at: datetime
    claimed_amount_cents: int
    supplier_response: str
    escalated_at: datetime | None
    picked_up_at: datetime | None
    due_at: datetime | None
    due_label: str | None
    assignee_name: str | None
    #: The claim's latest decision, if any: a pending proposal (awaiting second approval) or,
    #: on a claim back in review, a proposal that lapsed when its recommendation changed.
    last_decision_kind: str | None
    last_reviewer_id: int | None
    last_reviewer_name: str | None


class SupplierOption(NamedTuple):
    external_id: str
    name: str
    country: str


def _last_seq() -> Any:
    """The ``seq`` of the claim's latest decision (correlated to ``Claim``)."""
    return (
        select(func.max(Decision.seq))
        .where(Decision.claim_id == Claim.id)
        .correlate(Claim)
        .scalar_subquery()
    )


def _conditions(
    filters: QueueFilters, viewer_id: int | None, *, with_status: bool = True
) -> list[ColumnElement[bool]]:
    """The WHERE conditions on ``claims`` for ``filters``."""
    undecided = [
        s for s in UNDECIDED_CLAIM_STATUSES if not filters.statuses or s in filters.statuses
    ]
    conditions: list[ColumnElement[bool]] = [
        Claim.status.in_(undecided if with_status else UNDECIDED_CLAIM_STATUSES)
    ]
    if filters.kinds:
        conditions.append(Claim.kind.in_(filters.kinds))
    if filters.min_claimed_cents is not None:
        conditions.append(Claim.claimed_amount_cents >= filters.min_claimed_cents)
    if filters.max_claimed_cents is not None:
        conditions.append(Claim.claimed_amount_cents <= filters.max_claimed_cents)
    if filters.assigned_to_me:
        conditions.append(Claim.assignee_id == viewer_id)
    if filters.needs_my_second_approval:
        pending = aliased(Decision)
        conditions.append(Claim.status == "awaiting_second_approval")
        # Nobody confirms their own: the viewer's own proposals wait for someone else.
        conditions.append(
            exists().where(
                pending.claim_id == Claim.id,
                pending.seq == _last_seq(),
                pending.kind == "proposal",
                pending.reviewer_id != viewer_id if viewer_id is not None else false(),
            )
        )
    if filters.supplier_external_id is not None or filters.country is not None:
        # A semi-join on the matching orders' ids: both databases build the (small) set once
        # and probe it, instead of joining orders and suppliers for every undecided claim.
        suppliers = select(Supplier.id)
        if filters.supplier_external_id is not None:
            suppliers = suppliers.where(Supplier.external_id == filters.supplier_external_id)
        if filters.country is not None:
            suppliers = suppliers.where(Supplier.country == filters.country)
        orders = select(Order.id).where(Order.supplier_id.in_(suppliers))
        conditions.append(Claim.order_id.in_(orders))
    if filters.search.strip():
        conditions.append(claim_search_condition(filters.search.strip()))
    return conditions


def queue_rows(
    executor: Executor,
    filters: QueueFilters,
    viewer_id: int | None,
    *,
    limit: int,
    offset: int = 0,
) -> list[QueueRow]:
    """One page of the queue, most urgent stored deadline first."""
    if limit <= 0 or offset < 0:
        raise ValueError("limit must be positive and offset not negative")
    conditions = _conditions(filters, viewer_id)
    assignee = aliased(User)
    last = aliased(Decision)
    last_reviewer = aliased(User)
    # Page the claim ids first (narrow, index-friendly), then join the details for those only.
    page = (
        select(Claim.id, Claim.due_at)
        .where(*conditions)
        .order_by(nulls_first(Claim.due_at.asc()), Claim.id)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    query = (
        select(
            Claim.id,
            Claim.external_id,
            Order.external_id,
            Supplier.name,
            Supplier.country,
            Claim.kind,
            Claim.status,
            Claim.filed_at,
            Claim.claimed_amount_cents,
            Claim.supplier_response,
            Claim.escalated_at,
            Claim.picked_up_at,
            Claim.due_at,
            Claim.due_label,
            assignee.display_name,
            last.kind,
            last.reviewer_id,
            last_reviewer.display_name,
        )
        .join(page, page.c.id == Claim.id)
        .join(Order, Order.id == Claim.order_id)
        .join(Supplier, Supplier.id == Order.supplier_id)
        .outerjoin(assignee, assignee.id == Claim.assignee_id)
        .outerjoin(last, and_(last.claim_id == Claim.id, last.seq == _last_seq()))
        .outerjoin(last_reviewer, last_reviewer.id == last.reviewer_id)
        .order_by(nulls_first(page.c.due_at.asc()), Claim.id)
    )
    return [QueueRow._make(row) for row in executor.execute(query).all()]


def queue_total(executor: Executor, filters: QueueFilters, viewer_id: int | None) -> int:
    """How many undecided claims match the filters."""
    query = select(func.count()).select_from(Claim).where(*_conditions(filters, viewer_id))
    return int(executor.execute(query).scalar_one())


def queue_status_counts(
    executor: Executor, filters: QueueFilters, viewer_id: int | None
) -> dict[str, int]:
    """Undecided claims per status under every filter except the status one (one GROUP BY)."""
    conditions = _conditions(filters, viewer_id, with_status=False)
    query = select(Claim.status, func.count()).select_from(Claim)
    counts = dict.fromkeys(UNDECIDED_CLAIM_STATUSES, 0)
    for status, count in executor.execute(query.where(*conditions).group_by(Claim.status)).all():
        counts[status] = int(count)
    return counts


def queue_suppliers(executor: Executor) -> list[SupplierOption]:
    """Suppliers with at least one undecided claim, by name: the supplier filter's choices.

    Read from the undecided claims (the status index) to their orders and suppliers, so the
    cost follows the queue's size, never the number of orders or suppliers."""
    query = (
        select(Supplier.external_id, Supplier.name, Supplier.country)
        .distinct()
        .select_from(Claim)
        .join(Order, Order.id == Claim.order_id)
        .join(Supplier, Supplier.id == Order.supplier_id)
        .where(Claim.status.in_(UNDECIDED_CLAIM_STATUSES))
        .order_by(Supplier.name, Supplier.external_id)
    )
    return [SupplierOption._make(row) for row in executor.execute(query).all()]


def queue_countries(suppliers: Sequence[SupplierOption]) -> list[str]:
    """The suppliers' countries, sorted: the country filter's choices."""
    return sorted({s.country for s in suppliers})
