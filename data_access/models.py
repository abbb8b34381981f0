"""SQLAlchemy 2 typed models for the whole domain of DESIGN.md §3.

Money is integer cents (``*_cents``); times are aware UTC (:class:`UTCDateTime`); dates that are
calendar days in the contract (the ship-by date) are plain dates. CHECK constraints hold what must
never be stored, so a bug in any writer — app, CLI or import — fails loudly instead of saving it.
The daily summary tables are in ``data_access.summary_models`` (exported from here too), the
declarative base both map on in ``data_access.model_base``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from data_access.model_base import Base, Money
from data_access.sql import span_sql

# The summary tables, on the same metadata: importing the models registers every table
# (Alembic's comparison, the seed's table order and the summaries' rebuild read it whole).
from data_access.summary_models import (
    SummaryClaimDay,
    SummaryDecidedDay,
    SummaryLateDay,
    SummaryOrderDay,
    SummaryReasonDay,
    SummaryRefundDay,
    SummaryReviewerDay,
    SummaryReviewerState,
    SummaryState,
    SummarySupplierDay,
    SummarySupplierMonth,
    SummarySupplierYear,
)

__all__ = [
    "ACTIONS",
    "CLAIM_KINDS",
    "CLAIM_STATUSES",
    "DECISION_KINDS",
    "FINAL_DECISION_KINDS",
    "ORDER_STATUSES",
    "PAYMENT_METHODS",
    "POLICY_STATUSES",
    "ROLES",
    "SUPPLIER_RESPONSES",
    "SUPPLIER_TIERS",
    "UNDECIDED_CLAIM_STATUSES",
    "VERDICTS",
    "AuditEvent",
    "Base",
    "Buyer",
    "Claim",
    "Decision",
    "Money",
    "Order",
    "PolicyVersion",
    "Recommendation",
    "SummaryClaimDay",
    "SummaryDecidedDay",
    "SummaryLateDay",
    "SummaryOrderDay",
    "SummaryReasonDay",
    "SummaryRefundDay",
    "SummaryReviewerDay",
    "SummaryReviewerState",
    "SummaryState",
    "SummarySupplierDay",
    "SummarySupplierMonth",
    "SummarySupplierYear",
    "Supplier",
    "SupplierLimitChange",
    "User",
]

ROLES = ("exec", "ops_manager", "claim_reviewer", "admin")
ORDER_STATUSES = ("placed", "shipped", "delivered", "cancelled")
PAYMENT_METHODS = ("tt", "card", "letter_of_credit", "other")
CLAIM_KINDS = ("late_shipment", "quality", "non_delivery")
CLAIM_STATUSES = (
    "open",
    "escalated",
    "in_review",
    "awaiting_second_approval",
    "approved",
    "rejected",
    "withdrawn",
)
UNDECIDED_CLAIM_STATUSES = ("open", "escalated", "in_review", "awaiting_second_approval")
SUPPLIER_RESPONSES = ("accepted", "disputed", "none")
ACTIONS = ("approve_full", "approve_partial", "reject", "request_evidence")
VERDICTS = ("approve", "reject")
#: rules.lifecycle.DecisionKind: a verdict alone, one awaiting a second reviewer, or agreeing.
DECISION_KINDS = ("sole", "proposal", "confirmation")
#: The kinds that end a claim: exactly one per decided claim.
FINAL_DECISION_KINDS = ("sole", "confirmation")
SUPPLIER_TIERS = ("gold", "verified", "standard", "new")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class Supplier(Base):
    __tablename__ = "suppliers"
    __table_args__ = (
        CheckConstraint("limit_cents >= 0", name="limit_not_negative"),
        CheckConstraint(_one_of("tier", SUPPLIER_TIERS), name="tier_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    main_category: Mapped[str] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(16))
    limit_cents: Mapped[int] = mapped_column(Money)
    created_at: Mapped[datetime]


class SupplierLimitChange(Base):
    """Limit history: append-only, one row per change of a supplier's Trade Assurance limit."""

    __tablename__ = "supplier_limit_changes"
    __table_args__ = (
        CheckConstraint(
            "old_limit_cents >= 0 AND new_limit_cents >= 0", name="limits_not_negative"
        ),
        Index("ix_supplier_limit_changes_supplier_at", "supplier_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"))
    old_limit_cents: Mapped[int] = mapped_column(Money)
    new_limit_cents: Mapped[int] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime]


class Buyer(Base):
    __tablename__ = "buyers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))


class Order(Base):
    """A contracted purchase; ``covered_amount_cents`` is its Trade Assurance amount."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("order_amount_cents >= 0", name="order_amount_not_negative"),
        CheckConstraint("covered_amount_cents >= 0", name="covered_amount_not_negative"),
        CheckConstraint("paid_amount_cents >= 0", name="paid_amount_not_negative"),
        CheckConstraint(
            "covered_amount_cents <= order_amount_cents", name="covered_within_order_amount"
        ),
        CheckConstraint(_one_of("status", ORDER_STATUSES), name="status_known"),
        CheckConstraint(_one_of("payment_method", PAYMENT_METHODS), name="payment_method_known"),
        CheckConstraint("currency = 'USD'", name="currency_usd"),
        # Dashboard queries: rates by ship-by month and by placed month, per supplier.
        # Covering: the late-shipment rate reads only these, so it never touches the table.
        Index("ix_orders_ship_by_shipped_cancelled", "ship_by", "shipped_at", "cancelled_at"),
        Index("ix_orders_placed_at", "placed_at"),
        Index("ix_orders_supplier_ship_by", "supplier_id", "ship_by"),
        Index("ix_orders_supplier_placed_at", "supplier_id", "placed_at"),
        # The few cancelled orders by placing time: the loss ratio takes them out of the
        # cohorts the daily summaries count (partial: no entry for an order not cancelled).
        Index(
            "ix_orders_cancelled_placed_at",
            "placed_at",
            "cancelled_at",
            "covered_amount_cents",
            sqlite_where=text("cancelled_at IS NOT NULL"),
            postgresql_where=text("cancelled_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"))
    category: Mapped[str] = mapped_column(String(64))
    payment_method: Mapped[str] = mapped_column(String(24))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    order_amount_cents: Mapped[int] = mapped_column(Money)
    covered_amount_cents: Mapped[int] = mapped_column(Money)
    paid_amount_cents: Mapped[int] = mapped_column(Money)
    placed_at: Mapped[datetime]
    ship_by: Mapped[date] = mapped_column(Date)
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))


def _claim_span_index(closed: str) -> Index:
    """The GiST index on ``(filed_at, greatest(filed_at, closed)]`` of the claims with a
    ``closed`` time, PostgreSQL only: the expression ``sql.span_holds`` asks for."""
    return Index(
        f"ix_claims_{closed.removesuffix('_at')}_span",
        text(span_sql("filed_at", closed)),
        postgresql_using="gist",
        postgresql_where=text(f"{closed} IS NOT NULL"),
    ).ddl_if(dialect="postgresql")


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint("claimed_amount_cents >= 0", name="claimed_amount_not_negative"),
        CheckConstraint("inspection_fee_cents >= 0", name="inspection_fee_not_negative"),
        CheckConstraint(
            "defect_rate_bp IS NULL OR (defect_rate_bp >= 0 AND defect_rate_bp <= 10000)",
            name="defect_rate_in_range",
        ),
        CheckConstraint(_one_of("kind", CLAIM_KINDS), name="kind_known"),
        CheckConstraint(_one_of("status", CLAIM_STATUSES), name="status_known"),
        CheckConstraint(_one_of("supplier_response", SUPPLIER_RESPONSES), name="response_known"),
        Index("ix_claims_filed_at", "filed_at"),
        Index("ix_claims_status_filed_at", "status", "filed_at"),
        Index("ix_claims_order_id", "order_id"),
        # Find a claim: the claims of the buyers whose name or reference matches (migration
        # 0021, which on PostgreSQL adds the trigram indexes the models cannot state).
        Index("ix_claims_buyer_id", "buyer_id"),
        # The queue's "assigned to me" filter.
        Index("ix_claims_assignee_status", "assignee_id", "status"),
        # The reviewers' queue: undecided claims by nearest deadline, paged in SQL.
        Index("ix_claims_status_due_at", "status", "due_at"),
        # The claims open at an instant, found by parts (``queries.claims.open_claim_order_ids``):
        # the undecided by status, those decided or withdrawn since by these two.
        # Covering for the reviewer figures' count and median of the claims decided in a period
        # (migration 0012): read from the index alone, not claim by claim from the table.
        Index(
            "ix_claims_decided_at",
            "decided_at",
            "filed_at",
            "status",
            sqlite_where=text("decided_at IS NOT NULL"),
            postgresql_where=text("decided_at IS NOT NULL"),
        ),
        Index(
            "ix_claims_withdrawn_at",
            "withdrawn_at",
            sqlite_where=text("withdrawn_at IS NOT NULL"),
            postgresql_where=text("withdrawn_at IS NOT NULL"),
        ),
        # On PostgreSQL the claims open at an instant that were decided or withdrawn since are
        # found by the span from filing to closing holding the instant (``sql.span_holds``,
        # migration 0017): its planner, judging the two times independent, read the claims by
        # filing time instead. SQLite has no range type; the indexes above serve it.
        *(_claim_span_index(closed) for closed in ("decided_at", "withdrawn_at")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    # Copies of the order's reference and buyer (migration 0020): Find a claim matches a text
    # against the claims and the buyers alone, not each claim's order looked up among millions
    # (``queries.claim_lookup``). An order's reference never changes; a claim's order and an
    # order's buyer do, and every writer of those writes the copies too
    # (``data_access.claim_copies``).
    order_external_id: Mapped[str] = mapped_column(String(64))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"))
    kind: Mapped[str] = mapped_column(String(16))
    filed_at: Mapped[datetime]
    claimed_amount_cents: Mapped[int] = mapped_column(Money)
    description: Mapped[str] = mapped_column(Text, default="")
    # Evidence: a third-party inspection report decides quality disputes.
    inspection_report: Mapped[bool] = mapped_column(Boolean, default=False)
    defect_rate_bp: Mapped[int | None] = mapped_column(Integer)
    conforming: Mapped[bool | None] = mapped_column(Boolean)
    inspection_fee_cents: Mapped[int] = mapped_column(Money, default=0)
    supplier_response: Mapped[str] = mapped_column(String(16), default="none")
    supplier_responded_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(32), default="open")
    escalated_at: Mapped[datetime | None]
    picked_up_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The next deadline of an undecided claim (None once decided), stored so the queue can sort
    # and page in SQL; kept fresh by services.claims.deadlines.refresh_due on every write.
    due_at: Mapped[datetime | None]
    due_label: Mapped[str | None] = mapped_column(String(32))


class Recommendation(Base):
    """The rules module's answer under one policy version; history, never rewritten."""

    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        CheckConstraint("amount_cents <= cap_cents", name="amount_within_cap"),
        CheckConstraint(_one_of("action", ACTIONS), name="action_known"),
        # "The latest recommendation" is the greatest id per claim (never a client's clock).
        Index("ix_recommendations_claim_id_id", "claim_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    policy_version: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(24))
    amount_cents: Mapped[int] = mapped_column(Money)
    cap_cents: Mapped[int] = mapped_column(Money)
    # [{"code": ..., "message": ...}, ...] — the recommendation explains itself.
    reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    four_eyes_required: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]


_FINAL_KIND = _one_of("kind", FINAL_DECISION_KINDS)


class Decision(Base):
    """A reviewer's verdict; append-only, numbered per claim (``seq``; rules.lifecycle).

    Two reviewers racing for the same step both compute the same ``seq``: the unique
    (claim, seq) pair makes one of them lose cleanly, and a partial unique index allows at most
    one final decision (sole or confirmation) per claim whatever a writer does.
    """

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("claim_id", "seq", name="uq_decisions_claim_seq"),
        Index(
            "uq_decisions_one_final_per_claim",
            "claim_id",
            unique=True,
            sqlite_where=text(_FINAL_KIND),
            postgresql_where=text(_FINAL_KIND),
        ),
        CheckConstraint("seq >= 1", name="seq_positive"),
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        CheckConstraint("amount_cents <= cap_cents", name="amount_within_cap"),
        CheckConstraint(_one_of("verdict", VERDICTS), name="verdict_known"),
        CheckConstraint(_one_of("kind", DECISION_KINDS), name="kind_known"),
        Index("ix_decisions_reviewer_decided", "reviewer_id", "decided_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendations.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verdict: Mapped[str] = mapped_column(String(8))
    amount_cents: Mapped[int] = mapped_column(Money)
    cap_cents: Mapped[int] = mapped_column(Money)
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime]


class AuditEvent(Base):
    """Who did what, when, with the state before and after; append-only."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "entity_type", "entity_id"),
        Index("ix_audit_events_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime]


POLICY_STATUSES = ("draft", "active", "retired")
_ACTIVE = "status = 'active'"


class PolicyVersion(Base):
    """A programme policy as stored TOML text (``rules.policy`` format); one is active.

    A version is never edited: a change is a new draft, activated by a second ops manager
    (``services.policy.versions``). The partial unique index holds "at most one active" even
    against two activations racing each other.
    """

    __tablename__ = "policy_versions"
    __table_args__ = (
        CheckConstraint(_one_of("status", POLICY_STATUSES), name="status_known"),
        Index(
            "uq_policy_versions_one_active",
            "status",
            unique=True,
            sqlite_where=text(_ACTIVE),
            postgresql_where=text(_ACTIVE),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(32), unique=True)
    toml: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_label: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    activated_by_label: Mapped[str | None] = mapped_column(String(320))
    activated_at: Mapped[datetime | None]
